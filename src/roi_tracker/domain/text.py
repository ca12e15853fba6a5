"""Folding text the way people expect a search to: blind to case, accents and extra spaces."""

from __future__ import annotations

import unicodedata


def fold(value: str) -> str:
    """Fold case, accents and spacing so "  Zoë  O'Brien" and "zoe o'brien" compare alike."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFKC", stripped).casefold().split())
