"""Written authorizations: their vocabulary, the validator (regulatory.md sections 1-2) and derived status.

The validator returns every problem at once, each with its rule id. Elements the law requires are optional
here, so a missing one is reported by its own rule (a missing signed date is H-C6, not "field required").
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from enum import StrEnum

from roi_tracker.domain import expiry
from roi_tracker.domain.clients import Category
from roi_tracker.domain.recipients import RecipientType


class Kind(StrEnum):
    """Authorization kinds (interface.md)."""

    HIPAA = "hipaa"
    PSYCHOTHERAPY_NOTES = "psychotherapy_notes"
    PART2 = "part2"
    PART2_TPO = "part2_tpo"
    PART2_COUNSELING_NOTES = "part2_counseling_notes"
    PART2_LEGAL_PROCEEDINGS = "part2_legal_proceedings"


PART2_KINDS = frozenset(
    {Kind.PART2, Kind.PART2_TPO, Kind.PART2_COUNSELING_NOTES, Kind.PART2_LEGAL_PROCEEDINGS}
)


class Purpose(StrEnum):
    """Purposes of disclosure (interface.md)."""

    CONTINUITY_OF_CARE = "continuity_of_care"
    AT_REQUEST_OF_CLIENT = "at_request_of_client"
    FAMILY_INVOLVEMENT = "family_involvement"
    LEGAL = "legal"
    INSURANCE = "insurance"
    SCHOOL = "school"
    EMPLOYMENT = "employment"
    DISABILITY_DETERMINATION = "disability_determination"
    RESEARCH = "research"
    TREATMENT_PAYMENT_OPERATIONS = "treatment_payment_operations"
    OTHER = "other"


class Statement(StrEnum):
    """Statements the signed form must carry (164.508(c)(2); 2.31)."""

    RIGHT_TO_REVOKE = "right_to_revoke"
    NO_CONDITIONING = "no_conditioning"
    REDISCLOSURE = "redisclosure"
    CONSEQUENCES_OF_REFUSAL = "consequences_of_refusal"
    PATIENT_NAME = "patient_name"


class Signer(StrEnum):
    """Who signed."""

    CLIENT = "client"
    REPRESENTATIVE = "representative"


class Severity(StrEnum):
    """BLOCK: cannot be used. WARN: shown and must be acknowledged."""

    BLOCK = "BLOCK"
    WARN = "WARN"


class Status(StrEnum):
    """Derived from dates and events, never stored as truth."""

    PENDING = "pending"
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an authorization: rule id, severity, field and a plain sentence."""

    rule: str
    severity: Severity
    field: str
    message: str


@dataclass(frozen=True)
class Draft:
    """An authorization as recorded from the signed form."""

    kind: Kind | None = None
    recipient_id: str | None = None
    recipient_class: str = ""
    # The named recipient's directory type (the service fills it in) and, for an intermediary such as an
    # HIE, its member participants or "those with a treating provider relationship" (2.31(a)(4)(ii)).
    recipient_type: RecipientType | None = None
    intermediary_participants: str = ""
    categories: frozenset[Category] = frozenset()
    purposes: frozenset[Purpose] = frozenset()
    purpose_text: str = ""
    disclosing_party: str = "the practice"
    effective_on: date | None = None
    expires_on: date | None = None
    expiry_event: str = ""
    records_from: date | None = None
    records_to: date | None = None
    signed_on: date | None = None
    signed_by: Signer | None = None
    representative_name: str = ""
    representative_relationship: str = ""
    representative_authority: str = ""
    minor_may_consent: bool = False
    # A child abuse report named a parent or representative of this client as the suspected abuser, and
    # whether the clinician confirmed the person signing is not them (164.502(g)(5)).
    representative_suspected: bool = False
    representative_not_suspected: bool = False
    statements: frozenset[Statement] = frozenset()
    copy_given_on: date | None = None
    copy_method: str = ""
    plain_language_form: bool = True
    signed_form_attached: bool = False
    conditioned_on_treatment: bool = False
    known_false: bool = False
    extra: dict[str, str] = field(default_factory=dict)


