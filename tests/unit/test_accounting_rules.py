"""The accounting of disclosures as a pure rule (regulatory.md section 5; 164.528, 42 CFR 2.25).

What is listed and what is left out for each basis, at the window edges; repeated disclosures summarized;
suspensions honoured; then a property over random files checked against the rules written out afresh.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from roi_tracker.domain.accounting import EXPLANATION
from roi_tracker.domain.accounting import Accounting
from roi_tracker.domain.accounting import Disclosed
from roi_tracker.domain.accounting import Entry
from roi_tracker.domain.accounting import Suspension
from roi_tracker.domain.accounting import accountable
from roi_tracker.domain.accounting import build
from roi_tracker.domain.accounting import fee_applies
from roi_tracker.domain.accounting import period

TODAY = date(2026, 3, 10)
SIX_YEARS_AGO = date(2020, 3, 10)
THREE_YEARS_AGO = date(2023, 3, 10)
DAY = timedelta(days=1)
POLICE = "Officer J. Lee (Springfield Police)"
CLINIC = "Dr Ana Rivera (Northside Clinic)"
COURT = "exception:court_order"
CARE = "continuity_of_care"
TPO = "treatment_payment_operations"


def disclosed(
    on: date,
    *,
    recipient: str = POLICE,
    purpose: str = COURT,
    basis: str = "court_order",
    under_authorization: bool = False,
    part2: bool = False,
    to_client: bool = False,
    categories: tuple[str, ...] = ("attendance",),
    id: str | None = None,  # noqa: A002 - the field's own name
) -> Disclosed:
    """One disclosure; by default a court-ordered one to the police, which is always accountable."""
    return Disclosed(
        id=id or f"{on}-{recipient}-{purpose}",
        on=on,
        recipient=recipient,
        address="1 Main Street, Springfield",
        categories=categories,
        purpose=purpose,
        basis=basis,
        under_authorization=under_authorization,
        part2=part2,
        to_client=to_client,
    )


def consented(on: date, *, part2: bool, purpose: str = CARE) -> Disclosed:
    """A disclosure to the clinic under the client's written authorization (or Part 2 consent)."""
    return disclosed(
        on,
        recipient=CLINIC,
        purpose=purpose,
        basis="A-0001",
        under_authorization=True,
        part2=part2,
        categories=("diagnosis",),
    )


def listed_days(accounting: Accounting) -> list[date]:
    """Return the date of every disclosure the accounting lists as an entry, oldest first."""
    return [e.on for e in accounting.entries]


# -- the period ----------------------------------------------------------------------------------------------


def test_the_period_is_the_six_years_before_the_request_when_no_shorter_one_is_asked() -> None:
    """164.528(a)(1): up to six years back, ending today."""
    assert period(TODAY, None) == (SIX_YEARS_AGO, TODAY)


def test_a_shorter_period_the_client_asks_for_starts_on_the_day_asked() -> None:
    """The client may ask for less than six years."""
    assert period(TODAY, date(2025, 1, 1)) == (date(2025, 1, 1), TODAY)


def test_a_period_asked_for_longer_than_six_years_is_cut_to_six() -> None:
    """The rule never reaches further back than six years."""
    assert period(TODAY, date(2015, 1, 1)) == (SIX_YEARS_AGO, TODAY)


def test_six_years_before_the_29th_of_february_is_the_28th() -> None:
    """A leap day has no twin six years earlier; the window starts a day later rather than failing."""
    assert period(date(2028, 2, 29), None) == (date(2022, 2, 28), date(2028, 2, 29))


def test_lists_a_disclosure_made_exactly_six_years_ago_and_not_one_a_day_older() -> None:
    """The first day of the window is inside it; the day before is outside and not even counted."""
    result = build([disclosed(SIX_YEARS_AGO), disclosed(SIX_YEARS_AGO - DAY, recipient=CLINIC)], today=TODAY)
    assert listed_days(result) == [SIX_YEARS_AGO]
    assert (result.since, result.until, result.excluded, result.suspended) == (SIX_YEARS_AGO, TODAY, 0, 0)


def test_lists_a_disclosure_made_today() -> None:
    """The last day of the window is today."""
    assert listed_days(build([disclosed(TODAY)], today=TODAY)) == [TODAY]


