"""The disclosure decision (regulatory.md section 3): per category, the covering authorization or reasons.

Pure: the client's authorizations and the date are parameters. Refusal is the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from roi_tracker.domain.clients import Category
from roi_tracker.domain.consent import PART2_KINDS
from roi_tracker.domain.consent import Kind
from roi_tracker.domain.consent import Purpose
from roi_tracker.domain.consent import Standing
from roi_tracker.domain.consent import Status
from roi_tracker.domain.consent import status_of
from roi_tracker.domain.recipients import RecipientType
from roi_tracker.domain.recipients import in_tpo_class


class Answer(StrEnum):
    """permit: every category covered; partial: some; refuse: none."""

    PERMIT = "permit"
    PARTIAL = "partial"
    REFUSE = "refuse"


@dataclass(frozen=True)
class Reason:
    """A rule id from regulatory.md and a plain sentence."""

    rule: str
    message: str


@dataclass(frozen=True)
class Held:
    """One authorization on file, as the decision sees it."""

    id: str
    label: str
    kind: Kind
    recipient_id: str | None
    recipient_class: str
    categories: frozenset[Category]
    purposes: frozenset[Purpose]
    standing: Standing
    records_from: date | None = None
    records_to: date | None = None
    known_false: bool = False
    signed_on: date | None = None
    # An intermediary consent's member participants, or its treating-provider class (2.31(a)(4)(ii)).
    intermediary_participants: str = ""
    # Signed by a personal representative, and whether the signer was confirmed not to be a suspected parent.
    signed_by_representative: bool = False
    representative_not_suspected: bool = False


@dataclass(frozen=True)
class Request:
    """May we send these categories to this recipient for this purpose on this date?"""

    recipient_id: str
    categories: tuple[Category, ...]
    purpose: Purpose
    on: date
    client_part2: bool
    records_from: date | None = None
    records_to: date | None = None
    # The recipient's directory type; unknown is `other`, outside the TPO class (fails closed, P2-4).
    recipient_type: RecipientType = RecipientType.OTHER
    # A child abuse report names a parent or representative of the client as the suspected abuser.
    representative_suspected: bool = False


@dataclass(frozen=True)
class Permitted:
    """A category covered by an authorization (valid until `until`, when it has an end date)."""

    category: Category
    authorization_id: str
    label: str
    until: date | None


@dataclass(frozen=True)
class Refused:
    """A category no authorization covers, with every reason."""

    category: Category
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Decision:
    """The answer, per category."""

    answer: Answer
    permitted: tuple[Permitted, ...]
    refused: tuple[Refused, ...]


def _names_recipient(a: Held, r: Request) -> bool:
    if a.recipient_id is not None and a.recipient_id == r.recipient_id:
        return True
    # A Part 2 TPO consent may name the TPO class instead of a person (P2-4).
    return (
        a.kind is Kind.PART2_TPO
        and bool(a.recipient_class)
        and r.purpose is Purpose.TREATMENT_PAYMENT_OPERATIONS
    )


def _recipient_reasons(a: Held, r: Request) -> list[Reason]:
    """P2-4, 2.31(a)(4)(ii), P2-LP: what a Part 2 consent may reach, by the recipient's type."""
    if a.kind not in PART2_KINDS:
        return []
    reasons: list[Reason] = []
    named = a.recipient_id is not None and a.recipient_id == r.recipient_id
    if not named and not in_tpo_class(r.recipient_type):
        # The TPO class is treating providers, health plans, payers and program operations: nobody else.
        reasons.append(
            Reason(
                "P2-4",
                f"The TPO class of {a.label} covers treating providers, health plans, payers and people "
                f"operating the program only; this recipient is of type {r.recipient_type.value}.",
            )
        )
    if named and r.recipient_type is RecipientType.INTERMEDIARY and not a.intermediary_participants:
        reasons.append(
            Reason(
                "P2-4",
                f"{a.label} names an intermediary but not its participants or a treating-provider class "
                "(2.31(a)(4)(ii)).",
            )
        )
    # An old consent recorded before the validator's P2-LP check still cannot reach a proceeding.
    if r.client_part2 and r.purpose is Purpose.LEGAL and a.kind is not Kind.PART2_LEGAL_PROCEEDINGS:
        reasons.append(
            Reason("P2-LP", f"Use in legal proceedings needs its own consent; {a.label} is not one.")
        )
    return reasons


