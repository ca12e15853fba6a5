"""The tail of the log, past what checkpoints sign: missing stores, unanchored entries, truncation (B7, B8).

The chain proves only that each entry follows the one before. Entries past the newest checkpoint in the file
are vouched for by nothing signed, so the verifier counts them ("N entries not yet anchored"); a tail shorter
than the head this instance recorded (heads.py) was truncated; and a log whose checkpoint file, checkpoints
table or head record is missing or empty cannot be vouched for at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.audit import checkpoints
from roi_tracker.audit import heads
from roi_tracker.audit import walk


@dataclass(frozen=True)
class Tail:
    """What the verifier says of the tail: entries no checkpoint in the file signs; why it cannot vouch."""

    unanchored: int
    cannot_vouch: str = ""


def _missing_store(
    directory: Path,
    head_seq: int,
    external: list[checkpoints.Checkpoint],
    table_empty: bool,
    head: heads.Head | None,
) -> str:
    if head_seq == 0:
        return ""  # a new instance with no entries yet has nothing to vouch for
    file = checkpoints.path_in(directory)
    entries = f"nothing outside the database vouches for its {head_seq} entries"
    if not file.exists():
        return f"the checkpoint file {file} is missing: {entries}"
    if not external:
        return f"the checkpoint file {file} holds no checkpoint: {entries}"
    if table_empty:
        return "the database's checkpoints table is empty: checkpoints were deleted from the database"
    if head is None:
        return f"the head record {heads.path_in(directory)} is missing: a truncated tail would go unseen"
    return ""


def examine(
    session: Session,
    keyring: crypto.Keyring,
    directory: Path,
    head_seq: int,
    external: list[checkpoints.Checkpoint],
    table: list[checkpoints.Checkpoint],
    breaks: walk.Breaks,
) -> Tail:
    """Compare the database head with the head record; count the entries past the file's newest checkpoint."""
    try:
        head = heads.read(directory)
    except heads.HeadRecordError as exc:
        return Tail(unanchored=head_seq, cannot_vouch=str(exc))
    except OSError as exc:
        return Tail(unanchored=head_seq, cannot_vouch=f"cannot read the head record: {exc.strerror}")
    if head is not None and head.seq > head_seq:
        breaks.add(
            head_seq + 1,
            f"truncated: the log ends at entry {head_seq} but this instance last wrote entry {head.seq} "
            f"(its head record {heads.path_in(directory)}): entries were removed or an older copy of the "
            "database was restored",
        )
    elif head is not None and head.seq > 0:
        stored = session.execute(
            select(models.AuditEntry.mac).where(models.AuditEntry.seq == head.seq)
        ).scalar_one_or_none()
        if stored is None or bytes(stored) != head.mac:
            breaks.add(
                head.seq,
                f"entry {head.seq} is not the one this instance last wrote (its head record): an older copy "
                "of the database was restored, or the tail was rewritten",
            )
    signed = max(
        (cp.head_seq for cp in external if keyring.verify_signature(cp.key_id, cp.message(), cp.signature)),
        default=0,
    )
    unanchored = max(0, head_seq - signed)
    return Tail(unanchored, _missing_store(directory, head_seq, external, not table, head))
