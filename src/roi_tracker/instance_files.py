"""Instance files: the SQLite database, its WAL and SHM, and the checkpoint file.

They are created 0600, and an instance is refused when group or others may read them, as the key file is
(security review, issue 15 item 6; security.md A2).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import IO
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roi_tracker.config import Settings

PRIVATE_UMASK = 0o077
CHECKPOINT_FILE_NAME = "checkpoints.jsonl"  # audit/checkpoints.py uses this name
_SQLITE_PREFIX = "sqlite:///"


class ExposedFile(Exception):
    """An instance file is readable by group or others; the message says which and how to fix it."""


def keep_private() -> None:
    """Make every file this process creates from now on 0600 (and directories 0700)."""
    os.umask(PRIVATE_UMASK)


def sqlite_path(url: str) -> Path | None:
    """Return the database file of a SQLite URL, or None (PostgreSQL, in-memory or URI forms)."""
    if not url.startswith(_SQLITE_PREFIX):
        return None
    name = url[len(_SQLITE_PREFIX) :].split("?", 1)[0]
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def create_private(path: Path) -> None:
    """Create `path` empty with mode 0600 unless it exists (SQLite gives its WAL and SHM the same mode)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def open_private(path: Path, mode: str) -> IO[str]:
    """Open a text file for appending ("a") or exclusive creation ("x"), creating it 0600."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode == "a" else os.O_EXCL)
    return os.fdopen(os.open(path, flags, 0o600), mode, encoding="utf-8")


def files_of(settings: Settings) -> list[Path]:
    """Return the instance files whose mode is checked at start-up (the key file is checked by keyfile)."""
    out = [settings.checkpoint_dir / CHECKPOINT_FILE_NAME]
    database = sqlite_path(settings.database_url)
    if database is not None:
        out += [
            database,
            database.with_name(database.name + "-wal"),
            database.with_name(database.name + "-shm"),
        ]
    return out


def check(settings: Settings) -> None:
    """Refuse an instance any of whose files group or others may read or write."""
    for path in files_of(settings):
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            continue
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ExposedFile(f"the instance file {path} is readable by others; run `chmod 600 {path}`")
