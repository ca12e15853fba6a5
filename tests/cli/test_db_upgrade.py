"""`roi-tracker db upgrade` fills the search terms of clients registered before migration 0017 (issue 17)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select

from roi_tracker import db
from roi_tracker import models
from tests.cli.conftest import run


def _terms(database_url: str, *, drop: bool = False) -> int:
    engine = db.make_engine(database_url)
    try:
        with db.make_session_factory(engine)() as session:
            if drop:
                session.execute(delete(models.ClientSearchTerm))
                session.commit()
            return session.execute(select(func.count()).select_from(models.ClientSearchTerm)).scalar_one()
    finally:
        engine.dispose()


def test_upgrade_indexes_older_clients_with_the_key_file_and_says_so_without_it(
    cli_env: Path, database_url: str
) -> None:
    assert run("init", "--demo")[0] == 0
    indexed = _terms(database_url)
    assert indexed > 0
    assert _terms(database_url, drop=True) == 0
    code, out, _ = run("db", "upgrade")
    assert code == 0
    assert "Indexed 6 client(s) for search by part of a name or phone." in out
    assert _terms(database_url) == indexed
    code, out, _ = run("db", "upgrade")
    assert (code, out) == (0, "The database is at the newest revision.\n")
    _terms(database_url, drop=True)
    (cli_env / "keys.json").rename(cli_env / "elsewhere.json")
    code, out, err = run("db", "upgrade")
    assert code == 1
    assert "The database is at the newest revision." in out
    assert "6 client(s) cannot yet be found by part of a name or phone" in err
    assert len(err.strip().splitlines()) == 1
