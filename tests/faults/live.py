"""A real `roi-tracker serve` on a free port: start, wait until healthy, call, kill -9 or stop, verify.

The server runs in its own process group so a crash can be a kill -9 of master and workers at once; teardown
always kills the group. Requests use API tokens over plain HTTP (http.client), as an integrator's script does.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roi_tracker import config

COMMAND = Path(sys.executable).with_name("roi-tracker")


def server_env(settings: config.Settings, database_url: str | None = None) -> dict[str, str]:
    """Return the environment that points the command at a test instance."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROI_")}
    env |= {
        "ROI_INSTANCE_PATH": str(settings.instance_path),
        "ROI_DATABASE_URL": database_url or settings.database_url,
        "ROI_KEY_FILE": str(settings.key_file),
        "ROI_CHECKPOINT_DIR": str(settings.checkpoint_dir),
        "ROI_REQUIRE_MFA": "false",
    }
    return env


def free_port() -> int:
    """Return a TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """One running `roi-tracker serve`, its port and its output file."""

    process: subprocess.Popen[bytes]
    port: int
    output: Path

    def tail(self) -> str:
        """Return the end of the server's output, for assertion messages."""
        return self.output.read_text(errors="replace")[-3000:]

    def pids(self) -> list[int]:
        """Return the ids of the master and its workers (the process group)."""
        out = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, ValueError, IndexError):
                    stat = (entry / "stat").read_text()
                    if int(stat.rsplit(")", 1)[1].split()[2]) == self.process.pid:
                        out.append(int(entry.name))
        return out

    def kill_hard(self) -> None:
        """kill -9 the master and every worker at once, and reap the master."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int:
        """Stop as an operator would (SIGTERM: clean, signs a checkpoint); return its status."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill_hard()
            return -9


def wait_healthy(server: Server, timeout: float = 60) -> None:
    """Wait until GET /api/v1/health answers 200; fail with the server's output otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the server exited with {server.process.returncode}:\n{server.tail()}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if call(server.port, "GET", "/api/v1/health", timeout=2)[0] == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"the server did not become healthy in {timeout}s:\n{server.tail()}")


@contextlib.contextmanager
def serving(env: dict[str, str], output: Path, *, umask: int = -1) -> Iterator[Server]:
    """Start `roi-tracker serve` on a free port, wait until healthy, and always kill it afterwards.

    `umask` is the one the command starts with (-1: this process's).
    """
    port = free_port()
    with output.open("ab") as sink:
        process = subprocess.Popen(
            [str(COMMAND), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            umask=umask,
        )
    server = Server(process, port, output)
    try:
        wait_healthy(server)
        yield server
    finally:
        if process.poll() is None:
            server.kill_hard()


def call(
    port: int, method: str, path: str, *, token: str = "", body: Any = None, timeout: float = 20
) -> tuple[int, Any]:
    """Send one request and return (status, decoded JSON or None)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    payload: bytes | None = None
    if isinstance(body, tuple):
        payload, headers["Content-Type"] = body
    elif body is not None:
        payload, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(raw) if raw else None
    except ValueError:
        return response.status, None


def multipart(fields: dict[str, str], content: bytes) -> tuple[bytes, str]:
    """Encode form fields and one PDF `file` as multipart/form-data."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def verify_command(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `roi-tracker audit verify --full` as an operator would."""
    return subprocess.run(
        [str(COMMAND), "audit", "verify", "--full"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
