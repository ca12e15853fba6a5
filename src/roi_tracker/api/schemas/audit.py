"""The access log: events, their filter and page, and verification."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from pydantic import Field

from roi_tracker.api.schemas.common import Day
from roi_tracker.api.schemas.common import Strict


class AuditEvent(BaseModel):
    """One access-log entry."""

    seq: int
    at: datetime
    actor: str
    actor_name: str
    role: str
    action: str
    client_id: str
    object_type: str
    object_id: str
    outcome: str
    basis: str


class AuditEventQuery(Strict):
    """Filters and keyset pagination over the access log."""

    client_id: str | None = Field(default=None, max_length=64)
    actor: str | None = Field(default=None, max_length=64)
    action: str | None = Field(default=None, max_length=64)
    outcome: Literal["allowed", "refused", "error", "integrity_failure"] | None = None
    since: Day | None = None
    until: Day | None = None
    cursor: int | None = Field(default=None, ge=1, le=2**63 - 1)
    limit: int = Field(default=100, ge=1, le=500)


class AuditEventPage(BaseModel):
    """A page of entries, newest first."""

    items: list[AuditEvent]
    next_cursor: int | None


class Verification(BaseModel):
    """The verifier's verdict over the access log."""

    intact: bool
    verified: int
    head_seq: int
    first_break_seq: int | None
    reason: str
    unanchored: int = Field(description="entries past the newest checkpoint: linked, not yet signed")
    cannot_vouch: str = Field(
        description="why nothing outside the database vouches for the log; empty if it does"
    )
