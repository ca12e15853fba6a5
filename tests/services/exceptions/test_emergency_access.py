"""Emergency access ("break the glass"): one client, a limited time, logged at start and end, told, reviewed.

Without it the caseload rule stands (404); with it, exactly one client opens until the clock passes its end.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.app import create_app
from roi_tracker.domain import clients as rules
from roi_tracker.domain.errors import AuditUnavailable
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import Forbidden
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.runtime import Runtime
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.exceptions import emergency
from roi_tracker.services.exceptions import reviews
from roi_tracker.services.people import users
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from tests.helpers import call
from tests.helpers import count
from tests.helpers import head_seq
from tests.helpers import person
from tests.web.conftest import FakeClock
from tests.web.conftest import sign_in

SYSTEM = audit.Actor("test", "system")
PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
WHY = "Crisis call at night; the client's clinician cannot be reached."


# -- helpers -------------------------------------------------------------------------------------------------


def entries_after(runtime: Runtime, seq: int) -> list[models.AuditEntry]:
    """Return the access-log entries newer than `seq`, oldest first."""
    with runtime.sessions() as session:
        stmt = select(models.AuditEntry).where(models.AuditEntry.seq > seq).order_by(models.AuditEntry.seq)
        return list(session.execute(stmt).scalars())


def actions_after(runtime: Runtime, seq: int) -> list[tuple[str, str]]:
    """Return (action, outcome) of the entries newer than `seq`."""
    return [(e.action, e.outcome) for e in entries_after(runtime, seq)]


def register(runtime: Runtime, actor: audit.Actor, family_name: str) -> uuid.UUID:
    """Register a synthetic client on `actor`'s caseload; return the id."""
    details = rules.Demographics(given_name="Sam", family_name=family_name, date_of_birth=date(1988, 8, 8))
    return call(runtime, clients.register, actor, details, []).id


def start(runtime: Runtime, actor: audit.Actor, client_id: uuid.UUID, **changes: str) -> emergency.Grant:
    """Break the glass for `client_id` with a reason, a justification and the right password."""
    fields = {"reason": "crisis_coverage", "justification": WHY, "password": PASSWORD, **changes}
    return call(runtime, emergency.start, actor, client_id, **fields)


# -- fixtures ------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def clock(runtime: Runtime) -> FakeClock:
    """Stand the instance's clock still at 10 March 2026, 15:00 UTC."""
    fake = FakeClock(NOW)
    object.__setattr__(runtime.env, "clock", fake)
    return fake


@pytest.fixture
def alice(runtime: Runtime) -> audit.Actor:
    """The clinician whose caseload holds both clients."""
    return person(runtime, "alice", "clinician")


@pytest.fixture
def bob(runtime: Runtime) -> audit.Actor:
    """A clinician with neither client on his caseload."""
    return person(runtime, "bob", "clinician")


@pytest.fixture
def auditors(runtime: Runtime) -> list[audit.Actor]:
    """Two active auditors."""
    return [person(runtime, "abe", "auditor"), person(runtime, "ada", "auditor")]


@pytest.fixture
def zoe(runtime: Runtime, alice: audit.Actor) -> uuid.UUID:
    """Alice's client, with an intake assessment on file."""
    client_id = register(runtime, alice, "Okafor")
    content = tiny_pdf(["Intake assessment (synthetic)"])
    call(runtime, documents.upload, alice, client_id, content=content, category="assessments", title="Intake")
    return client_id


@pytest.fixture
def omar(runtime: Runtime, alice: audit.Actor) -> uuid.UUID:
    """Another of alice's clients."""
    return register(runtime, alice, "Haddad")


@pytest.fixture
def browser(runtime: Runtime, bob: audit.Actor) -> FlaskClient:
    """Bob, signed in to the web app."""
    app: Flask = create_app(runtime)
    out = app.test_client()
    assert sign_in(out, "bob").status_code == 302
    return out


# -- scope and expiry ----------------------------------------------------------------------------------------


