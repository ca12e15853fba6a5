"""Requests for records (interface.md, requests for records)."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from pydantic import Field

from roi_tracker.api.schemas.common import Day
from roi_tracker.api.schemas.common import Strict
from roi_tracker.api.schemas.disclosures import RefusedOut

Text = Field(default="", max_length=300)


class RequestRequester(Strict):
    """Who asked: a name or an organization at least."""

    name: str = Text
    organization: str = Text
    address: str = Text
    email: str = Text
    fax: str = Text
    phone: str = Text


class RequestCreate(Strict):
    """A request as received; `respond_by` is required for `legal` (the date on the process)."""

    client_id: str = Field(max_length=64)
    kind: Literal["access", "authorized", "legal"]
    received_on: Day | None = None
    channel: str = Field(max_length=16)
    requester: RequestRequester
    requester_is: Literal["client", "personal_representative", "third_party"]
    categories: list[str] = Field(min_length=1, max_length=12)
    records_from: Day | None = None
    records_to: Day | None = None
    format: Literal["paper", "electronic"]
    deliver_to_recipient_id: str | None = Field(default=None, max_length=64)
    respond_by: Day | None = None
    document_id: str | None = Field(default=None, max_length=64)
    notes: str = Field(default="", max_length=2000)


class RequestQuery(Strict):
    """Filters of the queue, and its cursor."""

    status: Literal["open", "fulfilled", "denied", "withdrawn"] | None = None
    kind: Literal["access", "authorized", "legal"] | None = None
    overdue: bool | None = None
    due_before: Day | None = None
    client_id: str | None = Field(default=None, max_length=64)
    mine: bool = False
    cursor: str | None = Field(default=None, max_length=80)
    limit: int = Field(default=50, ge=1, le=200)


class RequestFeeOut(BaseModel):
    """The fee told before the copy is made (H-A5)."""

    amount: float
    currency: Literal["USD"]
    basis: str
    status: str


class RequestOut(BaseModel):
    """A request with its derived clock."""

    id: str
    reference: str
    client_id: str
    kind: str
    status: str
    received_on: date
    due_on: date
    extended: bool
    overdue: bool
    days_left: int
    fee: RequestFeeOut
    reviewable: bool | None
    disclosure_id: str | None


class RequestPage(BaseModel):
    """A page of requests, soonest due first."""

    items: list[RequestOut]
    next_cursor: str | None


class RequestEventOut(BaseModel):
    """One step of a request."""

    at: datetime
    actor: str
    action: str


class RequestLetterOut(BaseModel):
    """A letter listed on a request."""

    id: str
    kind: str
    created_at: datetime


class RequestDetailOut(RequestOut):
    """A request with its history and letters."""

    events: list[RequestEventOut]
    letters: list[RequestLetterOut]


class RequestReason(Strict):
    """A reason in writing."""

    reason: str = Field(min_length=1, max_length=2000)


class RequestAssurance(Strict):
    """A subpoena's satisfactory assurance (L-2)."""

    kind: Literal["notice_given", "protective_order"]
    document_id: str = Field(max_length=64)


class RequestFulfilCreate(Strict):
    """How a request is fulfilled: `authorized` names its authorization; `legal` an order or an assurance."""

    categories: list[str] = Field(min_length=1, max_length=12)
    channel: str = Field(max_length=16)
    document_ids: list[str] = Field(default_factory=list, max_length=50)
    requester_verification: str = Field(max_length=500)
    authorization_id: str | None = Field(default=None, max_length=64)
    purpose: str | None = Field(default=None, max_length=64)
    order_document_id: str | None = Field(default=None, max_length=64)
    part2_order: bool = False
    assurance: RequestAssurance | None = None


class RequestFulfilOut(BaseModel):
    """A fulfilled request, its disclosure and packet, and anything refused."""

    id: str
    status: Literal["fulfilled"]
    disclosure_id: str
    packet: str
    late: bool
    refused: list[RefusedOut]


class RequestDenyCreate(Strict):
    """Grounds of a denial (H-A6, H-A7) and an explanation for the letter."""

    grounds: list[str] = Field(min_length=1, max_length=13)
    explanation: str = Field(default="", max_length=2000)


class RequestReviewCreate(Strict):
    """A review's outcome (H-A9)."""

    outcome: Literal["upheld", "reversed"]
    notes: str = Field(default="", max_length=2000)


class RequestQaCreate(Strict):
    """The packet a second staff member checked: its categories and documents."""

    categories: list[str] = Field(min_length=1, max_length=12)
    document_ids: list[str] = Field(default_factory=list, max_length=50)


class RequestFeeCreate(Strict):
    """The fee paid or waived (H-A5)."""

    status: Literal["paid", "waived"]
