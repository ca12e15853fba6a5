"""Judging a disclosure at its own date: what was on file then, revocations from their receipt (H-D3), and
impermissible disclosures always accountable (H-B9)."""

from __future__ import annotations

from datetime import date

from roi_tracker.domain import accounting
from roi_tracker.domain.clients import Category
from roi_tracker.domain.consent import Kind
from roi_tracker.domain.consent import Purpose
from roi_tracker.domain.consent import Standing
from roi_tracker.domain.disclosure import Answer
from roi_tracker.domain.disclosure import Held
from roi_tracker.domain.disclosure import Request
from roi_tracker.domain.disclosure import after_revocation
from roi_tracker.domain.disclosure import decide

SIGNED = date(2026, 3, 1)
RECEIVED = date(2026, 5, 10)
HELD = Held(
    id="a1",
    label="A-7K2Q",
    kind=Kind.HIPAA,
    recipient_id="r1",
    recipient_class="",
    categories=frozenset({Category.DIAGNOSIS}),
    purposes=frozenset({Purpose.CONTINUITY_OF_CARE}),
    standing=Standing(effective_on=date(2026, 1, 1), revoked_on=RECEIVED),
    signed_on=SIGNED,
)


def _ask(on: date) -> Request:
    return Request("r1", (Category.DIAGNOSIS,), Purpose.CONTINUITY_OF_CARE, on, client_part2=False)


def test_a_release_signed_after_the_day_asked_about_does_not_cover_it() -> None:
    """Effective earlier on paper, but signed on March 1: a February disclosure is refused, DT-1."""
    decision = decide(_ask(date(2026, 2, 1)), [HELD])
    assert decision.answer is Answer.REFUSE
    assert [r.rule for r in decision.refused[0].reasons] == ["DT-1"]
    assert "signed only on 2026-03-01" in decision.refused[0].reasons[0].message


def test_a_day_between_signing_and_receipt_of_the_revocation_is_permitted() -> None:
    """April: signed, not yet revoked."""
    assert decide(_ask(date(2026, 4, 1)), [HELD]).answer is Answer.PERMIT


def test_the_day_the_revocation_was_received_is_refused_whenever_it_was_entered() -> None:
    """The revocation counts from its receipt (H-D3), judged at the date asked about."""
    decision = decide(_ask(RECEIVED), [HELD])
    assert [r.rule for r in decision.refused[0].reasons] == ["H-D3"]


def test_a_revocation_entered_late_condemns_only_what_went_out_after_its_receipt() -> None:
    """Before and on the day of receipt: made in reliance. The day after: impermissible, H-D3, naming both."""
    assert after_revocation("A-7K2Q", date(2026, 5, 9), RECEIVED) is None
    assert after_revocation("A-7K2Q", RECEIVED, RECEIVED) is None
    assert after_revocation("A-7K2Q", date(2026, 5, 11), None) is None
    reason = after_revocation("A-7K2Q", date(2026, 5, 11), RECEIVED)
    assert reason is not None
    assert reason.rule == "H-D3"
    assert "A-7K2Q" in reason.message
    assert "2026-05-10" in reason.message


def _disclosed(**changes: object) -> accounting.Disclosed:
    fields: dict[str, object] = {
        "id": "d1",
        "on": date(2026, 5, 11),
        "recipient": "Dr Rivera",
        "address": "",
        "categories": ("diagnosis",),
        "purpose": "continuity_of_care",
        "basis": "A-7K2Q",
        "under_authorization": True,
        "part2": False,
    }
    fields.update(changes)
    return accounting.Disclosed(**fields)  # type: ignore[arg-type]


def test_an_impermissible_disclosure_under_an_authorization_is_listed_with_its_rule() -> None:
    """Authorized disclosures are left out (164.528(a)(1)(iv)), but not one found impermissible (H-B9)."""
    today = date(2026, 6, 1)
    assert not accounting.accountable(_disclosed(), today=today)
    flagged = _disclosed(impermissible="H-D3")
    assert accounting.accountable(flagged, today=today)
    result = accounting.build([flagged], today=today)
    assert [e.basis for e in result.entries] == ["impermissible (H-D3)"]