def test_emergency_access_opens_that_one_client_and_no_other(
    runtime: Runtime, bob: audit.Actor, zoe: uuid.UUID, omar: uuid.UUID, browser: FlaskClient
) -> None:
    """404 before; 200 with a countdown banner and the documents after; another client stays 404."""
    assert browser.get(f"/clients/{zoe}").status_code == 404
    grant = start(runtime, bob, zoe)
    page = browser.get(f"/clients/{zoe}")
    assert page.status_code == 200
    assert re.search(r"Emergency access: this record closes to you at \d{4}-\d\d-\d\d 16:00 UTC", page.text)
    assert "Intake" in page.text
    assert browser.get(f"/clients/{omar}").status_code == 404
    assert grant.expires_at == NOW + timedelta(minutes=60)


def test_emergency_access_lapses_when_the_clock_passes_its_end(
    runtime: Runtime,
    bob: audit.Actor,
    zoe: uuid.UUID,
    browser: FlaskClient,
    clock: FakeClock,
    with_settings: Callable[..., None],
) -> None:
    """The configured minutes, then the caseload rule again."""
    with_settings(emergency_access_minutes=10)
    grant = start(runtime, bob, zoe)
    assert grant.expires_at == NOW + timedelta(minutes=10)
    clock.advance(minutes=9, seconds=59)
    assert browser.get(f"/clients/{zoe}").status_code == 200
    clock.advance(seconds=1)
    assert browser.get(f"/clients/{zoe}").status_code == 404


def test_visibility_takes_the_time_as_a_parameter(runtime: Runtime, bob: audit.Actor, zoe: uuid.UUID) -> None:
    """Visible up to the instant the access expires, and not without a time to judge it by."""
    grant = start(runtime, bob, zoe)
    with runtime.sessions() as session:
        seen = clients.visible(
            session, bob, zoe, rules.View.CLINICAL, now=grant.expires_at - timedelta(seconds=1)
        )
        assert seen.id == zoe
        with pytest.raises(NotFound):
            clients.visible(session, bob, zoe, rules.View.CLINICAL, now=grant.expires_at)
        with pytest.raises(NotFound):
            clients.visible(session, bob, zoe, rules.View.CLINICAL)


def test_emergency_access_is_for_clinicians_only(
    runtime: Runtime, zoe: uuid.UUID, auditors: list[audit.Actor]
) -> None:
    """The front desk and auditors cannot break the glass."""
    desk = person(runtime, "frank", "front_desk")
    for actor in (desk, auditors[0]):
        with pytest.raises(Forbidden):
            start(runtime, actor, zoe)
    assert count(runtime, models.EmergencyAccess) == 0


# -- start and end entries, notification ---------------------------------------------------------------------


def test_starting_logs_one_entry_and_tells_every_auditor(
    runtime: Runtime, bob: audit.Actor, zoe: uuid.UUID, auditors: list[audit.Actor]
) -> None:
    """The start entry names the access, the client and the reason; each auditor gets a notice."""
    seq = head_seq(runtime)
    grant = start(runtime, bob, zoe)
    [entry] = entries_after(runtime, seq)
    assert (entry.action, entry.outcome, entry.actor) == ("emergency:access:started", "allowed", bob.user_id)
    assert (entry.object_id, entry.client_id, entry.basis) == (str(grant.id), str(zoe), "crisis_coverage")
    with runtime.sessions() as session:
        notices = session.execute(select(models.Notification)).scalars().all()
        row = session.get_one(models.EmergencyAccess, grant.id)
    assert sorted(str(n.user_id) for n in notices) == sorted(a.user_id for a in auditors)
    assert {(n.kind, n.subject_id, n.client_id) for n in notices} == {("emergency_access", grant.id, zoe)}
    assert WHY.encode() not in bytes(row.justification)