TPO_CLASS = (
    "my treating providers, health plans, third-party payers, and people helping to operate this program"
)
_SUD = frozenset({Category.SUD_RECORDS, Category.SUD_COUNSELING_NOTES})


def _open_ended(d: Draft) -> bool:
    event = expiry.decode(d.expiry_event)
    return event is not None and event.kind is expiry.EventKind.NONE


def _block(rule: str, field_name: str, message: str) -> Problem:
    return Problem(rule, Severity.BLOCK, field_name, message)


def _core(d: Draft, *, today: date) -> list[Problem]:
    """Section 1 core elements and statements (164.508(c))."""
    p: list[Problem] = []
    if not d.categories:
        p.append(
            _block("H-C1", "categories", "Describe the information to be disclosed (at least one category).")
        )
    if not d.disclosing_party.strip():
        p.append(_block("H-C2", "disclosing_party", "Name who may disclose the information."))
    if not d.recipient_id and not (d.kind is Kind.PART2_TPO and d.recipient_class):
        p.append(
            _block("H-C3", "recipient_id", "Name the recipient: a specific person, organization or class.")
        )
    if not d.purposes:
        p.append(_block("H-C4", "purposes", "State the purpose of the disclosure."))
    elif Purpose.OTHER in d.purposes and not d.purpose_text.strip():
        p.append(_block("H-C4", "purpose_text", "Describe the purpose when it is 'other'."))
    event = expiry.decode(d.expiry_event)
    tpo_may_be_open = d.kind is Kind.PART2_TPO
    if d.expires_on is None and event is None:
        p.append(_block("H-C5", "expires_on", "Give an expiration date or an expiration event."))
    elif _open_ended(d) and d.purposes != {Purpose.RESEARCH} and not tpo_may_be_open:
        p.append(_block("H-C5", "expiry_event", "'None' is allowed as an expiration only for research."))
    if event is not None and (unnamed := expiry.description_problem(event)):
        p.append(_block("H-C5", "expiry_event", unnamed))
    if d.signed_on is None or d.signed_by is None:
        p.append(_block("H-C6", "signed_on", "Record the signature and the date it was signed."))
    elif d.signed_on > today:
        p.append(_block("H-C6", "signed_on", "The signed date cannot be in the future."))
    rep_complete = d.representative_name.strip() and d.representative_relationship.strip()
    if d.signed_by is Signer.REPRESENTATIVE and not (rep_complete and d.representative_authority.strip()):
        p.append(
            _block(
                "H-C7",
                "representative_authority",
                "A representative signed: record their name, relationship and authority.",
            )
        )
    if Statement.RIGHT_TO_REVOKE not in d.statements:
        p.append(_block("H-S1", "statements", "The form must state the right to revoke in writing, and how."))
    conditioning = {Statement.NO_CONDITIONING} | (
        {Statement.CONSEQUENCES_OF_REFUSAL} if tpo_may_be_open else set()
    )
    if not conditioning & d.statements:
        p.append(
            _block("H-S2", "statements", "The form must state that treatment is not conditioned on signing.")
        )
    if Statement.REDISCLOSURE not in d.statements:
        p.append(
            _block(
                "H-S3", "statements", "The form must warn that the recipient may redisclose the information."
            )
        )
    return p


