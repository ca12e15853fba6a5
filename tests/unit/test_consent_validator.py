"""The authorization validator (regulatory.md sections 1-2), one test per rule id, and derived status.

Each test starts from a complete, valid draft of a kind, changes exactly one element, and asserts the exact
set of rule ids the validator reports. A Part 2 element that HIPAA also requires yields both rule ids.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from datetime import timedelta

import pytest

from roi_tracker.domain.clients import Category
from roi_tracker.domain.consent import PART2_KINDS
from roi_tracker.domain.consent import TPO_CLASS
from roi_tracker.domain.consent import Draft
from roi_tracker.domain.consent import Kind
from roi_tracker.domain.consent import Problem
from roi_tracker.domain.consent import Purpose
from roi_tracker.domain.consent import Severity
from roi_tracker.domain.consent import Signer
from roi_tracker.domain.consent import Standing
from roi_tracker.domain.consent import Statement
from roi_tracker.domain.consent import Status
from roi_tracker.domain.consent import blocking
from roi_tracker.domain.consent import status_of
from roi_tracker.domain.consent import validate

TODAY = date(2026, 3, 10)
SIGNED = date(2026, 3, 2)
HIPAA_STATEMENTS = frozenset({Statement.RIGHT_TO_REVOKE, Statement.NO_CONDITIONING, Statement.REDISCLOSURE})
PART2_STATEMENTS = HIPAA_STATEMENTS | {Statement.PATIENT_NAME}
TPO_STATEMENTS = frozenset(
    {
        Statement.RIGHT_TO_REVOKE,
        Statement.REDISCLOSURE,
        Statement.CONSEQUENCES_OF_REFUSAL,
        Statement.PATIENT_NAME,
    }
)
HIPAA_KINDS = (Kind.HIPAA, Kind.PSYCHOTHERAPY_NOTES)
PART2_ONLY = (
    Kind.PART2,
    Kind.PART2_TPO,
    Kind.PART2_COUNSELING_NOTES,
    Kind.PART2_LEGAL_PROCEEDINGS,
)

# What each kind covers in its complete form: the categories and purposes its own rules allow.
_SCOPE: dict[Kind, tuple[frozenset[Category], frozenset[Purpose]]] = {
    Kind.HIPAA: (
        frozenset({Category.DIAGNOSIS, Category.TREATMENT_PLAN}),
        frozenset({Purpose.CONTINUITY_OF_CARE}),
    ),
    Kind.PSYCHOTHERAPY_NOTES: (
        frozenset({Category.PSYCHOTHERAPY_NOTES}),
        frozenset({Purpose.AT_REQUEST_OF_CLIENT}),
    ),
    Kind.PART2: (
        frozenset({Category.SUD_RECORDS, Category.DIAGNOSIS}),
        frozenset({Purpose.CONTINUITY_OF_CARE}),
    ),
    Kind.PART2_TPO: (
        frozenset({Category.SUD_RECORDS, Category.BILLING}),
        frozenset({Purpose.TREATMENT_PAYMENT_OPERATIONS}),
    ),
    Kind.PART2_COUNSELING_NOTES: (
        frozenset({Category.SUD_COUNSELING_NOTES}),
        frozenset({Purpose.CONTINUITY_OF_CARE}),
    ),
    Kind.PART2_LEGAL_PROCEEDINGS: (frozenset({Category.SUD_RECORDS}), frozenset({Purpose.LEGAL})),
}


def complete(kind: Kind) -> Draft:
    """Return a draft of `kind` that carries every element its rules ask for."""
    categories, purposes = _SCOPE[kind]
    part2 = kind in PART2_KINDS
    tpo = kind is Kind.PART2_TPO
    return Draft(
        kind=kind,
        recipient_id=None if tpo else "recipient-1",
        recipient_class=TPO_CLASS if tpo else "",
        categories=categories,
        purposes=purposes,
        effective_on=SIGNED,
        expires_on=date(2026, 12, 31),
        signed_on=SIGNED,
        signed_by=Signer.CLIENT,
        statements=TPO_STATEMENTS if tpo else PART2_STATEMENTS if part2 else HIPAA_STATEMENTS,
        copy_given_on=SIGNED,
        copy_method="handed over at the front desk",
        signed_form_attached=True,
    )


def problems_of(draft: Draft, *, client_part2: bool | None = None) -> list[Problem]:
    """Validate `draft` for a client whose records are Part 2 exactly when the kind is a Part 2 kind."""
    part2 = draft.kind in PART2_KINDS if client_part2 is None else client_part2
    return validate(draft, client_part2=part2, today=TODAY)


def rules_of(draft: Draft, *, client_part2: bool | None = None) -> set[str]:
    """Return the set of rule ids the validator reports for `draft`."""
    return {p.rule for p in problems_of(draft, client_part2=client_part2)}


def without(draft: Draft, *statements: Statement) -> Draft:
    """Return `draft` with `statements` taken off the form."""
    return replace(draft, statements=draft.statements - set(statements))


def adding(draft: Draft, *categories: Category) -> Draft:
    """Return `draft` covering `categories` as well."""
    return replace(draft, categories=draft.categories | set(categories))


@pytest.mark.parametrize("kind", list(Kind))
def test_a_complete_draft_of_every_kind_has_no_problem(kind: Kind) -> None:
    """The starting point of every other test is clean: nothing blocks, nothing warns."""
    assert problems_of(complete(kind)) == []


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        pytest.param(replace(complete(Kind.HIPAA), categories=frozenset()), {"H-C1"}, id="hipaa no category"),
        pytest.param(replace(complete(Kind.HIPAA), kind=None), {"H-C1"}, id="no kind"),
        pytest.param(
            replace(complete(Kind.PART2), categories=frozenset()), {"H-C1", "P2-3"}, id="part2 no category"
        ),
    ],
)
def test_h_c1_requires_a_description_of_the_information(draft: Draft, expected: set[str]) -> None:
    """No category (or no kind at all) is H-C1; a Part 2 consent without a category also misses P2-3."""
    assert rules_of(draft, client_part2=draft.kind in PART2_KINDS) == expected


def test_h_c2_requires_who_may_disclose() -> None:
    """A blank disclosing party is H-C2."""
    problems = problems_of(replace(complete(Kind.HIPAA), disclosing_party="  "))
    assert [(p.rule, p.field) for p in problems] == [("H-C2", "disclosing_party")]


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        pytest.param(replace(complete(Kind.HIPAA), recipient_id=None), {"H-C3"}, id="hipaa"),
        pytest.param(replace(complete(Kind.PART2), recipient_id=None), {"H-C3", "P2-4"}, id="part2"),
        pytest.param(replace(complete(Kind.PART2_TPO), recipient_class=""), {"H-C3", "P2-4"}, id="tpo"),
        pytest.param(
            replace(complete(Kind.HIPAA), recipient_id=None, recipient_class=TPO_CLASS),
            {"H-C3"},
            id="class outside tpo",
        ),
    ],
)
def test_h_c3_requires_a_named_recipient(draft: Draft, expected: set[str]) -> None:
    """No recipient is H-C3 (and P2-4 on Part 2); only a Part 2 TPO consent may name the TPO class."""
    assert rules_of(draft) == expected


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        pytest.param(replace(complete(Kind.HIPAA), purposes=frozenset()), "purposes", id="no purpose"),
        pytest.param(
            replace(complete(Kind.HIPAA), purposes=frozenset({Purpose.OTHER})), "purpose_text", id="other"
        ),
        pytest.param(replace(complete(Kind.PART2), purposes=frozenset()), "purposes", id="part2"),
    ],
)
def test_h_c4_requires_a_purpose(draft: Draft, field: str) -> None:
    """No purpose, or 'other' without its words, is H-C4 alone, on the field that is missing."""
    problems = problems_of(draft)
    assert [(p.rule, p.field) for p in problems] == [("H-C4", field)]


def test_h_c4_accepts_other_with_its_words() -> None:
    """'Other' with a description is a purpose."""
    draft = replace(complete(Kind.HIPAA), purposes=frozenset({Purpose.OTHER}), purpose_text="tax appeal")
    assert problems_of(draft) == []


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        pytest.param(replace(complete(Kind.HIPAA), expires_on=None), {"H-C5"}, id="hipaa no expiry"),
        pytest.param(replace(complete(Kind.PART2), expires_on=None), {"H-C5", "P2-7"}, id="part2 no expiry"),
        pytest.param(
            replace(complete(Kind.HIPAA), expires_on=None, expiry_event="None"), {"H-C5"}, id="none in hipaa"
        ),
        pytest.param(
            replace(complete(Kind.HIPAA), expires_on=None, expiry_event="no expiration"),
            {"H-C5"},
            id="no expiration in hipaa",
        ),
        pytest.param(
            replace(complete(Kind.PART2), expires_on=None, expiry_event="none"),
            {"H-C5", "P2-7"},
            id="none in part2",
        ),
    ],
)
def test_h_c5_requires_an_expiration_date_or_event(draft: Draft, expected: set[str]) -> None:
    """Neither a date nor an event is H-C5 (and P2-7); 'none' outside research or a TPO consent too."""
    assert rules_of(draft) == expected


@pytest.mark.parametrize(
    "draft",
    [
        pytest.param(
            replace(
                complete(Kind.HIPAA),
                purposes=frozenset({Purpose.RESEARCH}),
                expires_on=None,
                expiry_event="none",
            ),
            id="hipaa research",
        ),
        pytest.param(replace(complete(Kind.PART2_TPO), expires_on=None, expiry_event="none"), id="tpo"),
        pytest.param(
            replace(complete(Kind.PART2), expires_on=None, expiry_event="end_of_treatment"), id="event"
        ),
    ],
)
def test_h_c5_allows_none_only_for_research_and_a_part2_tpo_consent(draft: Draft) -> None:
    """'None' is an expiration for research and for a Part 2 TPO consent; an event is one for any kind."""
    assert problems_of(draft) == []


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        pytest.param(replace(complete(Kind.HIPAA), signed_on=None), {"H-C6"}, id="hipaa no date"),
        pytest.param(replace(complete(Kind.HIPAA), signed_by=None), {"H-C6"}, id="hipaa no signer"),
        pytest.param(replace(complete(Kind.PART2), signed_on=None), {"H-C6", "P2-8"}, id="part2 no date"),
        pytest.param(
            replace(complete(Kind.HIPAA), signed_on=TODAY + timedelta(days=1)), {"H-C6"}, id="signed tomorrow"
        ),
        pytest.param(
            replace(complete(Kind.PART2), signed_on=TODAY + timedelta(days=1)), {"H-C6"}, id="part2 tomorrow"
        ),
    ],
)
def test_h_c6_requires_a_signature_dated_no_later_than_today(draft: Draft, expected: set[str]) -> None:
    """A missing signature or date is H-C6 (and P2-8); a signed date in the future is H-C6."""
    assert rules_of(draft) == expected


def test_h_c6_accepts_a_form_signed_today() -> None:
    """Today is not the future."""
    assert problems_of(replace(complete(Kind.HIPAA), signed_on=TODAY)) == []


REPRESENTATIVE = {
    "representative_name": "Ana Rivera",
    "representative_relationship": "mother",
    "representative_authority": "parent of a minor",
}


@pytest.mark.parametrize("missing", [*REPRESENTATIVE, None])
def test_h_c7_requires_the_representatives_name_relationship_and_authority(missing: str | None) -> None:
    """A representative's signature needs all three details; each one missing is H-C7."""
    given = {name: ("" if name == missing else value) for name, value in REPRESENTATIVE.items()}
    draft = replace(complete(Kind.HIPAA), signed_by=Signer.REPRESENTATIVE, **given)
    assert rules_of(draft) == ({"H-C7"} if missing else set())


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(Kind.HIPAA, {"H-S1"}), (Kind.PART2, {"H-S1", "P2-6"}), (Kind.PART2_TPO, {"H-S1", "P2-6"})],
)
def test_h_s1_requires_the_right_to_revoke(kind: Kind, expected: set[str]) -> None:
    """No statement of the right to revoke is H-S1, and P2-6 on a Part 2 consent."""
    assert rules_of(without(complete(kind), Statement.RIGHT_TO_REVOKE)) == expected


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        pytest.param(without(complete(Kind.HIPAA), Statement.NO_CONDITIONING), {"H-S2"}, id="hipaa"),
        pytest.param(without(complete(Kind.PART2), Statement.NO_CONDITIONING), {"H-S2"}, id="part2"),
        pytest.param(
            without(complete(Kind.PART2_TPO), Statement.CONSEQUENCES_OF_REFUSAL), {"H-S2", "P2-10"}, id="tpo"
        ),
        pytest.param(
            replace(
                complete(Kind.HIPAA),
                statements=HIPAA_STATEMENTS - {Statement.NO_CONDITIONING}
                | {Statement.CONSEQUENCES_OF_REFUSAL},
            ),
            {"H-S2"},
            id="consequences outside tpo",
        ),
    ],
)
def test_h_s2_requires_the_no_conditioning_statement(draft: Draft, expected: set[str]) -> None:
    """No 'not conditioned on signing' is H-S2; only a TPO consent may state the consequences instead."""
    assert rules_of(draft) == expected


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(Kind.HIPAA, {"H-S3"}), (Kind.PART2, {"H-S3"}), (Kind.PART2_TPO, {"H-S3", "P2-10"})],
)
def test_h_s3_requires_the_redisclosure_statement(kind: Kind, expected: set[str]) -> None:
    """No redisclosure warning is H-S3, and P2-10 on a TPO consent."""
    assert rules_of(without(complete(kind), Statement.REDISCLOSURE)) == expected


