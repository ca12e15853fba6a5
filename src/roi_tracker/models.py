"""Typed ORM rows. Rows hold ciphertext and identifiers only; nothing here decrypts."""

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
from roi_tracker.db import UTCDateTime
from roi_tracker.db import utc_now
from roi_tracker.db import utcnow
from roi_tracker.db import uuidpk


class User(Base):
    """A member of the practice's staff with one role."""

    __tablename__ = "users"

    id: Mapped[uuidpk]
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[utc_now]
    updated_at: Mapped[utc_now]


class RecoveryCode(Base):
    """A single-use MFA recovery code, stored as a hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[uuidpk]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    used_at: Mapped[datetime | None]


class ApiToken(Base):
    """A bearer token for /api/v1; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[uuidpk]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[utc_now]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class WebSession(Base):
    """A server-side browser session; the cookie holds a random id whose hash is the key here."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    data_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[utc_now]
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class SigninThrottle(Base):
    """Failed sign-in attempts counted per account and per client address (ASVS 6.1.1, 6.3.1)."""

    __tablename__ = "signin_throttle"

    key_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[utc_now]


class KeyCanary(Base):
    """A check value per key id, so starting with the wrong key file is refused (security.md A10)."""

    __tablename__ = "key_canaries"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    check_value: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[utc_now]


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
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[utc_now]
    note: Mapped[bytes] = mapped_column(LargeBinary)


class Client(Base):
    """A client. Every identifying field is ciphertext under the client's own data key (security.md A)."""

    __tablename__ = "clients"

    id: Mapped[uuidpk]
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    key_version: Mapped[int] = mapped_column(default=1)
    # Truncated HMAC of family name + date of birth: deliberate false positives, filtered after decrypting.
    name_dob_index: Mapped[bytes] = mapped_column(LargeBinary(8), index=True)
    given_name: Mapped[bytes] = mapped_column(LargeBinary)
    family_name: Mapped[bytes] = mapped_column(LargeBinary)
    date_of_birth: Mapped[bytes] = mapped_column(LargeBinary)
    pronouns: Mapped[bytes] = mapped_column(LargeBinary)
    phone: Mapped[bytes] = mapped_column(LargeBinary)
    email: Mapped[bytes] = mapped_column(LargeBinary)
    address: Mapped[bytes] = mapped_column(LargeBinary)
    emergency_contact: Mapped[bytes] = mapped_column(LargeBinary)
    part2: Mapped[bytes] = mapped_column(LargeBinary)
    legal_hold: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[utc_now]
    updated_at: Mapped[utc_now]
    last_activity_at: Mapped[utc_now]
    discharged_at: Mapped[datetime | None]
    shredded_at: Mapped[datetime | None]


class ClientKey(Base):
    """A client's data key, wrapped by a key-encryption key; deleting it crypto-shreds the client."""

    __tablename__ = "client_keys"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kek_id: Mapped[str] = mapped_column(String(64), index=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[utc_now]


class CaseloadAssignment(Base):
    """A clinician assigned to a client: the only way a clinician sees clinical content."""

    __tablename__ = "caseload_assignments"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    assigned_at: Mapped[utc_now]


class Document(Base):
    """An uploaded record or signed form; the title and content are ciphertext under the client's key."""

    __tablename__ = "documents"

    id: Mapped[uuidpk]
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    title: Mapped[bytes] = mapped_column(LargeBinary)
    media_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[bytes] = mapped_column(LargeBinary(32))
    uploaded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[utc_now]


class DocumentBlob(Base):
    """A document's encrypted content, apart from its metadata so listings never load it."""

    __tablename__ = "document_blobs"

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
