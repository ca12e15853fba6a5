"""Requests for records (regulatory.md section 8): kinds, clocks, denial grounds, fees and legal process.

Pure: today, the practice's settings and the facts of each request are parameters (H-A1..H-A10, L-1..L-4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from enum import StrEnum
from typing import TypeVar

from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import RuleConflict

# 164.524(b)(2)(i): act within 30 calendar days of receipt; a state may shorten it, never lengthen (H-A2).
ACCESS_DAYS = 30
# 164.524(b)(2)(ii): one extension of at most 30 days, announced in writing within the first 30 (H-A3).
EXTENSION_DAYS = 30
# OCR guidance (2016): the flat, all-inclusive option for electronic copies of electronic records (H-A5).
FLAT_ELECTRONIC_CENTS = 650
PSYCHOTHERAPY_NOTES = "psychotherapy_notes"


class Kind(StrEnum):
    """Who asks and under what: the client (164.524), a third party with an authorization, legal process."""

    ACCESS = "access"
    AUTHORIZED = "authorized"
    LEGAL = "legal"


class Status(StrEnum):
    """Where a request stands; overdue and days left are derived, never stored."""

    OPEN = "open"
    FULFILLED = "fulfilled"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"


class RequesterIs(StrEnum):
    """How the requester relates to the client."""

    CLIENT = "client"
    PERSONAL_REPRESENTATIVE = "personal_representative"
    THIRD_PARTY = "third_party"


class Format(StrEnum):
    """The form the requester asks for (H-A4)."""

    PAPER = "paper"
    ELECTRONIC = "electronic"


class Ground(StrEnum):
    """Why a request is denied (interface.md)."""

    PSYCHOTHERAPY_NOTES = "psychotherapy_notes"
    LEGAL_PROCEEDINGS = "legal_proceedings"
    RESEARCH_SUSPENSION = "research_suspension"
    PRIVACY_ACT = "privacy_act"
    CONFIDENTIAL_SOURCE = "confidential_source"
    CORRECTIONAL = "correctional"
    ENDANGERMENT = "endangerment"
    REFERENCES_ANOTHER_PERSON = "references_another_person"
    REPRESENTATIVE_HARM = "representative_harm"
    NO_VALID_AUTHORIZATION = "no_valid_authorization"
    INSUFFICIENT_ASSURANCE = "insufficient_assurance"
    NO_COURT_ORDER = "no_court_order"
    NO_RECORDS = "no_records"


# 164.524(a)(2), rule H-A6: no review is offered.
UNREVIEWABLE = frozenset(
    {
        Ground.PSYCHOTHERAPY_NOTES,
        Ground.LEGAL_PROCEEDINGS,
        Ground.RESEARCH_SUSPENSION,
        Ground.PRIVACY_ACT,
        Ground.CONFIDENTIAL_SOURCE,
        Ground.CORRECTIONAL,
    }
)
# 164.524(a)(3), rule H-A7: a licensed professional decides, and the requester may ask for a review (H-A9).
REVIEWABLE = frozenset({Ground.ENDANGERMENT, Ground.REFERENCES_ANOTHER_PERSON, Ground.REPRESENTATIVE_HARM})
# Third parties have no right of access to deny: these say why the release was refused instead.
THIRD_PARTY = frozenset(
    {Ground.NO_VALID_AUTHORIZATION, Ground.INSUFFICIENT_ASSURANCE, Ground.NO_COURT_ORDER, Ground.NO_RECORDS}
)

GROUND_TEXT: dict[Ground, str] = {
    Ground.PSYCHOTHERAPY_NOTES: "The records asked for are psychotherapy notes, which the right of access "
    "does not cover.",
    Ground.LEGAL_PROCEEDINGS: "The information was prepared for a legal proceeding.",
    Ground.RESEARCH_SUSPENSION: "You agreed to suspend access while a research study is under way.",
    Ground.PRIVACY_ACT: "The records are covered by the Privacy Act, which allows this denial.",
    Ground.CONFIDENTIAL_SOURCE: "The information came from someone other than a provider under a "
    "promise of confidentiality, and access would reveal who that is.",
    Ground.CORRECTIONAL: "The request came from an inmate, and a copy could put safety at the facility "
    "at risk.",
    Ground.ENDANGERMENT: "A licensed professional judged that access is reasonably likely to endanger "
    "the life or physical safety of you or another person.",
    Ground.REFERENCES_ANOTHER_PERSON: "The records name another person, and a licensed professional judged "
    "that access is likely to cause that person substantial harm.",
    Ground.REPRESENTATIVE_HARM: "A licensed professional judged that access by a personal representative "
    "is likely to cause substantial harm.",
    Ground.NO_VALID_AUTHORIZATION: "We do not hold a valid written authorization that covers this request.",
    Ground.INSUFFICIENT_ASSURANCE: "The subpoena came without the assurances the law requires.",
    Ground.NO_COURT_ORDER: "These records can only be released under a court order.",
    Ground.NO_RECORDS: "We hold no records matching the request.",
}


def problem(rule: str, field: str, message: str) -> dict[str, str]:
    """One problem as the API shows it."""
    return {"rule": rule, "field": field, "message": message}


E = TypeVar("E", bound=StrEnum)


def parse(enum: type[E], raw: str, field: str) -> E:
    """Parse a value of `enum`, naming the field and what is allowed."""
    try:
        return enum(raw)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise Defective(
            f"{field} must be one of {allowed}", [problem("H-A2", field, f"One of {allowed}.")]
        ) from None


@dataclass(frozen=True)
class Clock:
    """The practice's settings for the clock: the access deadline (never over 30) and the authorized one."""

    access_days: int = ACCESS_DAYS
    authorized_days: int = ACCESS_DAYS


