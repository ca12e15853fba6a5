"""`roi-tracker backup` and `restore` of a SQLite instance."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from roi_tracker import config
from roi_tracker import keyfile
from roi_tracker import migrate
from roi_tracker.cli.common import CLI_ACTOR
from roi_tracker.cli.common import one_line_errors
from roi_tracker.cli.common import open_runtime
from roi_tracker.runtime import open_instance
from roi_tracker.services.audit_review import log as audit_review
from roi_tracker.services.operations import backup
from roi_tracker.services.operations import restore


@click.command(name="backup")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option(
    "--keyring",
    "keyring_dest",
    type=click.Path(path_type=Path),
    default=None,
    help="Also export the key file here: another folder, kept apart from the backup.",
)
@one_line_errors
def backup_command(dest: Path, keyring_dest: Path | None) -> None:
    """Copy the SQLite database to DEST while the server runs (logged); the keys only with --keyring."""
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            taken = backup.take(session, rt.env, CLI_ACTOR, dest, keyring_dest)
    finally:
        rt.close()
    click.echo(f"backup {taken.backup_id} of the log up to entry {taken.head_seq} -> {taken.path}")
    if taken.keyring_path is not None:
        click.echo(f"key file exported -> {taken.keyring_path} (store it apart from the backup)")
    else:
        click.echo(
            "the backup holds no keys: keep a copy of the key file elsewhere, or restoring it is useless"
        )


@click.command(name="restore")
@click.argument("src", type=click.Path(path_type=Path))
@click.option(
    "--force", is_flag=True, help="Replace a database that holds data (it is kept aside, not deleted)."
)
@one_line_errors
def restore_command(src: Path, force: bool) -> None:
    """Put the backup SRC in place of the database (never under a running server), log it, verify the log."""
    settings = config.load()
    keyring = keyfile.load(settings.key_file)
    restored = restore.replace_database(settings, keyring, src, force=force)
    if restored.set_aside is not None:
        click.echo(f"the replaced database is kept at {restored.set_aside}")
    migrate.upgrade(settings.database_url)
    rt = open_instance(settings, keyring)
    try:
        with rt.sessions() as session:
            superseded = restore.record(session, rt.env, CLI_ACTOR, restored)
            verdict = audit_review.run_verification(session, rt.env, CLI_ACTOR)
    finally:
        rt.close()
    click.echo(
        f"restored backup {restored.backup_id} "
        f"(migration {restored.revision}, log up to entry {restored.head_seq})"
    )
    if superseded is not None:
        click.echo(
            f"this instance had written entries up to {superseded.head_seq}: entries "
            f"{restored.head_seq + 1} to {superseded.head_seq} are not in the backup (its head record is "
            f"kept at {superseded.kept_at})"
        )
    if not verdict.intact:
        click.echo(f"audit verify: broken at entry {verdict.first_break_seq}: {verdict.reason}")
        sys.exit(1)
    click.echo(f"audit verify: intact, {verdict.verified} entries verified")
