"""Confidentiality exceptions at the service level: recorded whole or not at all, flagged, reviewed.

Each exception commits its row, its accountable disclosure, one notification per auditor and its access-log
entry in one transaction; any failure (password, guard, log writer, caseload) leaves none of them behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.app import create_app
from roi_tracker.domain import clients as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import AuditUnavailable
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import Forbidden
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.domain.exceptions import Kind
from roi_tracker.runtime import Runtime
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.exceptions import exceptions
from roi_tracker.services.exceptions import legal_data
from roi_tracker.services.exceptions import reviews
from roi_tracker.services.people import users
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.records import page as client_page
from tests.helpers import call
from tests.helpers import count
from tests.helpers import head_seq
from tests.helpers import person
from tests.web.conftest import FakeClock

SYSTEM = audit.Actor("test", "system")
PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
ORDER = tiny_pdf(["ORDER (synthetic): produce attendance records."])
# Everything an exception may leave behind, besides its access-log entries.
STORED = (
    models.ConfidentialityException,
    models.Disclosure,
    models.Notification,
    models.Recipient,
    models.Review,
)


# -- helpers -------------------------------------------------------------------------------------------------


def counts(runtime: Runtime) -> dict[str, int]:
    """Count the rows of every table an exception writes to."""
    return {model.__tablename__: count(runtime, model) for model in STORED}


def entries_after(runtime: Runtime, seq: int) -> list[tuple[str, str]]:
    """Return (action, outcome) of the access-log entries newer than `seq`, oldest first."""
    with runtime.sessions() as session:
        stmt = select(models.AuditEntry).where(models.AuditEntry.seq > seq).order_by(models.AuditEntry.seq)
        return [(e.action, e.outcome) for e in session.execute(stmt).scalars()]


def register(runtime: Runtime, actor: audit.Actor, family_name: str, *, part2: bool = False) -> uuid.UUID:
    """Register a synthetic client on `actor`'s caseload; return the id."""
    details = rules.Demographics(
        given_name="Sam", family_name=family_name, date_of_birth=date(1988, 8, 8), part2=part2
    )
    return call(runtime, clients.register, actor, details, []).id


def upload_order(runtime: Runtime, actor: audit.Actor, client_id: uuid.UUID) -> uuid.UUID:
    """Upload a copy of a court order to the client's record; return the document id."""
    return call(
        runtime, documents.upload, actor, client_id, content=ORDER, category="court_order", title="Order 117"
    ).id


def fields_of(kind: Kind, **changes: object) -> dict[str, Any]:
    """The service's fields for a complete exception of `kind`."""
    specific: dict[Kind, dict[str, Any]] = {
        Kind.DANGER_TO_OTHERS: {
            "basis_of_belief": "actual_knowledge",
            "threat": "A stated plan to harm",
            "target": "A named neighbour",
            "imminence": "Within days",
            "recipient_can_lessen": "The police can intervene and warn the target.",
            "imminent": True,
            "recipient_able_to_lessen": True,
        },
        Kind.DANGER_TO_SELF: {
            "basis_of_belief": "credible_representation",
            "belief_source": "The client's sister",
            "threat": "Suicidal intent with a plan",
            "imminence": "Today",
            "recipient_can_lessen": "The crisis team can reach the client within the hour.",
            "imminent": True,
            "recipient_able_to_lessen": True,
        },
        Kind.CHILD_ABUSE_REPORT: {"report_number": "CPS-2026-4411", "reported_at": "2026-03-09T10:00"},
        Kind.ELDER_ABUSE_REPORT: {
            "report_number": "APS-88213",
            "reported_at": "2026-03-09T10:00",
            "condition": "required_by_law",
            "client_informed_on": "2026-03-09",
        },
        Kind.COURT_ORDER: {
            "court": "Springfield District Court",
            "judge": "Hon. R. Alvarez",
            "order_reference": "26-CV-117",
            "order_date": "2026-02-20",
            "order_categories": ["demographics"],
        },
        Kind.PART2_MEDICAL_EMERGENCY: {
            "medical_personnel_name": "Dr. M. Ortiz",
            "facility": "Mercy Hospital ER",
            "emergency_nature": "Suspected overdose, client unable to consent",
        },
    }
    fields: dict[str, Any] = {
        "kind": kind.value,
        "recipient": {
            "name": "Officer J. Lee",
            "organization": "Springfield Police",
            "type": "provider" if kind is Kind.PART2_MEDICAL_EMERGENCY else "authority",
        },
        "disclosed_categories": ["demographics"],
        "justification": "What I saw and why I disclosed it, in my own words.",
        "channel": "phone",
        **specific[kind],
    }
    fields.update(changes)
    return fields


