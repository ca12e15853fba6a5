"""What every text and date field accepts: no control characters, dates in a plausible range."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date

from roi_tracker.domain.errors import InvalidInput

EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)
# Line breaks and tabs belong in addresses and written accounts; every other control character is refused.
_ALLOWED = frozenset("\n\r\t")


def has_control(value: str) -> bool:
    """Tell whether `value` holds a control character (NUL, escape, ...) other than a line break or tab."""
    return any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED for ch in value)


def text(value: str, field: str) -> str:
    """Return `value`, refusing control characters with a message naming the field."""
    if has_control(value):
        raise InvalidInput(
            f"{field.replace('_', ' ')} must not contain control characters (such as NUL)", field=field
        )
    return value


def texts(fields: Mapping[str, object], prefix: str = "") -> None:
    """Refuse control characters in every string of `fields`, however nested, naming the field."""
    for name, value in fields.items():
        path = f"{prefix}{name}" or "data"
        if isinstance(value, str):
            text(value, path)
        elif isinstance(value, Mapping):
            texts(value, f"{path}.")
        elif isinstance(value, list | tuple | set | frozenset):
            for item in value:
                if isinstance(item, str):
                    text(item, path)


def plausible(value: date | None, field: str) -> date | None:
    """Return the date, refusing one outside 1900-01-01..2200-12-31 with a message naming the range."""
    if value is not None and not EARLIEST <= value <= LATEST:
        raise InvalidInput(f"{field.replace('_', ' ')} must be between {EARLIEST} and {LATEST}", field=field)
    return value
