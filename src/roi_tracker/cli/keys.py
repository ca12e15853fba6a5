"""`roi-tracker keys`: key-encryption-key status, rotation and retirement."""

from __future__ import annotations

import sys

import click

from roi_tracker import models
from roi_tracker.cli.common import CLI_ACTOR
from roi_tracker.cli.common import one_line_errors
from roi_tracker.cli.common import open_runtime
from roi_tracker.services.operations import keys


@click.group(name="keys")
def keys_group() -> None:
    """Keys."""


@keys_group.command(name="status")
@one_line_errors
def keys_status() -> None:
    """List the keys by purpose, id and state (never their material), with data keys per KEK."""
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            for item in keys.status(session, rt.env):
                extra = f"\t{item.data_keys} data keys" if item.purpose == "kek" else ""
                click.echo(f"{item.purpose}\t{item.id}\t{item.state}{extra}")
    finally:
        rt.close()


@keys_group.command(name="rotate")
@one_line_errors
def keys_rotate() -> None:
    """Make a new KEK primary and re-wrap every data key in resumable batches (data is not re-encrypted)."""
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            total = keys.pending(session, rt.env) or session.query(models.ClientKey).count()
            with click.progressbar(length=total, label="Re-wrapping data keys", file=sys.stderr) as bar:
                primary, done = keys.rotate(session, rt.env, CLI_ACTOR, progress=bar.update)
    finally:
        rt.close()
    click.echo(f"primary key-encryption key: {primary}; {done} data keys re-wrapped")
    click.echo("restart running servers so they wrap new data keys with it; then retire the old key")


@keys_group.command(name="retire")
@click.argument("key_id")
@one_line_errors
def keys_retire(key_id: str) -> None:
    """Retire a KEK that nothing uses any more (refused otherwise)."""
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            keys.retire(session, rt.env, CLI_ACTOR, key_id)
    finally:
        rt.close()
    click.echo(f"retired {key_id}")
