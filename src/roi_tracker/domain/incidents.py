"""Incidents and breach notification (regulatory.md section 9, H-B1..H-B9). Pure: dates are parameters.

The determination follows from the answers, never from a free choice: an exclusion (H-B1) or secured PHI
(H-B2) is not a breach; otherwise a breach is presumed unless a written four-factor risk assessment shows
a low probability of compromise (H-B3). A breach has a clock: individuals within 60 days of discovery (H-B4),
media when 500 or more live in one state (H-B5), HHS with the individuals at 500 or more, else in the
year's log within 60 days after the year ends (H-B6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from enum import StrEnum

from roi_tracker.domain.errors import Defective
from roi_tracker.domain.retention import years_after

NOTIFY_DAYS = 60  # 164.404(b): at most 60 calendar days after discovery (H-B4)
HHS_LOG_DAYS = 60  # 164.408(c): within 60 days after the end of the calendar year (H-B6)
LARGE = 500  # 164.406, 164.408(b): 500 or more (H-B5, H-B6)
KEPT_YEARS = 6  # 164.414, 164.530(j): assessment, notices and log kept 6 years (H-B8)
TEXT_LIMIT = 4000


class Kind(StrEnum):
    """What happened (interface.md, incidents)."""

    MISDIRECTED_DISCLOSURE = "misdirected_disclosure"
    UNAUTHORIZED_ACCESS = "unauthorized_access"
    LOST_OR_STOLEN_DEVICE = "lost_or_stolen_device"
    OTHER = "other"


class Determination(StrEnum):
    """Where the assessment stands."""

    PENDING = "pending"
    NOT_A_BREACH = "not_a_breach"
    BREACH = "breach"


class Exclusion(StrEnum):
    """The three exclusions of 164.402(1) (H-B1), or none."""

    NONE = "none"
    WORKFORCE_GOOD_FAITH = "workforce_good_faith"
    INADVERTENT_INTERNAL = "inadvertent_internal"
    UNABLE_TO_RETAIN = "unable_to_retain"


class Audience(StrEnum):
    """Who a notice went to."""

    INDIVIDUAL = "individual"
    MEDIA = "media"
    HHS = "hhs"


class Method(StrEnum):
    """How a notice went out (164.404(d): first-class mail, e-mail if agreed, substitute notice)."""

    FIRST_CLASS_MAIL = "first_class_mail"
    EMAIL = "email"
    HAND_DELIVERED = "hand_delivered"
    SUBSTITUTE_NOTICE = "substitute_notice"
    PRESS_RELEASE = "press_release"
    HHS_PORTAL = "hhs_portal"


FACTORS = ("phi_nature", "unauthorized_person", "acquired_or_viewed", "mitigation")
FACTOR_LABELS = {
    "phi_nature": "the nature and extent of the PHI (identifiers, likelihood of re-identification)",
    "unauthorized_person": "the unauthorized person who used it or to whom it was disclosed",
    "acquired_or_viewed": "whether it was actually acquired or viewed",
    "mitigation": "the extent to which the risk has been mitigated",
}
_EXCLUSIONS = {
    Exclusion.WORKFORCE_GOOD_FAITH: "an unintentional, good-faith access by a workforce member within scope, "
    "not further disclosed",
    Exclusion.INADVERTENT_INTERNAL: "an inadvertent disclosure between people authorized at the practice",
    Exclusion.UNABLE_TO_RETAIN: "a good-faith belief that the recipient could not have retained it",
}


@dataclass(frozen=True)
class Reason:
    """One step of the determination: the rule and a plain sentence (no PHI)."""

    rule: str
    message: str


@dataclass(frozen=True)
class Answers:
    """The auditor's answers to the assessment form."""

    exclusion: Exclusion
    secured: bool
    factors: Mapping[str, str]
    low_probability: bool


@dataclass(frozen=True)
class Outcome:
    """The determination, why, and the clock it starts."""

    determination: Determination
    basis: tuple[Reason, ...]
    notify_by: date | None
    affected: int
    hhs_by: date | None
    media_required: bool


def problem(rule: str, field: str, message: str) -> dict[str, str]:
    """One problem as a 422 names it: the rule, the field and a sentence."""
    return {"rule": rule, "field": field, "message": message}


def refuse(problems: list[dict[str, str]]) -> None:
    """Raise the problems, if any, as one refusal (422 with each rule id)."""
    if problems:
        raise Defective(f"{problems[0]['rule']}: {problems[0]['message']}", problems)


def parse_kind(value: str) -> Kind:
    """Return the kind named, refusing anything else."""
    try:
        return Kind(value)
    except ValueError:
        known = ", ".join(k.value for k in Kind)
        raise Defective(
            f"kind must be one of {known}", [problem("", "kind", f"expected one of {known}")]
        ) from None


def notify_by(discovered_on: date) -> date:
    """The last day to notify individuals: discovery + 60 calendar days (H-B4)."""
    return discovered_on + timedelta(days=NOTIFY_DAYS)


