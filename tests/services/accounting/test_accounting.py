"""The accounting of disclosures at the service level: produced from what was recorded, logged and kept;
requests with their clock, extension, fee and delivery; suspensions; the PDF and CSV a client is handed.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import accounting as rules
from roi_tracker.domain import clients as client_rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.runtime import Runtime
from roi_tracker.services.accounting import accounting
from roi_tracker.services.accounting import pdf as accounting_pdf
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.exceptions import exceptions
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import recipients
from tests.helpers import call
from tests.helpers import count
from tests.helpers import entries_after
from tests.helpers import head_seq
from tests.helpers import person
from tests.web.conftest import FakeClock

SYSTEM = audit.Actor("test", "system")
PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
SIX_YEARS_AGO = date(2020, 3, 10)
SIGNED_FORM = tiny_pdf(["Authorization to release information", "Signed: synthetic client"])
ORDER = tiny_pdf(["ORDER (synthetic): produce attendance records."])
RIVERA = "Dr Ana Rivera (Northside Clinic)"
CLERK = "County Clerk (Springfield District Court)"
POLICE = "Officer J. Lee (Springfield Police)"
PRACTICE = "Riverside Counseling"


# -- helpers -------------------------------------------------------------------------------------------------


def register(runtime: Runtime, actor: audit.Actor, family_name: str, *, part2: bool = False) -> uuid.UUID:
    """Register a synthetic client on `actor`'s caseload; return the id."""
    details = client_rules.Demographics(
        given_name="Sam", family_name=family_name, date_of_birth=date(1988, 8, 8), part2=part2
    )
    return call(runtime, clients.register, actor, details, []).id


def terms(recipient_id: uuid.UUID, on: date, *, part2: bool = False) -> dict[str, Any]:
    """A complete HIPAA authorization (or Part 2 consent) to the recipient, signed and effective on `on`."""
    fields: dict[str, Any] = {
        "kind": "part2" if part2 else "hipaa",
        "recipient_id": str(recipient_id),
        "categories": ["sud_records", "diagnosis"] if part2 else ["diagnosis", "treatment_plan"],
        "purposes": ["continuity_of_care"],
        "effective_on": on.isoformat(),
        "expires_on": (on + timedelta(days=600)).isoformat(),
        "signed_on": on.isoformat(),
        "signed_by": "client",
        "statements": ["right_to_revoke", "no_conditioning", "redisclosure"]
        + (["patient_name"] if part2 else []),
        "copy_given_on": on.isoformat(),
        "copy_method": "handed over in person",
    }
    return fields


def authorize(
    runtime: Runtime,
    actor: audit.Actor,
    client_id: uuid.UUID,
    recipient_id: uuid.UUID,
    *,
    part2: bool = False,
) -> authorizations.AuthorizationView:
    """Record an authorization to the recipient, signed and effective on the clock's day."""
    on = runtime.env.clock().date()
    return call(
        runtime, authorizations.record, actor, client_id, terms(recipient_id, on, part2=part2), SIGNED_FORM
    )


def disclose(
    runtime: Runtime, actor: audit.Actor, client_id: uuid.UUID, recipient_id: uuid.UUID, category: str
) -> disclosures.Recorded:
    """Record a permitted disclosure of one category for continuity of care, on the clock's day."""
    today = runtime.env.clock().date()
    q = disclosures.question(client_id, str(recipient_id), [category], "continuity_of_care", today, today)
    return call(
        runtime,
        disclosures.record,
        actor,
        q,
        channel="fax",
        document_ids=[],
        requester_verification="Known clinic; fax number matched the directory",
    )


def court_order(
    runtime: Runtime,
    actor: audit.Actor,
    client_id: uuid.UUID,
    occurred: date,
    categories: tuple[str, ...] = ("attendance",),
) -> exceptions.Recorded:
    """Record records (attendance unless told) produced under a court order on `occurred`."""
    order = call(
        runtime, documents.upload, actor, client_id, content=ORDER, category="court_order", title="Order"
    )
    fields = {
        "kind": "court_order",
        "recipient": {
            "name": "County Clerk",
            "organization": "Springfield District Court",
            "type": "authority",
        },
        "disclosed_categories": list(categories),
        "justification": "The court ordered the attendance records.",
        "channel": "mail",
        "court": "Springfield District Court",
        "judge": "Hon. R. Alvarez",
        "order_reference": "25-CV-117",
        "order_date": (occurred - timedelta(days=10)).isoformat(),
        "order_document_id": str(order.id),
        "order_categories": list(categories),
        "occurred_at": f"{occurred.isoformat()}T10:00",
    }
    return call(runtime, exceptions.record, actor, client_id, fields, PASSWORD)


