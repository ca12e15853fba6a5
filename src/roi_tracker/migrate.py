"""Alembic, driven from code: `roi-tracker db upgrade|downgrade|current`.

Starting a server only asks two cheap questions, "which revision is the database at?" and "which is the
newest this code knows?": the first is one SELECT on `alembic_version`, the second reads the revision ids
out of the migration files' text. Neither imports Alembic (which, with Mako and its script loading, was most
of the first request's time on SQLite: performance.md P5); only the commands that migrate do.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy import inspect
from sqlalchemy import text

from roi_tracker import resources

if TYPE_CHECKING:
    from alembic.config import Config

_REVISION = re.compile(r"^revision\s*(?::\s*str\s*)?=\s*[\"']([^\"']+)[\"']", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]+)?=\s*(None|[\"']([^\"']+)[\"'])", re.M)


class MigrationFilesError(Exception):
    """The shipped migration files do not form one line of revisions."""


def alembic_config(url: str) -> Config:
    """Return an Alembic configuration for the database at `url`."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.folder("migrations")))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database up to `revision`."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Migrate the database down to `revision`."""
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def current(engine: Engine) -> str | None:
    """Return the database's current revision, or None when it has none (one SELECT, no Alembic)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) > 1:
        return ",".join(sorted(rows))  # several heads never match the one newest revision: refused
    return rows[0] if rows else None


def revisions() -> dict[str, str | None]:
    """Return each shipped revision id with the revision it follows, read from the files' text."""
    found: dict[str, str | None] = {}
    for path in sorted((resources.folder("migrations") / "versions").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        rev, down = _REVISION.search(source), _DOWN.search(source)
        if rev is None or down is None:
            raise MigrationFilesError(f"{path.name} names no revision or down_revision")
        found[rev.group(1)] = down.group(2)
    return found


def newest(url: str | None = None) -> str | None:
    """Return the newest revision the code knows (the one revision nothing follows)."""
    known_revisions = revisions()
    followed = {down for down in known_revisions.values() if down is not None}
    heads = sorted(set(known_revisions) - followed)
    if len(heads) > 1:
        raise MigrationFilesError(f"the migrations have several heads: {', '.join(heads)}")
    return heads[0] if heads else None


def known(url: str | None = None) -> set[str]:
    """Return every revision the code knows."""
    return set(revisions())
