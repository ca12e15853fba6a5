"""Client vocabulary and the pure rules about who sees what of a client."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from roi_tracker.domain import inputs
from roi_tracker.domain.errors import InvalidInput


class Category(StrEnum):
    """Information categories (interface.md)."""

    DEMOGRAPHICS = "demographics"
    ATTENDANCE = "attendance"
    DIAGNOSIS = "diagnosis"
    TREATMENT_PLAN = "treatment_plan"
    PROGRESS_SUMMARY = "progress_summary"
    ASSESSMENTS = "assessments"
    MEDICATIONS = "medications"
    DISCHARGE_SUMMARY = "discharge_summary"
    BILLING = "billing"
    PSYCHOTHERAPY_NOTES = "psychotherapy_notes"
    SUD_RECORDS = "sud_records"
    SUD_COUNSELING_NOTES = "sud_counseling_notes"


# A document in these categories is a Part 2 record whatever the client's flag says (42 CFR 2.12(d), 2.32).
PART2_CATEGORIES = frozenset({Category.SUD_RECORDS, Category.SUD_COUNSELING_NOTES})


def names_part2_records(categories: Iterable[str]) -> bool:
    """Tell whether any of these categories is substance-use information, a Part 2 record by itself."""
    return any(c in {p.value for p in PART2_CATEGORIES} for c in categories)


# Documents that are records about the client's care rather than information about them: a court order can be
# uploaded (to cite it in a court-order exception) but is never an information category of a release.
# Documents about the client's records rather than of them: a court order, and the request for records as it
# arrived (the letter, subpoena or signed designation, issue 18). Never enclosed as a category of records.
REQUEST_DOCUMENT = "request"
RECORD_KINDS = frozenset({"court_order", REQUEST_DOCUMENT})


class Status(StrEnum):
    """Where a client stands with the practice."""

    ACTIVE = "active"
    DISCHARGED = "discharged"


class View(StrEnum):
    """What part of a client a person asks to see."""

    DEMOGRAPHICS = "demographics"
    CLINICAL = "clinical"


def may_see(role: str, view: View, *, on_caseload: bool) -> bool:
    """Tell whether `role` may see `view` of a client: clinicians their caseload, front desk demographics."""
    if role == "clinician":
        return on_caseload
    if role == "front_desk":
        return view is View.DEMOGRAPHICS
    return False


@dataclass(frozen=True)
class Demographics:
    """A client's identifying details, in plaintext, as a service holds them after logging the read."""

    given_name: str
    family_name: str
    date_of_birth: date
    pronouns: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    emergency_contact: str = ""
    part2: bool = False


LIMITS = {
    "given_name": 100,
    "family_name": 100,
    "pronouns": 40,
    "phone": 40,
    "email": 254,
    "address": 500,
    "emergency_contact": 300,
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+()\-. ext]*$")


def check(d: Demographics, *, today: date) -> Demographics:
    """Return the details trimmed, or raise InvalidInput naming the first field that is wrong."""
    cleaned = Demographics(
        given_name=d.given_name.strip(),
        family_name=d.family_name.strip(),
        date_of_birth=d.date_of_birth,
        pronouns=d.pronouns.strip(),
        phone=d.phone.strip(),
        email=d.email.strip(),
        address=d.address.strip(),
        emergency_contact=d.emergency_contact.strip(),
        part2=d.part2,
    )
    for name in LIMITS:
        inputs.text(getattr(cleaned, name), name)
    for name in ("given_name", "family_name"):
        if not getattr(cleaned, name):
            raise InvalidInput(f"{name.replace('_', ' ')} is required", field=name)
    for name, limit in LIMITS.items():
        if len(getattr(cleaned, name)) > limit:
            raise InvalidInput(f"{name.replace('_', ' ')} must be at most {limit} characters", field=name)
    if cleaned.date_of_birth > today:
        raise InvalidInput("date of birth cannot be in the future", field="date_of_birth")
    if cleaned.date_of_birth.year < 1900:
        raise InvalidInput("date of birth must be in 1900 or later", field="date_of_birth")
    if cleaned.email and not _EMAIL.match(cleaned.email):
        raise InvalidInput("email must look like name@example.org", field="email")
    if cleaned.phone and not _PHONE.match(cleaned.phone):
        raise InvalidInput("phone may hold digits, spaces, + ( ) - . and ext only", field="phone")
    return cleaned


def parse_date(raw: str, field: str) -> date:
    """Parse YYYY-MM-DD, naming the field when it is malformed."""
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput(f"{field.replace('_', ' ')} must be a date as YYYY-MM-DD", field=field) from None


def parse_category(raw: str) -> Category:
    """Return the category named by `raw`, refusing anything outside the vocabulary."""
    try:
        return Category(raw)
    except ValueError:
        raise InvalidInput(f"unknown category {raw!r}", field="category") from None


# Documents: only these types, recognised by their first bytes, never by name or declared type (A12).
MAGIC = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """Return (media type, extension) for a PDF, PNG or JPEG by its magic bytes, else None."""
    for magic, media_type, extension in MAGIC:
        if head.startswith(magic):
            return media_type, extension
    return None


def retention_ended(last_activity: date, *, today: date, years: int, legal_hold: bool) -> bool:
    """Tell whether a client's records may be destroyed: retention ended and no legal hold (H-R1)."""
    if legal_hold:
        return False
    try:
        until = last_activity.replace(year=last_activity.year + years)
    except ValueError:  # 29 February
        until = last_activity.replace(year=last_activity.year + years, day=28)
    return today >= until
