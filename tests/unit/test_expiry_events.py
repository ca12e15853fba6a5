"""Rule H-C5: an expiration event is one a form can name; free text only describes an event to come."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from roi_tracker.domain import consent
from roi_tracker.domain import expiry
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.services.releases.terms import parse_draft
from tests.unit.test_consent_validator import complete

TODAY = date(2026, 3, 1)


def h_c5(draft: consent.Draft) -> list[tuple[str, str]]:
    """The H-C5 problems of a HIPAA draft that expires only by event."""
    problems = consent.validate(draft, client_part2=False, today=TODAY)
    return [(p.field, p.message) for p in problems if p.rule == "H-C5"]


def by_event(stored: str) -> consent.Draft:
    """A complete HIPAA authorization that ends at the stored event instead of a date."""
    return replace(complete(consent.Kind.HIPAA), expires_on=None, expiry_event=stored)


@pytest.mark.parametrize("kind", ["end_of_treatment", "discharge", "purpose_completed"])
def test_h_c5_accepts_each_event_a_form_can_name(kind: str) -> None:
    """End of treatment, discharge and completion of the purpose need no text."""
    assert h_c5(by_event(parse_draft({"expiry_event": kind}, signed_form_attached=True).expiry_event)) == []


def test_h_c5_accepts_a_described_event_with_its_description() -> None:
    """A described event is stored with its words and needs nothing more."""
    fields = {"expiry_event": {"kind": "described", "description": "The end of my custody case"}}
    stored = parse_draft(fields, signed_form_attached=True).expiry_event
    assert expiry.decode(stored) == expiry.Event(expiry.EventKind.DESCRIBED, "The end of my custody case")
    assert h_c5(by_event(stored)) == []


@pytest.mark.parametrize("text", ["never", "x", "until revoked", "Until revoked.", "forever"])
def test_h_c5_refuses_free_text_that_is_not_a_kind(text: str) -> None:
    """A plain string must be a kind's name: 'never', 'x' and 'until revoked' are refused naming H-C5."""
    with pytest.raises(InvalidInput, match="H-C5") as refused:
        parse_draft({"expiry_event": text}, signed_form_attached=True)
    assert refused.value.field == "expiry_event"


@pytest.mark.parametrize("text", ["never", "x", "until revoked", "None", "n/a", "", "   "])
def test_h_c5_refuses_a_described_event_that_names_no_event(text: str) -> None:
    """A described event needs words that name an event, not 'never', 'x', 'until revoked' or nothing."""
    fields = {"expiry_event": {"kind": "described", "description": text}}
    problems = h_c5(by_event(parse_draft(fields, signed_form_attached=True).expiry_event))
    assert [field for field, _ in problems] == ["expiry_event"]


def test_h_c5_allows_none_only_for_research() -> None:
    """'none' is a kind, refused for continuity of care and accepted for research."""
    assert [f for f, _ in h_c5(by_event("none"))] == ["expiry_event"]
    research = replace(by_event("none"), purposes=frozenset({consent.Purpose.RESEARCH}))
    assert h_c5(research) == []


@pytest.mark.parametrize(
    ("stored", "event"),
    [
        ("end of treatment", expiry.Event(expiry.EventKind.END_OF_TREATMENT)),
        ("Discharge", expiry.Event(expiry.EventKind.DISCHARGE)),
        ("No expiration", expiry.Event(expiry.EventKind.NONE)),
        ("when my court case closes", expiry.Event(expiry.EventKind.DESCRIBED, "when my court case closes")),
        ("described: graduation", expiry.Event(expiry.EventKind.DESCRIBED, "graduation")),
    ],
)
def test_h_c5_reads_free_text_stored_before_the_kinds_existed(stored: str, event: expiry.Event) -> None:
    """Old stored values still read: a kind's words as that kind, any other text as a described event."""
    assert expiry.decode(stored) == event


def test_h_c5_discharge_ends_only_end_of_treatment_and_discharge_events() -> None:
    """Discharge brings about end of treatment and discharge, not a purpose completed or a described event."""
    ended = {k.value for k in expiry.EventKind if expiry.ended_by_discharge(k.value)}
    assert ended == {"end_of_treatment", "discharge"}
    assert expiry.ended_by_discharge("end of treatment")
    assert not expiry.ended_by_discharge("described: end of the school year")
