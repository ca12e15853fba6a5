"""Concurrent writers leave one contiguous, unforked chain that verifies (security.md B5)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.audit import verify
from roi_tracker.domain import audit_vocab
from roi_tracker.runtime import Runtime
from tests.conftest import ON_POSTGRES

LOG = models.AuditEntry.__table__


def write_concurrently(runtime: Runtime, writers: int, entries_each: int) -> list[str]:
    """Start `writers` threads at once, each appending and committing entries one by one; return errors."""
    barrier = threading.Barrier(writers)
    errors: list[str] = []

    def writer(number: int) -> None:
        actor = audit.Actor(user_id=f"user-{number}", role="clinician", request_id=f"req-{number}")
        try:
            with runtime.sessions() as session:
                barrier.wait()
                for i in range(entries_each):
                    runtime.env.log.append(
                        session,
                        actor,
                        audit_vocab.Action.CLIENT_RECORD_READ,
                        audit_vocab.Outcome.ALLOWED,
                        object_type="client_record",
                        object_id=f"rec-{number}-{i}",
                    )
                    audit.commit(session)
        except Exception as exc:  # noqa: BLE001 - every failure is reported by the test, not lost in a thread
            errors.append(f"writer {number}: {exc!r} caused by {exc.__cause__!r}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def assert_one_verifying_chain(runtime: Runtime, writers: int, entries_each: int) -> None:
    """Assert the log holds every entry once, numbered 1..N, no two sharing a previous MAC, and verifies."""
    total = writers * entries_each
    with runtime.sessions() as session:
        seqs = session.execute(sa.select(LOG.c.seq).order_by(LOG.c.seq)).scalars().all()
        forks = session.execute(sa.select(sa.func.count(sa.distinct(LOG.c.prev_mac)))).scalar_one()
        per_writer = dict(
            session.execute(sa.select(LOG.c.actor, sa.func.count()).group_by(LOG.c.actor)).all()
        )
        verdict = verify.verify(session, runtime.env.keyring, runtime.env.settings.checkpoint_dir, full=True)
    assert seqs == list(range(1, total + 1))
    assert forks == total
    assert per_writer == {f"user-{n}": entries_each for n in range(writers)}
    assert (verdict.intact, verdict.verified, verdict.head_seq) == (True, total, total), verdict


@pytest.mark.slow
@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only (set ROI_TEST_DATABASE_URL)")
def test_sixteen_postgresql_writers_leave_a_contiguous_unforked_verifying_chain(runtime: Runtime) -> None:
    """Append 3,200 entries from 16 threads under the advisory lock."""
    errors = write_concurrently(runtime, writers=16, entries_each=200)
    assert errors == []
    assert_one_verifying_chain(runtime, writers=16, entries_each=200)


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite only")
def test_eight_sqlite_writers_never_see_database_is_locked(runtime: Runtime) -> None:
    """Append 800 entries from 8 threads under BEGIN IMMEDIATE and the busy timeout."""
    errors = write_concurrently(runtime, writers=8, entries_each=100)
    assert not [e for e in errors if "database is locked" in e], errors
    assert errors == []
    assert_one_verifying_chain(runtime, writers=8, entries_each=100)