def test_h_p1_warns_when_the_form_is_not_in_plain_language() -> None:
    """A form template not in plain language is a warning, not a block."""
    problems = problems_of(replace(complete(Kind.HIPAA), plain_language_form=False))
    assert [(p.rule, p.severity) for p in problems] == [("H-P1", Severity.WARN)]
    assert blocking(problems) == []


def test_h_p2_warns_when_no_copy_was_given_to_the_client() -> None:
    """No record of the client's copy is a warning on copy_given_on, not a block."""
    problems = problems_of(replace(complete(Kind.HIPAA), copy_given_on=None))
    assert [(p.rule, p.severity, p.field) for p in problems] == [("H-P2", Severity.WARN, "copy_given_on")]
    assert blocking(problems) == []


def test_h_d1_refuses_an_expiration_before_the_effective_date() -> None:
    """An authorization that expires before it starts is H-D1; expiring on its first day is fine."""
    assert rules_of(replace(complete(Kind.HIPAA), expires_on=SIGNED - timedelta(days=1))) == {"H-D1"}
    assert rules_of(replace(complete(Kind.HIPAA), expires_on=SIGNED)) == set()


def test_dt_1_refuses_a_record_range_that_ends_before_it_begins() -> None:
    """Records dated up to before they are dated from: DT-1 on records_to; a sane range is fine."""
    draft = replace(complete(Kind.HIPAA), records_from=date(2025, 6, 1), records_to=date(2025, 5, 31))
    assert [(p.rule, p.field) for p in problems_of(draft)] == [("DT-1", "records_to")]
    assert problems_of(replace(draft, records_to=date(2025, 6, 1))) == []


