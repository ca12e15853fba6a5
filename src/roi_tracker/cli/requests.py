"""`roi-tracker requests`: the request desk's clock for cron (references only, never PHI)."""

from __future__ import annotations

import sys

import click

from roi_tracker.cli.common import CLI_ACTOR
from roi_tracker.cli.common import one_line_errors
from roi_tracker.cli.common import open_runtime
from roi_tracker.services.requests import queue


@click.group(name="requests")
def requests_group() -> None:
    """Requests for records."""


@requests_group.command(name="due")
@click.option("--within", "within_days", default=7, show_default=True, type=click.IntRange(0, 365))
@one_line_errors
def requests_due(within_days: int) -> None:
    """List open requests due within N days or late, one line each; exit 1 when any is late (H-A2)."""
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            due = queue.due_soon(session, rt.env, CLI_ACTOR, within_days=within_days)
    finally:
        rt.close()
    for v in due:
        state = f"LATE by {-v.days_left} days" if v.overdue else f"due in {v.days_left} days"
        click.echo(f"{v.reference} {v.kind} due {v.due_on} {state}")
    late = sum(1 for v in due if v.overdue)
    click.echo(f"{len(due)} due within {within_days} days, {late} late")
    if late:
        sys.exit(1)
