"""The verifier: every link, contiguity, every checkpoint, and the external file against the head (B8)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.audit import checkpoints
from roi_tracker.domain import audit_vocab

Progress = Callable[[int], None]
_BATCH = 20_000


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
) -> Verdict:
    """Verify the access log; incrementally from the last trusted checkpoint unless `full`."""
    breaks = _Breaks()
    try:
        external = checkpoints.read_file(checkpoint_dir)
    except checkpoints.CheckpointFileError as exc:
        external = []
        breaks.add(1, str(exc))
    table = checkpoints.read_table(session)
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

    wanted: dict[int, list[checkpoints.Checkpoint]] = {}
    for cp in external + table:
        if cp.head_seq >= first_seq:
            wanted.setdefault(cp.head_seq, []).append(cp)

    verified, _ = _walk(session, keyring, first_seq, expected_prev, wanted, breaks, progress)
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


def _walk(
    session: Session,
    keyring: crypto.Keyring,
    first_seq: int,
    prev: bytes,
    wanted: dict[int, list[checkpoints.Checkpoint]],
    breaks: _Breaks,
    progress: Progress | None,
) -> tuple[int, int]:
    t = models.AuditEntry
    columns = (
        t.seq,
        t.at,
        t.actor,
        t.role,
        t.action,
        t.object_type,
        t.object_id,
        t.client_id,
        t.outcome,
        t.basis,
        t.request_id,
        t.key_id,
        t.prev_mac,
        t.mac,
    )
    stmt = select(*columns).where(t.seq >= first_seq).order_by(t.seq).execution_options(yield_per=_BATCH)
    expected = first_seq
    verified = 0
    canonical = audit_vocab.canonical
    entry_type = audit_vocab.Entry
    # Core execution on the session's connection: the ORM result layer would double the cost of each row.
    for row in session.connection().execute(stmt):
        seq = row[0]
        # Check contiguity first: a gap can begin below a break already known from a checkpoint.
        if seq != expected:
            breaks.add(expected, f"entry {expected} is missing (the next entry is {seq})")
        if breaks.seq is not None and seq > breaks.seq:
            # Everything after the first break is unverifiable; keep counting the head only.
            expected = seq + 1
            continue
        entry = entry_type(*row[:12])
        stored_prev = bytes(row[12])
        stored_mac = bytes(row[13])
        if stored_prev != prev:
            breaks.add(seq, f"entry {seq} does not link to the entry before it")
        try:
            mac = keyring.log_mac(entry.key_id, prev, canonical(entry))
        except crypto.IntegrityError:
            breaks.add(seq, f"entry {seq} names an unknown log key")
            mac = stored_mac
        if not crypto.constant_time_equal(mac, stored_mac):
            breaks.add(seq, f"entry {seq} has been altered (its MAC does not match)")
        for cp in wanted.get(seq, ()):
            if cp.head_mac != stored_mac:
                breaks.add(seq, f"entry {seq} does not match checkpoint {cp.id}")
        prev = stored_mac
        expected = seq + 1
        verified += 1
        if progress is not None and verified % _BATCH == 0:
            progress(_BATCH)
    if progress is not None:
        progress(verified % _BATCH)
    return verified, expected - 1
