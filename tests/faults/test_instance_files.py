"""A served instance's files are 0600 even when `roi-tracker` starts under a umask of 0022 (issue 15 item 6).

A real `init` and `serve` in subprocesses: while the server runs (SQLite's WAL and SHM exist then) and after
it stops (the shutdown checkpoint is written then) every file of the instance is 0600; a 0644 one makes the
next `serve` refuse to start with one line.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES
from tests.faults import live

pytestmark = pytest.mark.slow  # a real server in a subprocess

LOOSE = 0o022  # a common shell default


def _env(tmp_path: Path, database_url: str) -> tuple[dict[str, str], Path]:
    inst = tmp_path / "inst"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROI_")}
    env |= {"ROI_INSTANCE_PATH": str(inst), "ROI_REQUIRE_MFA": "false"}
    if ON_POSTGRES:
        env["ROI_DATABASE_URL"] = database_url
    return env, inst


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(live.COMMAND), *args]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, check=False, umask=LOOSE
    )


def modes_under(folder: Path) -> dict[str, int]:
    """Return the permission bits of every file under `folder`, by path relative to it."""
    return {
        str(p.relative_to(folder)): stat.S_IMODE(p.stat().st_mode) for p in folder.rglob("*") if p.is_file()
    }


def test_a_served_instance_keeps_every_file_0600_and_refuses_to_start_once_one_is_0644(
    tmp_path: Path, database_url: str
) -> None:
    """init, serve (a request, then SIGTERM): all 0600; one file chmod 644 and serve exits 1 with one line."""
    env, inst = _env(tmp_path, database_url)
    assert _run(env, "init").returncode == 0
    with live.serving(env, tmp_path / "server.log", umask=LOOSE) as server:
        assert live.call(server.port, "GET", "/signin")[0] == 200
        while_serving = modes_under(inst)
        assert server.stop() == 0, server.tail()
    after = modes_under(inst)
    if not ON_POSTGRES:
        assert {"roi-tracker.sqlite3-wal", "roi-tracker.sqlite3-shm"} <= set(while_serving), while_serving
    assert "checkpoints/checkpoints.jsonl" in after, after
    assert while_serving == dict.fromkeys(while_serving, 0o600)
    assert after == dict.fromkeys(after, 0o600)

    exposed = inst / "checkpoints" / "checkpoints.jsonl" if ON_POSTGRES else inst / "roi-tracker.sqlite3"
    exposed.chmod(0o644)
    refused = _run(env, "serve", "--port", str(live.free_port()))
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert refused.stderr.strip().splitlines() == [
        f"roi-tracker: the instance file {exposed} is readable by others; run `chmod 600 {exposed}`"
    ]
