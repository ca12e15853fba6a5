"""The database gone for a moment under a real server: requests answer 503 (never 500), then recover; nothing
acknowledged is lost and nothing refused is half-stored; the log verifies."""

from __future__ import annotations

import resource
import sqlite3
import time
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from roi_tracker import config
from roi_tracker import db
from roi_tracker.runtime import Runtime
from roi_tracker.services.operations import backup
from tests.conftest import ON_POSTGRES
from tests.conftest import PG_URL
from tests.faults import live
from tests.faults import practice

pytestmark = pytest.mark.slow  # a real server in a subprocess: tens of seconds


def disk_full(server: live.Server) -> Callable[[bool], None]:
    """Return a switch that makes every file write of the server fail (EFBIG, as a full disk would) or not."""

    def switch(on: bool) -> None:
        for pid in server.pids():
            _, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
            resource.prlimit(pid, resource.RLIMIT_FSIZE, (1 if on else hard, hard))

    return switch


def sample(load: practice.Load) -> dict[str, int]:
    """Return a copy of the statuses seen so far."""
    with load.lock:
        return dict(load.statuses)


def during(load: practice.Load, seconds: float) -> dict[str, int]:
    """Return the statuses the load saw over the next `seconds`."""
    before = sample(load)
    time.sleep(seconds)
    after = sample(load)
    return {key: n - before.get(key, 0) for key, n in after.items() if n - before.get(key, 0)}


Outage = Callable[[live.Server], Callable[[bool], None]]


def run_outages(
    runtime: Runtime, tmp_path: Path, env: dict[str, str], *outages: tuple[Outage, float]
) -> None:
    """Serve under load; for each outage, switch it on for about `window` seconds, then off, and check."""
    world = practice.open_practice(runtime)
    with live.serving(env, tmp_path / "server.log") as server:
        load = practice.Load(server.port, world)
        load.start(per_kind=1)
        try:
            load.wait_for(disclosures=2, documents=1)
            for outage, window in outages:
                switch = outage(server)
                try:
                    switch(True)
                    time.sleep(1)  # requests already past their writes finish
                    down = during(load, window)
                finally:
                    switch(False)
                assert down, "no request was answered during the outage"
                assert all(key.endswith(" 503") for key in down), (
                    f"during the outage: {down}\n{server.tail()}"
                )
                load.wait_for(disclosures=len(load.disclosures) + 2, documents=len(load.documents) + 1)
        finally:
            load.finish()
        assert not any(key.endswith(" 500") for key in load.statuses), dict(load.statuses)
        assert server.stop() == 0, server.tail()
    practice.assert_nothing_half_written(runtime, load)
    verdict = live.verify_command(env)
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr


def write_locked(settings: config.Settings) -> Outage:
    """Return an outage: another program holds the SQLite write lock past the server's busy timeout."""
    path = backup.sqlite_path(settings)

    def outage(_server: live.Server) -> Callable[[bool], None]:
        holder: list[sqlite3.Connection] = []

        def switch(on: bool) -> None:
            if on and not holder:
                holder.append(sqlite3.connect(path, isolation_level=None, timeout=30))
                holder[0].execute("BEGIN EXCLUSIVE")
            elif not on and holder:
                holder.pop().close()

        return switch

    return outage


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's file and lock; PostgreSQL loses its connections instead")
def test_a_full_disk_or_a_held_lock_answers_503_and_the_server_recovers_afterwards(
    runtime: Runtime, tmp_path: Path
) -> None:
    """Every write fails for seconds (RLIMIT_FSIZE, as a full disk); later the write lock is held past the
    busy timeout by another program. Each time: 503 meanwhile, then recovery."""
    settings = runtime.env.settings
    lock_window = db.SQLITE_BUSY_TIMEOUT_MS / 1000 + 2  # long enough for requests to give up waiting
    run_outages(
        runtime, tmp_path, live.server_env(settings), (disk_full, 3), (write_locked(settings), lock_window)
    )


@contextmanager
def login_role(runtime: Runtime) -> Iterator[tuple[str, Outage]]:
    """A login role in roi_app for the server, and an outage that shuts it out and cuts its connections."""
    role = f"roi_fault_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    cut = sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :role")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE ROLE {role} LOGIN IN ROLE roi_app"))

    def outage(_server: live.Server) -> Callable[[bool], None]:
        def switch(on: bool) -> None:
            with admin.connect() as conn:
                conn.execute(sa.text(f"ALTER ROLE {role} {'NOLOGIN' if on else 'LOGIN'}"))
                if on:
                    conn.execute(cut, {"role": role})

        return switch

    try:
        yield runtime.env.settings.database_url.replace("//postgres@", f"//{role}@", 1), outage
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"ALTER ROLE {role} NOLOGIN"))
            conn.execute(cut, {"role": role})
            conn.execute(sa.text(f"DROP ROLE {role}"))
        admin.dispose()


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only (set ROI_TEST_DATABASE_URL)")
def test_postgresql_going_away_answers_503_and_the_server_recovers_when_it_returns(
    runtime: Runtime, tmp_path: Path
) -> None:
    """The server's connections are terminated and new ones refused for a few seconds; then it may log in."""
    with login_role(runtime) as (url, outage):
        run_outages(runtime, tmp_path, live.server_env(runtime.env.settings, url), (outage, 3))
