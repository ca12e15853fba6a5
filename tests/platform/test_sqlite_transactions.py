"""SQLite transactions: reads deferred when declared, writers queued on one lock that is always released."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from roi_tracker import db
from roi_tracker import models


@pytest.fixture
def engine(tmp_path: Path):  # noqa: ANN201 - an Engine
    """A file SQLite engine with the app's settings and a table to write to."""
    eng = db.make_engine(f"sqlite:///{tmp_path / 'tx.sqlite3'}")
    with eng.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (n INTEGER)"))
    yield eng
    eng.dispose()


def _statements(engine: sa.Engine) -> list[str]:
    seen: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda _c, _cur, stmt, *_a: seen.append(stmt))
    return seen


def test_a_declared_read_begins_deferred_and_the_next_transaction_immediate(engine: sa.Engine) -> None:
    """begin_read takes no write lock; after end_read the session's next transaction may write."""
    seen = _statements(engine)
    with db.make_session_factory(engine)() as session:
        db.begin_read(session)
        session.execute(sa.text("SELECT count(*) FROM t"))
        db.end_read(session)
        session.execute(sa.text("INSERT INTO t VALUES (1)"))
        session.commit()
    assert [s for s in seen if s.startswith("BEGIN")] == ["BEGIN DEFERRED", "BEGIN IMMEDIATE"]


def test_end_read_refuses_a_session_holding_changes(engine: sa.Engine) -> None:
    """A read that turned into a write is a bug, not something to commit quietly."""
    with db.make_session_factory(engine)() as session:
        db.begin_read(session)
        session.add(models.KeyCanary(key_id="k", check_value=bytes(32)))
        with pytest.raises(RuntimeError, match="holding changes"):
            db.end_read(session)


def test_writers_in_threads_all_commit_and_a_rollback_frees_the_lock(engine: sa.Engine) -> None:
    """Eight threads write 25 rows each; one transaction that fails and rolls back does not block the rest."""
    sessions = db.make_session_factory(engine)
    with sessions() as session, pytest.raises(sa.exc.OperationalError):
        session.execute(sa.text("INSERT INTO no_such_table VALUES (1)"))
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(25):
                with sessions() as s:
                    s.execute(sa.text("INSERT INTO t VALUES (1)"))
                    s.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    started = time.perf_counter()
    threads = [threading.Thread(target=write) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert time.perf_counter() - started < db.SQLITE_BUSY_TIMEOUT_MS / 1000
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM t")).scalar_one() == 200
