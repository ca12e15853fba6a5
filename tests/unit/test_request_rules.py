"""Requests for records as pure rules (regulatory.md section 8): clocks, grounds, fees, legal process."""

from __future__ import annotations

from datetime import date

import pytest

from roi_tracker.domain import request_answers as answers
from roi_tracker.domain import requests as rules
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import RuleConflict

RECEIVED = date(2026, 3, 2)
FEDERAL = rules.Clock()


def rule_of(exc: pytest.ExceptionInfo[Defective] | pytest.ExceptionInfo[RuleConflict]) -> str:
    """The rule id of the first problem."""
    return exc.value.problems[0]["rule"]


def test_an_access_request_is_due_30_days_after_receipt_h_a2() -> None:
    assert rules.due_on(rules.Kind.ACCESS, RECEIVED, None, FEDERAL) == date(2026, 4, 1)


def test_a_shorter_state_setting_wins_and_a_longer_one_never_lengthens_the_clock_h_a2() -> None:
    assert rules.due_on(rules.Kind.ACCESS, RECEIVED, None, rules.Clock(access_days=15)) == date(2026, 3, 17)
    assert rules.due_on(rules.Kind.ACCESS, RECEIVED, None, rules.Clock(access_days=60)) == date(2026, 4, 1)


def test_an_access_due_date_past_30_days_is_refused_h_a2() -> None:
    with pytest.raises(Defective) as exc:
        rules.due_on(rules.Kind.ACCESS, RECEIVED, date(2026, 4, 2), FEDERAL)
    assert rule_of(exc) == "H-A2"


def test_an_earlier_access_due_date_is_allowed_h_a2() -> None:
    assert rules.due_on(rules.Kind.ACCESS, RECEIVED, date(2026, 3, 20), FEDERAL) == date(2026, 3, 20)


def test_an_authorized_request_follows_the_practice_setting() -> None:
    got = rules.due_on(rules.Kind.AUTHORIZED, RECEIVED, None, rules.Clock(authorized_days=10))
    assert got == date(2026, 3, 12)


def test_a_legal_request_is_due_on_the_date_of_the_process_and_needs_it_l_2() -> None:
    assert rules.due_on(rules.Kind.LEGAL, RECEIVED, date(2026, 3, 9), FEDERAL) == date(2026, 3, 9)
    with pytest.raises(Defective) as exc:
        rules.due_on(rules.Kind.LEGAL, RECEIVED, None, FEDERAL)
    assert rule_of(exc) == "L-2"


def test_a_due_date_before_receipt_is_refused_h_a2() -> None:
    with pytest.raises(Defective) as exc:
        rules.due_on(rules.Kind.LEGAL, RECEIVED, date(2026, 3, 1), FEDERAL)
    assert rule_of(exc) == "H-A2"


def test_a_received_date_in_the_future_is_refused_h_a2() -> None:
    rules.check_received(RECEIVED, RECEIVED)
    with pytest.raises(Defective) as exc:
        rules.check_received(date(2026, 3, 3), RECEIVED)
    assert rule_of(exc) == "H-A2"


def test_an_access_request_is_extended_once_by_30_days_while_not_late_h_a3() -> None:
    due = date(2026, 4, 1)
    assert rules.extended_due(rules.Kind.ACCESS, due, False, due) == date(2026, 5, 1)


@pytest.mark.parametrize(
    ("kind", "extended", "today"),
    [
        (rules.Kind.ACCESS, True, date(2026, 3, 10)),
        (rules.Kind.ACCESS, False, date(2026, 4, 2)),
        (rules.Kind.AUTHORIZED, False, date(2026, 3, 10)),
        (rules.Kind.LEGAL, False, date(2026, 3, 10)),
    ],
)
def test_a_second_late_or_non_access_extension_is_refused_h_a3(
    kind: rules.Kind, extended: bool, today: date
) -> None:
    with pytest.raises(RuleConflict) as exc:
        rules.extended_due(kind, date(2026, 4, 1), extended, today)
    assert rule_of(exc) == "H-A3"


def test_overdue_and_days_left_come_from_today() -> None:
    due = date(2026, 4, 1)
    assert rules.days_left(due, date(2026, 3, 30)) == 2
    assert rules.days_left(due, date(2026, 4, 3)) == -2
    assert not rules.overdue(rules.Status.OPEN, due, due)
    assert rules.overdue(rules.Status.OPEN, due, date(2026, 4, 2))
    assert not rules.overdue(rules.Status.FULFILLED, due, date(2026, 4, 2))


def test_a_closed_request_is_read_only() -> None:
    rules.check_open(rules.Status.OPEN)
    with pytest.raises(RuleConflict):
        rules.check_open(rules.Status.DENIED)


def test_an_unreviewable_ground_makes_no_review_h_a6_and_a_reviewable_one_does_h_a7() -> None:
    assert rules.denial_grounds(rules.Kind.ACCESS, ["psychotherapy_notes"]) == (
        (rules.Ground.PSYCHOTHERAPY_NOTES,),
        False,
    )
    assert rules.denial_grounds(rules.Kind.ACCESS, ["legal_proceedings", "endangerment"])[1] is True


