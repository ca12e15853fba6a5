"""Who and what `demo seed` writes about: synthetic names, the staff and recipients, batches of rows."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
GIVEN = ("Maya", "Jonah", "Priya", "Tomás", "Sam", "Lena", "Zoë", "Omar", "Aiko", "Luca", "Nia", "Eli")
_ONSETS = ("b", "ch", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ou", "é", "ö", "ñ")
TABLES = (
    models.Client,
    models.ClientKey,
    models.ClientSearchTerm,
    models.CaseloadAssignment,
    models.Document,
    models.DocumentBlob,
    models.Authorization,
    models.Disclosure,
    models.ConfidentialityException,
)


@dataclass(frozen=True)
class Cast:
    """Who the synthetic history is about: staff actors, recipient ids, the day it is, the keyring."""

    keyring: crypto.Keyring
    clinicians: tuple[audit.Actor, ...]
    front_desk: tuple[audit.Actor, ...]
    recipients: tuple[uuid.UUID, ...]
    now: datetime


@dataclass
class Batch:
    """Rows per model and planned log entries, inserted and appended in one transaction."""

    rows: dict[type, list[dict[str, Any]]] = field(default_factory=lambda: {m: [] for m in TABLES})
    log: list[audit.Planned] = field(default_factory=list)


def code(n: int, width: int = 6) -> str:
    """Return `n` in the product's reference alphabet, `width` characters (distinct from the app's 4)."""
    out = []
    for _ in range(width):
        n, rest = divmod(n, len(ALPHABET))
        out.append(ALPHABET[rest])
    return "".join(reversed(out))


def family_names(rng: random.Random, count: int) -> list[str]:
    """Return `count` plausible synthetic family names, some with accents."""
    names: set[str] = set()
    while len(names) < count:
        word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.randint(2, 3)))
        names.add(word.capitalize() + rng.choice(("", "", "n", "s", "r", "sson")))
    return sorted(names)
