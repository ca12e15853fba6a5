"""Breach determination and its clock (regulatory.md section 9): the answers decide, with rule ids."""

from __future__ import annotations

from datetime import date

import pytest

from roi_tracker.domain import incidents as rules
from roi_tracker.domain.errors import Defective

DISCOVERED = date(2026, 3, 10)
WRITTEN = {
    "phi_nature": "Name and appointment time only; no diagnosis.",
    "unauthorized_person": "Another covered entity's front desk.",
    "acquired_or_viewed": "The recipient called to say it arrived and shredded it unread.",
    "mitigation": "Written attestation of destruction received.",
}


def answers(**changes: object) -> rules.Answers:
    """An assessment with no exclusion, unsecured PHI, every factor written and no low-probability claim."""
    values: dict[str, object] = {
        "exclusion": rules.Exclusion.NONE,
        "secured": False,
        "factors": WRITTEN,
        "low_probability": False,
    }
    values.update(changes)
    return rules.Answers(**values)  # type: ignore[arg-type]


def decide(a: rules.Answers, affected: int = 1, most_in_one_state: int | None = None) -> rules.Outcome:
    """Determine at the fixed discovery date."""
    state = affected if most_in_one_state is None else most_in_one_state
    return rules.determine(a, discovered_on=DISCOVERED, affected=affected, most_in_one_state=state)


def rules_of(outcome: rules.Outcome) -> list[str]:
    """The rule ids of the basis, in order."""
    return [r.rule for r in outcome.basis]


@pytest.mark.parametrize("exclusion", [e for e in rules.Exclusion if e is not rules.Exclusion.NONE])
def test_an_exclusion_is_not_a_breach_under_h_b1(exclusion: rules.Exclusion) -> None:
    outcome = decide(answers(exclusion=exclusion))
    assert outcome.determination is rules.Determination.NOT_A_BREACH
    assert rules_of(outcome) == ["H-B1"]
    assert outcome.notify_by is None
    assert outcome.hhs_by is None


def test_secured_phi_is_not_a_breach_under_h_b2() -> None:
    outcome = decide(answers(secured=True))
    assert outcome.determination is rules.Determination.NOT_A_BREACH
    assert rules_of(outcome) == ["H-B2"]


def test_a_written_low_probability_assessment_is_not_a_breach_under_h_b3() -> None:
    outcome = decide(answers(low_probability=True))
    assert outcome.determination is rules.Determination.NOT_A_BREACH
    assert rules_of(outcome) == ["H-B3"]


def test_without_exclusion_safe_harbour_or_low_probability_a_breach_is_presumed() -> None:
    outcome = decide(answers())
    assert outcome.determination is rules.Determination.BREACH
    assert rules_of(outcome) == ["H-B3", "H-B4", "H-B6"]
    assert outcome.notify_by == date(2026, 5, 9)


def test_a_breach_with_blank_factors_and_no_low_probability_claim_is_still_a_breach() -> None:
    outcome = decide(answers(factors={}))
    assert outcome.determination is rules.Determination.BREACH


def test_low_probability_with_a_factor_left_blank_is_refused_naming_h_b3_and_the_factor() -> None:
    with pytest.raises(Defective) as caught:
        decide(answers(low_probability=True, factors={**WRITTEN, "mitigation": "  "}))
    assert caught.value.problems == [
        {
            "rule": "H-B3",
            "field": "factors.mitigation",
            "message": "a low probability of compromise needs every factor written: "
            "the extent to which the risk has been mitigated",
        }
    ]


def test_an_unknown_factor_is_refused() -> None:
    with pytest.raises(Defective) as caught:
        decide(answers(factors={**WRITTEN, "vibes": "fine"}))
    assert caught.value.problems[0]["field"] == "factors.vibes"


def test_a_factor_over_the_limit_is_refused() -> None:
    with pytest.raises(Defective):
        decide(answers(factors={**WRITTEN, "phi_nature": "x" * 4001}))


