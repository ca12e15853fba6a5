"""Incidents and breach notification (interface.md, incidents; regulatory.md section 9)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel
from pydantic import Field
from pydantic import StrictBool

from roi_tracker.api.schemas.common import Day
from roi_tracker.api.schemas.common import Strict


class IncidentCreate(Strict):
    """An incident reported the day it is discovered (H-B7); kind is checked so a bad one names the kinds."""

    kind: str = Field(max_length=32)
    discovered_on: Day
    occurred_on: Day | None = None
    description: str = Field(max_length=4000)
    disclosure_id: str | None = Field(default=None, max_length=64)
    client_ids: list[str] = Field(default_factory=list, max_length=1000)


class IncidentOut(BaseModel):
    """The incident opened, with its clock (H-B4)."""

    id: str
    reference: str
    kind: str
    determination: str
    discovered_on: date
    notify_by: date


class IncidentQuery(Strict):
    """Filter the register."""

    determination: Literal["pending", "not_a_breach", "breach"] | None = None
    year: int | None = Field(default=None, ge=1900, le=2200)


class NoticeSent(BaseModel):
    """A notice recorded as sent."""

    audience: str
    client_id: str | None
    sent_on: date
    method: str


class IncidentItem(BaseModel):
    """One incident in the register: identifiers, dates and counts, never what happened."""

    id: str
    reference: str
    kind: str
    source: str
    determination: str
    discovered_on: date
    occurred_on: date | None
    notify_by: date
    hhs_by: date | None
    media_required: bool
    affected: int
    client_ids: list[str]
    disclosure_id: str | None
    open: bool
    due_on: date | None
    days_left: int | None
    kept_until: date
    notices: list[NoticeSent]


class IncidentList(BaseModel):
    """The register, open incidents soonest due first."""

    items: list[IncidentItem]


class Factors(Strict):
    """The four factors of the risk assessment (H-B3), each a sentence; blank ones are named when needed."""

    phi_nature: str = Field(default="", max_length=4000)
    unauthorized_person: str = Field(default="", max_length=4000)
    acquired_or_viewed: str = Field(default="", max_length=4000)
    mitigation: str = Field(default="", max_length=4000)


class AssessmentCreate(Strict):
    """The assessment's answers; the determination follows from them (H-B1..H-B3)."""

    exclusion: Literal["none", "workforce_good_faith", "inadvertent_internal", "unable_to_retain"]
    secured: StrictBool
    factors: Factors = Field(default_factory=Factors)
    low_probability: StrictBool
    affected: int | None = Field(default=None, ge=0, le=100_000_000)
    most_in_one_state: int | None = Field(default=None, ge=0, le=100_000_000)


class Basis(BaseModel):
    """One step of the determination."""

    rule: str
    message: str


class AssessmentOut(BaseModel):
    """The determination and why, with the dates it sets (H-B4..H-B6)."""

    determination: str
    basis: list[Basis]
    notify_by: date | None
    affected: int
    hhs_by: date | None
    media_required: bool


class HhsLogQuery(Strict):
    """The year of the HHS log (H-B6)."""

    year: int = Field(ge=1900, le=2200)


class NoticeCreate(Strict):
    """When a notice went out and how (H-B4..H-B6)."""

    audience: Literal["individual", "media", "hhs"]
    client_id: str | None = Field(default=None, max_length=64)
    sent_on: Day
    method: Literal[
        "first_class_mail", "email", "hand_delivered", "substitute_notice", "press_release", "hhs_portal"
    ]


class NoticeOut(BaseModel):
    """The notice recorded."""

    id: str
    audience: str
    client_id: str | None
    sent_on: date
    method: str