def _validity(d: Draft) -> list[Problem]:
    """Section 1 defects and compound rules (164.508(b))."""
    p: list[Problem] = []
    if not d.plain_language_form:
        p.append(Problem("H-P1", Severity.WARN, "plain_language_form", "The form is not in plain language."))
    if d.copy_given_on is None:
        p.append(
            Problem("H-P2", Severity.WARN, "copy_given_on", "Record when and how the client got a copy.")
        )
    if d.effective_on and d.expires_on and d.expires_on < d.effective_on:
        p.append(_block("H-D1", "expires_on", "The expiration date is before the effective date."))
    if d.records_from and d.records_to and d.records_to < d.records_from:
        p.append(_block("DT-1", "records_to", "The covered records end before they begin."))
    if not d.signed_form_attached:
        p.append(_block("H-D2", "signed_form", "Attach the signed form."))
    if d.conditioned_on_treatment:
        p.append(
            _block(
                "H-D4", "conditioned_on_treatment", "Treatment may not be conditioned on this authorization."
            )
        )
    if d.known_false:
        p.append(
            _block(
                "H-D5", "known_false", "The authorization is known to contain materially false information."
            )
        )
    notes = Category.PSYCHOTHERAPY_NOTES in d.categories
    if d.kind is Kind.PSYCHOTHERAPY_NOTES and d.categories - {Category.PSYCHOTHERAPY_NOTES}:
        p.append(
            _block(
                "H-X1", "categories", "A psychotherapy-notes authorization may hold only psychotherapy notes."
            )
        )
    elif notes and d.kind is not Kind.PSYCHOTHERAPY_NOTES:
        p.append(
            _block(
                "H-X1", "categories", "Psychotherapy notes need their own psychotherapy-notes authorization."
            )
        )
    return p


def _part2(d: Draft, *, client_part2: bool) -> list[Problem]:
    """Section 2: Part 2 adds to section 1 and never relaxes it."""
    p: list[Problem] = []
    if d.kind is None:
        return p
    if client_part2 and d.kind not in PART2_KINDS:
        p.append(_block("P2-3", "kind", "This client's records are Part 2 records: use a Part 2 consent."))
    elif Category.SUD_RECORDS in d.categories and d.kind not in PART2_KINDS:
        # SUD records are Part 2 records whatever the client's flag says (42 CFR 2.12(d)).
        p.append(_block("P2-3", "categories", "SUD records are Part 2 records: they need a Part 2 consent."))
    counseling = Category.SUD_COUNSELING_NOTES in d.categories
    if d.kind is Kind.PART2_COUNSELING_NOTES and d.categories - {Category.SUD_COUNSELING_NOTES}:
        p.append(
            _block("P2-CN", "categories", "A SUD counseling-notes consent may hold only counseling notes.")
        )
    elif counseling and d.kind is not Kind.PART2_COUNSELING_NOTES:
        p.append(
            _block("P2-CN", "categories", "SUD counseling notes need their own counseling-notes consent.")
        )
    legal = Purpose.LEGAL in d.purposes
    if d.kind is Kind.PART2_LEGAL_PROCEEDINGS and d.purposes - {Purpose.LEGAL}:
        p.append(
            _block("P2-LP", "purposes", "A consent for legal proceedings must stand alone (purpose: legal).")
        )
    elif legal and d.kind in PART2_KINDS and d.kind is not Kind.PART2_LEGAL_PROCEEDINGS:
        p.append(_block("P2-LP", "purposes", "Use in legal proceedings needs its own separate consent."))
    if d.kind not in PART2_KINDS:
        return p
    if Statement.PATIENT_NAME not in d.statements:
        p.append(_block("P2-1", "statements", "The consent must carry the patient's name."))
    if not d.categories & _SUD:
        p.append(_block("P2-3", "categories", "Name the substance-use information explicitly."))
    if not d.recipient_id and not (d.kind is Kind.PART2_TPO and d.recipient_class):
        p.append(_block("P2-4", "recipient_id", "Name the recipient (a TPO consent may name the TPO class)."))
    if d.recipient_type is RecipientType.INTERMEDIARY and not d.intermediary_participants.strip():
        p.append(
            _block(
                "P2-4",
                "intermediary_participants",
                "The recipient is an intermediary: name its participants, or the class of participants "
                "with a treating provider relationship (2.31(a)(4)(ii)).",
            )
        )
    if Statement.RIGHT_TO_REVOKE not in d.statements:
        p.append(_block("P2-6", "statements", "State the right to revoke, except where already acted on."))
    if d.expires_on is None and expiry.decode(d.expiry_event) is None:
        p.append(_block("P2-7", "expires_on", "Give an expiration date or event."))
    elif _open_ended(d) and d.kind is not Kind.PART2_TPO:
        # 'None' is a Part 2 expiration only for a TPO consent (2.31(a)(7)), even where HIPAA allows it.
        p.append(_block("P2-7", "expiry_event", "'None' is allowed as an expiration only for a TPO consent."))
    if d.signed_on is None or d.signed_by is None:
        p.append(_block("P2-8", "signed_by", "The patient must sign."))
    elif d.minor_may_consent and d.signed_by is Signer.REPRESENTATIVE:
        p.append(_block("P2-8", "signed_by", "A minor who may consent to SUD care signs alone."))
    if d.kind is Kind.PART2_TPO:
        needed = {Statement.REDISCLOSURE, Statement.CONSEQUENCES_OF_REFUSAL}
        if not needed <= d.statements:
            p.append(
                _block(
                    "P2-10",
                    "statements",
                    "A TPO consent must state redisclosure and the consequences of refusing to sign.",
                )
            )
    return p