def test_a_shorter_period_leaves_out_what_came_before_it() -> None:
    """Only disclosures on or after the day asked for are listed."""
    since = date(2025, 1, 1)
    result = build([disclosed(since - DAY), disclosed(since, recipient=CLINIC)], today=TODAY, since=since)
    assert listed_days(result) == [since]
    assert (result.since, result.until) == (since, TODAY)


# -- what is listed and what is left out, by basis -----------------------------------------------------------


@pytest.mark.parametrize(
    "basis",
    [
        "danger_to_others",
        "danger_to_self",
        "child_abuse_report",
        "elder_abuse_report",
        "court_order",
        "part2_medical_emergency",
    ],
)
@pytest.mark.parametrize("part2", [False, True])
def test_every_exception_disclosure_is_listed(basis: str, part2: bool) -> None:
    """Disclosures without the client's permission are what the accounting is for (164.528(a))."""
    sent = disclosed(date(2025, 6, 1), purpose=f"exception:{basis}", basis=basis, part2=part2)
    assert accountable(sent, today=TODAY)
    result = build([sent], today=TODAY)
    assert [(e.on, e.recipient, e.basis) for e in result.entries] == [(date(2025, 6, 1), POLICE, basis)]
    assert result.excluded == 0


def test_a_hipaa_disclosure_under_an_authorization_is_left_out_and_counted() -> None:
    """164.528(a)(1)(iv): what the client authorized is not listed, however recent."""
    result = build([consented(TODAY, part2=False)], today=TODAY)
    assert (result.entries, result.summaries, result.excluded) == ((), (), 1)


def test_a_hipaa_disclosure_for_treatment_payment_or_operations_is_left_out() -> None:
    """164.528(a)(1)(i): TPO disclosures are not listed, with or without an authorization."""
    tpo = disclosed(date(2025, 6, 1), recipient=CLINIC, purpose=TPO, basis="tpo")
    result = build([tpo, consented(date(2025, 6, 2), part2=False, purpose=TPO)], today=TODAY)
    assert not accountable(tpo, today=TODAY)
    assert (result.entries, result.excluded) == ((), 2)


@pytest.mark.parametrize("part2", [False, True])
def test_a_disclosure_to_the_client_is_left_out(part2: bool) -> None:
    """164.528(a)(1)(ii): what the client was given themselves is not listed, Part 2 or not."""
    to_client = disclosed(date(2025, 6, 1), to_client=True, part2=part2)
    assert not accountable(to_client, today=TODAY)
    assert build([to_client], today=TODAY).excluded == 1


@pytest.mark.parametrize(
    ("on", "listed"),
    [
        (TODAY, True),
        (THREE_YEARS_AGO + DAY, True),
        (THREE_YEARS_AGO, True),
        (THREE_YEARS_AGO - DAY, False),
        (date(2021, 1, 1), False),
    ],
)
def test_a_part2_consent_disclosure_is_listed_for_three_years_and_not_longer(on: date, listed: bool) -> None:
    """42 CFR 2.25 reverses the authorization exclusion for Part 2 records, for 3 years before the request."""
    result = build([consented(on, part2=True)], today=TODAY)
    assert listed_days(result) == ([on] if listed else [])
    assert result.excluded == (0 if listed else 1)


def test_a_part2_consent_disclosure_for_treatment_payment_or_operations_is_listed_within_three_years() -> (
    None
):
    """Part 2 needs consent even for TPO, and consent-based disclosures of Part 2 records are listed."""
    result = build([consented(date(2025, 6, 1), part2=True, purpose=TPO)], today=TODAY)
    assert [(e.recipient, e.purpose) for e in result.entries] == [(CLINIC, "treatment payment operations")]


def test_the_three_years_of_part2_count_back_from_today_whatever_period_was_asked() -> None:
    """A shorter period narrows the list further; it never stretches the Part 2 window."""
    result = build(
        [consented(date(2022, 6, 1), part2=True), consented(date(2024, 6, 1), part2=True)],
        today=TODAY,
        since=date(2022, 1, 1),
    )
    assert listed_days(result) == [date(2024, 6, 1)]
    assert result.excluded == 1


