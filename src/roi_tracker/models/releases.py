"""Recipients, written authorizations and disclosures. Status is derived from dates and events, not stored."""

import uuid
from datetime import date
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from roi_tracker.db import Base
from roi_tracker.db import utc_now
from roi_tracker.db import uuidpk


class Recipient(Base):
    """Someone information may be sent to; every detail is sealed (a name can reveal a relationship)."""

    __tablename__ = "recipients"

    id: Mapped[uuidpk]
    kind: Mapped[str] = mapped_column(String(16))
    details: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[utc_now]
    # domain/recipients.py types; rows from before migration 0012 are `other`, outside the TPO class (P2-4).
    type: Mapped[str] = mapped_column(String(24), default="other", server_default="other")
    # `directory` entries are shared; `exception` entries belong to the one exception that named them.
    scope: Mapped[str] = mapped_column(String(16), default="directory", server_default="directory")
    # Archived: hidden from choosers, history kept. Merged: archived, its uses re-pointed to merged_into_id.
    archived_at: Mapped[datetime | None]
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("recipients.id"))


class Authorization(Base):
    """A written release: terms are ciphertext under the client's data key; dates stay plain for queries."""

    __tablename__ = "authorizations"

    id: Mapped[uuidpk]
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    label: Mapped[str] = mapped_column(String(16), unique=True)
    recipient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("recipients.id"), index=True)
    terms: Mapped[bytes] = mapped_column(LargeBinary)
    effective_on: Mapped[date]
    expires_on: Mapped[date | None] = mapped_column(index=True)
    signed_form_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"))
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[utc_now]
    expiry_event_on: Mapped[date | None]
    expiry_event_recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    revoked_on: Mapped[date | None] = mapped_column(index=True)
    revocation_document_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("documents.id"))
    revocation_recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class Disclosure(Base):
    """Something that left the practice. Append-only: a correction is a new row pointing at the old one."""

    __tablename__ = "disclosures"

    id: Mapped[uuidpk]
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    recipient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("recipients.id"), index=True)
    authorization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("authorizations.id"), index=True)
    basis: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    details: Mapped[bytes] = mapped_column(LargeBinary)
    disclosed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    disclosed_at: Mapped[utc_now]
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("disclosures.id"))
    # Set when the disclosure was made earlier (on paper) and entered afterwards: such a record has no packet.
    entered_at: Mapped[datetime | None]
