"""Which database errors mean "out of reach for now" (answered 503) and which are bugs (answered 500)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from roi_tracker import db
from roi_tracker.http import errors
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's result codes; PostgreSQL's run in tests/faults")


def raised(engine: sa.Engine, statement: str) -> sa.exc.DBAPIError:
    """Run a statement that fails and return SQLAlchemy's error."""
    with pytest.raises(sa.exc.DBAPIError) as caught, engine.begin() as conn:
        conn.exec_driver_sql(statement)
    return caught.value


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[sa.Engine]:
    """An engine on a database another connection holds the write lock of (no busy wait)."""
    path = tmp_path / "x.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (v)")
    holder.execute("BEGIN EXCLUSIVE")
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    yield engine
    holder.close()
    engine.dispose()


def test_a_locked_database_is_unavailable(locked: sa.Engine) -> None:
    """Another process holding the write lock past the busy timeout: SQLITE_BUSY."""
    assert db.unavailable(raised(locked, "INSERT INTO t VALUES (1)"))


def test_a_read_only_database_is_unavailable(tmp_path: Path) -> None:
    """A file that cannot be written now (mounted read-only, say): SQLITE_READONLY."""
    path = tmp_path / "x.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (v)")
    engine = sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        assert db.unavailable(raised(engine, "INSERT INTO t VALUES (1)"))
    finally:
        engine.dispose()


def test_bad_sql_is_a_bug_not_an_outage(tmp_path: Path) -> None:
    """A missing table or a syntax error stays a 500: retrying would not help."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        assert not db.unavailable(raised(engine, "SELECT * FROM nowhere"))
        assert not db.unavailable(raised(engine, "SELEKT 1"))
    finally:
        engine.dispose()


def test_the_api_answers_an_unavailable_database_with_503_and_retry_after(locked: sa.Engine) -> None:
    """The error mapping turns an outage into 503 database_unavailable with Retry-After, never a traceback."""
    app = Flask(__name__)
    errors.install(app)

    @app.post("/api/v1/write")
    def write() -> str:
        with locked.begin() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        return "stored"

    response = app.test_client().post("/api/v1/write")
    assert response.status_code == 503
    assert response.json == {
        "error": {
            "code": "database_unavailable",
            "message": "The service is temporarily unavailable. Please try again shortly.",
        }
    }
    assert response.headers["Retry-After"] == "5"
