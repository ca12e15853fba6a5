"""`roi-tracker db`: Alembic migrations."""

from __future__ import annotations

import click

from roi_tracker import config
from roi_tracker import db
from roi_tracker import migrate
from roi_tracker.cli.common import Failure
from roi_tracker.cli.common import one_line_errors


@click.group(name="db")
def db_group() -> None:
    """Database migrations."""


@db_group.command()
@one_line_errors
def upgrade() -> None:
    """Migrate to the newest revision."""
    migrate.upgrade(config.load().database_url)
    click.echo("The database is at the newest revision.")


@db_group.command()
@click.argument("revision")
@one_line_errors
def downgrade(revision: str) -> None:
    """Migrate down to REVISION (use `base` for an empty database)."""
    try:
        migrate.downgrade(config.load().database_url, revision)
    except Exception as exc:  # noqa: BLE001 - Alembic raises plain errors for unknown revisions
        raise Failure(f"cannot downgrade to {revision!r}: {str(exc).splitlines()[0]}") from None
    click.echo(f"The database is at revision {revision}.")


@db_group.command()
@one_line_errors
def current() -> None:
    """Print the database's revision."""
    settings = config.load()
    engine = db.make_engine(settings.database_url)
    try:
        click.echo(migrate.current(engine) or "none")
    finally:
        engine.dispose()
