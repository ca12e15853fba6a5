"""Confidentiality exceptions (regulatory.md section 4): each kind's fields, and the guards that refuse.

Every guard answers with the rule it applies (a CFR citation or a DT rule id) and a plain sentence. The plain-
language explanations of each basis live in a dated data file (data/exceptions.json), not in code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from roi_tracker.domain import recipients as recipient_types
from roi_tracker.domain.clients import Category


class Kind(StrEnum):
    """Exception kinds (interface.md)."""

    DANGER_TO_OTHERS = "danger_to_others"
    DANGER_TO_SELF = "danger_to_self"
    CHILD_ABUSE_REPORT = "child_abuse_report"
    ELDER_ABUSE_REPORT = "elder_abuse_report"
    COURT_ORDER = "court_order"
    PART2_MEDICAL_EMERGENCY = "part2_medical_emergency"


FIELDS: dict[Kind, tuple[str, ...]] = {
    Kind.DANGER_TO_OTHERS: ("basis_of_belief", "threat", "target", "imminence", "recipient_can_lessen"),
    Kind.DANGER_TO_SELF: ("basis_of_belief", "threat", "imminence", "recipient_can_lessen"),
    Kind.CHILD_ABUSE_REPORT: ("report_number", "reported_at"),
    Kind.ELDER_ABUSE_REPORT: ("report_number", "reported_at", "condition"),
    # A court's order: the issuing court, the judge, the order's date and an uploaded copy (issue 16 item 3).
    Kind.COURT_ORDER: ("court", "judge", "order_reference", "order_date", "order_document_id"),
    Kind.PART2_MEDICAL_EMERGENCY: ("medical_personnel_name", "facility", "emergency_nature"),
}
CONDITIONS = ("required_by_law", "client_agreed", "statute_permits")
NOT_INFORMED_REASONS = ("risk_of_serious_harm", "informing_suspected_abuser")
BELIEF_BASES = ("actual_knowledge", "credible_representation")
# One vocabulary for the directory and exception recipients (domain/recipients.py).
RECIPIENT_TYPES = recipient_types.TYPES
# Who may receive each kind, when the kind limits it (regulatory.md section 4).
RECIPIENT_TYPE_OF: dict[Kind, tuple[str, str, str]] = {
    Kind.CHILD_ABUSE_REPORT: (
        "authority",
        "164.512(b)(1)(ii)",
        "A child abuse report goes only to an authority authorized by law to receive it.",
    ),
    Kind.ELDER_ABUSE_REPORT: (
        "authority",
        "164.512(c)(1)",
        "An elder abuse report goes only to an authority authorized by law to receive it.",
    ),
    Kind.PART2_MEDICAL_EMERGENCY: (
        "provider",
        "2.51",
        "A Part 2 medical emergency disclosure goes only to medical personnel (a provider).",
    ),
}


@dataclass(frozen=True)
class Refusal:
    """A guard's refusal: the rule and a plain sentence, and the field it concerns."""

    rule: str
    field: str
    message: str


@dataclass(frozen=True)
class Report:
    """An exception disclosure as recorded by the clinician."""

    kind: Kind
    client_part2: bool
    disclosed_categories: frozenset[Category]
    justification: str
    recipient_name: str
    fields: dict[str, str]
    learned_as_admission_of_past_violent_crime: bool = False
    client_informed_on: date | None = None
    not_informed_reason: str = ""
    recipient_type: str = ""
    imminent: bool | None = None
    recipient_able_to_lessen: bool | None = None
    # A court order: what it expressly names (L-1), whether it is really a subpoena, a 2.64-2.67 order (L-3).
    order_categories: frozenset[Category] = frozenset()
    subpoena: bool = False
    part2_order: bool = False


def _recipient_refusals(r: Report) -> list[Refusal]:
    if r.recipient_type not in RECIPIENT_TYPES:
        return [
            Refusal("X-FIELDS", "recipient.type", "recipient type is one of " + ", ".join(RECIPIENT_TYPES))
        ]
    if r.kind in RECIPIENT_TYPE_OF:
        needed, rule, message = RECIPIENT_TYPE_OF[r.kind]
        if r.recipient_type != needed:
            return [Refusal(rule, "recipient.type", message)]
    return []


def _danger_refusals(r: Report) -> list[Refusal]:
    # Both halves of 164.512(j)(1)(i) are yes/no facts, not prose: the why-fields explain, these decide.
    out: list[Refusal] = []
    if r.imminent is not True:
        out.append(
            Refusal("164.512(j)(1)(i)", "imminent", "The threat must be serious and imminent (answer yes).")
        )
    if r.recipient_able_to_lessen is not True:
        out.append(
            Refusal(
                "164.512(j)(1)(i)",
                "recipient_able_to_lessen",
                "The recipient must be reasonably able to prevent or lessen the threat (answer yes).",
            )
        )
    return out