# -- fixtures ------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def clock(runtime: Runtime) -> FakeClock:
    """Stand the instance's clock still at 10 March 2026, 15:00 UTC."""
    fake = FakeClock(NOW)
    object.__setattr__(runtime.env, "clock", fake)
    return fake


@pytest.fixture
def alice(runtime: Runtime) -> audit.Actor:
    """The clinician who records the exceptions."""
    return person(runtime, "alice", "clinician")


@pytest.fixture
def auditors(runtime: Runtime) -> list[audit.Actor]:
    """Two active auditors (and a disabled one, who is told nothing)."""
    people = [person(runtime, "abe", "auditor"), person(runtime, "ada", "auditor")]
    gone = person(runtime, "old", "auditor")
    call(runtime, users.set_active, SYSTEM, uuid.UUID(gone.user_id), active=False)
    return people


@pytest.fixture
def zoe(runtime: Runtime, alice: audit.Actor) -> uuid.UUID:
    """Alice's client whose records fall under HIPAA only."""
    return register(runtime, alice, "Okafor")


@pytest.fixture
def jonah(runtime: Runtime, alice: audit.Actor) -> uuid.UUID:
    """Alice's client whose records are Part 2 records."""
    return register(runtime, alice, "Lindqvist", part2=True)


def client_for(runtime: Runtime, alice: audit.Actor, kind: Kind) -> tuple[uuid.UUID, dict[str, Any]]:
    """A client of alice's suited to `kind`, and the complete fields for it."""
    if kind is Kind.PART2_MEDICAL_EMERGENCY:
        return register(runtime, alice, "Lindqvist", part2=True), fields_of(kind)
    client_id = register(runtime, alice, "Okafor")
    if kind is Kind.COURT_ORDER:
        return client_id, fields_of(kind, order_document_id=str(upload_order(runtime, alice, client_id)))
    return client_id, fields_of(kind)


# -- recording: all of it, in one transaction ----------------------------------------------------------------


@pytest.mark.parametrize("kind", list(Kind))
def test_recording_an_exception_stores_it_its_disclosure_a_notification_per_auditor_and_one_entry(
    kind: Kind, runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor]
) -> None:
    """One exception, one accountable disclosure without an authorization, one notice per active auditor."""
    client_id, fields = client_for(runtime, alice, kind)
    before, seq = counts(runtime), head_seq(runtime)
    recorded = call(runtime, exceptions.record, alice, client_id, fields, PASSWORD)
    assert recorded.review_status == "pending"
    after = counts(runtime)
    assert after["confidentiality_exceptions"] == before["confidentiality_exceptions"] + 1
    assert after["disclosures"] == before["disclosures"] + 1
    assert after["notifications"] == before["notifications"] + len(auditors)
    assert entries_after(runtime, seq) == [
        ("recipient:created", "allowed"),
        ("exception:recorded", "allowed"),
    ]
    with runtime.sessions() as session:
        row = session.get_one(models.ConfidentialityException, recorded.id)
        sent = session.get_one(models.Disclosure, recorded.disclosure_id)
        notices = session.execute(select(models.Notification)).scalars().all()
        entry = session.execute(
            select(models.AuditEntry).where(models.AuditEntry.action == Action.EXCEPTION_RECORDED.value)
        ).scalar_one()
        history = [d.id for d in disclosures.history(session, client_id)]
    assert (row.client_id, row.disclosure_id, str(row.recorded_by)) == (client_id, sent.id, alice.user_id)
    assert (sent.authorization_id, sent.basis, sent.client_id) == (None, kind.value, client_id)
    assert sent.recipient_id is not None
    assert recorded.disclosure_id in history
    assert sorted(str(n.user_id) for n in notices) == sorted(a.user_id for a in auditors)
    assert {(n.kind, n.subject_id, n.client_id) for n in notices} == {("exception", recorded.id, client_id)}
    assert (entry.object_id, entry.client_id, entry.basis) == (str(recorded.id), str(client_id), kind.value)