def warning(
    runtime: Runtime, actor: audit.Actor, client_id: uuid.UUID, occurred: date
) -> exceptions.Recorded:
    """Record a warning to the police about a danger to others on `occurred`."""
    fields = {
        "kind": "danger_to_others",
        "recipient": {"name": "Officer J. Lee", "organization": "Springfield Police", "type": "authority"},
        "disclosed_categories": ["demographics"],
        "justification": "A stated plan against a named neighbour.",
        "channel": "phone",
        "basis_of_belief": "actual_knowledge",
        "threat": "A stated plan to harm",
        "target": "A named neighbour",
        "imminence": "Within days",
        "recipient_can_lessen": "The police can intervene and warn the target.",
        "imminent": True,
        "recipient_able_to_lessen": True,
        "occurred_at": f"{occurred.isoformat()}T10:00",
    }
    return call(runtime, exceptions.record, actor, client_id, fields, PASSWORD)


def produce(runtime: Runtime, actor: audit.Actor, client_id: uuid.UUID, **kwargs: Any) -> accounting.Produced:
    """Produce the client's accounting as `actor`."""
    return call(runtime, accounting.produce, actor, client_id, **kwargs)


def lines(produced: accounting.Produced) -> list[tuple[date, str, str]]:
    """Return (date, recipient, basis) of each entry."""
    return [(e.on, e.recipient, e.basis) for e in produced.accounting.entries]


def pdf_text(pdf: bytes) -> str:
    """Return the text of every page of a PDF, whitespace collapsed."""
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages)


# -- fixtures ------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def clock(runtime: Runtime) -> FakeClock:
    """Stand the instance's clock still at 10 March 2026, 15:00 UTC."""
    fake = FakeClock(NOW)
    object.__setattr__(runtime.env, "clock", fake)
    return fake


@pytest.fixture
def alice(runtime: Runtime) -> audit.Actor:
    """The clinician of both clients."""
    return person(runtime, "alice", "clinician")


@pytest.fixture
def abe(runtime: Runtime) -> audit.Actor:
    """The privacy officer."""
    return person(runtime, "abe", "auditor")


@pytest.fixture
def rivera(runtime: Runtime, alice: audit.Actor) -> uuid.UUID:
    """A clinic in the directory, with its address."""
    view = call(
        runtime,
        recipients.create,
        alice,
        name="Dr Ana Rivera",
        organization="Northside Clinic",
        address="12 Elm Street, Springfield",
    )
    return view.id


@pytest.fixture
def zoe(runtime: Runtime, alice: audit.Actor, rivera: uuid.UUID) -> uuid.UUID:
    """A HIPAA-only client: one authorized disclosure, two court-ordered ones, one warning to the police."""
    client_id = register(runtime, alice, "Okafor")
    authorize(runtime, alice, client_id, rivera)
    disclose(runtime, alice, client_id, rivera, "diagnosis")
    court_order(runtime, alice, client_id, date(2025, 6, 1))
    court_order(runtime, alice, client_id, date(2025, 9, 1))
    warning(runtime, alice, client_id, date(2026, 2, 1))
    return client_id


@pytest.fixture
def jonah(runtime: Runtime, alice: audit.Actor, rivera: uuid.UUID) -> uuid.UUID:
    """A Part 2 client: one disclosure under a Part 2 consent."""
    client_id = register(runtime, alice, "Lindqvist", part2=True)
    authorize(runtime, alice, client_id, rivera, part2=True)
    disclose(runtime, alice, client_id, rivera, "sud_records")
    return client_id


# -- what is listed ------------------------------------------------------------------------------------------


