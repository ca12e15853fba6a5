"""Template filters every page shares: one date-and-time format in the practice's zone, plain words for codes.

Usable from any template once `install` has run (the app factory calls it):

- `{{ at|when }}`: a datetime as "2026-12-04 09:15 PST", in the practice's time zone (ROI_TIMEZONE), never
  with seconds or microseconds; a naive datetime is taken as UTC (SQLite returns them naive).
- `{{ at|day }}`: the date a datetime falls on in the practice's zone, as YYYY-MM-DD (a date passes through).
- `{{ code|plain }}`: an internal code ("danger_to_others", "exception:recorded") in plain words.
- `{{ text|rule_message }}` / `{{ text|rule_id }}`: split "H-D3: revoked ..." into the sentence and its rule.
- `{{ entry.purpose|purpose }}`: an accounting entry's purpose in the client's words.
"""

from __future__ import annotations

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask import current_app

from roi_tracker.domain import accounting as accounting_rules
from roi_tracker.web import form_errors
from roi_tracker.web import plain as plain_words

# A rule id leads a message: "H-D3: revoked on ...", "X-FIELDS: ...", "164.512(j)(1)(i): ...".
_RULE = re.compile(rf"^(?P<rule>{form_errors.RULE_ID}): (?P<message>.+)$", re.DOTALL)
FORMAT = "%Y-%m-%d %H:%M %Z"


def _zone() -> ZoneInfo:
    runtime = current_app.extensions.get("roi_runtime")
    name = runtime.env.settings.timezone if runtime is not None else "UTC"
    return ZoneInfo(name)


def local(at: datetime) -> datetime:
    """Return `at` in the practice's time zone (naive means UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(_zone())


def when(at: datetime | str | None) -> str:
    """Format a moment for people: the practice's local time, to the minute, with the zone's name."""
    if at is None or at == "":
        return ""
    if isinstance(at, str):
        try:
            return local(datetime.fromisoformat(at)).strftime(FORMAT)
        except ValueError:
            return at
    return local(at).strftime(FORMAT)


def day(at: datetime | date | None) -> str:
    """Format the day of a moment (in the practice's zone) or a date, as YYYY-MM-DD."""
    if at is None:
        return ""
    if isinstance(at, datetime):
        return local(at).date().isoformat()
    return at.isoformat()


def rule_message(text: Any) -> str:
    """Return the sentence of a "RULE: sentence" message (the whole text when no rule leads it)."""
    found = _RULE.match(str(text))
    return found["message"] if found else str(text)


def rule_id(text: Any) -> str:
    """Return the rule id leading a "RULE: sentence" message, or ''."""
    found = _RULE.match(str(text))
    return found["rule"] if found else ""


def install(app: Flask) -> None:
    """Register the shared filters on the app's Jinja environment."""
    app.add_template_filter(when, "when")
    app.add_template_filter(day, "day")
    app.add_template_filter(plain_words.words, "plain")
    app.add_template_filter(rule_message, "rule_message")
    app.add_template_filter(rule_id, "rule_id")
    app.add_template_filter(accounting_rules.purpose_in_words, "purpose")
