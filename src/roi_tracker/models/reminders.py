"""Reminders: the kinds a person opted out of, and what was sent to whom on which day (never twice)."""

import uuid
from datetime import date

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from roi_tracker.db import Base
from roi_tracker.db import utc_now
from roi_tracker.db import uuidpk


class ReminderOptOut(Base):
    """A person asked not to be reminded of one kind of item."""

    __tablename__ = "reminder_opt_outs"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[utc_now]


class ReminderSent(Base):
    """One item told to one person on one practice day; the unique key keeps it from going twice."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("user_id", "kind", "item_key", "sent_on"),)

    id: Mapped[uuidpk]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # The id of what the item is about (an authorization, a review subject, a verification): no PHI.
    item_key: Mapped[str] = mapped_column(String(64))
    sent_on: Mapped[date]
    sent_at: Mapped[utc_now]
