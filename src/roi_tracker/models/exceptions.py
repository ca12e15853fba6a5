"""Confidentiality exceptions, emergency access and the notifications they raise.

Never edited: corrections are new rows pointing at the one they correct; a review is a row of its own.
"""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from roi_tracker.db import Base
from roi_tracker.db import utc_now
from roi_tracker.db import uuidpk


class ConfidentialityException(Base):
    """A disclosure under a legal exception; its details are sealed under the client's data key."""

    __tablename__ = "confidentiality_exceptions"

    id: Mapped[uuidpk]
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    disclosure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disclosures.id"), unique=True)
    details: Mapped[bytes] = mapped_column(LargeBinary)
    occurred_at: Mapped[datetime]
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[utc_now]
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("confidentiality_exceptions.id"))


class EmergencyAccess(Base):
    """Break the glass: one clinician, one client not on their caseload, for a limited time."""

    __tablename__ = "emergency_accesses"

    id: Mapped[uuidpk]
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    justification: Mapped[bytes] = mapped_column(LargeBinary)
    started_at: Mapped[utc_now]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class Review(Base):
    """A privacy officer's review of an exception or an emergency access (two people: never one's own)."""

    __tablename__ = "reviews"

    id: Mapped[uuidpk]
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    outcome: Mapped[str] = mapped_column(String(16))
    notes: Mapped[bytes] = mapped_column(LargeBinary)
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[utc_now]


class Notification(Base):
    """An in-app notice to one person (every auditor is told of each exception and emergency access)."""

    __tablename__ = "notifications"

    id: Mapped[uuidpk]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[uuid.UUID]
    client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clients.id"))
    created_at: Mapped[utc_now]
    read_at: Mapped[datetime | None]
