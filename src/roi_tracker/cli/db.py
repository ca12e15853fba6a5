"""`roi-tracker db`: Alembic migrations."""

from __future__ import annotations

import click

from roi_tracker import config
from roi_tracker import db
from roi_tracker import migrate
from roi_tracker.cli.common import CLI_ACTOR
from roi_tracker.cli.common import Failure
from roi_tracker.cli.common import one_line_errors
from roi_tracker.runtime import StartupError
from roi_tracker.runtime import open_instance
from roi_tracker.services.records import search_terms


@click.group(name="db")
def db_group() -> None:
    """Database migrations."""


@db_group.command()
@one_line_errors
def upgrade() -> None:
    """Migrate to the newest revision, then index older clients for search by part of a name or phone."""
    settings = config.load()
    migrate.upgrade(settings.database_url)
    click.echo("The database is at the newest revision.")
    engine = db.make_engine(settings.database_url)
    try:
        with db.make_session_factory(engine)() as session:
            missing = search_terms.count_missing(session)
    finally:
        engine.dispose()
    if not missing:
        return
    try:
        rt = open_instance(settings)
    except StartupError as exc:
        raise Failure(
            f"{missing} client(s) cannot yet be found by part of a name or phone; "
            f"run `roi-tracker db upgrade` again with the key file in place ({exc})"
        ) from None
    try:
        with rt.sessions() as session:
            done = search_terms.fill_missing(session, rt.env, CLI_ACTOR)
    finally:
        rt.close()
    click.echo(f"Indexed {done} client(s) for search by part of a name or phone.")


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
