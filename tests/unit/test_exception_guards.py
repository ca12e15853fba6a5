"""The confidentiality-exception guards (regulatory.md section 4), one test per field and per rule id.

Each test starts from a complete report of a kind, changes exactly one thing, and asserts the exact refusals
(rule, field) the guard answers with.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from datetime import timedelta

import pytest

from roi_tracker.domain.clients import Category
from roi_tracker.domain.exceptions import FIELDS
from roi_tracker.domain.exceptions import RECIPIENT_TYPES
from roi_tracker.domain.exceptions import Kind
from roi_tracker.domain.exceptions import Report
from roi_tracker.domain.exceptions import check

TODAY = date(2026, 3, 10)

_FIELDS: dict[Kind, dict[str, str]] = {
    Kind.DANGER_TO_OTHERS: {
        "basis_of_belief": "actual_knowledge",
        "threat": "A stated plan to harm",
        "target": "A named neighbour",
        "imminence": "Within days",
        "recipient_can_lessen": "The police can intervene and warn the target.",
    },
    Kind.DANGER_TO_SELF: {
        "basis_of_belief": "actual_knowledge",
        "threat": "Suicidal intent with a plan",
        "imminence": "Today",
        "recipient_can_lessen": "The crisis team can reach the client within the hour.",
    },
    Kind.CHILD_ABUSE_REPORT: {"report_number": "CPS-2026-4411", "reported_at": "2026-03-09T10:00"},
    Kind.ELDER_ABUSE_REPORT: {
        "report_number": "APS-88213",
        "reported_at": "2026-03-09T10:00",
        "condition": "required_by_law",
    },
    Kind.COURT_ORDER: {
        "court": "Springfield District Court",
        "judge": "Hon. R. Alvarez",
        "order_reference": "26-CV-117",
        "order_date": "2026-02-20",
        "order_document_id": "0b0d3c1e-5a8e-4f39-9a52-3f1c2f5f9a10",
    },
    Kind.PART2_MEDICAL_EMERGENCY: {
        "medical_personnel_name": "Dr. M. Ortiz",
        "facility": "Mercy Hospital ER",
        "emergency_nature": "Suspected overdose, client unable to consent",
    },
}


_RECIPIENT_TYPES: dict[Kind, str] = {
    Kind.DANGER_TO_OTHERS: "authority",
    Kind.DANGER_TO_SELF: "provider",
    Kind.CHILD_ABUSE_REPORT: "authority",
    Kind.ELDER_ABUSE_REPORT: "authority",
    Kind.COURT_ORDER: "authority",
    Kind.PART2_MEDICAL_EMERGENCY: "provider",
}
DANGER = (Kind.DANGER_TO_OTHERS, Kind.DANGER_TO_SELF)


def complete(kind: Kind) -> Report:
    """Return a report of `kind` that carries everything its rules ask for."""
    danger = kind in DANGER
    return Report(
        kind=kind,
        client_part2=kind is Kind.PART2_MEDICAL_EMERGENCY,
        disclosed_categories=frozenset({Category.DEMOGRAPHICS}),
        justification="What I saw and why I disclosed it, in my own words.",
        recipient_name="Springfield Police",
        fields=dict(_FIELDS[kind]),
        client_informed_on=TODAY - timedelta(days=1) if kind is Kind.ELDER_ABUSE_REPORT else None,
        recipient_type=_RECIPIENT_TYPES[kind],
        imminent=True if danger else None,
        recipient_able_to_lessen=True if danger else None,
        # A court order names what it releases (L-1): here everything the tests disclose under it.
        order_categories=frozenset(Category) if kind is Kind.COURT_ORDER else frozenset(),
    )


def refusals(report: Report) -> set[tuple[str, str]]:
    """The (rule, field) pairs the guard answers with."""
    return {(r.rule, r.field) for r in check(report, today=TODAY)}


def without(report: Report, name: str) -> Report:
    """The report with one kind-specific field left empty."""
    return replace(report, fields={**report.fields, name: ""})


def with_fields(report: Report, **changes: str) -> Report:
    """The report with some kind-specific fields changed."""
    return replace(report, fields={**report.fields, **changes})


# -- complete reports and required fields --------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(Kind))
def test_a_complete_report_of_each_kind_passes(kind: Kind) -> None:
    """Nothing is refused when every required fact is there."""
    assert check(complete(kind), today=TODAY) == []


def test_every_kind_has_required_fields_listed() -> None:
    """The field table covers each kind, so no kind is recorded without its facts."""
    assert set(FIELDS) == set(Kind)
    assert all(FIELDS[kind] for kind in Kind)


@pytest.mark.parametrize(("kind", "name"), [(kind, name) for kind in Kind for name in FIELDS[kind]])
def test_refuses_exactly_the_missing_kind_specific_field(kind: Kind, name: str) -> None:
    """Leaving one of the kind's fields empty is refused under X-FIELDS naming that field alone."""
    assert refusals(without(complete(kind), name)) == {("X-FIELDS", name)}


