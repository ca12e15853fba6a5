"""Restoring a SQLite backup: checked first (a roi-tracker database, a known migration, these keys), never
over a running server, never over data unless told, and the replaced database is kept aside, not deleted."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import migrate
from roi_tracker import models
from roi_tracker.audit import heads
from roi_tracker.config import Settings
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Conflict
from roi_tracker.services.context import Env
from roi_tracker.services.operations import backup
from roi_tracker.services.operations import setup as instance

REQUIRED_TABLES = frozenset({"alembic_version", "audit_log", "audit_checkpoints", "key_canaries", "users"})


@dataclass(frozen=True)
class Restored:
    """What was restored: the backup's id (from its own log), revision, head, and the old file's place."""

    backup_id: str
    revision: str
    head_seq: int
    set_aside: Path | None


def _fail(source: Path, why: str) -> backup.BackupFailed:
    return backup.BackupFailed(f"{source} is not a usable roi-tracker backup: {why}")


def _stage(source: Path, staging: Path) -> None:
    """Copy the backup next to the database through SQLite, then check the copy (the backup stays as is)."""
    if not source.exists():
        raise _fail(source, "no such file")
    if not source.is_file():
        raise _fail(source, "not a file")
    staging.unlink(missing_ok=True)
    try:
        src = contextlib.closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True))
        with src as reader, contextlib.closing(sqlite3.connect(staging)) as out:
            reader.backup(out)
            check = out.execute("PRAGMA quick_check").fetchone()
            tables = {row[0] for row in out.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as exc:
        raise _fail(source, f"not a readable SQLite database ({exc})") from None
    if check is None or check[0] != "ok":
        raise _fail(source, "the SQLite integrity check failed")
    missing = REQUIRED_TABLES - tables
    if missing:
        raise _fail(source, f"it lacks the tables {', '.join(sorted(missing))}")


def _inspect(source: Path, staging: Path, keyring: crypto.Keyring, url: str) -> tuple[str, str, int]:
    """Return the staged copy's revision, backup id and head; refuse an unknown revision or other keys."""
    engine = create_engine(f"sqlite:///{staging}", poolclass=NullPool)
    try:
        with Session(engine) as session:
            revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
            if revision not in migrate.known(url):
                raise _fail(source, f"its migration {revision or 'none'} is not one this version knows")
            try:
                instance.check_keys(session, keyring, remember=False)
            except instance.KeyMismatch as exc:
                raise _fail(source, f"it does not belong to this key file ({exc})") from None
            head_seq, _ = audit.head(session)
            backup_id = session.execute(
                select(models.AuditEntry.object_id)
                .where(models.AuditEntry.action == Action.BACKUP_CREATED.value)
                .order_by(models.AuditEntry.seq.desc())
                .limit(1)
            ).scalar_one_or_none()
    except SQLAlchemyError as exc:
        raise _fail(source, f"its tables cannot be read ({type(exc).__name__})") from None
    finally:
        engine.dispose()
    return str(revision), backup_id or "unknown", head_seq


def _holds_data(target: Path) -> bool:
    if not target.exists():
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM audit_log)").fetchone()[0])
    except sqlite3.Error:
        return target.stat().st_size > 0  # unreadable but not empty: something is there


def _set_aside(target: Path) -> Path | None:
    """Move the database being replaced (with its WAL) aside under a dated name; nothing is deleted."""
    if not target.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    aside = target.with_name(f"{target.name}.before-restore-{stamp}")
    for suffix in ("-wal", "-shm"):
        companion = target.with_name(target.name + suffix)
        if companion.exists():
            os.replace(companion, aside.with_name(aside.name + suffix))
    os.replace(target, aside)
    return aside


def replace_database(settings: Settings, keyring: crypto.Keyring, source: Path, *, force: bool) -> Restored:
    """Check the backup, then put it in place of the instance's database (refused while a server runs)."""
    target = backup.sqlite_path(settings)
    backup.refuse_if_serving(settings.instance_path)
    if _holds_data(target) and not force:
        raise Conflict(
            f"the database {target} already holds data; pass --force to replace it (it is kept aside)"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(target.name + ".restoring")
    try:
        _stage(source, staging)
        revision, backup_id, head_seq = _inspect(source, staging, keyring, settings.database_url)
        aside = _set_aside(target)
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)
    return Restored(backup_id, revision, head_seq, aside)


@dataclass(frozen=True)
class Superseded:
    """The head record from before the restore, kept aside: the newest entry written before it, and where."""

    head_seq: int
    kept_at: Path


def record(session: Session, env: Env, actor: audit.Actor, restored: Restored) -> Superseded | None:
    """Log the restore in the restored database's own chain; begin the head record again from it.

    The instance's head record names the newest entry written before the restore, which a backup taken
    earlier lacks (audit/heads.py). The restore is deliberate, so the record begins again from the restored
    head; the old one, evidence of what the restore lost, is kept aside like the replaced database.
    """
    folder = env.settings.checkpoint_dir
    try:
        before = heads.read(folder)
    except heads.HeadRecordError:
        before = None
    env.log.append(
        session,
        actor,
        Action.BACKUP_RESTORED,
        Outcome.ALLOWED,
        object_type="backup",
        object_id=restored.backup_id,
        basis=restored.revision,
    )
    audit.commit(session)
    seq, mac = audit.head(session)
    session.rollback()
    kept = None
    if before is not None and before.seq > restored.head_seq:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        aside = heads.path_in(folder).with_name(f"{heads.FILE_NAME}.before-restore-{stamp}")
        os.replace(heads.path_in(folder), aside)
        kept = Superseded(before.seq, aside)
    heads.record(folder, seq, mac, reset=True)
    return kept
