"""A real `roi-tracker serve` on 127.0.0.1 and a free port, in a fresh demo instance, for attack tools."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
# The demo account that acts for each role (the demo's own `clinician` holds the caseload).
ACCOUNTS = {"clinician": "clinician", "front_desk": "frontdesk", "auditor": "auditor", "admin": "admin"}


@dataclass
class Server:
    """A served instance: where it listens and how to run its command line against it."""

    base: str
    env: dict[str, str]
    passwords: dict[str, str]
    log: Path

    def cli(self, *args: str) -> str:
        """Run `roi-tracker ARGS` against this instance and return what it printed."""
        done = subprocess.run(
            [str(BIN / "roi-tracker"), *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def token(self, username: str) -> str:
        """Issue an API token for `username`."""
        found = re.search(r"roi_[A-Za-z0-9_-]+", self.cli("users", "token", username))
        assert found, "no token printed"
        return found.group(0)


@dataclass
class Browser:
    """A cookie-keeping client of one server (urllib: no dependency beyond the standard library)."""

    base: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str, str]:
        """GET a page: (status, content type, text)."""
        try:
            with self._opener.open(self.base + path, timeout=30) as response:
                # A PDF (a letter, a notice) is not a page: its bytes are read, never parsed as one.
                return (
                    response.status,
                    response.headers.get_content_type(),
                    response.read().decode(errors="replace"),
                )
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get_content_type(), exc.read().decode(errors="replace")

    def sign_in(self, username: str, password: str) -> None:
        """Fill in and send the sign-in form."""
        page = self.get("/signin")[2]
        token = CSRF.search(page)
        assert token, "no CSRF token on the sign-in page"
        data = {"username": username, "password": password, "csrf_token": token.group(1)}
        with self._opener.open(self.base + "/signin", urllib.parse.urlencode(data).encode(), timeout=30) as r:
            assert not r.url.endswith("/signin"), f"signing in as {username} failed"

    def cookie(self) -> str:
        """The Cookie header this browser sends."""
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("the server stopped:\n" + log.read_text(errors="replace"))
        try:
            with urllib.request.urlopen(base + "/api/v1/health", timeout=2):  # noqa: S310 - our own 127.0.0.1
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the server did not answer within 60 s:\n" + log.read_text(errors="replace"))


@contextmanager
def demo_server(folder: Path, database_url: str) -> Iterator[Server]:
    """Create a demo instance in `folder` on `database_url`, serve it, and stop it afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROI_")}
    env |= {"ROI_INSTANCE_PATH": str(folder / "instance"), "ROI_DATABASE_URL": database_url}
    log = folder / "server.log"
    port = _free_port()
    server = Server(f"http://127.0.0.1:{port}", env, {}, log)
    server.cli("init", "--demo")
    demo = json.loads((folder / "instance" / "DEMO").read_text(encoding="utf-8"))
    server.passwords = {item["username"]: item["password"] for item in demo}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "roi-tracker"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(server.base, process, log)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
