"""`roi-tracker demo seed`: synthetic clients in bulk, for trials and benchmarks."""

from __future__ import annotations

import sys

import click

from roi_tracker.cli.common import one_line_errors
from roi_tracker.cli.common import open_runtime
from roi_tracker.services.demo import seed as demo_seed


@click.group(name="demo")
def demo_group() -> None:
    """Synthetic data for trials and benchmarks."""


@demo_group.command(name="seed")
@click.option("--clients", "count", required=True, type=int, help="How many synthetic clients to add.")
@click.option("--add", is_flag=True, help="Add to an instance that already has clients.")
@click.option(
    "--seed", "seed_value", default=1, show_default=True, help="Random seed (same seed, same data)."
)
@one_line_errors
def demo_seed_command(count: int, add: bool, seed_value: int) -> None:
    """Add N synthetic clients with authorizations, documents, disclosures and log history, in bulk."""
    demo_seed.check_count(count)
    rt = open_runtime()
    try:
        if sys.stderr.isatty():
            with click.progressbar(length=count, label="Seeding clients", file=sys.stderr) as bar:
                done = demo_seed.seed(
                    rt.sessions, rt.env, count, add=add, seed_value=seed_value, progress=bar.update
                )
        else:
            done = demo_seed.seed(rt.sessions, rt.env, count, add=add, seed_value=seed_value)
    finally:
        rt.close()
    click.echo(
        f"added {done.clients:,} synthetic clients, {done.authorizations:,} authorizations and "
        f"{done.log_entries:,} access-log entries"
    )
    click.echo(f"synthetic staff: {', '.join(done.staff)} (random passwords; use `roi-tracker users token`)")