@pytest.mark.parametrize(
    ("kind", "grounds", "rule"),
    [
        (rules.Kind.ACCESS, [], "H-A6"),
        (rules.Kind.ACCESS, ["no_court_order"], "H-A6"),
        (rules.Kind.LEGAL, ["endangerment"], "H-A8"),
        (rules.Kind.ACCESS, ["bad_mood"], "H-A2"),
    ],
)
def test_grounds_that_do_not_fit_the_kind_are_refused(
    kind: rules.Kind, grounds: list[str], rule: str
) -> None:
    with pytest.raises(Defective) as exc:
        rules.denial_grounds(kind, grounds)
    assert rule_of(exc) == rule


def test_every_ground_has_a_plain_sentence_for_the_letter_h_a8() -> None:
    assert set(rules.GROUND_TEXT) == set(rules.Ground)


def test_a_review_by_someone_who_took_part_in_the_denial_is_refused_h_a9() -> None:
    rules.check_reviewer(True, "bob", ["alice"])
    with pytest.raises(RuleConflict) as exc:
        rules.check_reviewer(True, "alice", ["alice"])
    assert rule_of(exc) == "H-A9"
    with pytest.raises(RuleConflict) as exc:
        rules.check_reviewer(False, "bob", ["alice"])
    assert rule_of(exc) == "H-A6"


def test_the_electronic_flat_fee_never_exceeds_6_50_h_a5() -> None:
    schedule = answers.Schedule(flat_electronic_cents=900)
    assert answers.fee(rules.Kind.ACCESS, rules.Format.ELECTRONIC, schedule).amount_cents == 650
    assert (
        answers.fee(
            rules.Kind.ACCESS, rules.Format.ELECTRONIC, answers.Schedule(flat_electronic_cents=0)
        ).amount_cents
        == 0
    )


def test_a_paper_fee_is_labour_supplies_and_postage_never_search_h_a5() -> None:
    schedule = answers.Schedule(per_page_cents=10, supplies_cents=100, postage_cents=70)
    got = answers.fee(rules.Kind.ACCESS, rules.Format.PAPER, schedule, pages=20)
    assert got.amount_cents == 370
    assert "no charge for search or retrieval" in got.basis


def test_access_releases_everything_but_psychotherapy_notes_h_a1_and_part2_needs_no_consent_h_a10() -> None:
    v = answers.release(
        rules.Kind.ACCESS, ["diagnosis", "psychotherapy_notes", "sud_records"], part2=True, legal=None
    )
    assert v.released == ("diagnosis", "sud_records")
    assert v.refused[0][0] == "psychotherapy_notes"
    assert v.refused[0][1][0]["rule"] == "H-A1"


def test_a_subpoena_without_assurance_releases_nothing_l_2() -> None:
    v = answers.release(rules.Kind.LEGAL, ["diagnosis"], part2=False, legal=None)
    assert v.released == ()
    assert v.refused[0][1][0]["rule"] == "L-2"


def test_a_subpoena_with_notice_given_releases_but_never_psychotherapy_notes_l_2_dt_5() -> None:
    legal = answers.check_legal(False, "notice_given", True)
    v = answers.release(rules.Kind.LEGAL, ["diagnosis", "psychotherapy_notes"], part2=False, legal=legal)
    assert v.released == ("diagnosis",)
    assert v.refused[0][1][0]["rule"] == "DT-5"


def test_part2_records_need_a_2_64_court_order_l_3() -> None:
    subpoena = answers.check_legal(False, "protective_order", True)
    assert (
        answers.release(rules.Kind.LEGAL, ["diagnosis"], part2=True, legal=subpoena).refused[0][1][0]["rule"]
        == "L-3"
    )
    plain_order = answers.check_legal(True, None, False)
    assert answers.release(rules.Kind.LEGAL, ["sud_records"], part2=False, legal=plain_order).released == ()
    part2_order = answers.check_legal(True, None, False, part2_order=True)
    got = answers.release(rules.Kind.LEGAL, ["sud_records"], part2=True, legal=part2_order)
    assert got.released == ("sud_records",)


def test_a_court_order_releases_what_it_names_l_1() -> None:
    order = answers.check_legal(True, None, False)
    assert answers.release(rules.Kind.LEGAL, ["diagnosis", "billing"], part2=False, legal=order).released == (
        "diagnosis",
        "billing",
    )


def test_an_assurance_without_its_document_or_of_an_unknown_kind_is_refused_l_2() -> None:
    assert answers.check_legal(False, None, False) is None
    for kind, doc in (("notice_given", False), ("a_phone_call", True)):
        with pytest.raises(Defective) as exc:
            answers.check_legal(False, kind, doc)
        assert rule_of(exc) == "L-2"
