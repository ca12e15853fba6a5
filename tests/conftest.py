"""Shared fixtures: a fresh, migrated database per test on SQLite (default) or PostgreSQL.

Set ROI_TEST_DATABASE_URL=postgresql+psycopg://... to run the suite on PostgreSQL; each test then gets its own
schema in that database, dropped afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from roi_tracker import config
from roi_tracker import crypto
from roi_tracker import db
from roi_tracker import instance_files
from roi_tracker import migrate
from roi_tracker.audit import checkpoints
from roi_tracker.runtime import Runtime
from roi_tracker.runtime import open_instance
from roi_tracker.services.operations import setup as instance

PG_URL = os.environ.get("ROI_TEST_DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith("postgresql")


def pytest_configure(config: pytest.Config) -> None:
    """Create files as `roi-tracker` does (umask 0077), since instances refuse files others can read."""
    del config
    instance_files.keep_private()


def pytest_report_header() -> str:
    return f"roi-tracker database: {'PostgreSQL ' + PG_URL if ON_POSTGRES else 'SQLite'}"


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A URL for an empty database of this run's kind."""
    with empty_database(tmp_path) as url:
        yield url


@contextmanager
def empty_database(folder: Path) -> Iterator[str]:
    """Yield a URL for an empty database of this run's kind: a file in `folder`, or a schema dropped after."""
    if not ON_POSTGRES:
        yield f"sqlite:///{folder / 'roi.sqlite3'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database migrated once per run; tests get a copy (SQLite) or an emptied schema (PostgreSQL)."""
    if not ON_POSTGRES:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        migrate.upgrade(f"sqlite:///{path}")
        yield str(path)
        return
    schema = f"t_shared_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    migrate.upgrade(url)
    yield url
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def migrated_database_url(_migrated_template: str, tmp_path: Path) -> str:
    """A URL for a database at the newest migration holding no rows."""
    if not ON_POSTGRES:
        target = tmp_path / "roi.sqlite3"
        shutil.copyfile(_migrated_template, target)
        return f"sqlite:///{target}"
    tables = ", ".join(t.name for t in db.Base.metadata.sorted_tables)
    engine = sa.create_engine(_migrated_template)
    with engine.begin() as conn:
        # The append-only trigger refuses TRUNCATE too; the harness (a superuser) lifts it for the reset.
        conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        conn.execute(sa.text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    engine.dispose()
    return _migrated_template


@pytest.fixture
def settings(tmp_path: Path, migrated_database_url: str) -> config.Settings:
    """Settings for a throwaway instance, with cheap password hashing (tests only)."""
    inst = tmp_path / "instance"
    inst.mkdir()
    return config.Settings(
        instance_path=inst,
        database_url=migrated_database_url,
        key_file=inst / "keys.json",
        checkpoint_dir=tmp_path / "checkpoints",
        require_mfa=False,
        password_hashing=config.TEST_PASSWORD_HASHING,
    )


@pytest.fixture
def keyring(settings: config.Settings) -> crypto.Keyring:
    """A fresh keyring written to the instance's key file."""
    return instance.create_key_file(settings)


@pytest.fixture
def runtime(settings: config.Settings, keyring: crypto.Keyring) -> Iterator[Runtime]:
    """A migrated, initialized instance."""
    rt = open_instance(settings, keyring, check_schema=False)
    with rt.sessions() as session:
        instance.check_keys(session, keyring, remember=True)
        # As `roi-tracker init` does: checkpoint 1 signs the empty log and starts the head record.
        checkpoints.write(session, keyring, settings.checkpoint_dir)
    yield rt
    rt.close()


@pytest.fixture
def with_settings(runtime: Runtime):  # noqa: ANN201 - returns a small factory
    """Change settings of the running instance for one test."""

    def change(**values: object) -> None:
        object.__setattr__(runtime.env, "settings", replace(runtime.env.settings, **values))

    return change


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """Return the CSRF token of the first form on a page."""
    match = CSRF.search(html) or re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)
