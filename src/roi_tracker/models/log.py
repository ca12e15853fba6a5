"""The access log, its signed checkpoints, verifier verdicts and auditors' reviews."""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from roi_tracker.db import Base
from roi_tracker.db import utc_now
from roi_tracker.db import uuidpk


class AuditEntry(Base):
    """One access-log entry, chained by HMAC to the one before (security.md B4). Append-only."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))
    basis: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(64))
    prev_mac: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    mac: Mapped[bytes] = mapped_column(LargeBinary(32))

    __table_args__ = (
        Index("ix_audit_log_actor_seq", "actor", "seq"),
        Index("ix_audit_log_client_id_seq", "client_id", "seq"),
        Index("ix_audit_log_action_seq", "action", "seq"),
        Index("ix_audit_log_at", "at"),
    )


class AuditCheckpoint(Base):
    """A signed statement of the chain's head; a copy is also appended to a file outside the database."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    head_seq: Mapped[int] = mapped_column(BigInteger)
    head_mac: Mapped[bytes] = mapped_column(LargeBinary(32))
    prev_signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


class AuditVerification(Base):
    """The verdict of one run of the verifier, shown to auditors with its time."""

    __tablename__ = "audit_verifications"

    id: Mapped[uuidpk]
    at: Mapped[utc_now]
    intact: Mapped[bool]
    full: Mapped[bool]
    verified: Mapped[int] = mapped_column(BigInteger)
    head_seq: Mapped[int] = mapped_column(BigInteger)
    first_break_seq: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(256), default="")


class AuditReview(Base):
    """An auditor's review of one flagged entry; the note is sealed (it may name people)."""

    __tablename__ = "audit_reviews"

    id: Mapped[uuidpk]
    seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("audit_log.seq"), unique=True)
    queue: Mapped[str] = mapped_column(String(32))
    # "appropriate" or "inappropriate" (an inappropriate read opens an incident); None before migration 0018.
    outcome: Mapped[str | None] = mapped_column(String(16))
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[utc_now]
    note: Mapped[bytes] = mapped_column(LargeBinary)