def test_a_wrong_password_stores_nothing_and_logs_only_the_failed_step_up(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], zoe: uuid.UUID
) -> None:
    """The password is re-entered before anything is recorded."""
    before, seq = counts(runtime), head_seq(runtime)
    with pytest.raises(InvalidInput) as caught:
        call(runtime, exceptions.record, alice, zoe, fields_of(Kind.DANGER_TO_OTHERS), "not my password")
    assert caught.value.field == "password"
    assert counts(runtime) == before
    assert entries_after(runtime, seq) == [("auth:stepup:failed", "refused")]


def test_a_guard_refusal_stores_nothing_and_logs_only_the_refusal_with_its_rule(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], zoe: uuid.UUID
) -> None:
    """A refused exception answers with each rule and leaves one refused entry naming the first."""
    fields = fields_of(Kind.DANGER_TO_OTHERS, learned_as_admission_of_past_violent_crime=True)
    before, seq = counts(runtime), head_seq(runtime)
    with pytest.raises(Defective) as caught:
        call(runtime, exceptions.record, alice, zoe, fields, PASSWORD)
    assert [p["rule"] for p in caught.value.problems] == ["164.512(j)(2)"]
    assert counts(runtime) == before
    assert entries_after(runtime, seq) == [("exception:recorded", "refused")]
    with runtime.sessions() as session:
        refused = session.execute(select(models.AuditEntry).where(models.AuditEntry.seq > seq)).scalar_one()
    assert refused.basis == "164.512(j)(2)"


def test_a_missing_kind_specific_field_is_refused_by_name(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], zoe: uuid.UUID
) -> None:
    """Leaving out the report number of a child-abuse report names that field."""
    fields = fields_of(Kind.CHILD_ABUSE_REPORT, report_number="")
    before = counts(runtime)
    with pytest.raises(Defective) as caught:
        call(runtime, exceptions.record, alice, zoe, fields, PASSWORD)
    assert [(p["rule"], p["field"]) for p in caught.value.problems] == [("X-FIELDS", "report_number")]
    assert counts(runtime) == before


def test_a_danger_exception_on_part2_records_is_refused_under_2_51(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], jonah: uuid.UUID
) -> None:
    """The service reads the client's Part 2 status itself; the clinician cannot skip the guard."""
    with pytest.raises(Defective) as caught:
        call(runtime, exceptions.record, alice, jonah, fields_of(Kind.DANGER_TO_SELF), PASSWORD)
    assert [p["rule"] for p in caught.value.problems] == ["2.51"]
    assert count(runtime, models.ConfidentialityException) == 0


@pytest.mark.parametrize("failing", ["every entry", "the exception entry"])
def test_a_log_writer_failure_stores_nothing(
    failing: str,
    runtime: Runtime,
    alice: audit.Actor,
    auditors: list[audit.Actor],
    zoe: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whichever entry cannot be written, the recipient, disclosure, exception and notices roll back."""
    before, seq = counts(runtime), head_seq(runtime)
    write = audit._write_row

    def refuse(session: Session, row: models.AuditEntry) -> None:
        if failing == "every entry" or row.action == Action.EXCEPTION_RECORDED.value:
            raise sa.exc.OperationalError("INSERT INTO audit_log", {}, Exception("disk I/O error"))
        write(session, row)

    monkeypatch.setattr(audit, "_write_row", refuse)
    with pytest.raises(AuditUnavailable):
        call(runtime, exceptions.record, alice, zoe, fields_of(Kind.DANGER_TO_OTHERS), PASSWORD)
    monkeypatch.undo()
    assert counts(runtime) == before
    assert entries_after(runtime, seq) == []


def test_a_client_off_the_caseload_is_not_found_and_nothing_is_stored(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], zoe: uuid.UUID
) -> None:
    """Another clinician cannot record an exception for alice's client; the attempt is logged as refused."""
    bob = person(runtime, "bob", "clinician")
    before, seq = counts(runtime), head_seq(runtime)
    with pytest.raises(NotFound):
        call(runtime, exceptions.record, bob, zoe, fields_of(Kind.DANGER_TO_OTHERS), PASSWORD)
    assert counts(runtime) == before
    assert entries_after(runtime, seq) == [("exception:recorded", "refused")]


def test_an_unknown_kind_is_refused_by_name(runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID) -> None:
    """Only the six kinds exist."""
    with pytest.raises(InvalidInput) as caught:
        call(runtime, exceptions.record, alice, zoe, {"kind": "gut_feeling"}, PASSWORD)
    assert caught.value.field == "kind"


def test_a_court_order_that_is_another_clients_document_is_refused(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], zoe: uuid.UUID
) -> None:
    """The uploaded order must belong to this client."""
    other = register(runtime, alice, "Novak")
    elsewhere = upload_order(runtime, alice, other)
    fields = fields_of(Kind.COURT_ORDER, order_document_id=str(elsewhere))
    before = counts(runtime)
    with pytest.raises(Defective) as caught:
        call(runtime, exceptions.record, alice, zoe, fields, PASSWORD)
    assert [(p["rule"], p["field"]) for p in caught.value.problems] == [("X-FIELDS", "order_document_id")]
    assert counts(runtime) == before


