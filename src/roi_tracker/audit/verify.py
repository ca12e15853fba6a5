"""The verifier: every link, contiguity, every checkpoint, and the external file against the head (B8).

The walk reads plain DB-API rows a page at a time and rebuilds each entry's canonical bytes straight from
the stored text (performance.md P3). A row it cannot rebuild that way, or whose MAC then fails, is read again
through the model's column types and checked over `audit_vocab.canonical`, so the verdict is exactly the one
the canonical form gives. With `jobs` > 1 the log is split into contiguous ranges that worker processes walk
through their own connections, each from the stored previous MAC of its first row; `_join` checks the seams
as one walk would, so every job count gives the same verdict."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.audit import checkpoints
from roi_tracker.audit import rollback
from roi_tracker.audit import tail
from roi_tracker.audit import walk
from roi_tracker.domain import audit_vocab

Progress = Callable[[int], None]
_PAGE = 20_000  # rows fetched at a time
_RANGE = 100_000  # entries per range handed to a worker process
_LOG = models.AuditEntry.__table__
_FIELDS = tuple(audit_vocab.Entry.__dataclass_fields__)


@dataclass(frozen=True)
class Verdict:
    """The verifier's answer: intact, the first broken sequence number and why, or why it cannot vouch.

    `unanchored` entries lie past the newest checkpoint in the file: the chain links them, nothing signs them.
    """

    intact: bool
    verified: int
    head_seq: int
    first_break_seq: int | None = None
    reason: str = ""
    started_at_seq: int = 1
    unanchored: int = 0
    cannot_vouch: str = ""


def _check_series(
    series: list[checkpoints.Checkpoint], keyring: crypto.Keyring, where: str, breaks: walk.Breaks
) -> None:
    previous = checkpoints.NO_SIGNATURE
    for cp in series:
        if not keyring.verify_signature(cp.key_id, cp.message(), cp.signature):
            breaks.add(max(cp.head_seq, 1), f"checkpoint {cp.id} in the {where} has an invalid signature")
        elif cp.prev_signature != previous:
            breaks.add(
                max(cp.head_seq, 1),
                f"checkpoint {cp.id} in the {where} does not follow checkpoint {cp.id - 1}",
            )
        previous = cp.signature


def _trusted_start(
    external: list[checkpoints.Checkpoint], table: list[checkpoints.Checkpoint], keyring: crypto.Keyring
) -> checkpoints.Checkpoint | None:
    """Return the newest checkpoint found identically in both places with a valid signature."""
    in_table = {cp.id: cp for cp in table}
    for cp in reversed(external):
        if in_table.get(cp.id) == cp and keyring.verify_signature(cp.key_id, cp.message(), cp.signature):
            return cp
    return None


def verify(
    session: Session,
    keyring: crypto.Keyring,
    checkpoint_dir: Path,
    *,
    full: bool = False,
    progress: Progress | None = None,
    jobs: int = 1,
) -> Verdict:
    """Verify the access log from the last trusted checkpoint (or all if `full`) in `jobs` processes."""
    jobs = _processes(jobs)
    breaks = walk.Breaks()
    try:
        external = checkpoints.read_file(checkpoint_dir)
    except checkpoints.CheckpointFileError as exc:
        external = []
        breaks.add(1, str(exc))
    table = checkpoints.read_table(session)
    rolled_back = rollback.find(session, external, table, keyring)
    if rolled_back is not None:
        breaks.add(*rolled_back)
    _check_series(external, keyring, "checkpoint file", breaks)
    _check_series(table, keyring, "database", breaks)

    start = None if full else _trusted_start(external, table, keyring)
    first_seq = 1 if start is None else start.head_seq + 1
    expected_prev = audit_vocab.GENESIS_MAC if start is None else start.head_mac
    if start is not None and start.head_seq > 0:
        anchor = session.execute(
            select(models.AuditEntry.mac).where(models.AuditEntry.seq == start.head_seq)
        ).scalar_one_or_none()
        if anchor is None or bytes(anchor) != start.head_mac:
            breaks.add(start.head_seq, f"entry {start.head_seq} no longer matches checkpoint {start.id}")

    # The head is the newest stored entry: an incremental walk that found no entry after its checkpoint
    # would otherwise claim the checkpoint's entry as the head and hide a truncated tail.
    head_seq = int(session.execute(select(func.max(models.AuditEntry.seq))).scalar_one_or_none() or 0)
    # Before the walk, so that a break the head record reveals also stops it there.
    end = tail.examine(session, keyring, checkpoint_dir, head_seq, external, table, breaks)

    wanted: dict[int, list[tuple[int, bytes]]] = {}
    for cp in external + table:
        if cp.head_seq >= first_seq:
            wanted.setdefault(cp.head_seq, []).append((cp.id, cp.head_mac))
    plan = walk.Plan({key.id: key.material for key in keyring.log_keys.values()}, breaks.seq, wanted)
    verified = _join(_walk_all(session, plan, first_seq, jobs, progress), first_seq, expected_prev, breaks)
    for cp in external + table:
        if cp.head_seq > head_seq:
            where = "checkpoint file" if cp in external else "database"
            breaks.add(
                head_seq + 1,
                f"truncated: the log ends at entry {head_seq} but checkpoint {cp.id} in the {where} signed "
                f"entry {cp.head_seq}: entries were removed or an older copy of the database was restored",
            )
    cannot_vouch = f"cannot vouch: {end.cannot_vouch}" if end.cannot_vouch else ""
    return Verdict(
        intact=breaks.seq is None and not cannot_vouch,
        verified=verified,
        head_seq=head_seq,
        first_break_seq=breaks.seq,
        reason=breaks.reason or cannot_vouch,
        started_at_seq=first_seq,
        unanchored=end.unanchored,
        cannot_vouch=cannot_vouch,
    )


def _processes(jobs: int) -> int:
    if jobs < 0:
        raise ValueError("jobs must be 0 (one per CPU) or more")
    if jobs:
        return jobs
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _join(spans: list[walk.Span], expected: int, prev: bytes, breaks: walk.Breaks) -> int:
    """Check each span's first row against the span before, as one walk would; return the rows verified."""
    for span in spans:
        if span.first_seq is None:
            continue
        if span.first_seq != expected:
            breaks.add(expected, f"entry {expected} is missing (the next entry is {span.first_seq})")
        elif span.first_prev != prev:
            breaks.add(span.first_seq, f"entry {span.first_seq} does not link to the entry before it")
        # A break inside the span comes after these: a walk checks the link before the MAC.
        if span.first_break.seq is not None:
            breaks.add(span.first_break.seq, span.first_break.reason)
        expected, prev = span.last_seq + 1, span.last_mac
    # One walk verifies every row up to the first break; each span's rows run unbroken up to its own.
    limit = breaks.seq
    return sum(
        span.counted if limit is None else min(span.counted, max(0, limit - span.first_seq + 1))
        for span in spans
        if span.first_seq is not None
    )


