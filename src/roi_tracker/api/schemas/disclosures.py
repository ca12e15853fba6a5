"""Disclosure checks and recorded disclosures."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel
from pydantic import Field

from roi_tracker.api.schemas.common import Day
from roi_tracker.api.schemas.common import Strict


class DisclosureCheck(Strict):
    """May we send these categories to this recipient for this purpose (on this date)?"""

    client_id: str = Field(max_length=64)
    recipient_id: str = Field(max_length=64)
    categories: list[str] = Field(min_length=1, max_length=12)
    purpose: str = Field(max_length=64)
    on: Day | None = None


class PermittedOut(BaseModel):
    """A category permitted, and the authorization that covers it."""

    category: str
    authorization_id: str
    label: str
    until: date | None


class ReasonOut(BaseModel):
    """A rule id and a plain sentence."""

    rule: str
    message: str


class RefusedOut(BaseModel):
    """A category refused, with every reason."""

    category: str
    reasons: list[ReasonOut]


class DecisionOut(BaseModel):
    """permit, partial or refuse, per category."""

    decision: Literal["permit", "partial", "refuse"]
    permitted: list[PermittedOut]
    refused: list[RefusedOut]


class DisclosureCreate(Strict):
    """A disclosure made now, judged today; refused (403) unless every category is permitted."""

    recipient_id: str = Field(max_length=64)
    categories: list[str] = Field(min_length=1, max_length=12)
    purpose: str = Field(max_length=64)
    channel: str = Field(max_length=16)
    document_ids: list[str] = Field(default_factory=list, max_length=200)
    requester_verification: str = Field(default="", max_length=500)
    authorization_id: str | None = Field(default=None, max_length=64)
    on: Day | None = Field(
        default=None,
        description="Refused (422) when given: a disclosure made now is judged today. Record one made "
        "earlier with POST /clients/{client_id}/past-disclosures.",
    )


class DisclosureOut(BaseModel):
    """A recorded disclosure and where its packet is."""

    id: str
    basis: str
    packet: str


class PastDisclosureCreate(Strict):
    """A disclosure already made on `on` (on paper); judged against what was on file that day."""

    on: Day
    recipient_id: str = Field(max_length=64)
    categories: list[str] = Field(min_length=1, max_length=12)
    purpose: str = Field(max_length=64)
    channel: str = Field(max_length=16)
    requester_verification: str = Field(default="", max_length=500)
    authorization_id: str | None = Field(default=None, max_length=64)


class PastReasonOut(BaseModel):
    """Why it was not permitted on its date: the category (empty: the whole disclosure), rule and sentence."""

    category: str
    rule: str
    message: str


class PastDisclosureOut(BaseModel):
    """The disclosure as recorded: never a packet; `permissible` false means flagged impermissible (H-B9)."""

    id: str
    on: date
    basis: str
    permissible: bool
    reasons: list[PastReasonOut]