def test_an_entry_says_what_was_disclosed_to_whom_why_and_on_what_basis() -> None:
    """Date, recipient and address, a brief description and purpose (164.528(b)(2)), in plain words."""
    sent = disclosed(
        date(2025, 6, 1),
        purpose="exception:danger_to_others",
        basis="danger_to_others",
        categories=("diagnosis", "treatment_plan"),
    )
    [entry] = build([sent], today=TODAY).entries
    assert entry == Entry(
        on=date(2025, 6, 1),
        recipient=POLICE,
        address="1 Main Street, Springfield",
        description="diagnosis, treatment plan",
        purpose="exception:danger to others",
        basis="danger_to_others",
    )


def test_an_entry_with_no_categories_says_information() -> None:
    """The description is never blank."""
    [entry] = build([disclosed(date(2025, 6, 1), categories=())], today=TODAY).entries
    assert entry.description == "information"


def test_the_explanation_says_what_is_not_listed_and_why() -> None:
    """The page and the PDF carry one line about each exclusion and the Part 2 reversal."""
    assert EXPLANATION.startswith("Not listed:")
    for words in ("treatment", "payment", "operations", "to you", "authorized in writing", "42 CFR Part 2"):
        assert words in EXPLANATION
    assert "3 years" in EXPLANATION


# -- summaries -----------------------------------------------------------------------------------------------


def test_repeated_disclosures_to_one_recipient_for_one_purpose_are_summarized() -> None:
    """164.528(b)(3): the first in full, how many, and the date of the last; a single one stays an entry."""
    days = [date(2024, 1, 5), date(2024, 7, 1), date(2025, 2, 3)]
    result = build(
        [disclosed(day) for day in reversed(days)] + [disclosed(date(2024, 3, 3), recipient=CLINIC)],
        today=TODAY,
    )
    [summary] = result.summaries
    assert (summary.first.on, summary.first.recipient, summary.count, summary.last_on) == (
        days[0],
        POLICE,
        3,
        days[-1],
    )
    assert summary.first.address == "1 Main Street, Springfield"
    assert [(e.on, e.recipient) for e in result.entries] == [(date(2024, 3, 3), CLINIC)]


def test_a_summary_lists_every_category_disclosed_across_the_series_not_only_the_first() -> None:
    """164.528(b)(3): a later disclosure that sent more must show in the summary, each category once."""
    result = build(
        [
            disclosed(date(2024, 1, 5), categories=("attendance",)),
            disclosed(date(2024, 7, 1), categories=("diagnosis", "attendance")),
            disclosed(date(2025, 2, 3), categories=("treatment_plan",)),
        ],
        today=TODAY,
    )
    [summary] = result.summaries
    assert summary.description == "attendance, diagnosis, treatment plan"
    assert summary.first.description == "attendance"


def test_the_same_recipient_for_different_purposes_is_not_summarized() -> None:
    """A summary is for one purpose; two purposes give two entries."""
    result = build(
        [
            disclosed(date(2024, 1, 5)),
            disclosed(date(2024, 2, 5), purpose="exception:danger_to_others", basis="danger_to_others"),
        ],
        today=TODAY,
    )
    assert result.summaries == ()
    assert listed_days(result) == [date(2024, 1, 5), date(2024, 2, 5)]


def test_two_disclosures_on_one_day_to_one_recipient_are_one_summary_of_two() -> None:
    """Disclosures are counted, not days."""
    day = date(2024, 1, 5)
    result = build([disclosed(day, id="a"), disclosed(day, id="b")], today=TODAY)
    assert [(s.count, s.first.on, s.last_on) for s in result.summaries] == [(2, day, day)]
    assert result.entries == ()


def test_summaries_count_only_what_is_listed() -> None:
    """Excluded disclosures to the same recipient do not swell a summary or turn an entry into one."""
    result = build(
        [consented(date(2024, 1, 5), part2=False), consented(date(2024, 2, 5), part2=False)]
        + [disclosed(date(2024, 3, 5), recipient=CLINIC, purpose=CARE, basis="court_order")],
        today=TODAY,
    )
    assert result.summaries == ()
    assert listed_days(result) == [date(2024, 3, 5)]
    assert result.excluded == 2