@pytest.mark.parametrize("kind", list(Kind))
def test_h_d2_requires_the_signed_form(kind: Kind) -> None:
    """Without the signed form attached every kind is H-D2, on the signed_form field."""
    problems = problems_of(replace(complete(kind), signed_form_attached=False))
    assert [(p.rule, p.field) for p in problems] == [("H-D2", "signed_form")]


def test_h_d4_refuses_treatment_conditioned_on_signing() -> None:
    """Conditioning treatment on the authorization is H-D4."""
    assert rules_of(replace(complete(Kind.HIPAA), conditioned_on_treatment=True)) == {"H-D4"}


def test_h_d5_refuses_a_form_known_to_be_false() -> None:
    """A staff flag of materially false information is H-D5."""
    assert rules_of(replace(complete(Kind.HIPAA), known_false=True)) == {"H-D5"}


@pytest.mark.parametrize(
    "draft",
    [
        pytest.param(adding(complete(Kind.PSYCHOTHERAPY_NOTES), Category.DIAGNOSIS), id="notes plus more"),
        pytest.param(adding(complete(Kind.HIPAA), Category.PSYCHOTHERAPY_NOTES), id="notes in a hipaa form"),
    ],
)
def test_h_x1_keeps_psychotherapy_notes_on_their_own_authorization(draft: Draft) -> None:
    """Psychotherapy notes need their own kind, and that kind holds nothing else: H-X1 both ways."""
    assert rules_of(draft) == {"H-X1"}


