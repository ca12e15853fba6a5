"""The instance's own record of the newest entry it wrote, beside the checkpoint file (security.md B7, B8).

Checkpoints sign the head every N entries or T minutes, so entries after the newest one are signed by nothing:
deleting them would leave a valid-looking chain. Every commit that appended entries records the new head here,
outside the database, so the verifier can tell a truncated tail from one that was never written. The record is
written after the commit (it never names an entry the database did not keep) and only moves forward (several
processes write it); `audit checkpoint --new-file` resets it after a deliberate restore.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "head.json"


class HeadRecordError(Exception):
    """The head record cannot be read; the message names the file."""


@dataclass(frozen=True)
class Head:
    """The newest entry this instance committed: its sequence number and MAC."""

    seq: int
    mac: bytes


def path_in(directory: Path) -> Path:
    """Return the head record's path in `directory` (the checkpoint folder)."""
    return directory / FILE_NAME


def _parse(text: str, target: Path) -> Head | None:
    if not text.strip():
        return None
    try:
        doc = json.loads(text)
        return Head(seq=int(doc["seq"]), mac=bytes.fromhex(doc["mac"]))
    except (KeyError, TypeError, ValueError):
        raise HeadRecordError(f"{target} is not a head record") from None


# The record is rewritten in place at a fixed width, never truncated: truncating costs about 1.5 ms on ext4,
# against some 15 us for this, and it runs after every commit that wrote to the log.
_WIDTH = 127


def record(directory: Path, seq: int, mac: bytes, *, reset: bool = False) -> None:
    """Record entry `seq` as the head unless a later one is recorded already (or always, with `reset`)."""
    target = path_in(directory)
    try:
        fd = os.open(target, os.O_RDWR | os.O_CREAT, 0o666)
    except FileNotFoundError:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        # One writer at a time across processes; readers take the lock shared, so never see half a record.
        fcntl.flock(fd, fcntl.LOCK_EX)
        stored = os.pread(fd, 4096, 0)
        try:
            current = _parse(stored.decode("utf-8", "replace"), target)
        except HeadRecordError:
            current = None  # an unreadable record is replaced by a true one
        if not reset and current is not None and current.seq >= seq:
            return
        line = json.dumps({"seq": seq, "mac": mac.hex()}, sort_keys=True).ljust(_WIDTH).encode("ascii")
        os.pwrite(fd, line + b"\n", 0)
        if len(stored) > len(line) + 1:
            os.ftruncate(fd, len(line) + 1)
    finally:
        os.close(fd)


def read(directory: Path) -> Head | None:
    """Return the recorded head, or None when there is no record."""
    target = path_in(directory)
    try:
        with target.open(encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_SH)
            return _parse(handle.read(), target)
    except FileNotFoundError:
        return None