def _walk_all(
    session: Session, plan: walk.Plan, first_seq: int, jobs: int, progress: Progress | None
) -> list[walk.Span]:
    """Walk the log from `first_seq` in this process or, with jobs > 1, in worker processes."""
    url = session.get_bind().engine.url
    # Other processes cannot see an in-memory SQLite database.
    in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    if jobs > 1 and not in_memory:
        return _walk_parallel(session, url, plan, first_seq, jobs, progress)
    return [walk.walk(session.connection(), plan, first_seq, None, progress)]


_worker: tuple[Engine, walk.Plan] | None = None


def _walk_parallel(
    session: Session, url: URL, plan: walk.Plan, first_seq: int, jobs: int, progress: Progress | None
) -> list[walk.Span]:
    """Walk contiguous ranges of the log in `jobs` processes; return their spans in log order."""
    count = session.execute(select(func.count()).where(_LOG.c.seq >= first_seq)).scalar_one()
    ranges = max(jobs, -(-count // _RANGE))
    width = max(1, -(-count // ranges))
    los = [first_seq + i * width for i in range(ranges)]
    his: list[int | None] = [lo - 1 for lo in los[1:]]
    his.append(None)  # the last range runs to the end, past any gap in the numbering
    spans = []
    with ProcessPoolExecutor(
        jobs, mp_context=_context(), initializer=_start_worker, initargs=(url, plan)
    ) as pool:
        for span in pool.map(_walk_range, los, his):
            spans.append(span)
            if progress is not None:
                progress(span.counted)
    return spans


def _context() -> multiprocessing.context.BaseContext:
    # fork starts a worker at once, and a worker never uses the parent's connections: it opens its own and
    # only reads. A process running other threads cannot fork safely, so it spawns instead.
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _start_worker(url: URL, plan: walk.Plan) -> None:
    global _worker
    # A plain engine, not db.make_engine: its SQLite connections begin with BEGIN IMMEDIATE, which would wait
    # for the lock the parent's session holds; a worker only reads, each range in one statement.
    _worker = (create_engine(url, poolclass=NullPool), plan)


def _walk_range(lo: int, hi: int | None) -> walk.Span:
    if _worker is None:
        raise RuntimeError("a worker process starts with _start_worker")
    engine, plan = _worker
    with engine.connect() as conn:
        return walk.walk(conn, plan, lo, hi, None)
