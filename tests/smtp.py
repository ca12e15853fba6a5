"""A real SMTP server in the test process (aiosmtpd): STARTTLS or implicit TLS, a login, a certificate.

The certificate is self-signed for 127.0.0.1; tests trust it through SSL_CERT_FILE, which the standard
library's default context reads, so the code under test verifies the server exactly as in production.
"""

from __future__ import annotations

import socket
import ssl
import subprocess  # nosec B404  # openssl makes the test certificate
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from aiosmtpd.smtp import AuthResult
from aiosmtpd.smtp import LoginPassword

LOGIN = "roi"
SECRET = "mail-secret"  # nosec B105  # the test server's password


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """Make a self-signed certificate and key for 127.0.0.1 in `folder`."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603  # fixed arguments
        [  # noqa: S607  # openssl from PATH
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class Inbox:
    """What the server received, and how it answers recipients."""

    refuse: bool = False
    messages: list[Message] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = bytes(envelope.original_content or envelope.content)
        self.raw.append(content)
        self.messages.append(message_from_bytes(content))
        return "250 Message accepted"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == LOGIN.encode()
        and (auth_data.password == SECRET.encode())
    )
    return AuthResult(success=ok)


class _ImplicitTLS(Controller):
    """TLS from the first byte; aiosmtpd offers AUTH there only when told TLS is not required for it."""

    def factory(self) -> SMTP:
        with warnings.catch_warnings():
            # The connection is TLS already; the warning is about STARTTLS, which does not apply.
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
            return SMTP(self.handler, **self.SMTP_kwargs)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(cert: Path, key: Path, *, implicit_tls: bool = False) -> Iterator[tuple[str, Inbox]]:
    """Run a server needing TLS and a login; yield its ROI_SMTP_URL and its inbox."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = _free_port()
    tls: dict[str, Any] = (
        {"ssl_context": context} if implicit_tls else {"tls_context": context, "require_starttls": True}
    )
    kind = _ImplicitTLS if implicit_tls else Controller
    controller = kind(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticate,
        auth_required=True,
        auth_require_tls=not implicit_tls,
        server_hostname="127.0.0.1",
        **tls,
    )
    controller.start()
    scheme = "smtps" if implicit_tls else "smtp"
    try:
        yield f"{scheme}://{LOGIN}:{SECRET}@127.0.0.1:{port}", inbox
    finally:
        controller.stop()


@contextmanager
def serving_in_the_clear() -> Iterator[tuple[str, Inbox]]:
    """Run a server that offers no STARTTLS (what the code must refuse to use); yield its URL and inbox."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made once per run."""
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def trusted(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Trust the test certificate as the default context does a public one."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    return certificate


@pytest.fixture
def mail_server(trusted: tuple[Path, Path]) -> Iterator[tuple[str, Inbox]]:
    """A STARTTLS server needing a login: its smtp:// URL and its inbox."""
    with serving(*trusted) as served:
        yield served
