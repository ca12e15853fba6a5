"""Accounting requests, suspensions, and every accounting given (kept 6 years, 164.528(d))."""

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


class AccountingRequest(Base):
    """A client's request for an accounting: due in 60 days, one 30-day extension with a written reason."""

    __tablename__ = "accounting_requests"

    id: Mapped[uuidpk]
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    received_on: Mapped[date]
    due_on: Mapped[date] = mapped_column(index=True)
    period_since: Mapped[date | None]
    extension_reason: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The written statement of the extension given to the client within the 60 days (164.528(c)(1)(ii)).
    extension_notice_on: Mapped[date | None]
    extension_notice_method: Mapped[str] = mapped_column(String(32), default="", server_default="")
    fee_cents: Mapped[int] = mapped_column(default=0)
    delivered_on: Mapped[date | None]
    delivery_method: Mapped[str] = mapped_column(String(32), default="")
    accounting_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accountings_given.id"))
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[utc_now]


class AccountingSuspension(Base):
    """An agency's request to suspend the accounting of disclosures to it (164.528(a)(2)), by an auditor.

    recipient_id names the agency in the recipients directory; rows from before migration 0007 have none
    and suspend the accounting of disclosures to every recipient, as they were recorded.
    """

    __tablename__ = "accounting_suspensions"

    id: Mapped[uuidpk]
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    recipient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("recipients.id"))
    agency: Mapped[bytes] = mapped_column(LargeBinary)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    written: Mapped[bool]
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[utc_now]


class AccountingGiven(Base):
    """An accounting as it was produced, sealed under the client's key and kept for 6 years."""

    __tablename__ = "accountings_given"

    id: Mapped[uuidpk]
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    produced_at: Mapped[utc_now]
    produced_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    since: Mapped[date]
    until: Mapped[date]
    delivered_at: Mapped[datetime | None]
    # `practice`: sealed under the keyring, so it outlives the client's purge; `client`: before 0012.
    sealed_with: Mapped[str] = mapped_column(String(16), default="client", server_default="client")
