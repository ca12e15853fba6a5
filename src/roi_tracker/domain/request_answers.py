"""What a request may release (H-A1, L-1..L-3, DT-5) and what it costs (H-A5). Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from roi_tracker.domain import requests as rules
from roi_tracker.domain.errors import Defective

ASSURANCES = ("notice_given", "protective_order")
PART2 = frozenset({"sud_records", "sud_counseling_notes"})


@dataclass(frozen=True)
class Schedule:
    """The practice's fee schedule, in cents: labour per page, supplies, postage, and the flat option."""

    per_page_cents: int = 0
    supplies_cents: int = 0
    postage_cents: int = 0
    flat_electronic_cents: int = rules.FLAT_ELECTRONIC_CENTS


@dataclass(frozen=True)
class Fee:
    """The fee told to the requester before the copy is made (H-A5)."""

    amount_cents: int
    basis: str


def fee(kind: rules.Kind, fmt: rules.Format, schedule: Schedule, *, pages: int = 0) -> Fee:
    """Return the cost-based fee: never search or retrieval; the flat electronic option <= 6.50 (H-A5)."""
    if fmt is rules.Format.ELECTRONIC:
        flat = min(schedule.flat_electronic_cents, rules.FLAT_ELECTRONIC_CENTS)
        return Fee(flat, "H-A5: flat fee for an electronic copy of electronic records, all-inclusive")
    amount = schedule.per_page_cents * pages + schedule.supplies_cents + schedule.postage_cents
    basis = (
        f"H-A5: copying labour {schedule.per_page_cents} cents a page for {pages} pages, supplies, postage; "
        "no charge for search or retrieval"
    )
    if kind is not rules.Kind.ACCESS:
        basis = "practice fee schedule (third party; H-A5 limits apply to access requests only)"
    return Fee(amount, basis)


@dataclass(frozen=True)
class Legal:
    """The legal process behind a request: a court order, or a subpoena with its assurance."""

    court_order: bool
    part2_order: bool = False
    assurance: str | None = None


@dataclass(frozen=True)
class Verdict:
    """The categories a request may release, and each refused one with its reasons."""

    released: tuple[str, ...]
    refused: tuple[tuple[str, tuple[dict[str, str], ...]], ...]


def _refusal(rule: str, message: str) -> dict[str, str]:
    return {"rule": rule, "message": message}


def release(kind: rules.Kind, categories: Iterable[str], *, part2: bool, legal: Legal | None) -> Verdict:
    """Sort the categories asked for into released and refused for an access or legal request."""
    released: list[str] = []
    refused: list[tuple[str, tuple[dict[str, str], ...]]] = []
    for category in dict.fromkeys(categories):
        reasons = _reasons(kind, category, part2=part2, legal=legal)
        if reasons:
            refused.append((category, reasons))
        else:
            released.append(category)
    return Verdict(tuple(released), tuple(refused))


def _reasons(
    kind: rules.Kind, category: str, *, part2: bool, legal: Legal | None
) -> tuple[dict[str, str], ...]:
    if kind is rules.Kind.ACCESS:
        # The right of access never covers psychotherapy notes (164.524(a)(1)(i), H-A1); a patient's own
        # Part 2 records need no consent (2.23, H-A10).
        if category == rules.PSYCHOTHERAPY_NOTES:
            return (_refusal("H-A1", "Psychotherapy notes are not part of the right of access."),)
        return ()
    if legal is None:
        return (_refusal("L-2", "Legal process is released only under a court order or an assurance."),)
    if category == rules.PSYCHOTHERAPY_NOTES:
        return (
            _refusal(
                "DT-5",
                "Psychotherapy notes never go out on a subpoena or general legal request "
                "(164.508(a)(2)); only a psychotherapy-notes authorization or a listed exception "
                "releases them.",
            ),
        )
    out: list[dict[str, str]] = []
    if (part2 or category in PART2) and not (legal.court_order and legal.part2_order):
        out.append(
            _refusal(
                "L-3",
                "Part 2 records need a court order under 42 CFR 2.64-2.67 that itself compels the "
                "disclosure; a subpoena alone never suffices.",
            )
        )
    if not legal.court_order and legal.assurance not in ASSURANCES:
        out.append(
            _refusal(
                "L-2",
                "A subpoena without a court order needs satisfactory assurance: notice to the client "
                "with time to object, or a qualified protective order sought.",
            )
        )
    return tuple(out)


def check_legal(
    order_document: bool, assurance_kind: str | None, assurance_document: bool, *, part2_order: bool = False
) -> Legal | None:
    """Read the legal process a fulfilment names; refuse an assurance without its kind or document (L-2)."""
    if order_document:
        return Legal(court_order=True, part2_order=part2_order)
    if assurance_kind is None:
        return None
    if assurance_kind not in ASSURANCES or not assurance_document:
        raise Defective(
            "the assurance needs its kind and its document",
            [
                {
                    "rule": "L-2",
                    "field": "assurance",
                    "message": "An assurance is notice_given or protective_order, with its document.",
                }
            ],
        )
    return Legal(court_order=False, assurance=assurance_kind)
