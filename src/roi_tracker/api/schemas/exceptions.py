"""Confidentiality exceptions, their review, and emergency access."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from pydantic import Field

from roi_tracker.api.schemas.common import Day
from roi_tracker.api.schemas.common import Instant
from roi_tracker.api.schemas.common import Strict


class ExceptionRecipient(Strict):
    """Who received the exception disclosure."""

    name: str = Field(default="", max_length=200)
    organization: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=500)
    type: str = Field(default="", max_length=32)


class ExceptionCreate(Strict):
    """An exception disclosure; kind-specific fields are optional so a missing one is named with its rule."""

    kind: str = Field(max_length=32)
    recipient: ExceptionRecipient = Field(default_factory=ExceptionRecipient)
    disclosed_categories: list[str] = Field(default_factory=list, max_length=12)
    occurred_at: Instant | None = None
    justification: str = Field(default="", max_length=4000)
    password: str = Field(max_length=128)
    channel: str = Field(default="phone", max_length=16)
    basis_of_belief: str = Field(default="", max_length=32)
    belief_source: str = Field(default="", max_length=300)
    threat: str = Field(default="", max_length=2000)
    target: str = Field(default="", max_length=300)
    imminence: str = Field(default="", max_length=300)
    recipient_can_lessen: str = Field(default="", max_length=2000)
    imminent: bool | None = None
    recipient_able_to_lessen: bool | None = None
    learned_as_admission_of_past_violent_crime: bool = False
    statute: str = Field(default="", max_length=200)
    report_number: str = Field(default="", max_length=100)
    reported_at: str = Field(default="", max_length=32)
    parent_suspected: bool = False
    condition: str = Field(default="", max_length=32)
    client_informed_on: Day | None = None
    not_informed_reason: str = Field(default="", max_length=32)
    court: str = Field(default="", max_length=200)
    order_reference: str = Field(default="", max_length=100)
    order_date: str = Field(default="", max_length=10)
    order_document_id: str = Field(default="", max_length=64)
    judge: str = Field(default="", max_length=200)
    order_categories: list[str] = Field(default_factory=list, max_length=12)
    subpoena: bool = False
    part2_order: bool = False
    medical_personnel_name: str = Field(default="", max_length=200)
    facility: str = Field(default="", max_length=200)
    emergency_nature: str = Field(default="", max_length=2000)


class ExceptionOut(BaseModel):
    """A recorded exception."""

    id: str
    review_status: str
    disclosure_id: str


class ExceptionQuery(Strict):
    """Filter the review queue."""

    review_status: Literal["pending", "appropriate", "inappropriate", "all"] = "pending"


class ExceptionItem(BaseModel):
    """An exception or emergency access in the review queue."""

    id: str
    subject_type: str
    kind: str
    client_id: str
    client_reference: str
    client_name: str
    by: str
    at: datetime
    review_status: str
    overdue: bool


class ExceptionList(BaseModel):
    """The review queue."""

    items: list[ExceptionItem]


class ReviewCreate(Strict):
    """An auditor's review."""

    outcome: Literal["appropriate", "inappropriate"]
    notes: str = Field(default="", max_length=4000, description="Required when the outcome is inappropriate.")


class ReviewOut(BaseModel):
    """The review recorded."""

    id: str
    review_status: str


class EmergencyCreate(Strict):
    """Break the glass."""

    reason: str = Field(max_length=32)
    justification: str = Field(min_length=1, max_length=2000)
    password: str = Field(max_length=128)


class EmergencyOut(BaseModel):
    """When the emergency access ends."""

    id: str
    expires_at: datetime