@pytest.mark.parametrize(
    ("kind", "same_form_kinds"),
    [
        pytest.param(Kind.PSYCHOTHERAPY_NOTES, {Kind.HIPAA}, id="notes after a hipaa form"),
        pytest.param(Kind.PSYCHOTHERAPY_NOTES, {Kind.PSYCHOTHERAPY_NOTES, Kind.PART2}, id="notes after two"),
        pytest.param(Kind.HIPAA, {Kind.PSYCHOTHERAPY_NOTES}, id="hipaa after a notes form"),
        pytest.param(Kind.PART2, {Kind.PSYCHOTHERAPY_NOTES}, id="part2 after a notes form"),
    ],
)
def test_h_x1_refuses_a_psychotherapy_notes_authorization_sharing_its_signed_form(
    kind: Kind, same_form_kinds: set[Kind]
) -> None:
    """One signed form recorded as notes and as anything else is a compound authorization: H-X1 either way."""
    problems = validate(
        complete(kind), client_part2=False, today=TODAY, same_form_kinds=frozenset(same_form_kinds)
    )
    assert [(p.rule, p.severity, p.field) for p in problems] == [("H-X1", Severity.BLOCK, "signed_form")]


@pytest.mark.parametrize(
    ("kind", "same_form_kinds"),
    [
        pytest.param(Kind.PSYCHOTHERAPY_NOTES, {Kind.PSYCHOTHERAPY_NOTES}, id="notes with notes"),
        pytest.param(Kind.HIPAA, {Kind.HIPAA, Kind.PART2}, id="no notes on the form"),
    ],
)
def test_h_x1_allows_a_signed_form_shared_only_among_psychotherapy_notes_or_without_them(
    kind: Kind, same_form_kinds: set[Kind]
) -> None:
    """Notes combine with notes (164.508(b)(3)(ii)); H-X1 says nothing about forms without notes."""
    assert (
        validate(complete(kind), client_part2=False, today=TODAY, same_form_kinds=frozenset(same_form_kinds))
        == []
    )