def _court_order_refusals(r: Report) -> list[Refusal]:
    # 164.512(e)(1)(i): a court's order releases only what it expressly authorizes (L-1); a subpoena without
    # an order is no exception at all: it belongs to the request desk with its assurances (L-2, DT-5).
    if r.subpoena:
        return [
            Refusal(
                "L-2",
                "subpoena",
                "A subpoena is not a court order and not an exception: log it at the request desk as a "
                "legal request, where it needs satisfactory assurances and never reaches psychotherapy "
                "notes.",
            )
        ]
    out: list[Refusal] = []
    if not r.order_categories:
        out.append(Refusal("L-1", "order_categories", "Name the categories the order expressly authorizes."))
    elif r.disclosed_categories - r.order_categories:
        extra = ", ".join(sorted(c.value for c in r.disclosed_categories - r.order_categories))
        out.append(
            Refusal("L-1", "disclosed_categories", f"Disclose only what the order names; not: {extra}.")
        )
    if r.client_part2 and not r.part2_order:
        out.append(
            Refusal(
                "L-3",
                "part2_order",
                "Part 2 records need a court order under 42 CFR 2.64-2.67 that itself compels the "
                "disclosure.",
            )
        )
    return out


def check(r: Report, *, today: date) -> list[Refusal]:
    """Return every refusal for the report (empty: it may be recorded)."""
    out: list[Refusal] = []
    if r.kind is Kind.COURT_ORDER:
        out.extend(_court_order_refusals(r))
    for name in FIELDS[r.kind]:
        if not r.fields.get(name, "").strip():
            needed = (
                f"{name.replace('_', ' ').capitalize()} is required for {r.kind.value.replace('_', ' ')}."
            )
            out.append(Refusal("X-FIELDS", name, needed))
    if not r.recipient_name.strip():
        out.append(Refusal("X-FIELDS", "recipient", "Name the recipient (agency or person)."))
    if not r.justification.strip():
        out.append(Refusal("X-FIELDS", "justification", "Write the justification in your own words."))
    if not r.disclosed_categories:
        out.append(Refusal("DT-2", "disclosed_categories", "List what was disclosed (minimum necessary)."))
    out.extend(_recipient_refusals(r))
    danger = r.kind in (Kind.DANGER_TO_OTHERS, Kind.DANGER_TO_SELF)
    if danger:
        out.extend(_danger_refusals(r))
    if danger and r.fields.get("basis_of_belief", "") not in ("", *BELIEF_BASES):
        out.append(
            Refusal(
                "X-FIELDS",
                "basis_of_belief",
                "Choose the basis of the belief: actual knowledge or a credible representation.",
            )
        )
    if (
        danger
        and r.fields.get("basis_of_belief") == "credible_representation"
        and not r.fields.get("belief_source")
    ):
        out.append(Refusal("X-FIELDS", "belief_source", "Say who made the credible representation."))
    if r.kind is Kind.DANGER_TO_OTHERS and r.learned_as_admission_of_past_violent_crime:
        out.append(
            Refusal(
                "164.512(j)(2)",
                "learned_as_admission_of_past_violent_crime",
                "An admission of a past violent crime learned in therapy may not be disclosed.",
            )
        )
    if r.client_part2 and danger:
        out.append(
            Refusal(
                "2.51",
                "kind",
                "Part 2 records have no serious-threat exception: record a Part 2 medical "
                "emergency (a disclosure to medical personnel) instead.",
            )
        )
    if r.kind is Kind.PART2_MEDICAL_EMERGENCY and not r.client_part2:
        out.append(Refusal("2.51", "kind", "A Part 2 medical emergency applies to Part 2 records only."))
    counseling = Category.SUD_COUNSELING_NOTES in r.disclosed_categories
    if r.client_part2 and r.kind is Kind.CHILD_ABUSE_REPORT and counseling:
        out.append(
            Refusal(
                "2.12(c)(6)",
                "disclosed_categories",
                "A Part 2 child abuse report covers the initial report only, never SUD counseling notes.",
            )
        )
    if r.client_part2 and r.kind is Kind.ELDER_ABUSE_REPORT:
        out.append(Refusal("2.12(c)(6)", "kind", "Part 2 records have no express elder-abuse exception."))
    notes = Category.PSYCHOTHERAPY_NOTES in r.disclosed_categories
    if notes and r.kind not in (Kind.DANGER_TO_OTHERS, Kind.DANGER_TO_SELF, Kind.COURT_ORDER):
        out.append(
            Refusal(
                "DT-5", "disclosed_categories", "Psychotherapy notes may not go out under this exception."
            )
        )
    if r.kind is Kind.ELDER_ABUSE_REPORT:
        if r.fields.get("condition", "") not in ("", *CONDITIONS):
            out.append(
                Refusal(
                    "164.512(c)(1)",
                    "condition",
                    "condition is required_by_law, client_agreed or statute_permits.",
                )
            )
        if r.client_informed_on is None and r.not_informed_reason not in NOT_INFORMED_REASONS:
            out.append(
                Refusal(
                    "164.512(c)(2)",
                    "client_informed_on",
                    "Record when the client was informed, or a permitted reason for not informing them.",
                )
            )
        if r.client_informed_on is not None and r.client_informed_on > today:
            out.append(
                Refusal("164.512(c)(2)", "client_informed_on", "The date informed cannot be in the future.")
            )
    return out
