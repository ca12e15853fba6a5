"""Incidents, their affected clients, assessments and notices (H-B1..H-B9).

Never deleted and kept 6 years (H-B8): an assessment is a row of its own (the newest one stands), a notice
is a row of its own. What happened and the written factors may name people: sealed, like other PHI.
"""

import uuid
from datetime import date

from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from roi_tracker.db import Base
from roi_tracker.db import utc_now
from roi_tracker.db import uuidpk


class Incident(Base):
    """One incident from the day it was discovered (H-B7); the determination is the newest assessment's."""

    __tablename__ = "incidents"

    id: Mapped[uuidpk]
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    # Who opened it: "reported" by a person, or what the product detected (impermissible_disclosure, ...).
    source: Mapped[str] = mapped_column(String(32))
    discovered_on: Mapped[date] = mapped_column(index=True)
    occurred_on: Mapped[date | None]
    description: Mapped[bytes] = mapped_column(LargeBinary)
    disclosure_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("disclosures.id"), index=True)
    determination: Mapped[str] = mapped_column(String(16))
    notify_by: Mapped[date]
    hhs_by: Mapped[date | None]
    media_required: Mapped[bool] = mapped_column(Boolean)
    reported_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[utc_now]


class IncidentClient(Base):
    """A client whose information the incident concerns."""

    __tablename__ = "incident_clients"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), primary_key=True, index=True)


class IncidentAssessment(Base):
    """The auditor's answers and the determination that follows from them (H-B1..H-B3)."""

    __tablename__ = "incident_assessments"

    id: Mapped[uuidpk]
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    exclusion: Mapped[str] = mapped_column(String(32))
    secured: Mapped[bool] = mapped_column(Boolean)
    low_probability: Mapped[bool] = mapped_column(Boolean)
    factors: Mapped[bytes] = mapped_column(LargeBinary)
    affected: Mapped[int] = mapped_column(Integer)
    most_in_one_state: Mapped[int] = mapped_column(Integer)
    determination: Mapped[str] = mapped_column(String(16))
    # The basis as JSON: rule ids and sentences naming dates and counts only.
    basis: Mapped[str] = mapped_column(Text)
    assessed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    assessed_at: Mapped[utc_now]


class IncidentNotice(Base):
    """A notice sent: to an individual, the media or HHS, when and how (H-B4..H-B6)."""

    __tablename__ = "incident_notices"

    id: Mapped[uuidpk]
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    audience: Mapped[str] = mapped_column(String(16))
    client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clients.id"))
    sent_on: Mapped[date]
    method: Mapped[str] = mapped_column(String(32))
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[utc_now]
