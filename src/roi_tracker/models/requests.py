"""Requests for records, each step of them, and the letters sent: never deleted (regulatory.md section 8).

The requester's identity, what was asked and every reason given are ciphertext under the client's data key;
dates, kind and status stay plain so the queue can be sorted and filtered without decrypting.
"""

import uuid
from datetime import date
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from roi_tracker.db import Base
from roi_tracker.db import UTCDateTime
from roi_tracker.db import utc_now
from roi_tracker.db import uuidpk


class RecordRequest(Base):
    """Someone asked for records: its kind, clock and answer. due_on is the rules' answer kept for sorting."""

    __tablename__ = "record_requests"

    id: Mapped[uuidpk]
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    received_on: Mapped[date]
    due_on: Mapped[date] = mapped_column(index=True)
    extended: Mapped[bool] = mapped_column(default=False)
    channel: Mapped[str] = mapped_column(String(16))
    requester_is: Mapped[str] = mapped_column(String(32))
    format: Mapped[str] = mapped_column(String(16))
    details: Mapped[bytes] = mapped_column(LargeBinary)
    fee_cents: Mapped[int] = mapped_column(default=0)
    fee_status: Mapped[str] = mapped_column(String(16), default="due")
    document_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("documents.id"))
    deliver_to_recipient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("recipients.id"))
    disclosure_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("disclosures.id"))
    reviewable: Mapped[bool | None]
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    recorded_at: Mapped[utc_now]
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RequestEvent(Base):
    """One step of a request (received, extended, fulfilled...); its note is sealed under the client's key."""

    __tablename__ = "request_events"

    id: Mapped[uuidpk]
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("record_requests.id"), index=True)
    position: Mapped[int]
    at: Mapped[utc_now]
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    note: Mapped[bytes | None] = mapped_column(LargeBinary)


class RequestLetter(Base):
    """A letter sent about a request (acknowledgement, extension, denial, review outcome), as a sealed PDF."""

    __tablename__ = "request_letters"

    id: Mapped[uuidpk]
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("record_requests.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[utc_now]
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    content: Mapped[bytes] = mapped_column(LargeBinary)