def test_entries_and_summaries_are_in_date_order() -> None:
    """Oldest first, however the disclosures arrive."""
    result = build(
        [
            disclosed(date(2025, 1, 1), recipient="B"),
            disclosed(date(2023, 1, 1), recipient="A"),
            disclosed(date(2024, 1, 1), recipient="C"),
            disclosed(date(2024, 6, 1), recipient="D"),
            disclosed(date(2022, 6, 1), recipient="D"),
            disclosed(date(2023, 6, 1), recipient="E"),
            disclosed(date(2021, 6, 1), recipient="E"),
        ],
        today=TODAY,
    )
    assert listed_days(result) == [date(2023, 1, 1), date(2024, 1, 1), date(2025, 1, 1)]
    assert [s.first.on for s in result.summaries] == [date(2021, 6, 1), date(2022, 6, 1)]


# -- the fee rule --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("earlier", "received", "charged"),
    [
        ([], date(2024, 3, 1), False),
        ([date(2023, 3, 1)], date(2024, 3, 1), False),
        ([date(2023, 3, 2)], date(2024, 3, 1), True),
        ([date(2024, 2, 28)], date(2025, 2, 28), False),
        ([date(2024, 3, 1)], date(2025, 2, 28), True),
        ([date(2024, 3, 2)], date(2024, 3, 1), False),
    ],
)
def test_a_fee_applies_only_to_a_second_request_within_twelve_calendar_months(
    earlier: list[date], received: date, charged: bool
) -> None:
    """164.528(c)(2): counted in calendar months, not 365 days (across 29 February 2024 they differ)."""
    assert fee_applies(received, earlier) is charged


# -- suspensions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "covered"),
    [
        (date(2025, 12, 31), False),
        (date(2026, 1, 1), True),
        (date(2026, 2, 15), True),
        (date(2026, 6, 30), True),
        (date(2026, 7, 1), False),
    ],
)
def test_a_written_suspension_covers_the_whole_period_it_states(day: date, covered: bool) -> None:
    """164.528(a)(2)(i): in writing, for the time the agency specifies, both ends included."""
    assert Suspension(date(2026, 1, 1), date(2026, 6, 30), written=True).covers_day(day) is covered


@pytest.mark.parametrize(
    ("day", "covered"),
    [
        (date(2025, 12, 31), False),
        (date(2026, 1, 1), True),
        (date(2026, 1, 31), True),
        (date(2026, 2, 1), False),
        (date(2026, 6, 30), False),
    ],
)
def test_an_oral_suspension_lapses_thirty_days_after_it_starts(day: date, covered: bool) -> None:
    """164.528(a)(2)(ii): an oral request suspends for no longer than 30 days unless put in writing."""
    assert Suspension(date(2026, 1, 1), date(2026, 6, 30), written=False).covers_day(day) is covered


def test_an_oral_suspension_shorter_than_thirty_days_ends_when_it_says() -> None:
    """Thirty days is a ceiling, not a length."""
    oral = Suspension(date(2026, 1, 1), date(2026, 1, 10), written=False)
    assert (oral.covers_day(date(2026, 1, 10)), oral.covers_day(date(2026, 1, 11))) == (True, False)


def test_a_suspension_hides_what_it_covers_and_counts_it() -> None:
    """164.528(a)(2): asked while the police's suspension is in force, every disclosure to the police is
    hidden whatever its date and counted as suspended (not excluded); the rest are still listed."""
    police = Suspension(date(2026, 1, 1), date(2026, 12, 31), written=True, agency=POLICE)
    result = build(
        [
            disclosed(date(2020, 12, 31)),
            disclosed(date(2025, 1, 1), recipient=CLINIC),
            disclosed(date(2025, 12, 31)),
        ]
        + [consented(date(2025, 6, 1), part2=False)],
        today=TODAY,
        suspensions=(police,),
    )
    assert listed_days(result) == [date(2025, 1, 1)]
    assert result.summaries == ()
    assert (result.suspended, result.excluded) == (2, 1)


def test_a_suspension_is_judged_on_the_day_the_accounting_is_asked_for_not_on_each_disclosure() -> None:
    """164.528(a)(2): a suspension that ended before the request hides nothing, even what it overlapped."""
    ended = Suspension(date(2025, 1, 1), date(2025, 12, 31), written=True, agency=POLICE)
    result = build([disclosed(date(2025, 3, 1))], today=TODAY, suspensions=(ended,))
    assert (listed_days(result), result.suspended) == ([date(2025, 3, 1)], 0)
    asked_then = build(
        [disclosed(date(2025, 3, 1))], today=TODAY, suspensions=(ended,), asked_on=date(2025, 6, 1)
    )
    assert (asked_then.entries, asked_then.suspended) == ((), 1)