def _shared_form(kind: Kind | None, same_form_kinds: frozenset[Kind]) -> list[Problem]:
    """H-X1, H-D4: a psychotherapy-notes authorization shares its signed form only with another one."""
    # One signed form recorded as two authorizations is one compound authorization: psychotherapy notes
    # may be combined only with another psychotherapy-notes authorization (164.508(b)(3)(ii)).
    if kind is None or not same_form_kinds:
        return []
    if kind is Kind.PSYCHOTHERAPY_NOTES and same_form_kinds - {Kind.PSYCHOTHERAPY_NOTES}:
        message = (
            "This signed form is already recorded as another kind of authorization: "
            "psychotherapy notes need a signed form of their own."
        )
    elif kind is not Kind.PSYCHOTHERAPY_NOTES and Kind.PSYCHOTHERAPY_NOTES in same_form_kinds:
        message = (
            "This signed form is already recorded as a psychotherapy-notes authorization: "
            "it cannot also authorize other information."
        )
    else:
        return []
    return [_block("H-X1", "signed_form", message)]


def validate(
    d: Draft, *, client_part2: bool, today: date, same_form_kinds: frozenset[Kind] = frozenset()
) -> list[Problem]:
    """Apply every rule of regulatory.md sections 1-2, given the kinds already recorded on the same form."""
    problems: list[Problem] = []
    if d.kind is None:
        problems.append(_block("H-C1", "kind", "Choose the kind of authorization."))
    problems += _core(d, today=today)
    problems += _validity(d)
    problems += _shared_form(d.kind, same_form_kinds)
    problems += _part2(d, client_part2=client_part2)
    return problems


def blocking(problems: list[Problem]) -> list[Problem]:
    """Return the problems that make an authorization unusable."""
    return [p for p in problems if p.severity is Severity.BLOCK]


@dataclass(frozen=True)
class Standing:
    """What decides an authorization's status: its dates and the events recorded against it."""

    effective_on: date
    expires_on: date | None = None
    expiry_event_on: date | None = None
    revoked_on: date | None = None


def status_of(s: Standing, *, today: date) -> Status:
    """Derive the status on `today`: revocation and expiry take effect on the day they occur."""
    if s.revoked_on is not None and s.revoked_on <= today:
        return Status.REVOKED
    if s.expiry_event_on is not None and s.expiry_event_on <= today:
        return Status.EXPIRED
    if s.expires_on is not None and today > s.expires_on:
        return Status.EXPIRED
    if today < s.effective_on:
        return Status.PENDING
    return Status.ACTIVE
