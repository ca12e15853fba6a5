"""Staff accounts, their second factor, tokens, sessions and sign-in throttling."""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger
from sqlalchemy import ForeignKey
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy import false
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
    # Set by an administrator's reset: every page leads to the change-password page until it is changed.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    # A work address for reminders (issue 21); staff contact data, stored as plainly as the display name.
    email: Mapped[str | None] = mapped_column(String(254))
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
