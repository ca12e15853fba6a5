"""Migrations: every revision goes up and down on this run's database, and the newest matches the models."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from roi_tracker import db
from roi_tracker import migrate
from roi_tracker import models  # noqa: F401 - registers the tables


def _revisions(url: str) -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _tables(url: str) -> set[str]:
    engine = db.make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_every_migration_goes_up_and_down_and_up_again(database_url: str) -> None:
    """Each revision upgrades, downgrades to the one before, and upgrades again."""
    revisions = _revisions(database_url)
    assert revisions, "no migrations found"
    previous = "base"
    for revision in revisions:
        migrate.upgrade(database_url, revision)
        migrate.downgrade(database_url, previous)
        migrate.upgrade(database_url, revision)
        previous = revision
    assert "audit_log" in _tables(database_url)
    migrate.downgrade(database_url, "base")
    assert _tables(database_url) <= {"alembic_version"}


def test_newest_migration_matches_the_models(database_url: str) -> None:
    """Autogenerate finds nothing to change after upgrading to head (no drift)."""
    migrate.upgrade(database_url)
    engine = db.make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, db.Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_database_reports_the_newest_revision_after_upgrade(database_url: str) -> None:
    """`db current` reads the same revision the code calls newest."""
    migrate.upgrade(database_url)
    engine = db.make_engine(database_url)
    try:
        assert migrate.current(engine) == migrate.newest(database_url)
    finally:
        engine.dispose()


def test_the_newest_revision_read_from_the_files_is_alembics_head(database_url: str) -> None:
    """The start-up check reads revision ids from the files' text; Alembic's own script loader agrees."""
    script = ScriptDirectory.from_config(migrate.alembic_config(database_url))
    assert migrate.newest() == script.get_current_head()
    assert migrate.known() == {rev.revision for rev in script.walk_revisions()}


def test_current_is_none_on_an_empty_database_and_the_head_after_upgrade(database_url: str) -> None:
    """The start-up check's one SELECT answers None before any migration and the head after."""
    engine = db.make_engine(database_url)
    try:
        assert migrate.current(engine) is None
        migrate.upgrade(database_url)
        assert migrate.current(engine) == migrate.newest()
    finally:
        engine.dispose()


def test_migration_files_with_two_heads_are_refused(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """Two revisions that follow the same one are not a line: the start-up check refuses, never guesses."""
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    (versions / "a.py").write_text('revision = "a"\ndown_revision = None\n')
    (versions / "b.py").write_text('revision = "b"\ndown_revision = "a"\n')
    (versions / "c.py").write_text('revision = "c"\ndown_revision = "a"\n')
    monkeypatch.setattr(migrate.resources, "folder", lambda name: tmp_path / name)
    with pytest.raises(migrate.MigrationFilesError, match="several heads: b, c"):
        migrate.newest()
