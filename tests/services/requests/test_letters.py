"""The request letters in plain language (H-A8, H-A9, H-A3, H-A5): what each says, and that each is a PDF."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader

from roi_tracker.services.requests import letters

PRACTICE = letters.Practice("Northside Therapy", "1 Main St, Springfield", "555-0100", "Privacy Officer")


def facts(**changes: object) -> letters.Facts:
    """A request received on 2 March, due 1 April, the letter dated 10 March."""
    base: dict[str, Any] = {
        "reference": "R-AB123",
        "client_reference": "C-XY12",
        "requester": "Sam Okafor",
        "received_on": date(2026, 3, 2),
        "due_on": date(2026, 4, 1),
        "dated": date(2026, 3, 10),
    }
    base.update(changes)
    return letters.Facts(**base)


def text(kind: str, f: letters.Facts) -> str:
    """The letter's words as a reader of the PDF sees them."""
    return " ".join(letters.body(kind, f, PRACTICE))


def test_a_reviewable_denial_states_the_basis_the_right_to_review_and_how_to_complain_h_a8() -> None:
    said = text("denial", facts(grounds=("endangerment",), reviewable=True))
    assert "endanger" in said
    assert "right to have this decision reviewed" in said
    assert "555-0100" in said
    assert "Secretary of the U.S. Department of Health and Human Services" in said


def test_an_unreviewable_denial_offers_no_review_but_still_says_how_to_complain_h_a6_h_a8() -> None:
    said = text("denial", facts(grounds=("psychotherapy_notes",)))
    assert "reviewed" not in said
    assert "complain" in said


def test_the_acknowledgement_states_the_due_date_and_the_fee_before_the_copy_is_made_h_a5() -> None:
    said = text("acknowledgement", facts(fee="$6.50 (flat fee)"))
    assert "2026-04-01" in said
    assert "$6.50" in said
    assert "never charge for searching" in said


def test_the_extension_letter_gives_the_reason_and_the_new_date_h_a3() -> None:
    said = text("extension", facts(reason="The file is off site.", due_on=date(2026, 5, 1)))
    assert "The file is off site." in said
    assert "2026-05-01" in said


@pytest.mark.parametrize("outcome", ["upheld", "reversed"])
def test_the_review_outcome_is_told_in_writing_h_a9(outcome: str) -> None:
    said = text("review_outcome", facts(outcome=outcome))
    assert ("stands" if outcome == "upheld" else "reversed") in said


@pytest.mark.parametrize("kind", letters.KINDS)
def test_every_letter_is_a_pdf_naming_the_practice_and_dated(kind: str) -> None:
    pdf = letters.render(kind, facts(grounds=("no_records",), outcome="upheld"), PRACTICE)
    words = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Northside Therapy" in words
    assert "2026-03-10" in words


@pytest.mark.parametrize("kind", letters.KINDS)
def test_a_kept_letter_renders_the_same_pdf_as_the_day_it_was_written(kind: str) -> None:
    """Kept as its facts and sender (cheap at intake, issue 18), it reads exactly as rendered then."""
    f = facts(grounds=("no_records", "endangerment"), outcome="upheld", fee="$6.50 (flat fee)", reason="x")
    kept = letters.kept_form(kind, f, PRACTICE)
    assert not kept.startswith(b"%PDF")
    shown = PdfReader(io.BytesIO(letters.pdf_of(kept))).pages[0].extract_text()
    assert shown == PdfReader(io.BytesIO(letters.render(kind, f, PRACTICE))).pages[0].extract_text()


def test_a_letter_kept_as_a_pdf_before_is_handed_back_unchanged() -> None:
    pdf = letters.render("acknowledgement", facts(), PRACTICE)
    assert letters.pdf_of(pdf) == pdf