def test_p2_1_requires_the_patients_name() -> None:
    """A Part 2 consent without the patient's name is P2-1; HIPAA does not ask for it."""
    assert rules_of(without(complete(Kind.PART2), Statement.PATIENT_NAME)) == {"P2-1"}
    assert rules_of(without(complete(Kind.HIPAA), Statement.PATIENT_NAME)) == set()


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        pytest.param(replace(complete(Kind.PART2), categories=frozenset({Category.DIAGNOSIS})), "categories"),
        pytest.param(
            replace(complete(Kind.PART2_TPO), categories=frozenset({Category.BILLING})),
            "categories",
            id="tpo",
        ),
    ],
)
def test_p2_3_requires_the_sud_information_named(draft: Draft, field: str) -> None:
    """A Part 2 consent that names no substance-use category is P2-3."""
    assert [(p.rule, p.field) for p in problems_of(draft)] == [("P2-3", field)]


@pytest.mark.parametrize("kind", HIPAA_KINDS)
def test_p2_3_refuses_a_hipaa_kind_for_a_part2_client(kind: Kind) -> None:
    """A client whose records are Part 2 records needs a Part 2 consent: a HIPAA kind is P2-3."""
    problems = problems_of(complete(kind), client_part2=True)
    assert [(p.rule, p.field) for p in problems] == [("P2-3", "kind")]


@pytest.mark.parametrize("kind", PART2_ONLY)
def test_a_part2_kind_is_accepted_for_a_client_without_part2_records(kind: Kind) -> None:
    """Part 2 consents are stricter than HIPAA, so one for a non-Part 2 client is no problem."""
    assert problems_of(complete(kind), client_part2=False) == []


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        pytest.param(replace(complete(Kind.PART2), recipient_id=None), {"H-C3", "P2-4"}, id="part2"),
        pytest.param(
            replace(complete(Kind.PART2_TPO), recipient_class=""), {"H-C3", "P2-4"}, id="tpo without class"
        ),
        pytest.param(
            replace(complete(Kind.PART2_TPO), recipient_id="recipient-1", recipient_class=""),
            set(),
            id="tpo naming a person",
        ),
    ],
)
def test_p2_4_requires_a_named_recipient_or_the_tpo_class(draft: Draft, expected: set[str]) -> None:
    """A Part 2 consent names its recipient; only a TPO consent may name the TPO class instead."""
    assert rules_of(draft) == expected