def test_lists_exception_disclosures_and_leaves_out_the_authorized_one_for_a_hipaa_client(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID
) -> None:
    """The warning is an entry, the two court orders one summary, the authorized disclosure only counted."""
    produced = produce(runtime, alice, zoe)
    a = produced.accounting
    assert (a.since, a.until) == (SIX_YEARS_AGO, TODAY)
    assert lines(produced) == [(date(2026, 2, 1), POLICE, "danger_to_others")]
    assert [(s.first.on, s.first.recipient, s.first.basis, s.count, s.last_on) for s in a.summaries] == [
        (date(2025, 6, 1), CLERK, "court_order", 2, date(2025, 9, 1))
    ]
    assert a.summaries[0].first.description == "attendance"
    assert a.summaries[0].first.purpose == "exception:court order"
    assert (a.excluded, a.suspended) == (1, 0)
    assert (produced.client_id, produced.client_name) == (zoe, "Sam Okafor")
    assert produced.client_reference.startswith("C-")


def test_a_summary_names_every_category_the_series_disclosed_in_json_pdf_and_csv(
    runtime: Runtime, alice: audit.Actor
) -> None:
    """164.528(b)(3): three court orders to the clerk, the later ones wider: the summary names them all."""
    client_id = register(runtime, alice, "Haddad")
    court_order(runtime, alice, client_id, date(2025, 6, 1))
    court_order(runtime, alice, client_id, date(2025, 9, 1), ("attendance", "diagnosis"))
    court_order(runtime, alice, client_id, date(2025, 12, 1), ("billing",))
    produced = produce(runtime, alice, client_id)
    [summary] = produced.accounting.summaries
    assert (summary.count, summary.first.description) == (3, "attendance")
    assert summary.description == "attendance, diagnosis, billing"
    assert "Across all 3: attendance, diagnosis, billing." in pdf_text(
        accounting_pdf.as_pdf(PRACTICE, produced)
    )
    rows = list(csv.reader(io.StringIO(accounting_pdf.as_csv(produced))))
    assert [row[5] for row in rows[1:]] == ["attendance, diagnosis, billing"]


def test_lists_a_disclosure_under_a_part2_consent_with_the_recipients_address(
    runtime: Runtime, alice: audit.Actor, jonah: uuid.UUID
) -> None:
    """42 CFR 2.25: the consent-based disclosure is listed, with the consent's label as its basis."""
    produced = produce(runtime, alice, jonah)
    [entry] = produced.accounting.entries
    assert (entry.on, entry.recipient, entry.address) == (TODAY, RIVERA, "12 Elm Street, Springfield")
    assert entry.basis.startswith("A-")
    assert (entry.description, entry.purpose) == ("sud records", "continuity of care")
    assert produced.accounting.excluded == 0


def test_part2_consent_disclosures_are_listed_for_three_years_and_not_a_day_longer(
    runtime: Runtime, alice: audit.Actor, rivera: uuid.UUID, clock: FakeClock
) -> None:
    """Disclosed 4 years ago, 3 years and a day ago, and exactly 3 years ago: only the last is listed."""
    clock.now = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)
    client_id = register(runtime, alice, "Novak", part2=True)
    authorize(runtime, alice, client_id, rivera, part2=True)
    for day in (date(2022, 3, 10), date(2023, 3, 9), date(2023, 3, 10)):
        clock.now = datetime.combine(day, NOW.timetz())
        disclose(runtime, alice, client_id, rivera, "sud_records")
    clock.now = NOW
    produced = produce(runtime, alice, client_id)
    assert [e.on for e in produced.accounting.entries] == [date(2023, 3, 10)]
    assert produced.accounting.excluded == 2


def test_a_hipaa_client_s_authorized_disclosures_are_never_listed_however_recent(
    runtime: Runtime, alice: audit.Actor, rivera: uuid.UUID, clock: FakeClock
) -> None:
    """164.528(a)(1)(iv): the same history as above, for a HIPAA-only client, lists nothing."""
    clock.now = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)
    client_id = register(runtime, alice, "Novak")
    authorize(runtime, alice, client_id, rivera)
    for day in (date(2022, 3, 10), date(2023, 3, 10)):
        clock.now = datetime.combine(day, NOW.timetz())
        disclose(runtime, alice, client_id, rivera, "diagnosis")
    clock.now = NOW
    a = produce(runtime, alice, client_id).accounting
    assert (a.entries, a.summaries, a.excluded) == ((), (), 2)


