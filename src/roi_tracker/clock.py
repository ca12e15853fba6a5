"""The practice's calendar: every legal "today" is the date on the practice's wall, not in UTC."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo


def local_date(at: datetime, timezone: str) -> date:
    """Return the date `at` falls on in the practice's time zone (an IANA name, checked by config)."""
    # A release that ends on the 10th is good until midnight where the practice is: at 4 p.m. in Los Angeles
    # it is already the 11th in UTC (164.508(c)(1)(v), rule H-D1).
    return at.astimezone(ZoneInfo(timezone)).date()


def local_time(at: datetime, timezone: str) -> datetime:
    """Return `at` as the practice's wall clock shows it (a signature's time is read where it was signed)."""
    return at.astimezone(ZoneInfo(timezone))