def test_ending_early_logs_the_end_and_closes_the_record(
    runtime: Runtime, bob: audit.Actor, zoe: uuid.UUID, browser: FlaskClient, clock: FakeClock
) -> None:
    """Ended by the clinician: one end entry, and the client is off limits again."""
    grant = start(runtime, bob, zoe)
    clock.advance(minutes=5)
    seq = head_seq(runtime)
    call(runtime, emergency.end, bob, grant.id)
    [entry] = entries_after(runtime, seq)
    assert (entry.action, entry.object_id, entry.basis) == ("emergency:access:ended", str(grant.id), "ended")
    with runtime.sessions() as session:
        assert session.get_one(models.EmergencyAccess, grant.id).ended_at == NOW + timedelta(minutes=5)
    assert browser.get(f"/clients/{zoe}").status_code == 404
    with pytest.raises(NotFound):
        call(runtime, emergency.end, bob, grant.id)


def test_no_one_else_can_end_a_clinicians_emergency_access(
    runtime: Runtime, bob: audit.Actor, alice: audit.Actor, zoe: uuid.UUID
) -> None:
    """Another person's grant answers as missing."""
    grant = start(runtime, bob, zoe)
    with pytest.raises(NotFound):
        call(runtime, emergency.end, alice, grant.id)


def test_a_lapsed_access_is_closed_with_one_end_entry_at_its_expiry(
    runtime: Runtime, bob: audit.Actor, zoe: uuid.UUID, clock: FakeClock
) -> None:
    """close_expired ends what ran out, once, as the system, at the time it expired."""
    grant = start(runtime, bob, zoe)
    with runtime.sessions() as session:
        assert emergency.close_expired(session, runtime.env) == 0
    clock.advance(minutes=61)
    seq = head_seq(runtime)
    with runtime.sessions() as session:
        assert emergency.close_expired(session, runtime.env) == 1
        assert emergency.close_expired(session, runtime.env) == 0
    [entry] = entries_after(runtime, seq)
    assert (entry.action, entry.actor, entry.object_id, entry.basis) == (
        "emergency:access:ended",
        "system",
        str(grant.id),
        "expired",
    )
    with runtime.sessions() as session:
        assert session.get_one(models.EmergencyAccess, grant.id).ended_at == grant.expires_at


# -- refusals: nothing stored --------------------------------------------------------------------------------


def test_a_wrong_password_is_refused_and_nothing_is_stored(
    runtime: Runtime, bob: audit.Actor, zoe: uuid.UUID, auditors: list[audit.Actor]
) -> None:
    """Only the failed step-up is logged."""
    seq = head_seq(runtime)
    with pytest.raises(InvalidInput) as caught:
        start(runtime, bob, zoe, password="not my password")
    assert caught.value.field == "password"
    assert count(runtime, models.EmergencyAccess) == 0
    assert count(runtime, models.Notification) == 0
    assert actions_after(runtime, seq) == [("auth:stepup:failed", "refused")]


def test_a_clinician_already_on_the_caseload_needs_no_emergency_access(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID
) -> None:
    """Conflict, and nothing stored."""
    with pytest.raises(Conflict):
        start(runtime, alice, zoe)
    assert count(runtime, models.EmergencyAccess) == 0


def test_a_second_emergency_access_while_one_is_open_is_a_conflict(
    runtime: Runtime, bob: audit.Actor, zoe: uuid.UUID
) -> None:
    """One open access per clinician and client."""
    start(runtime, bob, zoe)
    with pytest.raises(Conflict):
        start(runtime, bob, zoe)
    assert count(runtime, models.EmergencyAccess) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"reason": "curiosity"}, "reason"), ({"justification": "  "}, "justification")],
)
def test_a_reason_and_a_justification_are_required(
    changes: dict[str, str], field: str, runtime: Runtime, bob: audit.Actor, zoe: uuid.UUID
) -> None:
    """Each missing part is named."""
    with pytest.raises(InvalidInput) as caught:
        start(runtime, bob, zoe, **changes)
    assert caught.value.field == field
    assert count(runtime, models.EmergencyAccess) == 0


