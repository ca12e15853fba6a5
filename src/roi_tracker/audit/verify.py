"""The verifier: every link, contiguity, every checkpoint, and the external file against the head (B8).

The walk reads plain DB-API rows a page at a time and rebuilds each entry's canonical bytes straight from
the stored text (performance.md P3). A row it cannot rebuild that way, or whose MAC then fails, is read again
through the model's column types and checked over `audit_vocab.canonical`, so the verdict is exactly the one
the canonical form gives. With `jobs` > 1 the log is split into contiguous ranges that worker processes walk
through their own connections, each from the stored previous MAC of its first row; `_join` then checks the
seams between ranges as a single walk would, so every job count gives the same verdict.
"""

from __future__ import annotations

import hmac
import multiprocessing
import os
import threading
from collections.abc import Callable
from collections.abc import Generator
from collections.abc import Mapping
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import String
from sqlalchemy import create_engine
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import type_coerce
from sqlalchemy.engine import URL
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.audit import checkpoints
from roi_tracker.audit import rollback
from roi_tracker.domain import audit_vocab

Progress = Callable[[int], None]
_PAGE = 20_000  # rows fetched at a time
_RANGE = 100_000  # entries per range handed to a worker process
_LOG = models.AuditEntry.__table__
_FIELDS = tuple(audit_vocab.Entry.__dataclass_fields__)
# The 4-byte big-endian length prefix of a field of n < 128 ASCII characters, as text (one join per entry).
_PREFIX = tuple("\x00\x00\x00" + chr(n) for n in range(128))


@dataclass(frozen=True)
class Verdict:
    """The verifier's answer: intact, or the first broken sequence number and why."""

    intact: bool
    verified: int
    head_seq: int
    first_break_seq: int | None = None
    reason: str = ""
    started_at_seq: int = 1


@dataclass
class _Breaks:
    seq: int | None = None
    reason: str = ""

    def add(self, seq: int, reason: str) -> None:
        if self.seq is None or seq < self.seq:
            self.seq, self.reason = seq, reason


@dataclass(frozen=True)
class _Plan:
    """What every walk needs: the log keys (never the keyring), a break already known, the checkpoints."""

    keys: Mapping[str, bytes] = field(repr=False)  # never printed, never logged
    stop: int | None
    wanted: Mapping[int, Sequence[tuple[int, bytes]]]  # seq -> (checkpoint id, head MAC) signed there


@dataclass
class _Span:
    """One walk over a range: its first and last rows, the rows verified and its own first break."""

    first_seq: int | None = None
    first_prev: bytes = b""
    last_seq: int = 0
    last_mac: bytes = b""
    counted: int = 0
    first_break: _Breaks = field(default_factory=_Breaks)


def _check_series(
    series: list[checkpoints.Checkpoint], keyring: crypto.Keyring, where: str, breaks: _Breaks
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
    breaks = _Breaks()
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

    wanted: dict[int, list[tuple[int, bytes]]] = {}
    for cp in external + table:
        if cp.head_seq >= first_seq:
            wanted.setdefault(cp.head_seq, []).append((cp.id, cp.head_mac))
    plan = _Plan({key.id: key.material for key in keyring.log_keys.values()}, breaks.seq, wanted)
    verified = _join(_walk_all(session, plan, first_seq, jobs, progress), first_seq, expected_prev, breaks)
    # The head is the newest stored entry: an incremental walk that found no entry after its checkpoint
    # would otherwise claim the checkpoint's entry as the head and hide a truncated tail.
    head_seq = int(session.execute(select(func.max(models.AuditEntry.seq))).scalar_one_or_none() or 0)
    for cp in external + table:
        if cp.head_seq > head_seq:
            where = "checkpoint file" if cp in external else "database"
            breaks.add(
                head_seq + 1,
                f"the log ends at entry {head_seq} but checkpoint {cp.id} in the {where} signed entry "
                f"{cp.head_seq}: entries were removed or an older copy of the database was restored",
            )
    return Verdict(
        intact=breaks.seq is None,
        verified=verified,
        head_seq=head_seq,
        first_break_seq=breaks.seq,
        reason=breaks.reason,
        started_at_seq=first_seq,
    )


def _processes(jobs: int) -> int:
    if jobs < 0:
        raise ValueError("jobs must be 0 (one per CPU) or more")
    if jobs:
        return jobs
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _join(spans: list[_Span], expected: int, prev: bytes, breaks: _Breaks) -> int:
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
    session: Session, plan: _Plan, first_seq: int, jobs: int, progress: Progress | None
) -> list[_Span]:
    """Walk the log from `first_seq` in this process or, with jobs > 1, in worker processes."""
    url = session.get_bind().engine.url
    # Other processes cannot see an in-memory SQLite database.
    in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    if jobs > 1 and not in_memory:
        return _walk_parallel(session, url, plan, first_seq, jobs, progress)
    return [_walk(session.connection(), plan, first_seq, None, progress)]