@pytest.mark.parametrize("kind", list(Kind))
def test_refuses_a_field_of_blanks_as_missing(kind: Kind) -> None:
    """Whitespace is not an answer."""
    name = FIELDS[kind][0]
    assert refusals(with_fields(complete(kind), **{name: "   "})) == {("X-FIELDS", name)}


@pytest.mark.parametrize("kind", list(Kind))
def test_refuses_a_report_without_a_recipient(kind: Kind) -> None:
    """Every exception names its recipient (agency or person)."""
    assert refusals(replace(complete(kind), recipient_name=" ")) == {("X-FIELDS", "recipient")}


@pytest.mark.parametrize("kind", list(Kind))
def test_refuses_a_report_without_a_justification(kind: Kind) -> None:
    """Every exception carries the clinician's justification in their own words."""
    assert refusals(replace(complete(kind), justification="")) == {("X-FIELDS", "justification")}


@pytest.mark.parametrize("kind", list(Kind))
def test_refuses_a_report_that_does_not_say_what_was_disclosed(kind: Kind) -> None:
    """What went out is listed (minimum necessary, DT-2)."""
    assert refusals(replace(complete(kind), disclosed_categories=frozenset())) == {
        ("DT-2", "disclosed_categories")
    }


# -- the danger exceptions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.DANGER_TO_OTHERS, Kind.DANGER_TO_SELF])
def test_refuses_a_credible_representation_without_its_source(kind: Kind) -> None:
    """A belief resting on someone's representation says whose."""
    report = with_fields(complete(kind), basis_of_belief="credible_representation")
    assert refusals(report) == {("X-FIELDS", "belief_source")}


@pytest.mark.parametrize("kind", [Kind.DANGER_TO_OTHERS, Kind.DANGER_TO_SELF])
def test_allows_a_credible_representation_with_its_source(kind: Kind) -> None:
    """Naming who made the representation satisfies the guard."""
    report = with_fields(
        complete(kind), basis_of_belief="credible_representation", belief_source="The client's sister"
    )
    assert refusals(report) == set()


def test_refuses_an_unknown_basis_of_belief() -> None:
    """The basis is actual knowledge or a credible representation, nothing else."""
    report = with_fields(complete(Kind.DANGER_TO_OTHERS), basis_of_belief="a hunch")
    assert refusals(report) == {("X-FIELDS", "basis_of_belief")}


def test_refuses_an_admission_of_a_past_violent_crime_under_164_512_j_2() -> None:
    """An admission of a past violent crime learned in therapy may not be disclosed as a serious threat."""
    report = replace(complete(Kind.DANGER_TO_OTHERS), learned_as_admission_of_past_violent_crime=True)
    found = check(report, today=TODAY)
    assert [(r.rule, r.field) for r in found] == [
        ("164.512(j)(2)", "learned_as_admission_of_past_violent_crime")
    ]
    assert "past violent crime" in found[0].message


