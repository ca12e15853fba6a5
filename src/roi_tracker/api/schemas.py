"""The JSON API's request and response shapes: they validate the traffic and generate the OpenAPI document."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field


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
    since: date | None = None
    until: date | None = None
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
    date_of_birth: date
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
    date_of_birth: date | None = None
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
