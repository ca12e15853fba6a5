"""Expiration events an authorization may name (164.508(c)(1)(v), rule H-C5), and how one is stored."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EventKind(StrEnum):
    """The events a form can name; free text only for a described event."""

    END_OF_TREATMENT = "end_of_treatment"
    DISCHARGE = "discharge"
    PURPOSE_COMPLETED = "purpose_completed"
    DESCRIBED = "described"
    # "None" is an expiration only for research (H-C5) or a Part 2 TPO consent (P2-7): consent.py decides.
    NONE = "none"


LABELS = {
    EventKind.END_OF_TREATMENT: "end of treatment",
    EventKind.DISCHARGE: "discharge",
    EventKind.PURPOSE_COMPLETED: "completion of the named purpose",
    EventKind.DESCRIBED: "a described event",
    EventKind.NONE: "none (research only)",
}

# The events a discharge brings about: the client's treatment ends with it.
ENDED_BY_DISCHARGE = frozenset({EventKind.END_OF_TREATMENT, EventKind.DISCHARGE})

_PREFIX = "described:"
_MIN_DESCRIPTION = 8
# Phrases that name no event at all: an authorization without an end (H-C5 allows "none" only for research).
_NO_EVENT = frozenset(
    {
        "never",
        "none",
        "no expiration",
        "no expiry",
        "until revoked",
        "until i revoke it",
        "until revoked in writing",
        "indefinite",
        "indefinitely",
        "permanent",
        "forever",
        "n/a",
        "na",
    }
)
# Legacy free text written before the kinds existed, read as the kind it names.
_LEGACY = {
    "end of treatment": EventKind.END_OF_TREATMENT,
    "discharge": EventKind.DISCHARGE,
    "no expiration": EventKind.NONE,
}


@dataclass(frozen=True)
class Event:
    """An expiration event: its kind, and a description when the kind is 'described'."""

    kind: EventKind
    description: str = ""

    @property
    def label(self) -> str:
        """The event in words, for forms, packets and consents."""
        return self.description if self.kind is EventKind.DESCRIBED else LABELS[self.kind]


def encode(event: Event | None) -> str:
    """The stored form: the kind's name, or 'described: <text>'."""
    if event is None:
        return ""
    return f"{_PREFIX} {event.description}" if event.kind is EventKind.DESCRIBED else event.kind.value


def decode(stored: str) -> Event | None:
    """Read a stored event; free text stored before the kinds existed reads as a described event."""
    text = stored.strip()
    if not text:
        return None
    if text.startswith(_PREFIX):
        return Event(EventKind.DESCRIBED, text[len(_PREFIX) :].strip())
    normal = " ".join(text.lower().replace("_", " ").split())
    for kind in EventKind:
        if normal == kind.value.replace("_", " ") and kind is not EventKind.DESCRIBED:
            return Event(kind)
    if normal in _LEGACY:
        return Event(_LEGACY[normal])
    return Event(EventKind.DESCRIBED, text)


def description_problem(event: Event) -> str | None:
    """Why a described event names no event (None when it does)."""
    if event.kind is not EventKind.DESCRIBED:
        return None
    text = " ".join(event.description.lower().split()).strip(" .!")
    if not text:
        return "Describe the event when the expiration is a described event."
    if text in _NO_EVENT or text.startswith("until revoked"):
        return f"'{event.description}' names no event; give a date or an event that will happen."
    if len(text) < _MIN_DESCRIPTION or not any(c.isalpha() for c in text):
        return "Describe the event in words (at least 8 characters)."
    return None


def label_of(stored: str) -> str:
    """A stored event in words ('' when there is none)."""
    event = decode(stored)
    return event.label if event else ""


def kind_of(stored: str) -> str:
    """A stored event's kind name ('' when there is none)."""
    event = decode(stored)
    return event.kind.value if event else ""


def ended_by_discharge(stored: str) -> bool:
    """Whether discharging the client brings about this stored event."""
    event = decode(stored)
    return event is not None and event.kind in ENDED_BY_DISCHARGE
