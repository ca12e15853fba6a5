"""`roi-tracker audit`: verify, checkpoint and export the access log."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from roi_tracker import audit
from roi_tracker.audit import checkpoints
from roi_tracker.audit import verify as verifier
from roi_tracker.cli.common import CLI_ACTOR
from roi_tracker.cli.common import one_line_errors
from roi_tracker.cli.common import open_runtime
from roi_tracker.runtime import Runtime
from roi_tracker.services.audit_review import log as audit_review


@click.group(name="audit")
def audit_group() -> None:
    """The access log."""


@audit_group.command(name="verify")
@click.option(
    "--full", is_flag=True, help="Verify from the first entry instead of the last trusted checkpoint."
)
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Processes that walk the log side by side; 0 for one per CPU.",
)
@one_line_errors
def audit_verify(full: bool, jobs: int) -> None:
    """Verify the access log; exit 0 when intact, 1 when not."""
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            verdict = _verify_with_progress(session, rt, full, jobs)
            audit_review.record_verdict(session, rt.env, CLI_ACTOR, verdict, full=full)
    finally:
        rt.close()
    if verdict.intact:
        click.echo(_intact_line(verdict))
        return
    if verdict.first_break_seq is not None:
        click.echo(f"broken at entry {verdict.first_break_seq}: {verdict.reason}")
    if verdict.cannot_vouch:
        click.echo(verdict.cannot_vouch)
    sys.exit(1)


def _intact_line(verdict: verifier.Verdict) -> str:
    """Say what was verified, and how many entries past the newest checkpoint nothing signed yet."""
    first, last = verdict.started_at_seq, verdict.head_seq
    if verdict.verified == 0:
        line = f"intact: no entries after the last trusted checkpoint (entry {first - 1})"
    else:
        line = f"intact: {verdict.verified} entries verified, from entry {first} to {last}"
    if verdict.unanchored:
        # Linked, but signed by no checkpoint yet: the chain alone cannot show a tail cut off behind them.
        first_unsigned = last - verdict.unanchored + 1
        which = f"entry {last}" if first_unsigned == last else f"entries {first_unsigned} to {last}"
        line += f"; {verdict.unanchored} entries not yet anchored ({which}: no signed checkpoint covers them)"
    return line


def _verify_with_progress(session: Any, rt: Runtime, full: bool, jobs: int) -> verifier.Verdict:
    settings = rt.env.settings
    if not sys.stderr.isatty():
        return verifier.verify(session, rt.env.keyring, settings.checkpoint_dir, full=full, jobs=jobs)
    total, _ = audit.head(session)
    with click.progressbar(length=total, label="Verifying", file=sys.stderr) as bar:
        return verifier.verify(
            session, rt.env.keyring, settings.checkpoint_dir, full=full, progress=bar.update, jobs=jobs
        )


@audit_group.command(name="checkpoint")
@click.option(
    "--new-file",
    is_flag=True,
    help="After a restore of an older copy: begin a new checkpoint file from the database's checkpoints "
    "(the old file must have been archived).",
)
@one_line_errors
def audit_checkpoint(new_file: bool) -> None:
    """Write a signed checkpoint now."""
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            sign = checkpoints.start_new_file if new_file else checkpoints.write
            cp = sign(session, rt.env.keyring, rt.env.settings.checkpoint_dir)
    finally:
        rt.close()
    where = checkpoints.path_in(rt.env.settings.checkpoint_dir)
    click.echo(f"checkpoint {cp.id} signed entry {cp.head_seq} -> {where}")


@audit_group.command(name="export")
@click.option("--since", default=None, help="First day, YYYY-MM-DD.")
@click.option("--until", default=None, help="Last day, YYYY-MM-DD.")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="jsonl", show_default=True)
@one_line_errors
def audit_export(since: str | None, until: str | None, fmt: str) -> None:
    """Export entries to standard output (the export is itself logged)."""
    import csv

    from roi_tracker.services.audit_review.log import CSV_COLUMNS

    filters = audit_review.Filters(
        since=audit_review.parse_date(since, "--since"), until=audit_review.parse_date(until, "--until")
    )
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            rows = audit_review.export(session, rt.env, CLI_ACTOR, filters, fmt)
            writer = csv.writer(sys.stdout)
            if fmt == "csv":
                writer.writerow(CSV_COLUMNS)
            for entry in rows:
                record = {c: getattr(entry, c) for c in CSV_COLUMNS}
                record["at"] = entry.at.isoformat()
                if fmt == "csv":
                    writer.writerow([record[c] for c in CSV_COLUMNS])
                else:
                    sys.stdout.write(json.dumps(record) + "\n")
    finally:
        rt.close()