def test_p2_6_requires_the_right_to_revoke_on_a_part2_consent() -> None:
    """The same missing statement is H-S1 under HIPAA and P2-6 under Part 2: both are reported."""
    problems = problems_of(without(complete(Kind.PART2_COUNSELING_NOTES), Statement.RIGHT_TO_REVOKE))
    assert [(p.rule, p.field) for p in problems] == [("H-S1", "statements"), ("P2-6", "statements")]


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        pytest.param(
            replace(complete(Kind.PART2_LEGAL_PROCEEDINGS), expires_on=None),
            [("H-C5", "expires_on"), ("P2-7", "expires_on")],
            id="no expiration",
        ),
        pytest.param(
            replace(
                complete(Kind.PART2),
                purposes=frozenset({Purpose.RESEARCH}),
                expires_on=None,
                expiry_event="none",
            ),
            [("P2-7", "expiry_event")],
            id="none for research",
        ),
    ],
)
def test_p2_7_requires_an_expiration_on_a_part2_consent(
    draft: Draft, expected: list[tuple[str, str]]
) -> None:
    """No expiration is H-C5 and P2-7; 'none' is P2-7 even for research (only a TPO consent may say it)."""
    assert [(p.rule, p.field) for p in problems_of(draft)] == expected


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        pytest.param(replace(complete(Kind.PART2), signed_by=None), {"H-C6", "P2-8"}, id="no signature"),
        pytest.param(
            replace(
                complete(Kind.PART2),
                minor_may_consent=True,
                signed_by=Signer.REPRESENTATIVE,
                **REPRESENTATIVE,
            ),
            {"P2-8"},
            id="minor's representative signed",
        ),
        pytest.param(replace(complete(Kind.PART2), minor_may_consent=True), set(), id="minor signed alone"),
        pytest.param(
            replace(complete(Kind.PART2), signed_by=Signer.REPRESENTATIVE, **REPRESENTATIVE),
            set(),
            id="representative of an adult",
        ),
    ],
)
def test_p2_8_requires_the_patients_signature(draft: Draft, expected: set[str]) -> None:
    """No signature is H-C6 and P2-8; a minor who may consent to SUD care signs alone (P2-8)."""
    assert rules_of(draft) == expected


def test_p2_10_requires_a_tpo_consent_to_state_the_consequences_of_refusing() -> None:
    """A TPO consent that says 'no conditioning' but not the consequences of refusing is P2-10 alone."""
    draft = replace(
        complete(Kind.PART2_TPO),
        statements=TPO_STATEMENTS - {Statement.CONSEQUENCES_OF_REFUSAL} | {Statement.NO_CONDITIONING},
    )
    assert [(p.rule, p.field) for p in problems_of(draft)] == [("P2-10", "statements")]


@pytest.mark.parametrize(
    ("draft", "client_part2"),
    [
        pytest.param(adding(complete(Kind.PART2_COUNSELING_NOTES), Category.SUD_RECORDS), True, id="cn plus"),
        pytest.param(adding(complete(Kind.PART2), Category.SUD_COUNSELING_NOTES), True, id="in a part2 form"),
        pytest.param(
            adding(complete(Kind.HIPAA), Category.SUD_COUNSELING_NOTES), False, id="in a hipaa form"
        ),
    ],
)
def test_p2_cn_keeps_sud_counseling_notes_on_their_own_consent(draft: Draft, client_part2: bool) -> None:
    """SUD counseling notes need their own consent, which holds nothing else: P2-CN both ways."""
    assert rules_of(draft, client_part2=client_part2) == {"P2-CN"}


