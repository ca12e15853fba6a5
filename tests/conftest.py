"""Shared fixtures: a fresh, migrated database per test on SQLite (default) or PostgreSQL.

Set ROI_TEST_DATABASE_URL=postgresql+psycopg://... to run the suite on PostgreSQL; each test then gets its own
schema in that database, dropped afterwards.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from roi_tracker import config
from roi_tracker import crypto
from roi_tracker import migrate
from roi_tracker.runtime import Runtime
from roi_tracker.runtime import open_instance
from roi_tracker.services import instance

PG_URL = os.environ.get("ROI_TEST_DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith("postgresql")


def pytest_report_header() -> str:
    return f"roi-tracker database: {'PostgreSQL ' + PG_URL if ON_POSTGRES else 'SQLite'}"


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A URL for an empty database of this run's kind."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'roi.sqlite3'}"
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


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> config.Settings:
    """Settings for a throwaway instance, with cheap password hashing (tests only)."""
    inst = tmp_path / "instance"
    inst.mkdir()
    return config.Settings(
        instance_path=inst,
        database_url=database_url,
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
    migrate.upgrade(settings.database_url)
    rt = open_instance(settings, keyring, check_schema=False)
    with rt.sessions() as session:
        instance.check_keys(session, keyring, remember=True)
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