def test_a_court_order_naming_no_document_id_is_refused(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], zoe: uuid.UUID
) -> None:
    """A value that is not a document id is refused the same way."""
    with pytest.raises(Defective) as caught:
        call(
            runtime,
            exceptions.record,
            alice,
            zoe,
            fields_of(Kind.COURT_ORDER, order_document_id="x"),
            PASSWORD,
        )
    assert [p["field"] for p in caught.value.problems] == ["order_document_id"]


def test_a_subpoena_is_no_court_order_and_points_to_the_request_desk_l_2(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], zoe: uuid.UUID
) -> None:
    """An attorney's subpoena is refused as an exception (issue 16 item 3); nothing is recorded."""
    order = upload_order(runtime, alice, zoe)
    before = counts(runtime)
    with pytest.raises(Defective) as caught:
        call(
            runtime,
            exceptions.record,
            alice,
            zoe,
            fields_of(Kind.COURT_ORDER, order_document_id=str(order), subpoena=True),
            PASSWORD,
        )
    assert [(p["rule"], p["field"]) for p in caught.value.problems] == [("L-2", "subpoena")]
    assert "request desk" in caught.value.problems[0]["message"]
    assert counts(runtime) == before


def test_an_order_that_is_not_uploaded_as_a_court_order_is_refused_l_1(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], zoe: uuid.UUID
) -> None:
    """A treatment plan is not a court's order."""
    plan = call(
        runtime, documents.upload, alice, zoe, content=ORDER, category="treatment_plan", title="Plan"
    ).id
    with pytest.raises(Defective) as caught:
        call(
            runtime,
            exceptions.record,
            alice,
            zoe,
            fields_of(Kind.COURT_ORDER, order_document_id=str(plan)),
            PASSWORD,
        )
    assert [(p["rule"], p["field"]) for p in caught.value.problems] == [("L-1", "order_document_id")]


def test_an_occurrence_in_the_future_is_refused(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], zoe: uuid.UUID
) -> None:
    """The disclosure happened already; tomorrow is a typo."""
    fields = fields_of(Kind.DANGER_TO_OTHERS, occurred_at=(NOW + timedelta(days=1)).isoformat())
    with pytest.raises(InvalidInput) as caught:
        call(runtime, exceptions.record, alice, zoe, fields, PASSWORD)
    assert caught.value.field == "occurred_at"
    assert counts(runtime)["confidentiality_exceptions"] == 0


# -- the flag on the client page -----------------------------------------------------------------------------


def test_the_client_page_flags_the_exception_with_its_review_status(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], zoe: uuid.UUID
) -> None:
    """Under review until an auditor reviews it, then the outcome."""
    recorded = call(runtime, exceptions.record, alice, zoe, fields_of(Kind.DANGER_TO_OTHERS), PASSWORD)
    page = call(runtime, client_page.open_page, alice, zoe)
    assert [(f.id, f.recorded_on, f.kind, f.review_status) for f in page.flags] == [
        (recorded.id, NOW.date(), "danger_to_others", "pending")
    ]
    call(runtime, reviews.review, auditors[0], recorded.id, outcome="appropriate", notes="Imminent.")
    page = call(runtime, client_page.open_page, alice, zoe)
    assert [f.review_status for f in page.flags] == ["appropriate"]


# -- immutability --------------------------------------------------------------------------------------------


def test_no_route_edits_or_deletes_a_recorded_exception(runtime: Runtime) -> None:
    """The only routes that write under an exception path create one or review one; none update or delete."""
    app = create_app(runtime)
    writing = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "exception" in rule.rule and (rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}
    }
    assert writing == {
        "exceptions.record",
        "exceptions.review",
        "api.record_exception",
        "api.review_exception",
    }
    assert not [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "exception" in rule.rule and (rule.methods or set()) & {"PUT", "PATCH", "DELETE"}
    ]


