"""The only writer of the access log: a keyed HMAC chain, appended under a lock (security.md B).

Writes: `append` inside the caller's transaction, so the entry commits with the change or not at all.
Reads: `reveal` appends and commits before the caller may produce plaintext (STYLE.md rule 7).
Any failure to write becomes `AuditUnavailable`, which the web layer answers with 503 and no data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import cast

from sqlalchemy import Table
from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from roi_tracker import crypto
from roi_tracker import db
from roi_tracker import models
from roi_tracker.audit import heads
from roi_tracker.domain import audit_vocab
from roi_tracker.domain.errors import AuditUnavailable

log = logging.getLogger(__name__)

# Serializes appends on PostgreSQL; the value is arbitrary but fixed ("ROI" + "LOG").
_PG_LOCK_KEY = 0x524F494C4F47

CHECKPOINT_DUE = "roi_checkpoint_due"
HEAD_WRITTEN = "roi_head_written"


@dataclass(frozen=True)
class Actor:
    """Who is acting, as the log names them: ids and codes only."""

    user_id: str
    role: str
    request_id: str = ""


SYSTEM = Actor(user_id="system", role="system")
ANONYMOUS_ROLE = "anonymous"


@dataclass(frozen=True, slots=True)
class Planned:
    """An entry to append in bulk (`Log.append_many`), with the time it happened."""

    at: datetime
    actor: Actor
    action: audit_vocab.Action
    outcome: audit_vocab.Outcome
    object_type: str = ""
    object_id: str = ""
    client_id: str = ""
    basis: str = ""


@dataclass(frozen=True)
class Receipt:
    """Proof that an entry was committed; services that reveal data take one (rule 7)."""

    seq: int
    action: str


def lock_chain(session: Session) -> None:
    """Take the chain's append lock for the rest of the transaction."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    # SQLite: every write transaction is BEGIN IMMEDIATE (db.py), which already holds the write lock.


def head(session: Session) -> tuple[int, bytes]:
    """Return the sequence number and MAC of the newest entry, or (0, genesis)."""
    row = session.execute(
        select(models.AuditEntry.seq, models.AuditEntry.mac).order_by(models.AuditEntry.seq.desc()).limit(1)
    ).first()
    if row is None:
        return 0, audit_vocab.GENESIS_MAC
    return int(row[0]), bytes(row[1])


def _write_row(session: Session, row: models.AuditEntry) -> None:
    session.add(row)
    session.flush()