_worker: tuple[Engine, _Plan] | None = None


def _walk_parallel(
    session: Session, url: URL, plan: _Plan, first_seq: int, jobs: int, progress: Progress | None
) -> list[_Span]:
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


def _start_worker(url: URL, plan: _Plan) -> None:
    global _worker
    # A plain engine, not db.make_engine: its SQLite connections begin with BEGIN IMMEDIATE, which would wait
    # for the lock the parent's session holds; a worker only reads, each range in one statement.
    _worker = (create_engine(url, poolclass=NullPool), plan)


def _walk_range(lo: int, hi: int | None) -> _Span:
    if _worker is None:
        raise RuntimeError("a worker process starts with _start_worker")
    engine, plan = _worker
    with engine.connect() as conn:
        return _walk(conn, plan, lo, hi, None)


def _walk(conn: Connection, plan: _Plan, lo: int, hi: int | None, progress: Progress | None) -> _Span:
    """Verify entries lo..hi (hi None: to the end) in order, from the stored previous MAC of the first."""
    # HMAC-SHA256 as crypto.Keyring.log_mac computes it, with each key's pads hashed once, not per entry.
    macs = {key_id: hmac.new(material, digestmod="sha256") for key_id, material in plan.keys.items()}
    span = _Span(last_seq=lo - 1)
    with closing(_entry_pages(conn, lo, hi)) as pages:
        for rows in pages:
            if span.first_seq is None:
                span.first_seq, span.first_prev = rows[0][0], rows[0][12]
                span.last_seq, span.last_mac = rows[0][0] - 1, rows[0][12]
            before = span.counted
            done = _walk_page(conn, rows, macs, plan, span)
            if progress is not None:
                progress(span.counted - before)
            if done:
                break
    return span


def _entry_pages(conn: Connection, lo: int, hi: int | None) -> Generator[Sequence[Any], None, None]:
    """Yield entries lo..hi in order, a page of DB-API tuples at a time (SQLAlchemy rows cost near a MAC)."""
    t = _LOG
    at: ColumnElement[str]
    if conn.dialect.name == "postgresql":
        # The UTC instant as SQLite stores it, 'YYYY-MM-DD HH:MM:SS.ffffff'; one format for the walk.
        at = func.to_char(func.timezone("UTC", t.c.at), "YYYY-MM-DD HH24:MI:SS.US", type_=String)
    else:
        at = type_coerce(t.c.at, String)  # the stored text, not parsed into a datetime
    stmt = select(t.c.seq, at, *(t.c[name] for name in _FIELDS[2:]), t.c.prev_mac, t.c.mac)
    stmt = stmt.where(t.c.seq >= lo).order_by(t.c.seq)
    if hi is not None:
        stmt = stmt.where(t.c.seq <= hi)
    # The values bound here are integers and fixed format strings, so they are written into the SQL.
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    # One statement, read as it goes: a named, server-side cursor on PostgreSQL; SQLite's cursors stream.
    cursor = conn.connection.cursor(*(["roi_audit_walk"] if conn.dialect.name == "postgresql" else []))
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(_PAGE):
            yield rows
    finally:
        cursor.close()