@pytest.mark.parametrize("kind", [Kind.DANGER_TO_OTHERS, Kind.DANGER_TO_SELF])
def test_refuses_a_danger_exception_on_part2_records_under_2_51(kind: Kind) -> None:
    """Part 2 records have no serious-threat exception: only a 2.51 medical emergency."""
    found = check(replace(complete(kind), client_part2=True), today=TODAY)
    assert [(r.rule, r.field) for r in found] == [("2.51", "kind")]
    assert "Part 2 medical emergency" in found[0].message
    assert "_" not in found[0].message  # plain words, no internal code (issue 17, item 5)


def test_refuses_a_part2_medical_emergency_for_a_client_without_part2_records() -> None:
    """2.51 applies to Part 2 records only."""
    report = replace(complete(Kind.PART2_MEDICAL_EMERGENCY), client_part2=False)
    assert refusals(report) == {("2.51", "kind")}


def test_allows_the_initial_child_abuse_report_on_part2_records() -> None:
    """Part 2 keeps the initial child-abuse report (2.12(c)(6))."""
    assert refusals(replace(complete(Kind.CHILD_ABUSE_REPORT), client_part2=True)) == set()


def test_allows_a_court_order_on_part2_records_only_under_2_64_to_2_67_l_3() -> None:
    """A court order reaches Part 2 records only when it is a 2.64-2.67 order that compels them (L-3)."""
    order = replace(complete(Kind.COURT_ORDER), client_part2=True)
    assert refusals(order) == {("L-3", "part2_order")}
    assert refusals(replace(order, part2_order=True)) == set()


def test_refuses_a_subpoena_as_a_court_order_pointing_to_the_request_desk_l_2() -> None:
    """A subpoena is no exception: it belongs to the request desk with its assurances (164.512(e)(1)(ii))."""
    found = check(replace(complete(Kind.COURT_ORDER), subpoena=True), today=TODAY)
    assert {(r.rule, r.field) for r in found} == {("L-2", "subpoena")}
    assert "request desk" in found[0].message


def test_a_court_order_releases_only_what_it_names_l_1() -> None:
    """What is disclosed must be named by the order (164.512(e)(1)(i))."""
    order = replace(complete(Kind.COURT_ORDER), order_categories=frozenset({Category.ATTENDANCE}))
    assert refusals(order) == {("L-1", "disclosed_categories")}
    assert refusals(replace(order, order_categories=frozenset())) == {("L-1", "order_categories")}


def test_a_court_order_needs_the_judge_who_signed_it() -> None:
    """A court's order names its court, judge, date and uploaded copy (issue 16 item 3)."""
    assert ("X-FIELDS", "judge") in refusals(without(complete(Kind.COURT_ORDER), "judge"))


def test_psychotherapy_notes_go_out_under_a_court_order_only_when_it_names_them_dt_5_l_1() -> None:
    """DT-5 with L-1: notes only when the order expressly names them."""
    notes = frozenset({Category.PSYCHOTHERAPY_NOTES})
    order = replace(
        complete(Kind.COURT_ORDER),
        disclosed_categories=notes,
        order_categories=frozenset({Category.DIAGNOSIS}),
    )
    assert ("L-1", "disclosed_categories") in refusals(order)
    assert refusals(replace(order, order_categories=notes)) == set()


# -- psychotherapy notes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", [Kind.CHILD_ABUSE_REPORT, Kind.ELDER_ABUSE_REPORT, Kind.PART2_MEDICAL_EMERGENCY]
)
def test_refuses_psychotherapy_notes_outside_danger_or_a_court_order_under_dt_5(kind: Kind) -> None:
    """Psychotherapy notes go out only under the listed exceptions."""
    report = replace(
        complete(kind), disclosed_categories=frozenset({Category.DEMOGRAPHICS, Category.PSYCHOTHERAPY_NOTES})
    )
    assert refusals(report) == {("DT-5", "disclosed_categories")}


