"""`roi-tracker clients`: crypto-shredding at the end of retention, and legal holds."""

from __future__ import annotations

import click

from roi_tracker.cli.common import CLI_ACTOR
from roi_tracker.cli.common import one_line_errors
from roi_tracker.cli.common import open_runtime
from roi_tracker.services.operations import keys
from roi_tracker.services.records import clients


@click.group(name="clients")
def clients_group() -> None:
    """Client records."""


@clients_group.command(name="purge")
@click.argument("client_id")
@one_line_errors
def clients_purge(client_id: str) -> None:
    """Crypto-shred a client whose retention has ended (refused otherwise)."""
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            keys.purge(session, rt.env, CLI_ACTOR, clients.parse_client_id(client_id))
    finally:
        rt.close()
    click.echo(f"purged {client_id}: its data key is destroyed; the access log and accounting remain")


@clients_group.command(name="hold")
@click.argument("client_id")
@click.option("--release", is_flag=True, help="Lift the hold instead of placing it.")
@one_line_errors
def clients_hold(client_id: str, release: bool) -> None:
    """Place (or lift) a legal hold, which blocks purging."""
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            keys.set_legal_hold(
                session, rt.env, CLI_ACTOR, clients.parse_client_id(client_id), hold=not release
            )
    finally:
        rt.close()
    click.echo(f"legal hold {'lifted from' if release else 'placed on'} {client_id}")
