"""Backups of a SQLite instance: a consistent copy taken while the server runs, logged, and the keys apart.

The copy uses SQLite's online backup API (`sqlite3.Connection.backup`), which reads one snapshot of the
database however many writers are busy. The access log records the backup before the copy is made (rule 3), so
every backup holds its own entry; a checkpoint is signed first, so a fresh restore verifies against the file.
PostgreSQL is backed up with pg_dump and restored with pg_restore (README, "Backup and restore").
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import keyfile
from roi_tracker.audit import checkpoints
from roi_tracker.config import Settings
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import DomainError
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.services.context import Env

SERVING_LOCK = "serving.lock"


class BackupFailed(DomainError):
    """The backup or the restore could not be completed; nothing was replaced."""

    code = "backup_failed"


@dataclass(frozen=True)
class Taken:
    """A finished backup: its id (also in its own access-log entry), where it is and the head it holds."""

    backup_id: str
    path: Path
    head_seq: int
    keyring_path: Path | None


def sqlite_path(settings: Settings) -> Path:
    """Return the SQLite database file, refusing PostgreSQL (pg_dump and pg_restore back it up)."""
    if not settings.is_sqlite:
        raise InvalidInput(
            "on PostgreSQL use pg_dump -Fc and pg_restore (README, 'Backup and restore')", field="database"
        )
    name = make_url(settings.database_url).database
    if not name or name == ":memory:":
        raise InvalidInput("an in-memory database cannot be backed up", field="database")
    return Path(name)


@contextlib.contextmanager
def serving(instance_path: Path) -> Iterator[None]:
    """Hold the instance's serving lock (shared, so several servers may run) while the server runs.

    A folder the server may not write (a read-only volume) holds no SQLite database to restore over, so the
    server then runs without the lock rather than refusing to start.
    """
    try:
        instance_path.mkdir(parents=True, exist_ok=True)
        handle = (instance_path / SERVING_LOCK).open("a")
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        yield


def refuse_if_serving(instance_path: Path) -> None:
    """Refuse when a server holds the serving lock (a restore would pull the file from under it)."""
    target = instance_path / SERVING_LOCK
    if not target.exists():
        return
    with target.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(f"a server is running on the instance {instance_path}; stop it first") from None
        fcntl.flock(handle, fcntl.LOCK_UN)


def _check_destinations(dest: Path, keyring_dest: Path | None) -> None:
    if dest.exists():
        raise Conflict(f"{dest} already exists; refusing to overwrite it")
    if not dest.parent.is_dir():
        raise InvalidInput(f"the folder {dest.parent} does not exist", field="dest")
    if keyring_dest is None:
        return
    if keyring_dest.exists():
        raise Conflict(f"{keyring_dest} already exists; refusing to overwrite it")
    keys, backups = keyring_dest.resolve().parent, dest.resolve().parent
    if keys == backups or backups in keys.parents or keys in backups.parents:
        raise InvalidInput(
            "keep the key file apart from the backup: --keyring must name a folder that neither holds nor "
            "lies inside the backup's (a backup stolen with its keys reveals everything)",
            field="keyring",
        )


def take(session: Session, env: Env, actor: audit.Actor, dest: Path, keyring_dest: Path | None) -> Taken:
    """Log the backup, sign a checkpoint, copy the database to `dest` (0600) and export the keys if asked."""
    source = sqlite_path(env.settings)
    _check_destinations(dest, keyring_dest)
    backup_id = uuid.uuid4().hex[:16]
    env.log.append(
        session, actor, Action.BACKUP_CREATED, Outcome.ALLOWED, object_type="backup", object_id=backup_id
    )
    audit.commit(session)
    signed = checkpoints.write(session, env.keyring, env.settings.checkpoint_dir)
    try:
        copy_database(source, dest)
    except (OSError, sqlite3.Error) as exc:
        env.log.record_alone(
            session, actor, Action.BACKUP_CREATED, Outcome.ERROR, object_type="backup", object_id=backup_id
        )
        raise BackupFailed(f"the backup to {dest} failed: {_reason(exc)}") from None
    if keyring_dest is not None:
        env.log.append(
            session, actor, Action.KEYS_EXPORTED, Outcome.ALLOWED, object_type="backup", object_id=backup_id
        )
        audit.commit(session)
        try:
            keyfile.write_new(env.keyring, keyring_dest)
        except OSError as exc:
            raise BackupFailed(
                f"the key file could not be exported to {keyring_dest}: {_reason(exc)}"
            ) from None
    return Taken(backup_id, dest, signed.head_seq, keyring_dest)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def copy_database(source: Path, dest: Path) -> None:
    """Copy one consistent snapshot of `source` to `dest` as a single file (no WAL), mode 0600, atomically."""
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        src = contextlib.closing(sqlite3.connect(source, timeout=30))
        with src as reader, contextlib.closing(sqlite3.connect(partial)) as out:
            reader.backup(out)  # pages=-1: the whole database from one read snapshot
            out.execute("PRAGMA journal_mode=DELETE")
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.link(partial, dest)  # never over a file that appeared meanwhile (FileExistsError)
    finally:
        partial.unlink(missing_ok=True)