def test_a_review_adds_a_review_row_and_leaves_the_exception_row_unchanged(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], zoe: uuid.UUID
) -> None:
    """Review is a row of its own; the exception itself is never rewritten."""
    recorded = call(runtime, exceptions.record, alice, zoe, fields_of(Kind.DANGER_TO_OTHERS), PASSWORD)
    table = models.ConfidentialityException.__table__
    with runtime.engine.connect() as conn:
        before = conn.execute(sa.select(table)).all()
    outcome = call(
        runtime, reviews.review, auditors[0], recorded.id, outcome="inappropriate", notes="Too broad."
    )
    with runtime.engine.connect() as conn:
        after = conn.execute(sa.select(table)).all()
    assert outcome == "inappropriate"
    assert after == before
    with runtime.sessions() as session:
        review = session.execute(select(models.Review)).scalar_one()
    assert (review.subject_type, review.subject_id, review.outcome) == (
        "exception",
        recorded.id,
        "inappropriate",
    )
    assert str(review.reviewer_id) == auditors[0].user_id
    assert b"Too broad." not in bytes(review.notes)


# -- review: two people --------------------------------------------------------------------------------------


def test_the_recorder_cannot_review_their_own_exception_even_as_an_auditor(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], zoe: uuid.UUID
) -> None:
    """Two people: alice, later made an auditor, still cannot review what she recorded."""
    recorded = call(runtime, exceptions.record, alice, zoe, fields_of(Kind.DANGER_TO_OTHERS), PASSWORD)
    call(runtime, users.change_role, SYSTEM, uuid.UUID(alice.user_id), "auditor")
    alice_the_auditor = audit.Actor(alice.user_id, "auditor")
    with pytest.raises(Forbidden):
        call(runtime, reviews.review, alice_the_auditor, recorded.id, outcome="appropriate", notes="")
    assert count(runtime, models.Review) == 0


def test_another_auditor_reviews_once_and_a_second_review_is_a_conflict(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], zoe: uuid.UUID
) -> None:
    """The first review stands; the second is refused and changes nothing."""
    recorded = call(runtime, exceptions.record, alice, zoe, fields_of(Kind.DANGER_TO_OTHERS), PASSWORD)
    seq = head_seq(runtime)
    call(runtime, reviews.review, auditors[0], recorded.id, outcome="appropriate", notes="Imminent.")
    assert entries_after(runtime, seq) == [("exception:reviewed", "allowed")]
    with pytest.raises(Conflict):
        call(runtime, reviews.review, auditors[1], recorded.id, outcome="inappropriate", notes="")
    assert count(runtime, models.Review) == 1
    with runtime.sessions() as session:
        assert exceptions.review_status(session, recorded.id) == "appropriate"


def test_reviewing_an_unknown_id_is_not_found(runtime: Runtime, auditors: list[audit.Actor]) -> None:
    """Nothing to review answers as missing."""
    with pytest.raises(NotFound):
        call(runtime, reviews.review, auditors[0], uuid.uuid4(), outcome="appropriate", notes="")


def test_a_review_needs_a_known_outcome(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], zoe: uuid.UUID
) -> None:
    """Appropriate or inappropriate, nothing else."""
    recorded = call(runtime, exceptions.record, alice, zoe, fields_of(Kind.DANGER_TO_OTHERS), PASSWORD)
    with pytest.raises(InvalidInput) as caught:
        call(runtime, reviews.review, auditors[0], recorded.id, outcome="fine", notes="")
    assert caught.value.field == "outcome"


def test_the_queue_shows_client_identity_and_fields_but_no_clinical_notes(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], zoe: uuid.UUID
) -> None:
    """The auditor sees who the client is and what was recorded, and each read is logged."""
    recorded = call(runtime, exceptions.record, alice, zoe, fields_of(Kind.DANGER_TO_OTHERS), PASSWORD)
    seq = head_seq(runtime)
    items = call(runtime, reviews.queue, auditors[0], "pending")
    assert [(i.id, i.client_name, i.date_of_birth, i.by, i.kind) for i in items] == [
        (recorded.id, "Sam Okafor", "1988-08-08", "alice", "danger_to_others")
    ]
    assert items[0].details["fields"]["target"] == "A named neighbour"
    assert "Springfield Police" in items[0].details["recipient"]
    assert "notes" not in " ".join(items[0].details)
    assert entries_after(runtime, seq) == [("exception:read", "allowed")]


