"""SMTP with the standard library: STARTTLS for smtp://, implicit TLS for smtps:// (ROI_SMTP_URL)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote
from urllib.parse import urlsplit

from roi_tracker.domain.reminders import MailRefused

TIMEOUT_SECONDS = 20


class Mailer(Protocol):
    """Something that sends one message (an open SMTP connection, or a test's stand-in)."""

    def send_message(self, msg: EmailMessage) -> object:
        """Send `msg`, raising on refusal."""
        ...


def _refusal(exc: Exception) -> MailRefused:
    """One line saying what went wrong, without the server's words (they may echo addresses)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        return MailRefused(f"the mail server refused the recipient (SMTP {', '.join(map(str, codes))})")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return MailRefused("the mail server offers no STARTTLS or no login; nothing is sent in the clear")
    if isinstance(exc, smtplib.SMTPResponseException):
        return MailRefused(f"the mail server refused (SMTP {exc.smtp_code})")
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return MailRefused(f"TLS with the mail server failed ({type(exc).__name__})")
    return MailRefused(f"could not talk to the mail server ({type(exc).__name__})")


@contextmanager
def connect(url: str) -> Iterator[Mailer]:
    """Open an authenticated, encrypted SMTP session for `url`; every failure is a one-line MailRefused."""
    parts = urlsplit(url)
    context = ssl.create_default_context()  # verifies the server's certificate and name
    host = parts.hostname or ""
    smtp: smtplib.SMTP | None = None
    try:
        if parts.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(host, parts.port or 465, timeout=TIMEOUT_SECONDS, context=context)
        else:
            smtp = smtplib.SMTP(host, parts.port or 587, timeout=TIMEOUT_SECONDS)
            # Never in the clear: no STARTTLS offered is a refusal, not a fallback.
            smtp.starttls(context=context)
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
    except (OSError, smtplib.SMTPException) as exc:
        if smtp is not None:
            smtp.close()
        raise _refusal(exc) from None
    try:
        yield _Checked(smtp)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


class _Checked:
    """An SMTP session whose every refusal is a MailRefused."""

    def __init__(self, smtp: smtplib.SMTP) -> None:
        self._smtp = smtp

    def send_message(self, msg: EmailMessage) -> object:
        """Send `msg`; a refusal of any recipient is a refusal of the message."""
        try:
            refused = self._smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise _refusal(exc) from None
        if refused:
            raise _refusal(smtplib.SMTPRecipientsRefused(refused))
        return refused