def test_notify_by_is_sixty_days_after_discovery_under_h_b4() -> None:
    assert rules.notify_by(date(2026, 1, 1)) == date(2026, 3, 2)


def test_under_500_hhs_is_due_sixty_days_after_the_year_ends_under_h_b6() -> None:
    outcome = decide(answers(), affected=499)
    assert outcome.hhs_by == date(2027, 3, 1)
    assert not outcome.media_required


def test_the_hhs_log_of_a_leap_year_end_is_due_on_the_first_of_march() -> None:
    assert rules.hhs_log_due(2027) == date(2028, 2, 29)


def test_500_in_one_state_means_media_and_hhs_by_the_individuals_date_under_h_b5() -> None:
    outcome = decide(answers(), affected=500)
    assert outcome.media_required
    assert outcome.hhs_by == outcome.notify_by == date(2026, 5, 9)
    assert rules_of(outcome) == ["H-B3", "H-B4", "H-B5", "H-B6"]


def test_500_spread_over_states_means_hhs_now_but_no_media() -> None:
    outcome = decide(answers(), affected=600, most_in_one_state=300)
    assert not outcome.media_required
    assert outcome.hhs_by == outcome.notify_by


def test_a_discovery_in_the_future_is_refused_under_h_b7() -> None:
    with pytest.raises(Defective) as caught:
        rules.check_report(date(2026, 3, 11), None, "Fax to the wrong number", today=DISCOVERED)
    assert caught.value.problems[0]["rule"] == "H-B7"
    assert caught.value.problems[0]["field"] == "discovered_on"


def test_an_incident_cannot_happen_after_its_discovery() -> None:
    with pytest.raises(Defective) as caught:
        rules.check_report(DISCOVERED, date(2026, 3, 11), "Fax", today=date(2026, 4, 1))
    assert caught.value.problems[0]["field"] == "occurred_on"


@pytest.mark.parametrize("description", ["", "   ", "x" * 4001])
def test_a_report_says_what_happened_in_at_most_4000_characters(description: str) -> None:
    with pytest.raises(Defective) as caught:
        rules.check_report(DISCOVERED, None, description, today=DISCOVERED)
    assert caught.value.problems[0]["field"] == "description"


def test_a_report_of_today_is_accepted() -> None:
    rules.check_report(DISCOVERED, DISCOVERED, "Fax to the wrong number", today=DISCOVERED)


def test_a_notice_dated_before_the_discovery_is_refused_under_h_b4() -> None:
    with pytest.raises(Defective) as caught:
        rules.check_notice(date(2026, 3, 9), discovered_on=DISCOVERED, today=date(2026, 4, 1))
    assert caught.value.problems[0]["rule"] == "H-B4"


def test_a_notice_dated_in_the_future_is_refused() -> None:
    with pytest.raises(Defective):
        rules.check_notice(date(2026, 4, 2), discovered_on=DISCOVERED, today=date(2026, 4, 1))


def test_a_notice_on_the_discovery_day_is_accepted() -> None:
    rules.check_notice(DISCOVERED, discovered_on=DISCOVERED, today=DISCOVERED)


def test_an_unknown_kind_is_refused_naming_the_kinds() -> None:
    with pytest.raises(Defective, match="misdirected_disclosure"):
        rules.parse_kind("oops")
    assert rules.parse_kind("other") is rules.Kind.OTHER


def test_records_are_kept_six_years_after_the_last_notice_under_h_b8() -> None:
    assert rules.kept_until(DISCOVERED, None) == date(2032, 3, 10)
    assert rules.kept_until(DISCOVERED, date(2026, 4, 1)) == date(2032, 4, 1)


def test_days_left_counts_down_and_goes_negative_when_late() -> None:
    assert rules.days_left(date(2026, 5, 9), today=DISCOVERED) == 60
    assert rules.days_left(date(2026, 3, 9), today=DISCOVERED) == -1