# -- overdue -------------------------------------------------------------------------------------------------


def test_an_unreviewed_exception_older_than_the_limit_is_counted_overdue(
    runtime: Runtime,
    alice: audit.Actor,
    auditors: list[audit.Actor],
    zoe: uuid.UUID,
    clock: FakeClock,
    with_settings: Callable[..., None],
) -> None:
    """Waiting within the limit; overdue once the clock passes review_overdue_days."""
    with_settings(review_overdue_days=3)
    call(runtime, exceptions.record, alice, zoe, fields_of(Kind.DANGER_TO_OTHERS), PASSWORD)
    with runtime.sessions() as session:
        assert reviews.pending_count(session, runtime.env) == reviews.Pending(waiting=1, overdue=0)
    clock.advance(days=3, minutes=1)
    with runtime.sessions() as session:
        assert reviews.pending_count(session, runtime.env) == reviews.Pending(waiting=1, overdue=1)
    assert [i.overdue for i in call(runtime, reviews.queue, auditors[0], "pending")] == [True]


def test_a_reviewed_exception_is_never_overdue(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], zoe: uuid.UUID, clock: FakeClock
) -> None:
    """Only waiting reviews count."""
    recorded = call(runtime, exceptions.record, alice, zoe, fields_of(Kind.DANGER_TO_OTHERS), PASSWORD)
    call(runtime, reviews.review, auditors[0], recorded.id, outcome="appropriate", notes="")
    clock.advance(days=30)
    with runtime.sessions() as session:
        assert reviews.pending_count(session, runtime.env) == reviews.Pending(waiting=0, overdue=0)


# -- duty to warn --------------------------------------------------------------------------------------------


def test_duty_to_warn_reads_the_configured_state_from_the_dated_data_file() -> None:
    """California's entry, with its source and date."""
    entry = legal_data.duty_to_warn("CA")
    assert entry is not None
    assert (entry.state, entry.status, entry.overridden) == ("CA", "mandatory", False)
    assert entry.as_of
    assert entry.version
    assert "counsel" in entry.source


def test_the_practice_can_override_its_states_duty_to_warn() -> None:
    """Settings win over the data file, and the page can say so."""
    entry = legal_data.duty_to_warn("CA", "permissive")
    assert entry is not None
    assert (entry.status, entry.overridden) == ("permissive", True)
    assert "permits" in entry.meaning


def test_duty_to_warn_is_absent_without_a_state_and_unknown_for_a_state_not_in_the_file() -> None:
    """No conclusion is invented."""
    assert legal_data.duty_to_warn("") is None
    unknown = legal_data.duty_to_warn("ZZ")
    assert unknown is not None
    assert unknown.status == "unknown"
    assert "counsel" in unknown.meaning


@pytest.mark.parametrize("kind", list(Kind))
def test_each_kind_has_a_dated_plain_language_basis(kind: Kind) -> None:
    """The guided page reads its explanation from data/exceptions.json."""
    basis = legal_data.basis_of(kind.value)
    assert basis.title
    assert basis.basis
    assert basis.conditions
    assert basis.version


def test_an_exception_reviewed_as_inappropriate_opens_an_incident_on_its_disclosure(
    runtime: Runtime, alice: audit.Actor, auditors: list[audit.Actor], zoe: uuid.UUID
) -> None:
    """The product opens the incident itself, discovered the day of the review (H-B7), to assess (H-B3)."""
    recorded = call(runtime, exceptions.record, alice, zoe, fields_of(Kind.DANGER_TO_OTHERS), PASSWORD)
    call(runtime, reviews.review, auditors[0], recorded.id, outcome="appropriate", notes="")
    with runtime.sessions() as session:
        assert session.execute(select(models.Incident)).first() is None
    again = call(runtime, exceptions.record, alice, zoe, fields_of(Kind.DANGER_TO_OTHERS), PASSWORD)
    call(runtime, reviews.review, auditors[0], again.id, outcome="inappropriate", notes="Too broad.")
    with runtime.sessions() as session:
        incident = session.execute(select(models.Incident)).scalar_one()
    assert (incident.source, incident.kind, incident.disclosure_id) == (
        "exception_review",
        "other",
        again.disclosure_id,
    )
