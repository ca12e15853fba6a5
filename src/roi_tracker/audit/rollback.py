"""Rollback: the database went back behind a checkpoint the external file holds (security.md B7, B8).

A chain alone cannot tell an older copy of the database from the current one; the checkpoint file, kept where
the database's administrators cannot rewrite it, can. The verifier reports what this module finds first.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.audit import checkpoints


def _stored_mac(session: Session, seq: int) -> bytes | None:
    mac = session.execute(
        select(models.AuditEntry.mac).where(models.AuditEntry.seq == seq)
    ).scalar_one_or_none()
    return None if mac is None else bytes(mac)


def find(
    session: Session,
    external: list[checkpoints.Checkpoint],
    table: list[checkpoints.Checkpoint],
    keyring: crypto.Keyring,
) -> tuple[int, str] | None:
    """Return where and why the database went back in time behind the checkpoint file, or None.

    A checkpoint only the file holds is harmless while the chain still ends in the entry it signed; one the
    chain does not reach, or whose entry is another, or one the table holds differently (signed anew after an
    older copy was restored) means the database went back in time.
    """
    head_seq = int(session.execute(select(func.max(models.AuditEntry.seq))).scalar_one_or_none() or 0)
    in_table = {cp.id: cp for cp in table}
    for cp in external:
        mine = in_table.get(cp.id)
        if mine == cp or not keyring.verify_signature(cp.key_id, cp.message(), cp.signature):
            continue  # identical in both places, or already reported as an invalid signature
        signed = f"checkpoint {cp.id} of the checkpoint file (signed {cp.at:%Y-%m-%d %H:%M} UTC)"
        cause = "a rollback: an older copy of the database was restored"
        if mine is not None:
            if not keyring.verify_signature(mine.key_id, mine.message(), mine.signature):
                continue  # a forged row in the table: the verifier reports its signature
            seq = min(cp.head_seq, mine.head_seq, head_seq + 1)
            return max(seq, 1), f"{signed} differs from the database's: {cause} and checkpoints signed anew"
        if cp.head_seq > head_seq:
            return (
                head_seq + 1,
                f"the log ends at entry {head_seq} but {signed} covers entry {cp.head_seq}: "
                f"{cause}, or entries were removed",
            )
        if cp.head_seq > 0 and _stored_mac(session, cp.head_seq) != cp.head_mac:
            return cp.head_seq, f"entry {cp.head_seq} is not the one {signed} covers: {cause}"
    return None