def test_a_shorter_period_lists_only_what_came_after_its_start(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID
) -> None:
    """Asked from 1 August 2025: the June court order falls outside, the September one is an entry."""
    produced = produce(runtime, alice, zoe, since=date(2025, 8, 1))
    assert (produced.accounting.since, produced.accounting.until) == (date(2025, 8, 1), TODAY)
    assert lines(produced) == [
        (date(2025, 9, 1), CLERK, "court_order"),
        (date(2026, 2, 1), POLICE, "danger_to_others"),
    ]
    assert produced.accounting.summaries == ()


def test_a_period_of_exactly_six_years_is_accepted(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID
) -> None:
    """The first day of the longest period the client may ask for."""
    assert produce(runtime, alice, zoe, since=SIX_YEARS_AGO).accounting.since == SIX_YEARS_AGO


@pytest.mark.parametrize("since", [date(2020, 3, 9), TODAY + timedelta(days=1)])
def test_a_period_longer_than_six_years_or_reversed_is_refused_naming_since(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, since: date
) -> None:
    """Bad input names the problem; nothing is produced or kept."""
    with pytest.raises(InvalidInput) as caught:
        produce(runtime, alice, zoe, since=since)
    assert caught.value.field == "since"
    assert count(runtime, models.AccountingGiven) == 0


# -- logged and kept -----------------------------------------------------------------------------------------


def test_producing_is_logged_and_the_accounting_given_is_kept_sealed(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID
) -> None:
    """One allowed accounting:produced entry naming the kept row; the row holds ciphertext, not names."""
    before = head_seq(runtime)
    produced = produce(runtime, alice, zoe)
    produced_entries = entries_after(runtime, before, Action.ACCOUNTING_PRODUCED)
    assert [(e.outcome, e.object_type, e.object_id, e.client_id, e.actor) for e in produced_entries] == [
        ("allowed", "accounting", str(produced.id), str(zoe), alice.user_id)
    ]
    with runtime.sessions() as session:
        kept = session.get_one(models.AccountingGiven, produced.id)
        content = bytes(kept.content)
        assert (kept.client_id, str(kept.produced_by)) == (zoe, alice.user_id)
        assert (kept.since, kept.until, kept.delivered_at) == (SIX_YEARS_AGO, TODAY, None)
    for plaintext in (b"Springfield", b"County Clerk", b"danger_to_others", b"2025-06-01"):
        assert plaintext not in content


def test_each_accounting_produced_is_kept(runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID) -> None:
    """Two productions, two rows and two entries (164.528(d): keep every accounting given)."""
    first = produce(runtime, alice, zoe)
    second = produce(runtime, alice, zoe)
    assert first.id != second.id
    assert count(runtime, models.AccountingGiven) == 2
    assert len(entries_after(runtime, 0, Action.ACCOUNTING_PRODUCED)) == 2


def test_a_clinician_off_the_caseload_gets_not_found_and_the_attempt_is_logged_refused(
    runtime: Runtime, zoe: uuid.UUID
) -> None:
    """Not yours reads as missing; nothing is kept."""
    bob = person(runtime, "bob", "clinician")
    before = head_seq(runtime)
    with pytest.raises(NotFound):
        produce(runtime, bob, zoe)
    assert [(e.action, e.outcome, e.client_id) for e in entries_after(runtime, before)] == [
        ("accounting:produced", "refused", str(zoe))
    ]
    assert count(runtime, models.AccountingGiven) == 0


def test_an_auditor_may_produce_the_accounting_of_any_client(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID, jonah: uuid.UUID
) -> None:
    """The privacy officer answers requests for every client, on no caseload."""
    assert lines(produce(runtime, abe, zoe))[0][1] == POLICE
    assert lines(produce(runtime, abe, jonah))[0][1] == RIVERA
    entries = entries_after(runtime, 0, Action.ACCOUNTING_PRODUCED)
    assert [(e.outcome, e.actor) for e in entries] == [("allowed", abe.user_id)] * 2


def test_an_unknown_client_is_not_found(runtime: Runtime, abe: audit.Actor) -> None:
    """For an auditor too."""
    with pytest.raises(NotFound):
        produce(runtime, abe, uuid.uuid4())


# -- requests ------------------------------------------------------------------------------------------------


def request(runtime: Runtime, abe: audit.Actor, client_id: uuid.UUID, received: date, **kwargs: Any) -> Any:
    """Record a request received on `received`."""
    return call(runtime, accounting.open_request, abe, client_id, received_on=received, since=None, **kwargs)


