"""A real instance for the browser: `roi-tracker init`, users by the service, `roi-tracker serve`."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pyotp

from roi_tracker import audit
from roi_tracker import config
from roi_tracker.runtime import open_instance
from roi_tracker.services.people import users

PASSWORD = "a long e2e password, not for anything else"
START_SECONDS = 60
STOP_SECONDS = 20
SERVER_ERROR = re.compile(r'" 5\d\d ')
SETUP = audit.Actor(user_id="e2e-setup", role="system")


@dataclass
class Person:
    """A member of staff: who they are, and the authenticator secret once they have enrolled."""

    username: str
    role: str
    display_name: str
    password: str = PASSWORD
    secret: str = ""
    last_step: int = -1

    def next_code(self) -> str:
        """Return a TOTP code the server has not seen yet (each code works once), waiting if need be."""
        totp = pyotp.TOTP(self.secret)
        while True:
            now = totp.timecode(datetime.now(UTC))
            step = max(now, self.last_step + 1)
            if step <= now + 1:  # the server accepts the previous, current and next step
                self.last_step = step
                return totp.generate_otp(step)
            time.sleep(1)


@dataclass
class Server:
    """A running `roi-tracker serve` and what it was started with."""

    base_url: str
    env: dict[str, str]
    log_path: Path
    people: dict[str, Person] = field(default_factory=dict)

    def log_text(self) -> str:
        """Return what the server printed so far (its access log and any errors)."""
        return self.log_path.read_text(errors="replace")


def command() -> list[str]:
    """Return how to run the `roi-tracker` command of this virtual environment."""
    script = Path(sys.executable).with_name("roi-tracker")
    return [str(script)] if script.exists() else [sys.executable, "-m", "roi_tracker.cli"]


def free_port() -> int:
    """Return a local TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def instance_env(folder: Path, database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a fresh instance in `folder`: this process's, without any other ROI_ setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROI_")}
    env.update(ROI_INSTANCE_PATH=str(folder / "instance"), ROI_DATABASE_URL=database_url)
    env.update(ROI_REQUIRE_MFA="true", ROI_PRACTICE_NAME="Riverside Counselling (e2e)")
    env.update(settings)
    return env


def run_cli(env: dict[str, str], *args: str) -> str:
    """Run one `roi-tracker` command and return its output; a failure names the command and its error."""
    done = subprocess.run(
        [*command(), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"roi-tracker {' '.join(args)} failed: {done.stderr.strip()}"
    return done.stdout


def create_people(env: dict[str, str], people: list[Person]) -> dict[str, Person]:
    """Create each person with the users service, as `roi-tracker users create` does."""
    runtime = open_instance(config.load(env))
    try:
        with runtime.sessions() as session:
            for p in people:
                users.create_user(
                    session,
                    runtime.env,
                    SETUP,
                    username=p.username,
                    display_name=p.display_name,
                    role=p.role,
                    password=p.password,
                )
    finally:
        runtime.close()
    return {p.username: p for p in people}


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"roi-tracker serve exited with {process.returncode}:\n{log_path.read_text()}"
            )
        try:
            with urllib.request.urlopen(f"{base_url}/api/v1/health", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise AssertionError(
        f"roi-tracker serve did not answer /api/v1/health in {START_SECONDS}s:\n" + log_path.read_text()
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # gunicorn shuts down gracefully and writes a checkpoint
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def serving(folder: Path, database_url: str, people: list[Person], **settings: str) -> Iterator[Server]:
    """Create an instance and its people, serve it until the block ends, then stop it."""
    env = instance_env(folder, database_url, **settings)
    run_cli(env, "init")
    created = create_people(env, people)
    port = free_port()
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_healthy(base_url, process, log_path)
            yield Server(base_url, env, log_path, created)
        finally:
            _stop(process)
    shutil.rmtree(folder / "instance", ignore_errors=True)