def check_received(received_on: date, today: date) -> None:
    """Refuse a received date in the future: the clock starts on receipt (H-A2)."""
    if received_on > today:
        raise Defective(
            "the date received cannot be in the future",
            [
                problem(
                    "H-A2",
                    "received_on",
                    "The clock starts the day the request arrived: not later than today.",
                )
            ],
        )


def due_on(kind: Kind, received_on: date, respond_by: date | None, clock: Clock) -> date:
    """Return when a request must be answered: H-A2 for access, the practice's day, the process's date."""
    if kind is Kind.ACCESS:
        # A practice setting may shorten the federal 30 days for its state, never lengthen them (H-A2).
        limit = received_on + timedelta(days=min(clock.access_days, ACCESS_DAYS))
    elif kind is Kind.AUTHORIZED:
        limit = received_on + timedelta(days=clock.authorized_days)
    elif respond_by is None:
        raise Defective(
            "a legal request needs the date on the subpoena or order",
            [problem("L-2", "respond_by", "Give the date by which the subpoena or order must be answered.")],
        )
    else:
        limit = respond_by
    due = respond_by or limit
    if due < received_on:
        raise Defective(
            "the law does not allow that due date",
            [problem("H-A2", "respond_by", "A request cannot be due before it was received.")],
        )
    if kind is Kind.ACCESS and due > limit:
        raise Defective(
            "the law does not allow that due date",
            [
                problem(
                    "H-A2",
                    "respond_by",
                    f"An access request is answered within 30 days of receipt: by {limit} at the latest.",
                )
            ],
        )
    return due


def extended_due(kind: Kind, due: date, extended: bool, today: date) -> date:
    """Return the due date after the one extension an access request may have (H-A3), or refuse."""
    if kind is not Kind.ACCESS:
        why = "Only an access request (164.524) has a legal extension."
    elif extended:
        why = "An access request may be extended once only."
    elif today > due:
        why = f"The extension must be given before the due date ({due}); the request is already late."
    else:
        return due + timedelta(days=EXTENSION_DAYS)
    raise RuleConflict("the request cannot be extended", [problem("H-A3", "extend", why)])


def overdue(status: Status, due: date, today: date) -> bool:
    """Tell whether an open request is past its due date."""
    return status is Status.OPEN and today > due


def days_left(due: date, today: date) -> int:
    """Return the days until the due date (negative once late)."""
    return (due - today).days


def check_open(status: Status) -> None:
    """Refuse a step on a closed request: it is read-only."""
    if status is not Status.OPEN:
        raise RuleConflict(
            f"the request is {status.value} and read-only",
            [problem("H-A2", "status", f"A {status.value} request is closed; nothing more can be recorded.")],
        )


def denial_grounds(kind: Kind, raw: Iterable[str]) -> tuple[tuple[Ground, ...], bool]:
    """Parse the grounds of a denial; return them with whether any can be reviewed (H-A6, H-A7)."""
    grounds = tuple(dict.fromkeys(parse(Ground, g, "grounds") for g in raw))
    allowed = UNREVIEWABLE | REVIEWABLE | {Ground.NO_RECORDS} if kind is Kind.ACCESS else THIRD_PARTY
    wrong = [g.value for g in grounds if g not in allowed]
    if not grounds or wrong:
        raise Defective(
            "the denial needs grounds that fit the request",
            [
                problem(
                    "H-A6" if kind is Kind.ACCESS else "H-A8",
                    "grounds",
                    f"Not a ground for a {kind.value} request: {', '.join(wrong)}."
                    if wrong
                    else "Name at least one ground of the denial.",
                )
            ],
        )
    return grounds, any(g in REVIEWABLE for g in grounds)


def check_reviewer(reviewable: bool, reviewer: str, took_part: Iterable[str]) -> None:
    """Refuse a review of an unreviewable denial, or by someone who took part in it (H-A9)."""
    if not reviewable:
        raise RuleConflict(
            "this denial cannot be reviewed",
            [problem("H-A6", "outcome", "The denial rests only on grounds that are not reviewable.")],
        )
    if reviewer in set(took_part):
        raise RuleConflict(
            "the reviewer took part in the denial",
            [problem("H-A9", "reviewer", "A review goes to a clinician who took no part in the denial.")],
        )