def test_a_suspension_names_its_agency_by_directory_entry() -> None:
    """The agency is a directory entry: matched by its id, whatever name the entry shows."""
    by_id = Suspension(date(2026, 1, 1), date(2026, 12, 31), written=True, agency_id="agency-1")
    to_agency = Disclosed(
        id="d1",
        on=date(2025, 3, 1),
        recipient="Springfield PD (renamed)",
        address="",
        categories=("attendance",),
        purpose=COURT,
        basis="court_order",
        under_authorization=False,
        part2=False,
        recipient_id="agency-1",
    )
    result = build([to_agency, disclosed(date(2025, 4, 1))], today=TODAY, suspensions=(by_id,))
    assert (listed_days(result), result.suspended) == ([date(2025, 4, 1)], 1)


def test_a_suspension_asked_by_an_agency_hides_only_the_disclosures_to_that_agency() -> None:
    """164.528(a)(2): the police's request hides disclosures to the police (any case), not the court's."""
    police = Suspension(date(2026, 1, 1), date(2026, 12, 31), written=True, agency=POLICE.upper())
    result = build(
        [disclosed(date(2025, 3, 1)), disclosed(date(2025, 4, 1), recipient="County Court")],
        today=TODAY,
        suspensions=(police,),
    )
    assert [(e.on, e.recipient) for e in result.entries] == [(date(2025, 4, 1), "County Court")]
    assert result.suspended == 1


def test_a_suspension_recorded_without_an_agency_holds_for_every_recipient() -> None:
    """Rows recorded before suspensions named their agency keep the meaning they were recorded with."""
    legacy = Suspension(date(2026, 1, 1), date(2026, 12, 31), written=True)
    result = build(
        [disclosed(date(2025, 3, 1)), disclosed(date(2025, 4, 1), recipient="County Court")],
        today=TODAY,
        suspensions=(legacy,),
    )
    assert (result.entries, result.suspended) == ((), 2)


def test_an_oral_suspension_holds_only_for_requests_in_its_first_thirty_days() -> None:
    """164.528(a)(2)(ii): unconfirmed in writing, it stops suspending the right after 30 days."""
    oral = Suspension(date(2026, 3, 1), date(2026, 12, 31), written=False)
    items = [disclosed(date(2025, 1, 15), recipient="A")]
    within = build(items, today=TODAY, suspensions=(oral,), asked_on=date(2026, 3, 31))
    after = build(items, today=date(2026, 4, 15), suspensions=(oral,), asked_on=date(2026, 4, 1))
    assert (within.suspended, after.suspended) == (1, 0)


def test_a_suspended_disclosure_does_not_count_towards_a_summary() -> None:
    """Repeated disclosures to the suspended agency are hidden; the court's series is still summarized."""
    court = "County Court"
    result = build(
        [disclosed(date(2024, 1, 5)), disclosed(date(2024, 2, 5))]
        + [disclosed(date(2024, 1, 6), recipient=court), disclosed(date(2024, 3, 6), recipient=court)],
        today=TODAY,
        suspensions=(Suspension(date(2026, 3, 1), date(2026, 3, 31), written=True, agency=POLICE),),
    )
    assert [(s.first.recipient, s.count, s.last_on) for s in result.summaries] == [
        (court, 2, date(2024, 3, 6))
    ]
    assert result.suspended == 2


def test_an_excluded_disclosure_under_a_suspension_counts_as_excluded_only() -> None:
    """Each disclosure is counted once: left out by the rules before any suspension is considered."""
    result = build(
        [consented(date(2025, 6, 1), part2=False)],
        today=TODAY,
        suspensions=(Suspension(date(2026, 1, 1), date(2026, 12, 31), written=True),),
    )
    assert (result.excluded, result.suspended) == (1, 0)


# -- the window runs back from the request (164.528(a)(1); 2.25) --------------------------------------------


def test_the_six_year_window_runs_back_from_the_date_of_the_request_not_of_delivery() -> None:
    """Delivered in June, asked for on 10 March 2026: the window opens on 10 March 2020 and closes then."""
    items = [
        disclosed(date(2020, 3, 9), recipient="A"),
        disclosed(date(2020, 3, 10), recipient="B"),
        disclosed(date(2026, 4, 1), recipient="C"),
    ]
    result = build(items, today=date(2026, 6, 1), asked_on=TODAY)
    assert (result.since, result.until) == (SIX_YEARS_AGO, TODAY)
    assert listed_days(result) == [date(2020, 3, 10)]