def _walk_page(
    conn: Connection, rows: Sequence[Any], macs: Mapping[str, Any], plan: _Plan, span: _Span
) -> bool:
    """Check one page of rows into `span`; return True once the walk is over (a break, or past `stop`)."""
    expected, prev, counted = span.last_seq + 1, span.last_mac, span.counted
    compare, message_of = hmac.compare_digest, _message
    stop, wanted = plan.stop, plan.wanted
    bad, reason, done = 0, "", False
    for row in rows:
        seq, key_id, stored, mac = row[0], row[11], row[12], row[13]
        if seq != expected:
            bad, reason = expected, f"entry {expected} is missing (the next entry is {seq})"
            break
        if stop is not None and seq > stop:
            done = True  # past a break already known: nothing after it is verifiable
            break
        base = macs.get(key_id)
        if stored != prev:
            reason = "does not link to the entry before it"
        elif base is None:
            reason = "names an unknown log key"
        else:
            message, matched = message_of(row), False
            if message is not None:
                h = base.copy()
                h.update(prev)
                h.update(message)
                matched = compare(h.digest(), mac)
            if not matched and not _typed_mac_matches(conn, seq, prev, mac, macs):
                reason = "has been altered (its MAC does not match)"
        if not reason and seq in wanted:
            reason = next(
                (f"does not match checkpoint {i}" for i, signed in wanted[seq] if signed != mac), ""
            )
        prev, expected, counted = mac, seq + 1, counted + 1
        if reason:
            bad, reason = seq, f"entry {seq} {reason}"
            break
    span.last_seq, span.last_mac, span.counted = expected - 1, prev, counted
    if reason:
        span.first_break.add(bad, reason)
    return done or bool(reason)


def _message(row: Sequence[Any]) -> bytes | None:
    """Return canonical() of a page row built from its stored text, or None when that form is not exact."""
    seq, at, actor, role, action, o_type, o_id, c_id, outcome, basis, r_id, key_id = row[:12]
    p = _PREFIX
    try:
        s = str(seq)
        # Stored 'YYYY-MM-DD HH:MM:SS.ffffff' becomes strftime's 'YYYY-MM-DDTHH:MM:SS.ffffffZ'. Each prefix
        # counts the field as stored, so a MAC match proves every field equal to the signed one; any other
        # stored form fails the MAC here and is settled by _typed_mac_matches.
        text = "".join((p[len(s)], s, p[len(at) + 1], at[:10], "T", at[11:], "Z",
                        p[len(actor)], actor, p[len(role)], role, p[len(action)], action,
                        p[len(o_type)], o_type, p[len(o_id)], o_id, p[len(c_id)], c_id,
                        p[len(outcome)], outcome, p[len(basis)], basis, p[len(r_id)], r_id,
                        p[len(key_id)], key_id))  # fmt: skip
        if at[10] != " ":
            return None
        if text.isascii():
            return text.encode("ascii")
        # Other text: each prefix counts UTF-8 bytes, not characters.
        parts = (s, f"{at[:10]}T{at[11:]}Z", *row[2:12])
        return b"".join(len(raw).to_bytes(4, "big") + raw for raw in (part.encode() for part in parts))
    except (IndexError, TypeError, ValueError):  # a field of 128 characters or more, or not text at all
        return None


def _typed_mac_matches(conn: Connection, seq: int, prev: bytes, mac: bytes, macs: Mapping[str, Any]) -> bool:
    """Check one entry's MAC over canonical() of the entry as the model's column types read it."""
    t = _LOG
    try:
        row = conn.execute(select(*(t.c[name] for name in _FIELDS)).where(t.c.seq == seq)).one()
        message = audit_vocab.canonical(audit_vocab.Entry(*row))
    except (ValueError, TypeError, AttributeError, DataError):
        return False  # a stored value the model cannot read as an entry was not written by the log
    base = macs.get(row.key_id)
    if base is None:
        return False
    h = base.copy()
    h.update(prev + message)
    return hmac.compare_digest(h.digest(), mac)