def test_a_request_is_due_sixty_days_after_it_is_received_and_is_logged(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID
) -> None:
    """164.528(c)(1): act within 60 days of receipt."""
    before = head_seq(runtime)
    row = request(runtime, abe, zoe, date(2026, 3, 1))
    assert (row.received_on, row.due_on, row.fee_cents, row.delivered_on) == (
        date(2026, 3, 1),
        date(2026, 4, 30),
        0,
        None,
    )
    assert [(e.action, e.outcome, e.object_id, e.client_id) for e in entries_after(runtime, before)] == [
        ("accounting:requested", "allowed", str(row.id), str(zoe))
    ]


def test_one_extension_adds_thirty_days_with_a_sealed_reason_and_a_second_is_a_conflict(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID
) -> None:
    """164.528(c)(2): one 30-day extension, with the reason given in writing."""
    row = request(runtime, abe, zoe, date(2026, 3, 1))
    before = head_seq(runtime)
    reason = "Records from the old system are being retrieved from archive."
    extended = call(runtime, accounting.extend, abe, row.id, reason, notice_method="mail")
    assert extended.due_on == date(2026, 5, 30)
    assert reason.encode() not in bytes(extended.extension_reason)
    assert [(e.action, e.object_id) for e in entries_after(runtime, before)] == [
        ("accounting:extended", str(row.id))
    ]
    with pytest.raises(Conflict):
        call(runtime, accounting.extend, abe, row.id, "Still waiting for the archive.", notice_method="mail")
    with runtime.sessions() as session:
        assert session.get_one(models.AccountingRequest, row.id).due_on == date(2026, 5, 30)


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_an_extension_needs_a_written_reason(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID, reason: str
) -> None:
    """No reason, no extension; the deadline stands."""
    row = request(runtime, abe, zoe, date(2026, 3, 1))
    with pytest.raises(InvalidInput) as caught:
        call(runtime, accounting.extend, abe, row.id, reason, notice_method="mail")
    assert caught.value.field == "reason"
    with runtime.sessions() as session:
        assert session.get_one(models.AccountingRequest, row.id).due_on == date(2026, 4, 30)


def test_the_first_request_in_twelve_months_is_free_and_a_second_one_costs_the_fee(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID, jonah: uuid.UUID, with_settings: Callable[..., None]
) -> None:
    """164.528(c)(2): the first accounting in any 12 months is free; another client's request is separate."""
    with_settings(accounting_fee_cents=1500)
    first = request(runtime, abe, zoe, date(2025, 3, 1))
    a_year_later = request(runtime, abe, zoe, date(2026, 3, 2))
    soon_after = request(runtime, abe, zoe, date(2026, 3, 9))
    someone_else = request(runtime, abe, jonah, date(2026, 3, 9))
    assert [r.fee_cents for r in (first, a_year_later, soon_after, someone_else)] == [0, 0, 1500, 0]


def test_delivery_records_the_method_and_date_and_links_the_accounting(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID, clock: FakeClock
) -> None:
    """The request closes with the accounting produced for it, over the period the client asked for."""
    row = call(
        runtime, accounting.open_request, abe, zoe, received_on=date(2026, 3, 1), since=date(2025, 8, 1)
    )
    clock.advance(days=5)
    before = head_seq(runtime)
    produced = call(runtime, accounting.deliver, abe, row.id, method="mail")
    assert produced.accounting.since == date(2025, 8, 1)
    with runtime.sessions() as session:
        done = session.get_one(models.AccountingRequest, row.id)
        assert (done.delivered_on, done.delivery_method, done.accounting_id) == (
            date(2026, 3, 15),
            "mail",
            produced.id,
        )
        assert session.get(models.AccountingGiven, produced.id) is not None
    assert [(e.action, e.object_id) for e in entries_after(runtime, before)][-1] == (
        "accounting:delivered",
        str(row.id),
    )
    with runtime.sessions() as session:
        assert accounting.open_requests(session) == []


