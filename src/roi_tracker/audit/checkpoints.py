"""Signed checkpoints of the chain's head: in a table and in a JSON-lines file outside the database (B7)."""

from __future__ import annotations

import fcntl
import json
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import crypto
from roi_tracker import db
from roi_tracker import instance_files
from roi_tracker import models
from roi_tracker.audit import head
from roi_tracker.audit import heads
from roi_tracker.audit import lock_chain
from roi_tracker.domain.errors import AuditUnavailable

FILE_NAME = instance_files.CHECKPOINT_FILE_NAME
NO_SIGNATURE = bytes(64)


@dataclass(frozen=True)
class Checkpoint:
    """One signed statement: at `at` the chain held `head_seq` entries ending in `head_mac`."""

    id: int
    at: datetime
    head_seq: int
    head_mac: bytes
    prev_signature: bytes
    key_id: str
    signature: bytes

    def message(self) -> bytes:
        """Return the bytes the signature covers."""
        return signed_message(
            self.id, self.at, self.head_seq, self.head_mac, self.prev_signature, self.key_id
        )

    def to_line(self) -> str:
        """Return the checkpoint as one JSON line for the external file."""
        return json.dumps(
            {
                "id": self.id,
                "at": self.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "head_seq": self.head_seq,
                "head_mac": self.head_mac.hex(),
                "prev_signature": self.prev_signature.hex(),
                "key_id": self.key_id,
                "signature": self.signature.hex(),
            },
            sort_keys=True,
        )


def signed_message(
    cp_id: int, at: datetime, head_seq: int, head_mac: bytes, prev_signature: bytes, key_id: str
) -> bytes:
    """Return the canonical bytes a checkpoint signs."""
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return (
        f"roi-tracker-checkpoint/1|{cp_id}|{stamp}|{head_seq}|{head_mac.hex()}|{prev_signature.hex()}|{key_id}"
    ).encode("ascii")


def from_row(row: models.AuditCheckpoint) -> Checkpoint:
    """Convert a table row to a checkpoint."""
    return Checkpoint(
        id=row.id,
        at=row.at,
        head_seq=row.head_seq,
        head_mac=bytes(row.head_mac),
        prev_signature=bytes(row.prev_signature),
        key_id=row.key_id,
        signature=bytes(row.signature),
    )


def path_in(directory: Path) -> Path:
    """Return the checkpoint file's path in `directory`."""
    return directory / FILE_NAME


def write(
    session: Session,
    keyring: crypto.Keyring,
    directory: Path,
    *,
    now: datetime | None = None,
    reset_head: bool = False,
) -> Checkpoint:
    """Sign the head, store it in the table, commit, then append it to the file and the head record."""
    directory.mkdir(parents=True, exist_ok=True)
    target = path_in(directory)
    try:
        with instance_files.open_private(target, "a") as handle:
            # One writer at a time across processes, so file lines stay in id order.
            fcntl.flock(handle, fcntl.LOCK_EX)
            session.rollback()
            lock_chain(session)
            head_seq, head_mac = head(session)
            last = session.execute(
                select(models.AuditCheckpoint).order_by(models.AuditCheckpoint.id.desc()).limit(1)
            ).scalar_one_or_none()
            cp_id = 1 if last is None else last.id + 1
            prev_signature = NO_SIGNATURE if last is None else bytes(last.signature)
            at = now or db.utcnow()
            key_id = keyring.signing_key.id
            _, signature = keyring.sign(signed_message(cp_id, at, head_seq, head_mac, prev_signature, key_id))
            checkpoint = Checkpoint(cp_id, at, head_seq, head_mac, prev_signature, key_id, signature)
            session.add(
                models.AuditCheckpoint(
                    id=cp_id,
                    at=at,
                    head_seq=head_seq,
                    head_mac=head_mac,
                    prev_signature=prev_signature,
                    key_id=key_id,
                    signature=signature,
                )
            )
            session.commit()
            handle.write(checkpoint.to_line() + "\n")
            handle.flush()
        heads.record(directory, head_seq, head_mac, reset=reset_head)
    except OSError as exc:
        raise AuditUnavailable(f"cannot write the checkpoint file {target}: {exc.strerror}") from exc
    return checkpoint


class CheckpointFileError(Exception):
    """A line of the checkpoint file cannot be read; the message names the line."""


def start_new_file(session: Session, keyring: crypto.Keyring, directory: Path) -> Checkpoint:
    """Begin a checkpoint file from the database's own checkpoints, then sign the head (after a restore).

    Refused while a file exists: the old one, which shows what a restore of an older copy lost, is archived by
    the operator, never replaced here.
    """
    target = path_in(directory)
    if target.exists():
        raise CheckpointFileError(
            f"{target} exists; archive it first (it is the evidence of what the restore lost)"
        )
    lines = "".join(cp.to_line() + "\n" for cp in read_table(session))
    session.rollback()
    directory.mkdir(parents=True, exist_ok=True)
    try:
        with instance_files.open_private(target, "x") as handle:
            handle.write(lines)
    except OSError as exc:
        raise AuditUnavailable(f"cannot write the checkpoint file {target}: {exc.strerror}") from exc
    # The head record too begins again from the restored database (it may name entries the restore lost).
    return write(session, keyring, directory, reset_head=True)


def read_file(directory: Path) -> list[Checkpoint]:
    """Read every checkpoint in the external file (none when there is no file yet)."""
    target = path_in(directory)
    if not target.exists():
        return []
    out: list[Checkpoint] = []
    for number, line in enumerate(target.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            at = datetime.strptime(doc["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
            out.append(
                Checkpoint(
                    id=int(doc["id"]),
                    at=at,
                    head_seq=int(doc["head_seq"]),
                    head_mac=bytes.fromhex(doc["head_mac"]),
                    prev_signature=bytes.fromhex(doc["prev_signature"]),
                    key_id=str(doc["key_id"]),
                    signature=bytes.fromhex(doc["signature"]),
                )
            )
        except (KeyError, TypeError, ValueError):
            raise CheckpointFileError(f"{target} line {number} is not a checkpoint") from None
    return out


def read_table(session: Session) -> list[Checkpoint]:
    """Read every checkpoint in the table, oldest first."""
    rows = session.execute(select(models.AuditCheckpoint).order_by(models.AuditCheckpoint.id)).scalars()
    return [from_row(row) for row in rows]