@pytest.mark.parametrize(
    "draft",
    [
        pytest.param(
            replace(
                complete(Kind.PART2_LEGAL_PROCEEDINGS),
                purposes=frozenset({Purpose.LEGAL, Purpose.CONTINUITY_OF_CARE}),
            ),
            id="legal consent with another purpose",
        ),
        pytest.param(
            replace(complete(Kind.PART2), purposes=frozenset({Purpose.CONTINUITY_OF_CARE, Purpose.LEGAL})),
            id="legal purpose in a general consent",
        ),
    ],
)
def test_p2_lp_keeps_consent_for_legal_proceedings_separate(draft: Draft) -> None:
    """A legal-proceedings consent stands alone; no other Part 2 consent covers 'legal': P2-LP both ways."""
    assert rules_of(draft) == {"P2-LP"}


def test_p2_lp_does_not_apply_to_a_hipaa_authorization() -> None:
    """A HIPAA authorization for a non-Part 2 client may cover a legal purpose."""
    draft = replace(complete(Kind.HIPAA), purposes=frozenset({Purpose.LEGAL}))
    assert problems_of(draft) == []


def test_reports_every_problem_at_once() -> None:
    """An empty draft lists every missing element with its own rule id, not just the first."""
    problems = validate(Draft(), client_part2=False, today=TODAY)
    assert [p.rule for p in problems] == [
        "H-C1",
        "H-C1",
        "H-C3",
        "H-C4",
        "H-C5",
        "H-C6",
        "H-S1",
        "H-S2",
        "H-S3",
        "H-P2",
        "H-D2",
    ]
    assert blocking(problems) == [p for p in problems if p.rule != "H-P2"]
    assert all(p.message.endswith(".") for p in problems)


# -- derived status ----------------------------------------------------------------------------------------

EFFECTIVE = date(2026, 3, 1)
EXPIRES = date(2026, 6, 30)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (EFFECTIVE - DAY, Status.PENDING),
        (EFFECTIVE, Status.ACTIVE),
        (EXPIRES, Status.ACTIVE),
        (EXPIRES + DAY, Status.EXPIRED),
    ],
)
def test_status_follows_the_dates_on_their_exact_days(today: date, expected: Status) -> None:
    """Pending the day before it takes effect, active from its first through its last day, expired after."""
    assert status_of(Standing(EFFECTIVE, EXPIRES), today=today) is expected


def test_status_without_an_end_date_stays_active() -> None:
    """An authorization that ends by event only is active until the event is recorded."""
    assert status_of(Standing(EFFECTIVE), today=date(2040, 1, 1)) is Status.ACTIVE


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 4, 14), Status.ACTIVE),
        (date(2026, 4, 15), Status.REVOKED),
        (date(2026, 4, 16), Status.REVOKED),
    ],
)
def test_status_is_revoked_from_the_day_the_revocation_is_received(today: date, expected: Status) -> None:
    """A revocation received on 15 April takes effect that day (H-D3)."""
    standing = Standing(EFFECTIVE, EXPIRES, revoked_on=date(2026, 4, 15))
    assert status_of(standing, today=today) is expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 4, 14), Status.ACTIVE),
        (date(2026, 4, 15), Status.EXPIRED),
        (date(2026, 4, 16), Status.EXPIRED),
    ],
)
def test_status_is_expired_from_the_day_the_expiry_event_occurred(today: date, expected: Status) -> None:
    """'End of treatment' recorded on 15 April ends the authorization that day (H-D1)."""
    standing = Standing(EFFECTIVE, expiry_event_on=date(2026, 4, 15))
    assert status_of(standing, today=today) is expected


def test_a_revocation_outranks_an_expiry() -> None:
    """Revoked and then past its date, the authorization reads as revoked (the stronger reason)."""
    standing = Standing(EFFECTIVE, EXPIRES, expiry_event_on=date(2026, 4, 1), revoked_on=date(2026, 3, 20))
    assert status_of(standing, today=date(2026, 7, 1)) is Status.REVOKED


def test_a_revocation_received_before_the_effective_date_makes_it_revoked_not_pending() -> None:
    """Revoked before it ever took effect: revoked, so it never permits."""
    standing = Standing(EFFECTIVE, EXPIRES, revoked_on=EFFECTIVE - 2 * DAY)
    assert status_of(standing, today=EFFECTIVE - DAY) is Status.REVOKED