def test_a_six_year_request_delivered_weeks_later_covers_the_six_years_before_the_request(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID, clock: FakeClock
) -> None:
    """164.528(a)(1): the window runs back from the date of the request, not of delivery."""
    row = call(
        runtime, accounting.open_request, abe, zoe, received_on=date(2026, 3, 1), since=date(2020, 3, 1)
    )
    clock.advance(days=36)
    produced = call(runtime, accounting.deliver, abe, row.id, method="portal")
    assert (produced.accounting.since, produced.accounting.until) == (date(2020, 3, 1), date(2026, 3, 1))


def test_a_delivered_request_cannot_be_delivered_or_extended_again(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID
) -> None:
    """Both answer Conflict, and nothing more is produced."""
    row = request(runtime, abe, zoe, date(2026, 3, 1))
    call(runtime, accounting.deliver, abe, row.id, method="in_person")
    with pytest.raises(Conflict):
        call(runtime, accounting.deliver, abe, row.id, method="mail")
    with pytest.raises(Conflict):
        call(runtime, accounting.extend, abe, row.id, "Too late to extend.", notice_method="mail")
    assert count(runtime, models.AccountingGiven) == 1


def test_an_unknown_delivery_method_is_refused_by_name(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID
) -> None:
    """Methods are a vocabulary; nothing is produced."""
    row = request(runtime, abe, zoe, date(2026, 3, 1))
    with pytest.raises(InvalidInput) as caught:
        call(runtime, accounting.deliver, abe, row.id, method="carrier_pigeon")
    assert caught.value.field == "method"
    assert count(runtime, models.AccountingGiven) == 0


def test_open_requests_are_listed_soonest_due_first(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID, jonah: uuid.UUID
) -> None:
    """An extension moves a request down the list."""
    early = request(runtime, abe, zoe, date(2026, 1, 10))
    late = request(runtime, abe, jonah, date(2026, 2, 1))
    assert [r.id for r in call(runtime, lambda s, _env: accounting.open_requests(s))] == [early.id, late.id]
    call(runtime, accounting.extend, abe, early.id, "Archive retrieval.", notice_method="mail")
    assert [r.id for r in call(runtime, lambda s, _env: accounting.open_requests(s))] == [late.id, early.id]


def test_a_request_received_in_the_future_is_refused_by_name(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID
) -> None:
    """Tomorrow is a typo."""
    with pytest.raises(InvalidInput) as caught:
        request(runtime, abe, zoe, TODAY + timedelta(days=1))
    assert caught.value.field == "received_on"
    assert count(runtime, models.AccountingRequest) == 0


@pytest.mark.parametrize("since", [date(2020, 2, 29), date(2026, 3, 2)])
def test_a_request_for_a_period_longer_than_six_years_or_starting_after_receipt_is_refused(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID, since: date
) -> None:
    """The period is checked against the day the request was received."""
    with pytest.raises(InvalidInput) as caught:
        call(runtime, accounting.open_request, abe, zoe, received_on=date(2026, 3, 1), since=since)
    assert caught.value.field == "since"
    assert count(runtime, models.AccountingRequest) == 0


def test_a_request_for_an_unknown_client_is_not_found(runtime: Runtime, abe: audit.Actor) -> None:
    """Nothing is recorded."""
    with pytest.raises(NotFound):
        request(runtime, abe, uuid.uuid4(), date(2026, 3, 1))


def test_extending_or_delivering_an_unknown_request_is_not_found(runtime: Runtime, abe: audit.Actor) -> None:
    """Both name no request."""
    with pytest.raises(NotFound):
        call(runtime, accounting.extend, abe, uuid.uuid4(), "A reason.", notice_method="mail")
    with pytest.raises(NotFound):
        call(runtime, accounting.deliver, abe, uuid.uuid4(), method="mail")


def test_a_client_is_found_by_reference_with_or_without_its_prefix(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID
) -> None:
    """Auditors type what the client's letter says."""
    with runtime.sessions() as session:
        reference = session.get_one(models.Client, zoe).reference
        assert accounting.client_by_reference(session, reference) == zoe
        assert accounting.client_by_reference(session, f" {reference[2:].lower()} ") == zoe


def test_an_unknown_reference_is_refused_by_name(runtime: Runtime) -> None:
    """Naming the reference field."""
    with runtime.sessions() as session, pytest.raises(InvalidInput) as caught:
        accounting.client_by_reference(session, "C-NOPE")
    assert caught.value.field == "reference"


# -- suspensions ---------------------------------------------------------------------------------------------


