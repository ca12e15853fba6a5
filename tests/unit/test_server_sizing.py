"""Server defaults follow the database: SQLite gets few threads per worker, PostgreSQL more."""

from __future__ import annotations

from roi_tracker import server


def test_sqlite_gets_a_worker_per_cpu_and_few_threads() -> None:
    """One writer at a time for the whole file: more threads would only queue on its lock."""
    assert server.sizing("sqlite:////srv/roi.sqlite3", 2) == (2, 2)
    assert server.sizing("sqlite:////srv/roi.sqlite3", 8) == (8, 2)


def test_postgresql_gets_a_worker_per_cpu_and_more_threads() -> None:
    """Only the log's append is serialized there; threads overlap database round trips."""
    assert server.sizing("postgresql+psycopg://db/roi", 4) == (4, 4)


def test_one_cpu_still_gets_two_workers() -> None:
    """A second worker keeps serving while the first is busy or restarting."""
    assert server.sizing("postgresql+psycopg://db/roi", 1)[0] == 2
