"""Recipient types (P2-4, 2.31(a)(4)(ii)): one vocabulary, the TPO class, and what an intermediary needs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import get_args

import pytest

from roi_tracker.api.schemas.releases import RecipientTypeName
from roi_tracker.domain import exceptions as ex
from roi_tracker.domain import recipients
from roi_tracker.domain.clients import Category
from roi_tracker.domain.consent import Draft
from roi_tracker.domain.consent import Kind
from roi_tracker.domain.consent import Purpose
from roi_tracker.domain.consent import Signer
from roi_tracker.domain.consent import Statement
from roi_tracker.domain.consent import validate
from roi_tracker.domain.recipients import RecipientType

SIGNED = date(2026, 3, 1)


def part2_consent(recipient_type: RecipientType, participants: str = "") -> Draft:
    """A complete Part 2 consent naming one recipient of `recipient_type`."""
    return Draft(
        kind=Kind.PART2,
        recipient_id="recipient-1",
        recipient_type=recipient_type,
        intermediary_participants=participants,
        categories=frozenset({Category.SUD_RECORDS}),
        purposes=frozenset({Purpose.CONTINUITY_OF_CARE}),
        effective_on=SIGNED,
        expires_on=date(2026, 12, 31),
        signed_on=SIGNED,
        signed_by=Signer.CLIENT,
        statements=frozenset(
            {
                Statement.RIGHT_TO_REVOKE,
                Statement.NO_CONDITIONING,
                Statement.REDISCLOSURE,
                Statement.PATIENT_NAME,
            }
        ),
        copy_given_on=SIGNED,
        signed_form_attached=True,
    )


def test_the_directory_the_exceptions_and_the_api_share_one_list_of_recipient_types() -> None:
    """The eleven types of interface.md, in one place."""
    assert recipients.TYPES == (
        "provider",
        "health_plan",
        "payer",
        "program_operations",
        "intermediary",
        "authority",
        "attorney",
        "employer",
        "school",
        "individual",
        "other",
    )
    assert ex.RECIPIENT_TYPES == recipients.TYPES
    assert get_args(RecipientTypeName) == recipients.TYPES


def test_p2_4_the_tpo_class_is_providers_health_plans_payers_and_program_operations_only() -> None:
    """2.31(a)(4)(i): nobody else is in the class a single TPO consent may name."""
    inside = {t for t in RecipientType if recipients.in_tpo_class(t)}
    assert inside == {
        RecipientType.PROVIDER,
        RecipientType.HEALTH_PLAN,
        RecipientType.PAYER,
        RecipientType.PROGRAM_OPERATIONS,
    }


@pytest.mark.parametrize("raw", [None, "", "police", "OTHER"])
def test_a_row_without_a_known_type_reads_as_other_outside_the_tpo_class(raw: str | None) -> None:
    """Rows from before recipients had a type fail closed (P2-4)."""
    assert recipients.of_row(raw) is RecipientType.OTHER
    assert not recipients.in_tpo_class(recipients.of_row(raw))


def test_2_31_a_4_ii_a_consent_to_an_intermediary_needs_its_participants() -> None:
    """An HIE named without its participants or a treating-provider class is refused under P2-4."""
    problems = validate(part2_consent(RecipientType.INTERMEDIARY), client_part2=True, today=SIGNED)
    assert [(p.rule, p.field) for p in problems] == [("P2-4", "intermediary_participants")]
    assert "2.31(a)(4)(ii)" in problems[0].message


@pytest.mark.parametrize(
    "participants", ["Valley Clinic; Dr. Ames", "participants with a treating provider relationship"]
)
def test_2_31_a_4_ii_named_participants_or_a_treating_provider_class_are_enough(participants: str) -> None:
    """Either names or the treating-provider class satisfies 2.31(a)(4)(ii)."""
    draft = part2_consent(RecipientType.INTERMEDIARY, participants)
    assert validate(draft, client_part2=True, today=SIGNED) == []


def test_p2_4_a_consent_naming_a_provider_needs_no_participants() -> None:
    """Only an intermediary needs them, and only under Part 2."""
    assert validate(part2_consent(RecipientType.PROVIDER), client_part2=True, today=SIGNED) == []
    hipaa = replace(
        part2_consent(RecipientType.INTERMEDIARY), kind=Kind.HIPAA, categories=frozenset({Category.DIAGNOSIS})
    )
    assert validate(hipaa, client_part2=False, today=SIGNED) == []