@pytest.mark.parametrize("kind", [Kind.DANGER_TO_OTHERS, Kind.DANGER_TO_SELF, Kind.COURT_ORDER])
def test_allows_psychotherapy_notes_under_danger_or_a_court_order(kind: Kind) -> None:
    """The listed exceptions may reach psychotherapy notes."""
    report = replace(complete(kind), disclosed_categories=frozenset({Category.PSYCHOTHERAPY_NOTES}))
    assert refusals(report) == set()


# -- elder abuse ---------------------------------------------------------------------------------------------


def test_refuses_an_elder_abuse_report_on_part2_records_under_2_12_c_6() -> None:
    """Part 2 has no express elder-abuse exception."""
    report = replace(complete(Kind.ELDER_ABUSE_REPORT), client_part2=True)
    assert refusals(report) == {("2.12(c)(6)", "kind")}


def test_refuses_an_elder_abuse_report_without_informing_the_client_or_a_reason_under_164_512_c_2() -> None:
    """The client is informed promptly, or the report says why not."""
    report = replace(complete(Kind.ELDER_ABUSE_REPORT), client_informed_on=None, not_informed_reason="")
    assert refusals(report) == {("164.512(c)(2)", "client_informed_on")}


def test_refuses_an_elder_abuse_report_whose_reason_for_not_informing_is_not_permitted() -> None:
    """Only the two reasons of 164.512(c)(2) excuse informing the client."""
    report = replace(
        complete(Kind.ELDER_ABUSE_REPORT), client_informed_on=None, not_informed_reason="too busy"
    )
    assert refusals(report) == {("164.512(c)(2)", "client_informed_on")}


def test_allows_an_elder_abuse_report_with_the_date_the_client_was_informed() -> None:
    """The date informed is enough."""
    report = replace(complete(Kind.ELDER_ABUSE_REPORT), client_informed_on=TODAY, not_informed_reason="")
    assert refusals(report) == set()


@pytest.mark.parametrize("reason", ["risk_of_serious_harm", "informing_suspected_abuser"])
def test_allows_an_elder_abuse_report_with_a_permitted_reason_for_not_informing(reason: str) -> None:
    """A permitted reason is enough without a date."""
    report = replace(complete(Kind.ELDER_ABUSE_REPORT), client_informed_on=None, not_informed_reason=reason)
    assert refusals(report) == set()


def test_refuses_an_elder_abuse_report_informed_in_the_future() -> None:
    """The client cannot have been informed tomorrow."""
    report = replace(complete(Kind.ELDER_ABUSE_REPORT), client_informed_on=TODAY + timedelta(days=1))
    assert refusals(report) == {("164.512(c)(2)", "client_informed_on")}


def test_refuses_an_elder_abuse_report_with_an_invalid_condition_under_164_512_c_1() -> None:
    """The condition is one of (c)(1)(i), (ii) or (iii)."""
    report = with_fields(complete(Kind.ELDER_ABUSE_REPORT), condition="seemed right")
    assert refusals(report) == {("164.512(c)(1)", "condition")}


@pytest.mark.parametrize("condition", ["required_by_law", "client_agreed", "statute_permits"])
def test_allows_each_condition_of_164_512_c_1(condition: str) -> None:
    """Each of the three conditions is accepted."""
    assert refusals(with_fields(complete(Kind.ELDER_ABUSE_REPORT), condition=condition)) == set()


def test_reports_every_refusal_at_once() -> None:
    """A report with several problems names each one, so the clinician fixes them together."""
    report = replace(
        without(complete(Kind.DANGER_TO_OTHERS), "threat"),
        client_part2=True,
        learned_as_admission_of_past_violent_crime=True,
    )
    assert refusals(report) == {
        ("X-FIELDS", "threat"),
        ("164.512(j)(2)", "learned_as_admission_of_past_violent_crime"),
        ("2.51", "kind"),
    }


# -- guards that are facts, not free text (issue 16 item 2) --------------------------------------------------


