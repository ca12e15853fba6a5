"""Recipients, authorizations, revocations and expiry events."""

from __future__ import annotations

from datetime import date
from typing import Literal
from typing import get_args

from pydantic import BaseModel
from pydantic import Field
from pydantic import field_validator

from roi_tracker.api.schemas.common import Day
from roi_tracker.api.schemas.common import Strict
from roi_tracker.api.schemas.signature import SignatureData

# The recipient types of domain/recipients.py (a test keeps the two lists equal).
RecipientTypeName = Literal[
    "provider",
    "health_plan",
    "payer",
    "program_operations",
    "intermediary",
    "authority",
    "attorney",
    "employer",
    "school",
    "individual",
    "other",
]


class RecipientCreate(Strict):
    """A directory entry; the name is required."""

    kind: Literal["person", "organization"] = "person"
    # Who the recipient is (interface.md, new); `other` is outside the Part 2 TPO class (P2-4).
    type: RecipientTypeName = "other"
    name: str = Field(min_length=1, max_length=200)
    organization: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=500)
    fax: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)


class RecipientOut(BaseModel):
    """A directory entry."""

    id: str
    kind: str
    type: str
    name: str
    organization: str
    address: str
    fax: str
    email: str
    phone: str


class RecipientQuery(Strict):
    """Search text over names, organizations and contact details."""

    q: str = Field(default="", max_length=100)


class RecipientList(BaseModel):
    """Directory search results."""

    items: list[RecipientOut]


ExpiryKind = Literal["end_of_treatment", "discharge", "purpose_completed", "described", "none"]
_KIND_NAMES = get_args(ExpiryKind)
_EXPIRY_HELP = (
    "H-C5: the expiration event is one of end_of_treatment, discharge, purpose_completed, none "
    '(research or a Part 2 TPO consent only), or {"kind": "described", "description": "..."}'
)


class ExpiryEventIn(Strict):
    """An expiration event by kind; free text only for a described event (H-C5)."""

    kind: ExpiryKind
    description: str = Field(default="", max_length=200)


class AuthorizationData(Strict):
    """The `data` part of an authorization upload. Elements the law requires are optional here on purpose:
    a missing one is reported with its rule id (422), not as a generic missing field."""

    kind: str | None = None
    recipient_id: str | None = None
    recipient_class: str = Field(default="", max_length=200)
    intermediary_participants: str = Field(default="", max_length=500)
    categories: list[str] = Field(default_factory=list, max_length=12)
    purposes: list[str] = Field(default_factory=list, max_length=11)
    purpose_text: str = Field(default="", max_length=500)
    disclosing_party: str = Field(default="", max_length=200)
    effective_on: Day | None = None
    expires_on: Day | None = None
    expiry_event: ExpiryKind | ExpiryEventIn | None = Field(default=None, description=_EXPIRY_HELP)
    records_from: Day | None = None
    records_to: Day | None = None
    signed_on: Day | None = None
    signed_by: str | None = None
    representative_name: str = Field(default="", max_length=200)
    representative_relationship: str = Field(default="", max_length=200)
    representative_authority: str = Field(default="", max_length=300)
    minor_may_consent: bool = False
    # 164.502(g)(5): the person who signed is not the parent a child abuse report names as suspected.
    representative_not_suspected: bool = False
    statements: dict[str, bool] | list[str] = Field(default_factory=list)
    copy_given_on: Day | None = None
    copy_method: str = Field(default="", max_length=100)
    plain_language_form: bool = True
    acknowledge_warnings: bool = False

    @field_validator("expiry_event", mode="before")
    @classmethod
    def _known_expiry_event(cls, value: object) -> object:
        # Free text such as "never" or "until revoked" names no event: refused with the rule (H-C5).
        if value == "":
            return None
        if isinstance(value, str) and value not in _KIND_NAMES:
            raise ValueError(_EXPIRY_HELP)
        if isinstance(value, dict) and value.get("kind") not in _KIND_NAMES:
            raise ValueError(_EXPIRY_HELP)
        return value


class AuthorizationUpload(Strict):
    """Multipart fields: `data` is the JSON above; the signed form goes in `signed_form`, or a `signature`
    (JSON, SignatureData) has the product render and sign the form itself."""

    data: str = Field(max_length=20000)
    signature: str | None = Field(
        default=None,
        max_length=450_000,
        description="instead of signed_form: a JSON SignatureData; intent and consent must be true (422)",
        json_schema_extra={
            "contentMediaType": "application/json",
            "contentSchema": SignatureData.model_json_schema(),
        },
    )


class AcknowledgedWarning(BaseModel):
    """A WARN problem that was acknowledged."""

    rule: str
    message: str


class AuthorizationOut(BaseModel):
    """An authorization with its status today."""

    id: str
    label: str
    kind: str
    recipient_id: str | None
    recipient: str
    categories: list[str]
    purposes: list[str]
    effective_on: date
    expires_on: date | None
    expiry_event: str = Field(description="the expiration event in words ('' when it is a date)")
    expiry_event_kind: str = Field(
        description="end_of_treatment, discharge, purpose_completed, described, none or ''"
    )
    expiry_event_on: date | None
    revoked_on: date | None
    signed_on: date | None
    status: str
    warnings: list[AcknowledgedWarning]


class AuthorizationList(BaseModel):
    """A client's authorizations, newest first."""

    items: list[AuthorizationOut]


class RevocationUpload(Strict):
    """Multipart fields: `data` is `{"received_on": "YYYY-MM-DD"}`; the revocation goes in `document`."""

    data: str = Field(max_length=1000)


class RevocationData(Strict):
    """When the written revocation was received."""

    received_on: Day


class Discharge(Strict):
    """The day of discharge: it ends every release expiring at end of treatment or discharge."""

    discharged_on: Day


class ExpiryEvent(Strict):
    """When the expiry event happened."""

    occurred_on: Day
