"""Two app servers on one PostgreSQL database, writing at once, leave one contiguous, unforked access log.

This is how a practice scales past one server (README, "Several app servers"): each `roi-tracker serve`
appends under the chain's transaction-scoped advisory lock, so entries from both interleave into one chain.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select

from roi_tracker import models
from roi_tracker.runtime import Runtime
from tests.conftest import ON_POSTGRES
from tests.faults import live
from tests.faults import practice

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ON_POSTGRES, reason="several app servers share a PostgreSQL database, not a file"),
]


def test_two_servers_writing_at_once_leave_one_contiguous_unforked_chain_that_verifies(
    runtime: Runtime, tmp_path: Path
) -> None:
    """Disclosures, checks, uploads and requests for records on both servers at once; the log verifies."""
    world = practice.open_practice(runtime)
    env = live.server_env(runtime.env.settings)
    with (
        live.serving(env, tmp_path / "server-a.log") as a,
        live.serving(env, tmp_path / "server-b.log") as b,
    ):
        loads = [practice.Load(a.port, world), practice.Load(b.port, world)]
        for load in loads:
            load.start(kinds=("disclose", "check", "upload", "request"))
        try:
            for load in loads:
                load.wait_for(disclosures=6, documents=3, requests=3, timeout=120)
        finally:
            for load in loads:
                load.finish()
        assert a.stop() == 0, a.tail()
        assert b.stop() == 0, b.tail()
    for load in loads:
        assert not any(key.endswith(" 500") for key in load.statuses), dict(load.statuses)
        practice.assert_nothing_half_written(runtime, load)
    with runtime.sessions() as session:
        t = models.AuditEntry
        count, first, last = session.execute(select(func.count(), func.min(t.seq), func.max(t.seq))).one()
        forks = session.scalar(
            select(func.count()).select_from(
                select(t.prev_mac).group_by(t.prev_mac).having(func.count() > 1).subquery()
            )
        )
        session.rollback()
    assert count == last - first + 1, "the chain has a gap"
    assert forks == 0, "two entries link to the same predecessor: the chain forked"
    verdict = live.verify_command(env)
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
    assert verdict.stdout.startswith("intact")
