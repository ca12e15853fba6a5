"""The accounting of disclosures."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel
from pydantic import Field

from roi_tracker.api.schemas.common import Day
from roi_tracker.api.schemas.common import Strict


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
    description: str = Field(description="every category disclosed across the series (164.528(b)(3))")


class AccountingOut(BaseModel):
    """The accounting of disclosures for one client."""

    client_id: str
    from_: date = Field(serialization_alias="from")
    to: date
    entries: list[AccountingEntry]
    summaries: list[AccountingSummary]
    not_listed: str