def standing_reasons(label: str, s: Standing, on: date) -> list[Reason]:
    """Why the authorization `label` permits nothing on `on`: revoked, expired or pending (empty: active)."""
    status = status_of(s, today=on)
    if status is Status.REVOKED:
        return [Reason("H-D3", f"Authorization {label} was revoked on {s.revoked_on}.")]
    if status is Status.EXPIRED:
        if s.expiry_event_on is not None and s.expiry_event_on <= on:
            return [
                Reason("H-D1", f"Authorization {label} ended with its expiry event on {s.expiry_event_on}.")
            ]
        return [Reason("H-D1", f"Authorization {label} expired on {s.expires_on}.")]
    if status is Status.PENDING:
        return [Reason("DT-1", f"Authorization {label} takes effect only on {s.effective_on}.")]
    return []


def why_not(a: Held, r: Request, category: Category) -> list[Reason]:
    """Every reason authorization `a` does not cover `category` for request `r` (empty: it covers it)."""
    reasons = standing_reasons(a.label, a.standing, r.on) + _recipient_reasons(a, r)
    if a.signed_on is not None and a.signed_on > r.on:
        # A disclosure is judged against what was on file on its date (a past one too).
        reasons.append(Reason("DT-1", f"Authorization {a.label} was signed only on {a.signed_on}."))
    if r.representative_suspected and a.signed_by_representative and not a.representative_not_suspected:
        # 164.502(g)(5): a parent suspected of abuse is no longer treated as the client's representative.
        reasons.append(
            Reason(
                "H-C7",
                f"Authorization {a.label} was signed by a representative, and a child abuse report names a "
                "parent or representative as suspected (164.502(g)(5)).",
            )
        )
    if a.known_false:
        reasons.append(Reason("H-D5", f"Authorization {a.label} is flagged as containing false information."))
    if r.client_part2 and a.kind not in PART2_KINDS:
        reasons.append(Reason("P2-3", f"These are Part 2 records; {a.label} is not a Part 2 consent."))
    if r.purpose not in a.purposes:
        reasons.append(
            Reason(
                "DT-1",
                f"Authorization {a.label} does not cover the purpose {r.purpose.value.replace('_', ' ')}.",
            )
        )
    if category is Category.PSYCHOTHERAPY_NOTES and a.kind is not Kind.PSYCHOTHERAPY_NOTES:
        reasons.append(
            Reason("DT-5", "Psychotherapy notes go out only under a psychotherapy-notes authorization.")
        )
    elif category not in a.categories:
        reasons.append(
            Reason("DT-1", f"Authorization {a.label} does not cover {category.value.replace('_', ' ')}.")
        )
    if a.records_from and (r.records_from is None or r.records_from < a.records_from):
        reasons.append(Reason("DT-1", f"Authorization {a.label} covers records from {a.records_from} only."))
    if a.records_to and (r.records_to is None or r.records_to > a.records_to):
        reasons.append(Reason("DT-1", f"Authorization {a.label} covers records up to {a.records_to} only."))
    return reasons


def decide(r: Request, held: tuple[Held, ...] | list[Held]) -> Decision:
    """Answer a disclosure request: permit, partial or refuse, citing authorizations and reasons."""
    naming = [a for a in held if _names_recipient(a, r)]
    permitted: list[Permitted] = []
    refused: list[Refused] = []
    for category in dict.fromkeys(r.categories):
        reasons: list[Reason] = []
        for a in naming:
            why = why_not(a, r, category)
            if not why:
                permitted.append(Permitted(category, a.id, a.label, a.standing.expires_on))
                break
            reasons += why
        else:
            if not naming:
                reasons = [Reason("DT-1", "No written authorization on file names this recipient.")]
            if category is Category.PSYCHOTHERAPY_NOTES and not any(
                a.kind is Kind.PSYCHOTHERAPY_NOTES for a in naming
            ):
                reasons.append(
                    Reason(
                        "DT-5", "Psychotherapy notes go out only under a psychotherapy-notes authorization."
                    )
                )
            refused.append(Refused(category, tuple(dict.fromkeys(reasons))))
    if not refused:
        answer = Answer.PERMIT
    elif permitted:
        answer = Answer.PARTIAL
    else:
        answer = Answer.REFUSE
    return Decision(answer, tuple(permitted), tuple(refused))


def after_revocation(label: str, disclosed_on: date, revoked_on: date | None) -> Reason | None:
    """The H-D3 reason a disclosure made after a revocation's receipt was impermissible, if it was.

    Made in reliance before the receipt, it stays valid (164.508(b)(5)). One made on the very day of receipt,
    before the revocation was entered, may have gone out before the letter arrived: it is not flagged.
    """
    if revoked_on is None or disclosed_on <= revoked_on:
        return None
    return Reason(
        "H-D3",
        f"Made on {disclosed_on} under {label}, after its written revocation was received on {revoked_on}.",
    )
