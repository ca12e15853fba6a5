"""Reminders: the kinds of thing that need a person, and the text that tells them, without PHI.

A reminder names counts and references only (C-0042, R-0007, "entry 118"): never a client's name, date of
birth or the category of their records (issue 21). The text is built here, from kinds and references alone,
so nothing a source could hand over can put client identity into a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from roi_tracker.domain.errors import DomainError


class Kind(StrEnum):
    """What a reminder is about; a person can opt out of each kind."""

    AUTHORIZATION_EXPIRING = "authorization_expiring"
    REVIEW_WAITING = "review_waiting"
    LOG_VERIFICATION_FAILED = "log_verification_failed"
    INCIDENT_NOTICE_DUE = "incident_notice_due"
    REQUEST_DUE = "request_due"


# One line per kind, in the order messages and the "needs you" list show them.
LABELS: dict[Kind, str] = {
    Kind.REQUEST_DUE: "requests for records due within 7 days or late",
    Kind.LOG_VERIFICATION_FAILED: "access-log verification failed",
    Kind.INCIDENT_NOTICE_DUE: "incidents with a notice due within 14 days or late",
    Kind.REVIEW_WAITING: "exceptions or emergency access waiting for review",
    Kind.AUTHORIZATION_EXPIRING: "authorizations on your caseload expiring soon",
}

# A reference is a short code (C-0042, R-0007, INC-2026-0A1B2C3D4E) or a log position ("entry 118"): no room
# for a name.
REFERENCE = re.compile(r"^(?:[A-Z]{1,3}-(?:[0-9]{4}-)?[0-9A-Z]{1,12}|entry [0-9]{1,19})$")


# One bare address, no display name, spaces or angle brackets: no header injection (RFC 5321 lengths).
ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$"
)


class UnsafeReference(ValueError):
    """A source offered something that is not a reference; nothing is sent (fail closed)."""


class MailRefused(DomainError):
    """The mail server could not be reached or refused a message; the message says which, in one line."""

    code = "mail_refused"


@dataclass(frozen=True)
class Item:
    """One thing that needs a person: its kind, the id it is about (never shown) and its reference."""

    kind: Kind
    key: str
    reference: str

    def __post_init__(self) -> None:
        if not REFERENCE.match(self.reference):
            raise UnsafeReference(f"not a reference: {len(self.reference)} characters refused")


@dataclass(frozen=True)
class Line:
    """One kind's line in a message or on the home page: how many, and their references."""

    kind: Kind
    label: str
    count: int
    references: tuple[str, ...]


@dataclass(frozen=True)
class Message:
    """An e-mail's subject and plain-text body."""

    subject: str
    body: str


def lines(items: Iterable[Item]) -> list[Line]:
    """Group items by kind, in LABELS order, each with its count and its distinct references."""
    keys: dict[Kind, set[str]] = {}
    refs: dict[Kind, set[str]] = {}
    for item in items:
        keys.setdefault(item.kind, set()).add(item.key)
        refs.setdefault(item.kind, set()).add(item.reference)
    return [
        Line(kind, LABELS[kind], len(keys[kind]), tuple(sorted(refs[kind])))
        for kind in LABELS
        if kind in keys
    ]


def parse_kind(raw: str) -> Kind:
    """Return the kind named `raw`, or raise ValueError naming the kinds there are."""
    try:
        return Kind(raw.strip().lower())
    except ValueError:
        raise ValueError(
            f"unknown reminder kind {raw!r}; kinds: {', '.join(k.value for k in Kind)}"
        ) from None


def parse_address(raw: str) -> str:
    """Return one work address with its domain lowercased, or raise ValueError saying what one looks like."""
    address = raw.strip()
    if len(address) > 254 or not ADDRESS.match(address) or "." not in address.rsplit("@", 1)[1]:
        raise ValueError("email must be one address such as dana@practice.example")
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def fresh(items: Iterable[Item], sent_today: set[tuple[str, str]]) -> list[Item]:
    """Keep the items not yet sent today: `sent_today` holds (kind, key) pairs already sent."""
    return [i for i in items if (i.kind.value, i.key) not in sent_today]


def wanted(items: Iterable[Item], opted_out: set[Kind]) -> list[Item]:
    """Drop the items of kinds the person opted out of."""
    return [i for i in items if i.kind not in opted_out]


def compose(items: Iterable[Item], *, sign_in_url: str) -> Message:
    """Write the message for `items`: counts and references, a link to sign in, nothing else."""
    found = lines(items)
    total = sum(line.count for line in found)
    noun = "thing needs" if total == 1 else "things need"
    body = [f"{total} {noun} you in roi-tracker:", ""]
    for line in found:
        body.append(f"- {line.label}: {line.count} ({', '.join(line.references)})")
    body += [
        "",
        f"Sign in to see them: {sign_in_url}",
        "",
        "This message carries references only, never client information.",
        "You can stop a kind of reminder on your account page.",
    ]
    return Message(subject=f"roi-tracker: {total} {noun} you", body="\n".join(body) + "\n")
