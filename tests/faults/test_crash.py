"""kill -9 of a real server under load, then a restart: nothing half-written or orphaned; the log verifies."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from roi_tracker.runtime import Runtime
from tests.conftest import ON_POSTGRES
from tests.faults import live
from tests.faults import practice

pytestmark = pytest.mark.slow  # a real server in a subprocess: tens of seconds


def restore_nothing(env: dict[str, str]) -> str:
    """Ask for a restore of a missing file and return the one-line refusal."""
    command = [str(live.COMMAND), "restore", "/nonexistent/backup.sqlite3", "--force"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    return done.stderr


def test_a_server_killed_under_load_restarts_with_nothing_half_written_and_a_log_that_verifies(
    runtime: Runtime, tmp_path: Path
) -> None:
    """Disclosures, checks and uploads from six threads; kill -9 of master and workers mid-flight; restart."""
    world = practice.open_practice(runtime)
    env = live.server_env(runtime.env.settings)
    with live.serving(env, tmp_path / "server-1.log") as server:
        load = practice.Load(server.port, world)
        load.start()
        try:
            load.wait_for(disclosures=8, documents=4)
            server.kill_hard()
            time.sleep(0.3)  # requests keep coming at a dead port
        finally:
            load.finish()
    assert load.statuses["disclose 0"] + load.statuses["upload 0"] + load.statuses["check 0"] > 0
    assert not any(key.endswith(" 500") for key in load.statuses), dict(load.statuses)
    practice.assert_nothing_half_written(runtime, load)
    verdict = live.verify_command(env)
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
    assert verdict.stdout.startswith("intact")
    if not ON_POSTGRES:
        assert "no such file" in restore_nothing(env), "kill -9 left the serving lock behind"

    with live.serving(env, tmp_path / "server-2.log") as server:
        again = practice.Load(server.port, world)
        again.start(per_kind=1)
        try:
            again.wait_for(disclosures=2, documents=1)
        finally:
            again.finish()
        if not ON_POSTGRES:
            assert "a server is running" in restore_nothing(env)
        assert server.stop() == 0, server.tail()
    practice.assert_nothing_half_written(runtime, again)
    verdict = live.verify_command(env)
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