def agency(runtime: Runtime, client_id: uuid.UUID, basis: str) -> uuid.UUID:
    """Return the directory entry of the agency that received the client's disclosure on this basis.

    An exception keeps its own recipient, out of the directory: the agency is added to the directory
    under the same name, as an auditor would before recording its suspension (164.528(a)(2)).
    """
    with runtime.sessions() as session:
        stmt = select(models.Disclosure.recipient_id).where(
            models.Disclosure.client_id == client_id, models.Disclosure.basis == basis
        )
        found = session.execute(stmt.limit(1)).scalar_one()
        assert found is not None
        sent_to = recipients.get(session, runtime.env, found)
        if sent_to.scope == "directory":
            return found
        listed = [
            r.id
            for r in recipients.search(session, runtime.env, sent_to.name)
            if r.display == sent_to.display
        ]
    if listed:
        return listed[0]
    return call(
        runtime,
        recipients.create,
        person(runtime, f"desk-{basis}", "front_desk"),
        kind="organization",
        type="authority",
        name=sent_to.name,
        organization=sent_to.organization,
    ).id


def suspend(
    runtime: Runtime,
    abe: audit.Actor,
    client_id: uuid.UUID,
    starts: date,
    ends: date,
    *,
    written: bool,
    asked_by: str = "danger_to_others",
) -> None:
    """Record a suspension asked for by the recipient of the disclosure on `asked_by` (the police)."""
    call(
        runtime,
        accounting.suspend,
        abe,
        client_id,
        agency_id=agency(runtime, client_id, asked_by),
        starts_on=starts,
        ends_on=ends,
        written=written,
    )


def test_a_written_suspension_hides_the_disclosures_of_its_period_and_is_logged(
    runtime: Runtime, alice: audit.Actor, abe: audit.Actor, zoe: uuid.UUID
) -> None:
    """From 1 January to 30 June 2026: the warning to the police is hidden and counted; court orders stay."""
    police = agency(runtime, zoe, "danger_to_others")
    before = head_seq(runtime)
    suspend(runtime, abe, zoe, date(2026, 1, 1), date(2026, 6, 30), written=True)
    logged = entries_after(runtime, before)
    assert [(e.action, e.outcome, e.client_id, e.basis) for e in logged] == [
        ("accounting:suspended", "allowed", str(zoe), "written")
    ]
    with runtime.sessions() as session:
        row = session.execute(select(models.AccountingSuspension)).scalar_one()
        assert (row.starts_on, row.ends_on, row.written, str(row.recorded_by), row.recipient_id) == (
            date(2026, 1, 1),
            date(2026, 6, 30),
            True,
            abe.user_id,
            police,
        )
        assert b"Springfield" not in bytes(row.agency)
    a = produce(runtime, alice, zoe).accounting
    assert a.entries == ()
    assert [s.count for s in a.summaries] == [2]
    assert (a.suspended, a.excluded) == (1, 1)


def test_a_suspension_hides_only_the_disclosures_to_the_agency_that_asked(
    runtime: Runtime, alice: audit.Actor, abe: audit.Actor, zoe: uuid.UUID
) -> None:
    """The police's written request over the whole period hides the warning, not the clerk's court orders."""
    suspend(runtime, abe, zoe, date(2025, 1, 1), date(2026, 3, 10), written=True)
    a = produce(runtime, alice, zoe).accounting
    assert a.entries == ()
    assert [(s.first.recipient, s.count) for s in a.summaries] == [(CLERK, 2)]
    assert a.suspended == 1


def test_an_oral_suspension_suspends_the_right_for_its_first_thirty_days_only(
    runtime: Runtime, alice: audit.Actor, abe: audit.Actor, zoe: uuid.UUID
) -> None:
    """164.528(a)(2)(ii), judged on the day the accounting is asked for: the court's oral request of
    20 May 2025 lapsed long before 10 March 2026 and hides nothing; one made on 1 March hides both orders."""
    suspend(runtime, abe, zoe, date(2025, 5, 20), date(2026, 3, 31), written=False, asked_by="court_order")
    a = produce(runtime, alice, zoe).accounting
    assert ([s.count for s in a.summaries], a.suspended) == ([2], 0)
    suspend(runtime, abe, zoe, date(2026, 3, 1), date(2026, 6, 30), written=False, asked_by="court_order")
    a = produce(runtime, alice, zoe).accounting
    assert [(e.on, e.recipient) for e in a.entries] == [(date(2026, 2, 1), POLICE)]
    assert (a.summaries, a.suspended) == ((), 2)


