"""Shapes every part of the API shares: strict input, dates, instants, errors, health and the caller."""

from __future__ import annotations

import re
from datetime import date
from datetime import datetime
from typing import Annotated
from typing import Literal

from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import ConfigDict
from pydantic import field_validator

from roi_tracker.domain.inputs import has_control

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
    """Refuse fields we do not understand (fail closed) and control characters in any text."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        # A NUL or escape is never part of a name, reference or note; PostgreSQL cannot even store a NUL.
        items = value if isinstance(value, list | tuple | set | frozenset) else (value,)
        if any(isinstance(item, str) and has_control(item) for item in items):
            raise ValueError("must not contain control characters (such as NUL)")
        return value


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