def hhs_log_due(year: int) -> date:
    """The day the year's log of breaches under 500 is due at HHS: 60 days after 31 December (H-B6)."""
    return date(year, 12, 31) + timedelta(days=HHS_LOG_DAYS)


def kept_until(discovered_on: date, last_notice_on: date | None) -> date:
    """The first day the incident's records may go: 6 years after its last step (H-B8)."""
    return years_after(max(d for d in (discovered_on, last_notice_on) if d is not None), KEPT_YEARS)


def check_report(discovered_on: date, occurred_on: date | None, description: str, *, today: date) -> None:
    """Refuse a report dated in the future or happening after its discovery (H-B7)."""
    problems = []
    if discovered_on > today:
        problems.append(
            problem("H-B7", "discovered_on", f"the discovery date cannot be in the future (today is {today})")
        )
    if occurred_on is not None and occurred_on > discovered_on:
        problems.append(problem("H-B7", "occurred_on", "it cannot have happened after it was discovered"))
    if not description.strip():
        problems.append(problem("H-B7", "description", "say what happened"))
    elif len(description) > TEXT_LIMIT:
        problems.append(problem("H-B7", "description", f"at most {TEXT_LIMIT} characters"))
    refuse(problems)


def check_answers(answers: Answers) -> None:
    """Refuse 'low probability' claimed while a factor is blank, and factors too long (H-B3)."""
    problems = []
    for name in FACTORS:
        written = answers.factors.get(name, "").strip()
        if answers.low_probability and not written:
            problems.append(
                problem(
                    "H-B3",
                    f"factors.{name}",
                    f"a low probability of compromise needs every factor written: {FACTOR_LABELS[name]}",
                )
            )
        elif len(written) > TEXT_LIMIT:
            problems.append(problem("H-B3", f"factors.{name}", f"at most {TEXT_LIMIT} characters"))
    unknown = sorted(set(answers.factors) - set(FACTORS))
    problems += [problem("H-B3", f"factors.{n}", "not one of the four factors") for n in unknown]
    refuse(problems)


def determine(answers: Answers, *, discovered_on: date, affected: int, most_in_one_state: int) -> Outcome:
    """Decide breach or not from the answers alone, with every reason (H-B1..H-B6)."""
    check_answers(answers)
    if answers.exclusion is not Exclusion.NONE:
        why = Reason("H-B1", f"Not a breach: {_EXCLUSIONS[answers.exclusion]} (164.402(1)).")
        return Outcome(Determination.NOT_A_BREACH, (why,), None, affected, None, False)
    if answers.secured:
        why = Reason(
            "H-B2",
            "Not a breach: the PHI was encrypted per HHS guidance and its key was not compromised, "
            "so it was secured (164.402).",
        )
        return Outcome(Determination.NOT_A_BREACH, (why,), None, affected, None, False)
    if answers.low_probability:
        why = Reason(
            "H-B3",
            "Not a breach: the written four-factor risk assessment shows a low probability that the PHI "
            "was compromised (164.402(2)).",
        )
        return Outcome(Determination.NOT_A_BREACH, (why,), None, affected, None, False)
    return _breach(discovered_on, affected, most_in_one_state)


def _breach(discovered_on: date, affected: int, most_in_one_state: int) -> Outcome:
    due = notify_by(discovered_on)
    basis = [
        Reason(
            "H-B3",
            "A breach: no exclusion applies, the PHI was not secured, and the risk assessment does not "
            "show a low probability of compromise, so a breach is presumed (164.402(2)).",
        ),
        Reason(
            "H-B4", f"Notify each affected individual in writing by {due} (discovery + 60 days, 164.404)."
        ),
    ]
    media = most_in_one_state >= LARGE
    if media:
        basis.append(
            Reason(
                "H-B5",
                f"{most_in_one_state} residents of one state: notify prominent media by {due} (164.406).",
            )
        )
    if affected >= LARGE:
        hhs_by = due
        basis.append(
            Reason("H-B6", f"{affected} affected: notify HHS by {due}, with the individuals (164.408(b)).")
        )
    else:
        hhs_by = hhs_log_due(discovered_on.year)
        basis.append(
            Reason(
                "H-B6",
                f"Under {LARGE} affected: enter it in the {discovered_on.year} log for HHS, due {hhs_by} "
                "(60 days after the year ends, 164.408(c)).",
            )
        )
    return Outcome(Determination.BREACH, tuple(basis), due, affected, hhs_by, media)


def check_notice(sent_on: date, *, discovered_on: date, today: date) -> None:
    """Refuse a notice dated before the discovery or in the future (H-B4)."""
    if sent_on < discovered_on:
        refuse(
            [problem("H-B4", "sent_on", f"a notice cannot go out before the discovery on {discovered_on}")]
        )
    if sent_on > today:
        refuse(
            [
                problem(
                    "H-B4", "sent_on", f"a notice cannot be recorded as sent in the future (today is {today})"
                )
            ]
        )


def days_left(due: date, *, today: date) -> int:
    """Days until `due` (negative: late)."""
    return (due - today).days