def test_the_part2_three_year_window_runs_back_from_the_date_of_the_request() -> None:
    """42 CFR 2.25: consent disclosures of Part 2 records from the 3 years before the request."""
    items = [consented(THREE_YEARS_AGO - DAY, part2=True), consented(THREE_YEARS_AGO, part2=True)]
    result = build(items, today=date(2026, 6, 1), asked_on=TODAY)
    assert listed_days(result) == [THREE_YEARS_AGO]


# -- properties ----------------------------------------------------------------------------------------------

RECIPIENTS = (POLICE, CLINIC, "County Court")
PURPOSES = (COURT, CARE, TPO, "exception:danger_to_self")
EARLIEST = date(2019, 1, 1)


def _by_the_rules(d: Disclosed, start: date, suspensions: tuple[Suspension, ...]) -> bool:
    """Section 5 written out afresh: in the period, accountable, and no suspension in force when asked."""
    if not start <= d.on <= TODAY or d.to_client:
        return False
    if d.purpose == TPO and not d.part2:
        return False
    if d.under_authorization and (not d.part2 or d.on < THREE_YEARS_AGO):
        return False
    for s in suspensions:
        # Judged on the day the accounting is asked for (here TODAY), not on the disclosure's date.
        last = s.ends_on if s.written else min(s.ends_on, s.starts_on + timedelta(days=30))
        to_agency = s.agency is None or s.agency == d.recipient
        if to_agency and s.starts_on <= TODAY <= last:
            return False
    return True


days = st.dates(min_value=EARLIEST, max_value=TODAY)
disclosures = st.builds(
    disclosed,
    days,
    recipient=st.sampled_from(RECIPIENTS),
    purpose=st.sampled_from(PURPOSES),
    under_authorization=st.booleans(),
    part2=st.booleans(),
    to_client=st.booleans(),
)
suspensions = st.builds(
    lambda start, length, written, agency: Suspension(start, start + timedelta(days=length), written, agency),
    days,
    st.integers(min_value=0, max_value=120),
    st.booleans(),
    st.one_of(st.none(), st.sampled_from(RECIPIENTS)),
)


def _unique(items: list[Disclosed]) -> list[Disclosed]:
    return [
        Disclosed(
            id=f"d{n}",
            on=d.on,
            recipient=d.recipient,
            address=d.address,
            categories=d.categories,
            purpose=d.purpose,
            basis=d.basis,
            under_authorization=d.under_authorization,
            part2=d.part2,
            to_client=d.to_client,
        )
        for n, d in enumerate(items)
    ]


@settings(max_examples=300)
@given(
    items=st.lists(disclosures, max_size=25).map(_unique),
    since=st.none() | st.dates(min_value=date(2018, 1, 1), max_value=TODAY),
    held=st.lists(suspensions, max_size=3).map(tuple),
)
def test_lists_exactly_the_accountable_unsuspended_disclosures_of_the_period(
    items: list[Disclosed], since: date | None, held: tuple[Suspension, ...]
) -> None:
    """Every line comes from a disclosure the rules list, and each such disclosure is counted once."""
    result = build(items, today=TODAY, since=since, suspensions=held)
    start = max(since, SIX_YEARS_AGO) if since else SIX_YEARS_AGO
    due = [d for d in items if _by_the_rules(d, start, held)]
    shown = {(d.on, d.recipient, d.purpose.replace("_", " ")) for d in due}
    for e in result.entries:
        assert (e.on, e.recipient, e.purpose) in shown
    for s in result.summaries:
        assert s.count >= 2
        assert (s.first.on, s.first.recipient, s.first.purpose) in shown
        assert (s.last_on, s.first.recipient, s.first.purpose) in shown
        assert s.first.on <= s.last_on
    assert len(result.entries) + sum(s.count for s in result.summaries) == len(due)
    in_period = [d for d in items if start <= d.on <= TODAY]
    assert result.excluded + result.suspended + len(due) == len(in_period)
    groups = [(e.recipient, e.purpose) for e in result.entries] + [
        (s.first.recipient, s.first.purpose) for s in result.summaries
    ]
    assert len(groups) == len(set(groups))