def test_an_unknown_client_is_not_found(runtime: Runtime, bob: audit.Actor) -> None:
    """No client, no access."""
    with pytest.raises(NotFound):
        start(runtime, bob, uuid.uuid4())


def test_a_log_writer_failure_stores_no_access_and_no_notice(
    runtime: Runtime,
    bob: audit.Actor,
    zoe: uuid.UUID,
    auditors: list[audit.Actor],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The access, its notices and its entry commit together or not at all."""

    def refuse(*_args: object) -> None:
        raise sa.exc.OperationalError("INSERT INTO audit_log", {}, Exception("disk I/O error"))

    monkeypatch.setattr(audit, "_write_row", refuse)
    with pytest.raises(AuditUnavailable):
        start(runtime, bob, zoe)
    monkeypatch.undo()
    assert count(runtime, models.EmergencyAccess) == 0
    assert count(runtime, models.Notification) == 0


# -- review --------------------------------------------------------------------------------------------------


def test_each_emergency_access_waits_in_the_review_queue_until_an_auditor_reviews_it(
    runtime: Runtime, bob: audit.Actor, zoe: uuid.UUID, auditors: list[audit.Actor]
) -> None:
    """It is listed with its reason and justification, reviewed once, then leaves the pending queue."""
    grant = start(runtime, bob, zoe)
    [item] = call(runtime, reviews.queue, auditors[0], "pending")
    assert (item.subject_type, item.id, item.kind, item.by) == (
        "emergency_access",
        grant.id,
        "emergency_access",
        "bob",
    )
    assert (item.details["reason"], item.details["justification"]) == ("crisis_coverage", WHY)
    with runtime.sessions() as session:
        assert reviews.pending_count(session, runtime.env).waiting == 1
    seq = head_seq(runtime)
    call(runtime, reviews.review, auditors[0], grant.id, outcome="appropriate", notes="Covering a crisis.")
    assert actions_after(runtime, seq) == [("emergency:access:reviewed", "allowed")]
    assert call(runtime, reviews.queue, auditors[0], "pending") == []
    with runtime.sessions() as session:
        review = session.execute(select(models.Review)).scalar_one()
    assert (review.subject_type, review.subject_id) == ("emergency_access", grant.id)
    with pytest.raises(Conflict):
        call(runtime, reviews.review, auditors[1], grant.id, outcome="inappropriate", notes="")


def test_the_clinician_who_broke_the_glass_cannot_review_it(
    runtime: Runtime, bob: audit.Actor, zoe: uuid.UUID, auditors: list[audit.Actor]
) -> None:
    """Two people, even if bob is later made an auditor."""
    grant = start(runtime, bob, zoe)
    call(runtime, users.change_role, SYSTEM, uuid.UUID(bob.user_id), "auditor")
    with pytest.raises(Forbidden):
        call(
            runtime,
            reviews.review,
            audit.Actor(bob.user_id, "auditor"),
            grant.id,
            outcome="appropriate",
            notes="",
        )
    assert count(runtime, models.Review) == 0


def test_an_emergency_access_reviewed_as_inappropriate_opens_an_unauthorized_access_incident(
    runtime: Runtime, bob: audit.Actor, zoe: uuid.UUID, auditors: list[audit.Actor]
) -> None:
    """The product opens it itself, discovered the day of the review (H-B7), to assess (H-B3)."""
    grant = start(runtime, bob, zoe)
    call(runtime, reviews.review, auditors[0], grant.id, outcome="inappropriate", notes="No crisis found.")
    with runtime.sessions() as session:
        incident = session.execute(select(models.Incident)).scalar_one()
        named = session.execute(select(models.IncidentClient.client_id)).scalars().all()
    assert (incident.kind, incident.source, incident.disclosure_id) == (
        "unauthorized_access",
        "emergency_access_review",
        None,
    )
    assert named == [zoe]