class Log:
    """The access-log writer a service is handed: the keyring's log key and the checkpoint policy."""

    def __init__(
        self, keyring: crypto.Keyring, *, checkpoint_every: int = 0, checkpoint_dir: Path | None = None
    ) -> None:
        self.keyring = keyring
        self.checkpoint_every = checkpoint_every
        self.checkpoint_dir = checkpoint_dir

    def checkpoint_after_commit(self, session: Session) -> None:
        """Sign the head after a commit that crossed a multiple of `checkpoint_every` (security.md B7)."""
        if self.checkpoint_dir is None:
            return
        from roi_tracker.audit import checkpoints

        try:
            checkpoints.write(session, self.keyring, self.checkpoint_dir)
        except (AuditUnavailable, SQLAlchemyError) as exc:
            # The data is committed; the periodic checkpoint (server.py) signs the head on its next tick.
            session.rollback()
            log.warning("checkpoint after entry failed: %s", type(exc).__name__)

    def _written(self, session: Session, seq: int, mac: bytes) -> None:
        # Recorded outside the database once the transaction commits (_record_head), forgotten on rollback.
        if self.checkpoint_dir is not None:
            session.info[HEAD_WRITTEN] = (self.checkpoint_dir, seq, mac)

    def append(
        self,
        session: Session,
        actor: Actor,
        action: audit_vocab.Action,
        outcome: audit_vocab.Outcome,
        *,
        object_type: str = "",
        object_id: str = "",
        client_id: str = "",
        basis: str = "",
        at: datetime | None = None,
    ) -> int:
        """Append one entry inside the caller's transaction and return its sequence number."""
        try:
            lock_chain(session)
            seq, prev = head(session)
            seq += 1
            key = self.keyring.log_key
            entry = audit_vocab.Entry(
                seq=seq,
                at=at or db.utcnow(),
                actor=actor.user_id,
                role=actor.role,
                action=action.value,
                object_type=object_type,
                object_id=object_id,
                client_id=client_id,
                outcome=outcome.value,
                basis=basis,
                request_id=actor.request_id,
                key_id=key.id,
            )
            mac = self.keyring.log_mac(key.id, prev, audit_vocab.canonical(entry))
            _write_row(session, _row(entry, prev, mac))
        except SQLAlchemyError as exc:
            session.rollback()
            raise AuditUnavailable("the access log could not record this request") from exc
        self._written(session, seq, mac)
        if self.checkpoint_every and seq % self.checkpoint_every == 0:
            session.info[CHECKPOINT_DUE] = self
        return seq

    def append_many(self, session: Session, planned: list[Planned]) -> int:
        """Append entries in order inside the caller's transaction, in one INSERT; return the last seq."""
        try:
            lock_chain(session)
            first, prev = head(session)
            key = self.keyring.log_key
            rows = []
            for seq, item in enumerate(planned, start=first + 1):
                entry = audit_vocab.Entry(
                    seq=seq,
                    at=item.at,
                    actor=item.actor.user_id,
                    role=item.actor.role,
                    action=item.action.value,
                    object_type=item.object_type,
                    object_id=item.object_id,
                    client_id=item.client_id,
                    outcome=item.outcome.value,
                    basis=item.basis,
                    request_id=item.actor.request_id,
                    key_id=key.id,
                )
                mac = self.keyring.log_mac(key.id, prev, audit_vocab.canonical(entry))
                rows.append({**_fields(entry), "prev_mac": prev, "mac": mac})
                prev = mac
            if rows:
                session.execute(insert(cast(Table, models.AuditEntry.__table__)), rows)
        except SQLAlchemyError as exc:
            session.rollback()
            raise AuditUnavailable("the access log could not record this batch") from exc
        last = first + len(planned)
        if rows:
            self._written(session, last, prev)
        if self.checkpoint_every and first // self.checkpoint_every != last // self.checkpoint_every:
            session.info[CHECKPOINT_DUE] = self
        return last

    def reveal(
        self,
        session: Session,
        actor: Actor,
        action: audit_vocab.Action,
        *,
        object_type: str,
        object_id: str,
        client_id: str = "",
        basis: str = "",
    ) -> Receipt:
        """Record a read and commit it; only then may the caller produce plaintext (security.md B3)."""
        seq = self.append(
            session,
            actor,
            action,
            audit_vocab.Outcome.ALLOWED,
            object_type=object_type,
            object_id=object_id,
            client_id=client_id,
            basis=basis,
        )
        commit(session)
        return Receipt(seq=seq, action=action.value)

    def record_alone(
        self,
        session: Session,
        actor: Actor,
        action: audit_vocab.Action,
        outcome: audit_vocab.Outcome,
        *,
        object_type: str = "",
        object_id: str = "",
        client_id: str = "",
        basis: str = "",
    ) -> int:
        """Record an entry in a transaction of its own (refusals, failed sign-ins) and commit it."""
        session.rollback()
        seq = self.append(
            session,
            actor,
            action,
            outcome,
            object_type=object_type,
            object_id=object_id,
            client_id=client_id,
            basis=basis,
        )
        commit(session)
        return seq


def _fields(entry: audit_vocab.Entry) -> dict[str, object]:
    return {
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "role": entry.role,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "client_id": entry.client_id,
        "outcome": entry.outcome,
        "basis": entry.basis,
        "request_id": entry.request_id,
        "key_id": entry.key_id,
    }


def _row(entry: audit_vocab.Entry, prev: bytes, mac: bytes) -> models.AuditEntry:
    return models.AuditEntry(**_fields(entry), prev_mac=prev, mac=mac)


def commit(session: Session) -> None:
    """Commit the caller's transaction; a failure means the entry is not recorded."""
    try:
        session.commit()
    except SQLAlchemyError as exc:
        session.info.pop(CHECKPOINT_DUE, None)
        session.rollback()
        raise AuditUnavailable("the access log could not record this request") from exc
    due = session.info.pop(CHECKPOINT_DUE, None)
    if isinstance(due, Log):
        due.checkpoint_after_commit(session)


@event.listens_for(Session, "after_commit")
def _record_head(session: Session) -> None:
    """Record the head a committed transaction wrote, so a later truncation of the tail shows (heads.py)."""
    written = session.info.pop(HEAD_WRITTEN, None)
    if written is None:
        return
    directory, seq, mac = written
    try:
        heads.record(directory, seq, mac)
    except OSError as exc:
        # The entries are committed; the next commit or checkpoint records the head again.
        log.warning("recording the head of the access log failed: %s", exc.strerror)


@event.listens_for(Session, "after_soft_rollback")
def _forget_head(session: Session, previous_transaction: object) -> None:
    """Forget the head of a transaction that rolled back: its entries were never kept."""
    session.info.pop(HEAD_WRITTEN, None)
