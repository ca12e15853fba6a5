"""Minors and personal representatives (H-C7 with 164.502(g)(3) and (g)(5); P2-8 with 42 CFR 2.14)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from roi_tracker.domain.clients import Category
from roi_tracker.domain.consent import Draft
from roi_tracker.domain.consent import Kind
from roi_tracker.domain.consent import Purpose
from roi_tracker.domain.consent import Signer
from roi_tracker.domain.consent import Statement
from roi_tracker.domain.consent import validate
from roi_tracker.domain.representatives import age_on
from roi_tracker.domain.representatives import check
from roi_tracker.domain.representatives import is_minor
from roi_tracker.domain.representatives import minor_may_consent

SIGNED = date(2026, 3, 1)


def signed_by_parent(kind: Kind = Kind.HIPAA) -> Draft:
    """A complete authorization signed by the client's mother as personal representative."""
    part2 = kind is Kind.PART2
    return Draft(
        kind=kind,
        recipient_id="recipient-1",
        categories=frozenset({Category.SUD_RECORDS if part2 else Category.DIAGNOSIS}),
        purposes=frozenset({Purpose.CONTINUITY_OF_CARE}),
        effective_on=SIGNED,
        expires_on=date(2026, 12, 31),
        signed_on=SIGNED,
        signed_by=Signer.REPRESENTATIVE,
        representative_name="Ana Okafor",
        representative_relationship="mother",
        representative_authority="parent of a minor",
        statements=frozenset(
            {Statement.RIGHT_TO_REVOKE, Statement.NO_CONDITIONING, Statement.REDISCLOSURE}
            | ({Statement.PATIENT_NAME} if part2 else set())
        ),
        copy_given_on=SIGNED,
        signed_form_attached=True,
    )


@pytest.mark.parametrize(
    ("born", "minor"),
    [
        (date(2008, 3, 2), True),
        (date(2008, 3, 1), False),
        (date(1990, 1, 1), False),
        (date(2012, 6, 1), True),
    ],
)
def test_minor_status_is_derived_from_the_date_of_birth_on_the_day_signed(born: date, minor: bool) -> None:
    """Eighteen on the day signed is an adult; a day short is a minor."""
    assert is_minor(born, SIGNED) is minor
    assert age_on(date(2008, 3, 1), SIGNED) == 18


def test_the_age_of_majority_is_a_setting_for_state_law() -> None:
    """A state with 19 (Alabama, Nebraska) makes an 18-year-old a minor."""
    assert is_minor(date(2008, 1, 1), SIGNED, age_of_majority=19)


def test_only_a_minor_who_consented_to_the_care_controls_its_records() -> None:
    """164.502(g)(3), 2.14: both facts are needed."""
    assert minor_may_consent(minor=True, consented_to_care=True)
    assert not minor_may_consent(minor=True, consented_to_care=False)
    assert not minor_may_consent(minor=False, consented_to_care=True)


def test_h_c7_a_parent_alone_may_not_sign_a_hipaa_authorization_for_care_the_minor_consented_to() -> None:
    """164.502(g)(3): the parent is not the personal representative for that care."""
    found = check(replace(signed_by_parent(), minor_may_consent=True))
    assert [(p.rule, p.field) for p in found] == [("H-C7", "signed_by")]
    assert "164.502(g)(3)" in found[0].message


def test_p2_8_a_parent_alone_may_not_sign_a_part2_consent_for_a_minor_who_consented_to_sud_care() -> None:
    """2.31(a)(8), 2.14: only the minor signs; reported once, by P2-8."""
    draft = replace(signed_by_parent(Kind.PART2), minor_may_consent=True)
    problems = validate(draft, client_part2=True, today=SIGNED) + check(draft)
    assert [(p.rule, p.field) for p in problems] == [("P2-8", "signed_by")]


def test_a_parent_signs_for_a_minor_who_did_not_consent_to_the_care_alone() -> None:
    """Then the parent is the personal representative, as before."""
    assert check(signed_by_parent()) == []


def test_h_c7_a_representative_is_refused_while_a_child_abuse_report_suspects_a_parent() -> None:
    """164.502(g)(5): unless the clinician confirms the signer is not the person suspected."""
    suspected = replace(signed_by_parent(), representative_suspected=True)
    assert [(p.rule, p.field) for p in check(suspected)] == [("H-C7", "representative_not_suspected")]
    assert "164.502(g)(5)" in check(suspected)[0].message
    assert check(replace(suspected, representative_not_suspected=True)) == []


def test_the_client_signing_is_never_refused_for_a_suspected_parent() -> None:
    """The rule is about who may act for the client, not about the client."""
    own = replace(
        signed_by_parent(), signed_by=Signer.CLIENT, representative_suspected=True, minor_may_consent=True
    )
    assert check(own) == []