@pytest.mark.parametrize("kind", DANGER)
@pytest.mark.parametrize("answer", [False, None])
def test_refuses_a_danger_report_whose_threat_is_not_imminent(kind: Kind, answer: bool | None) -> None:
    """A threat that is not (or not said to be) imminent is refused under 164.512(j)(1)(i)."""
    report = replace(complete(kind), imminent=answer)
    assert refusals(report) == {("164.512(j)(1)(i)", "imminent")}


@pytest.mark.parametrize("kind", DANGER)
@pytest.mark.parametrize("answer", [False, None])
def test_refuses_a_danger_report_to_a_recipient_unable_to_lessen_it(kind: Kind, answer: bool | None) -> None:
    """A recipient not said to be able to prevent or lessen the threat is refused, 164.512(j)(1)(i)."""
    report = replace(complete(kind), recipient_able_to_lessen=answer)
    assert refusals(report) == {("164.512(j)(1)(i)", "recipient_able_to_lessen")}


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("value", ["", "police", "Authority"])
def test_refuses_a_missing_or_unknown_recipient_type(kind: Kind, value: str) -> None:
    """Every exception says what kind of recipient got it, from the fixed list (X-FIELDS, recipient.type)."""
    assert refusals(replace(complete(kind), recipient_type=value)) == {("X-FIELDS", "recipient.type")}


@pytest.mark.parametrize("recipient_type", [t for t in RECIPIENT_TYPES if t != "authority"])
def test_refuses_a_child_abuse_report_to_anyone_but_an_authority(recipient_type: str) -> None:
    """A child abuse report to a school (or any non-authority) is refused under 164.512(b)(1)(ii)."""
    report = replace(complete(Kind.CHILD_ABUSE_REPORT), recipient_type=recipient_type)
    assert refusals(report) == {("164.512(b)(1)(ii)", "recipient.type")}


def test_accepts_a_child_abuse_report_to_an_authority() -> None:
    """The authority authorized by law to receive the report is the one accepted recipient type."""
    assert check(replace(complete(Kind.CHILD_ABUSE_REPORT), recipient_type="authority"), today=TODAY) == []


def test_refuses_an_elder_abuse_report_to_a_school() -> None:
    """An elder abuse report goes only to an authority (164.512(c)(1))."""
    report = replace(complete(Kind.ELDER_ABUSE_REPORT), recipient_type="school")
    assert refusals(report) == {("164.512(c)(1)", "recipient.type")}


@pytest.mark.parametrize("recipient_type", [t for t in RECIPIENT_TYPES if t != "provider"])
def test_refuses_a_part2_medical_emergency_to_anyone_but_medical_personnel(recipient_type: str) -> None:
    """A 2.51 emergency disclosure to the police (an authority) or anyone not a provider is refused."""
    report = replace(complete(Kind.PART2_MEDICAL_EMERGENCY), recipient_type=recipient_type)
    assert refusals(report) == {("2.51", "recipient.type")}


def test_accepts_a_part2_medical_emergency_to_a_provider() -> None:
    """Medical personnel (a provider) may receive a 2.51 disclosure."""
    assert (
        check(replace(complete(Kind.PART2_MEDICAL_EMERGENCY), recipient_type="provider"), today=TODAY) == []
    )


def test_refuses_a_part2_child_abuse_report_that_includes_sud_counseling_notes() -> None:
    """A Part 2 child abuse report is the initial report only, never SUD counseling notes (2.12(c)(6))."""
    report = replace(
        complete(Kind.CHILD_ABUSE_REPORT),
        client_part2=True,
        disclosed_categories=frozenset({Category.DEMOGRAPHICS, Category.SUD_COUNSELING_NOTES}),
    )
    assert refusals(report) == {("2.12(c)(6)", "disclosed_categories")}


def test_accepts_a_part2_child_abuse_report_of_the_initial_report_alone() -> None:
    """Without counseling notes, a Part 2 child abuse report passes."""
    report = replace(complete(Kind.CHILD_ABUSE_REPORT), client_part2=True)
    assert check(report, today=TODAY) == []
