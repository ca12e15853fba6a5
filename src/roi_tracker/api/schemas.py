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
    cursor: int | None = Field(default=None, ge=1)
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
