"""`roi-tracker notify`, and `users set-email` / `users reminders`: reminders without PHI (issue 21)."""

from __future__ import annotations

import click

from roi_tracker.cli.common import CLI_ACTOR
from roi_tracker.cli.common import one_line_errors
from roi_tracker.cli.common import open_runtime
from roi_tracker.services.people import users
from roi_tracker.services.reminders import notify as reminders_notify
from roi_tracker.services.reminders import preferences


@click.command(name="notify")
@click.option("--dry-run", is_flag=True, help="Say who would get what; send nothing, record nothing.")
@one_line_errors
def notify(dry_run: bool) -> None:
    """E-mail each person what needs them (counts and references only), at most once a day per item."""
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            report = reminders_notify.run(session, rt.env, CLI_ACTOR, dry_run=dry_run)
    finally:
        rt.close()
    for one in report.planned:
        click.echo(f"{'would send' if dry_run else 'sent'} {one.username}: {one.message.subject}")
    if not dry_run:
        click.echo(f"{report.sent} messages sent.")


@click.command(name="set-email")
@click.argument("name")
@click.argument("address")
@one_line_errors
def users_set_email(name: str, address: str) -> None:
    """Give NAME the work address their reminders go to."""
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            user = users.by_username(session, name)
            prefs = preferences.update(session, rt.env, CLI_ACTOR, user.id, email=address)
    finally:
        rt.close()
    click.echo(f"Reminders for {name} go to {prefs.email or 'nowhere'}.")


@click.command(name="reminders")
@click.argument("name")
@click.option("--off", "off", multiple=True, help="A kind to stop e-mailing (repeatable).")
@click.option("--on", "on", multiple=True, help="A kind to e-mail again (repeatable).")
@one_line_errors
def users_reminders(name: str, off: tuple[str, ...], on: tuple[str, ...]) -> None:
    """Show NAME's reminder kinds, or opt them out of (--off KIND) or back into (--on KIND) e-mail for one."""
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            user = users.by_username(session, name)
            emailed = {kind: False for kind in off} | {kind: True for kind in on}
            prefs = preferences.update(session, rt.env, CLI_ACTOR, user.id, emailed=emailed)
    finally:
        rt.close()
    click.echo(f"address\t{prefs.email or '-'}")
    for choice in prefs.choices:
        click.echo(f"{choice.kind.value}\t{'e-mailed' if choice.emailed else 'off'}")
