"""The JSON API's request and response shapes: they validate the traffic and generate the OpenAPI document."""

from __future__ import annotations

import re
from datetime import date
from datetime import datetime
from typing import Annotated
from typing import Literal

from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import ConfigDict
from pydantic import Field

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*")


def _iso(pattern: re.Pattern[str], shape: str) -> BeforeValidator:
    # Pydantic reads numbers and numeric strings as Unix times; dates and times come only as ISO 8601 text.
    def check(value: object) -> object:
        if isinstance(value, str) and pattern.fullmatch(value):
            return value
        raise ValueError(f"expected {shape}")

    return BeforeValidator(check)


Day = Annotated[date, _iso(_ISO_DATE, "a date as YYYY-MM-DD")]
Instant = Annotated[datetime, _iso(_ISO_INSTANT, "a time as ISO 8601 (YYYY-MM-DDTHH:MM...)")]


class Strict(BaseModel):
    """Refuse fields we do not understand (fail closed on unknown input)."""

    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """One thing wrong with a request: the field or rule it concerns and a plain sentence."""

    field: str | None = None
    rule: str | None = None
    message: str


class ErrorBody(BaseModel):
    """The error's code, message and problems."""

    code: str
    message: str
    problems: list[Problem] | None = None


class Error(BaseModel):
    """Every error the API answers."""

    error: ErrorBody


class Health(BaseModel):
    """The service is up."""

    status: Literal["ok"]


class Me(BaseModel):
    """The user a token acts for."""

    id: str
    username: str
    display_name: str
    role: str


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


class ClientCreate(Strict):
    """A client to register; a clinician registering defaults to themself as the clinician."""

    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    date_of_birth: Day
    part2: bool = False
    clinician: str | None = Field(default=None, max_length=64)
    pronouns: str = Field(default="", max_length=40)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=500)
    emergency_contact: str = Field(default="", max_length=300)


class ClientOut(BaseModel):
    """A client as a permitted person sees them."""

    id: str
    reference: str
    status: str
    given_name: str
    family_name: str
    date_of_birth: date
    part2: bool
    clinician: str | None
    clinicians: list[str]
    pronouns: str
    phone: str
    email: str
    address: str
    emergency_contact: str


class ClientSearch(Strict):
    """Family name and date of birth (exact, blind to case and accents), or the short reference."""

    family_name: str | None = Field(default=None, max_length=100)
    date_of_birth: Day | None = None
    reference: str | None = Field(default=None, max_length=16)


class ClientSummary(BaseModel):
    """One client in search results."""

    id: str
    reference: str
    status: str
    given_name: str
    family_name: str
    date_of_birth: date


class ClientList(BaseModel):
    """Search results."""

    items: list[ClientSummary]


class DocumentUpload(Strict):
    """The form fields sent with a document (multipart, with the file in `file`)."""

    category: str = Field(max_length=32)
    title: str = Field(min_length=1, max_length=200)


class DocumentOut(BaseModel):
    """A stored document."""

    id: str
    category: str
    title: str
    sha256: str
    size: int
    media_type: str


class RecipientCreate(Strict):
    """A directory entry; the name is required."""

    kind: Literal["person", "organization"] = "person"
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


class AuthorizationData(Strict):
    """The `data` part of an authorization upload. Elements the law requires are optional here on purpose:
    a missing one is reported with its rule id (422), not as a generic missing field."""

    kind: str | None = None
    recipient_id: str | None = None
    recipient_class: str = Field(default="", max_length=200)
    categories: list[str] = Field(default_factory=list, max_length=12)
    purposes: list[str] = Field(default_factory=list, max_length=11)
    purpose_text: str = Field(default="", max_length=500)
    disclosing_party: str = Field(default="", max_length=200)
    effective_on: Day | None = None
    expires_on: Day | None = None
    expiry_event: str = Field(default="", max_length=200)
    records_from: Day | None = None
    records_to: Day | None = None
    signed_on: Day | None = None
    signed_by: str | None = None
    representative_name: str = Field(default="", max_length=200)
    representative_relationship: str = Field(default="", max_length=200)
    representative_authority: str = Field(default="", max_length=300)
    minor_may_consent: bool = False
    statements: dict[str, bool] | list[str] = Field(default_factory=list)
    copy_given_on: Day | None = None
    copy_method: str = Field(default="", max_length=100)
    plain_language_form: bool = True
    acknowledge_warnings: bool = False


class AuthorizationUpload(Strict):
    """Multipart fields: `data` is the JSON above; the signed form goes in `signed_form`."""

    data: str = Field(max_length=20000)


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
    expiry_event: str
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


class ExpiryEvent(Strict):
    """When the expiry event happened."""

    occurred_on: Day


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
    """A disclosure to record; refused (403) unless every category is permitted."""

    recipient_id: str = Field(max_length=64)
    categories: list[str] = Field(min_length=1, max_length=12)
    purpose: str = Field(max_length=64)
    channel: str = Field(max_length=16)
    document_ids: list[str] = Field(default_factory=list, max_length=200)
    requester_verification: str = Field(default="", max_length=500)
    authorization_id: str | None = Field(default=None, max_length=64)
    on: Day | None = None


class DisclosureOut(BaseModel):
    """A recorded disclosure and where its packet is."""

    id: str
    basis: str
    packet: str


class ExceptionRecipient(Strict):
    """Who received the exception disclosure."""

    name: str = Field(default="", max_length=200)
    organization: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=500)


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
    notes: str = Field(default="", max_length=4000)


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


class AccountingQuery(Strict):
    """The period start (default 6 years back) and the format."""

    since: Day | None = None
    format: Literal["json", "pdf", "csv"] = "json"


class AccountingEntry(BaseModel):
    """One disclosure listed."""

    date: date
    recipient: str
    address: str
    description: str
    purpose: str
    basis: str


class AccountingSummary(BaseModel):
    """Repeated disclosures to one recipient for one purpose."""

    first: AccountingEntry
    count: int
    last_date: date


class AccountingOut(BaseModel):
    """The accounting of disclosures for one client."""

    client_id: str
    from_: date = Field(serialization_alias="from")
    to: date
    entries: list[AccountingEntry]
    summaries: list[AccountingSummary]
    not_listed: str