def test_the_same_suspension_in_writing_hides_the_whole_period(
    runtime: Runtime, alice: audit.Actor, abe: audit.Actor, zoe: uuid.UUID
) -> None:
    """Confirmed in writing, the period stated holds: both court orders are hidden, the warning is not."""
    suspend(runtime, abe, zoe, date(2025, 5, 20), date(2026, 3, 31), written=True, asked_by="court_order")
    a = produce(runtime, alice, zoe).accounting
    assert [(e.on, e.recipient) for e in a.entries] == [(date(2026, 2, 1), POLICE)]
    assert (a.summaries, a.suspended) == ((), 2)


def test_a_suspension_that_ends_before_it_starts_is_refused_by_name(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID
) -> None:
    """Naming ends_on; nothing is recorded."""
    with pytest.raises(InvalidInput) as caught:
        suspend(runtime, abe, zoe, date(2026, 3, 1), date(2026, 2, 28), written=True)
    assert caught.value.field == "ends_on"
    assert count(runtime, models.AccountingSuspension) == 0


@pytest.mark.parametrize("agency_id", [None, uuid.uuid4()])
def test_a_suspension_must_name_an_agency_in_the_directory(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID, agency_id: uuid.UUID | None
) -> None:
    """Naming agency_id, whether none is given or the id is no recipient's; nothing is recorded."""
    with pytest.raises(InvalidInput) as caught:
        call(
            runtime,
            accounting.suspend,
            abe,
            zoe,
            agency_id=agency_id,
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 3, 31),
            written=True,
        )
    assert caught.value.field == "agency_id"
    assert count(runtime, models.AccountingSuspension) == 0


def test_a_suspension_for_an_unknown_client_is_not_found(runtime: Runtime, abe: audit.Actor) -> None:
    """Nothing is recorded."""
    with pytest.raises(NotFound):
        call(
            runtime,
            accounting.suspend,
            abe,
            uuid.uuid4(),
            agency_id=uuid.uuid4(),
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 3, 31),
            written=True,
        )
    assert count(runtime, models.AccountingSuspension) == 0


# -- PDF and CSV ---------------------------------------------------------------------------------------------


def test_the_pdf_names_the_practice_the_period_each_entry_and_what_is_not_listed(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID
) -> None:
    """Extracted text holds the plain-language parts a client is handed."""
    produced = produce(runtime, alice, zoe)
    pdf = accounting_pdf.as_pdf(PRACTICE, produced)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert f"Accounting of disclosures - {PRACTICE}" in text
    assert f"For: Sam Okafor ({produced.client_reference})" in text
    assert f"Period covered: {SIX_YEARS_AGO} to {TODAY}" in text
    assert f"2026-02-01 - to {POLICE}" in text
    assert f"2025-06-01 (first of 2; last on 2025-09-01) - to {CLERK}" in text
    assert "Basis: danger to others." in text
    assert " ".join(rules.EXPLANATION.split()) in text


def test_the_pdf_of_an_empty_accounting_says_there_is_nothing_to_list(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID
) -> None:
    """A period with no accountable disclosure still gives the client a page that says so."""
    produced = produce(runtime, alice, zoe, since=date(2026, 3, 1))
    text = pdf_text(accounting_pdf.as_pdf(PRACTICE, produced))
    assert "There are no disclosures to list for this period." in text
    assert "Not listed:" in text


def test_the_csv_has_its_header_and_one_row_per_entry_and_summary(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID
) -> None:
    """Entries count 1 and end on their own date; a summary carries its count and last date."""
    rows = list(csv.reader(io.StringIO(accounting_pdf.as_csv(produce(runtime, alice, zoe)))))
    assert rows[0] == list(accounting_pdf.CSV_COLUMNS)
    assert rows[1:] == [
        [
            "2026-02-01",
            "2026-02-01",
            "1",
            POLICE,
            "",
            "demographics",
            "exception:danger to others",
            "danger_to_others",
        ],
        ["2025-06-01", "2025-09-01", "2", CLERK, "", "attendance", "exception:court order", "court_order"],
    ]
