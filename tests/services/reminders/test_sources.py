"""Item sources: which people each kind is for, which items they have, and one more source added in a line."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain.reminders import Item
from roi_tracker.domain.reminders import Kind
from roi_tracker.domain.roles import Role
from roi_tracker.runtime import Runtime
from roi_tracker.services.context import Env
from roi_tracker.services.exceptions import reviews
from roi_tracker.services.incidents import reporting as incident_reporting
from roi_tracker.services.reminders import collect
from roi_tracker.services.reminders import notify
from roi_tracker.services.reminders import sources
from roi_tracker.services.requests import intake
from tests.helpers import call
from tests.helpers import person
from tests.services.reminders.conftest import NOW
from tests.services.reminders.conftest import break_glass
from tests.services.reminders.conftest import failed_verification
from tests.services.reminders.conftest import reference_of


def needs(runtime: Runtime, actor: audit.Actor) -> list[tuple[Kind, int, tuple[str, ...]]]:
    """The person's "needs you" list as (kind, count, references)."""
    return [(line.kind, line.count, line.references) for line in call(runtime, collect.needs_you, actor)]


def test_an_expiring_authorization_needs_its_clinician_only(
    runtime: Runtime, alice: audit.Actor, canary: uuid.UUID
) -> None:
    """alice has it; bob, a clinician with another caseload, and the front desk do not."""
    ref = reference_of(runtime, canary)
    assert needs(runtime, alice) == [(Kind.AUTHORIZATION_EXPIRING, 1, (ref,))]
    assert needs(runtime, person(runtime, "bob", "clinician")) == []
    assert needs(runtime, person(runtime, "frank", "front_desk")) == []


def test_an_authorization_further_off_than_the_window_needs_no_one(
    runtime: Runtime, alice: audit.Actor, canary: uuid.UUID, with_settings: Callable[..., None]
) -> None:
    """With ROI_EXPIRING_DAYS at 5, an authorization ending in 10 days is not listed."""
    with_settings(expiring_days=5)
    assert needs(runtime, alice) == []


def test_emergency_access_waits_for_the_privacy_officer_until_reviewed(
    runtime: Runtime, alice: audit.Actor, olga: audit.Actor, canary: uuid.UUID
) -> None:
    """Listed for olga by the client's reference; gone once she reviews it."""
    break_glass(runtime, canary)
    assert needs(runtime, olga) == [(Kind.REVIEW_WAITING, 1, (reference_of(runtime, canary),))]
    with runtime.sessions() as session:
        grant_id = session.execute(select(models.EmergencyAccess.id)).scalar_one()
    call(runtime, reviews.review, olga, grant_id, outcome="appropriate", notes="Crisis cover, as said.")
    assert needs(runtime, olga) == []


def test_a_failed_verification_needs_the_privacy_officer_and_admins_until_one_passes(
    runtime: Runtime, olga: audit.Actor, root: audit.Actor, alice: audit.Actor
) -> None:
    """Broken at entry 7: olga and root; a later intact verdict clears it; clinicians never see it."""
    failed_verification(runtime)
    broken = [(Kind.LOG_VERIFICATION_FAILED, 1, ("entry 7",))]
    assert needs(runtime, olga) == broken
    assert needs(runtime, root) == broken
    assert needs(runtime, alice) == []
    with runtime.sessions() as session:
        later = NOW + timedelta(hours=1)
        session.add(models.AuditVerification(at=later, intact=True, full=True, verified=9, head_seq=9))
        session.commit()
    assert needs(runtime, olga) == []


def test_each_role_is_offered_the_kinds_its_sources_give(runtime: Runtime) -> None:
    """What the account page lets each role untick."""
    assert sources.kinds_for(Role.CLINICIAN) == [Kind.REQUEST_DUE, Kind.AUTHORIZATION_EXPIRING]
    assert sources.kinds_for(Role.AUDITOR) == [
        Kind.LOG_VERIFICATION_FAILED,
        Kind.INCIDENT_NOTICE_DUE,
        Kind.REVIEW_WAITING,
    ]
    assert sources.kinds_for(Role.ADMIN) == [Kind.LOG_VERIFICATION_FAILED]
    assert sources.kinds_for(Role.FRONT_DESK) == [Kind.REQUEST_DUE]


def test_a_new_source_is_one_function_and_one_entry_in_the_registry(
    runtime: Runtime, alice: audit.Actor, monkeypatch: pytest.MonkeyPatch, with_settings: Callable[..., None]
) -> None:
    """A stand-in request source for clinicians reaches the home list and the planned message unchanged."""

    def requests_due(session: Session, env: Env, who: models.User) -> list[Item]:
        return [Item(Kind.REVIEW_WAITING, "r1", "R-0007")]

    extra = sources.Source(Kind.REVIEW_WAITING, frozenset({Role.CLINICIAN}), requests_due)
    monkeypatch.setattr(sources, "SOURCES", (*sources.SOURCES, extra))
    assert needs(runtime, alice) == [(Kind.REVIEW_WAITING, 1, ("R-0007",))]
    with_settings(base_url="https://roi.example")
    [planned] = call(runtime, notify.plan)
    assert "(R-0007)" in planned.message.body
    assert planned.items == (Item(Kind.REVIEW_WAITING, "r1", "R-0007"),)


def test_an_incident_whose_notice_falls_due_within_two_weeks_needs_the_privacy_officer(
    runtime: Runtime, olga: audit.Actor
) -> None:
    """Discovered 50 days ago, its notice is due in 10 (H-B4): listed by reference; one found today is not."""
    frank = person(runtime, "frank", "front_desk")
    today = NOW.date()
    near = call(
        runtime,
        incident_reporting.report,
        frank,
        kind="lost_or_stolen_device",
        discovered_on=today - timedelta(days=50),
        occurred_on=None,
        description="A laptop left on a train.",
    )
    call(
        runtime,
        incident_reporting.report,
        frank,
        kind="other",
        discovered_on=today,
        occurred_on=None,
        description="A door left open.",
    )
    assert needs(runtime, olga) == [(Kind.INCIDENT_NOTICE_DUE, 1, (near.reference,))]
    assert needs(runtime, frank) == []


def test_a_request_due_within_a_week_needs_the_front_desk_and_the_clients_clinician(
    runtime: Runtime, alice: audit.Actor, canary: uuid.UUID
) -> None:
    """Received 25 days ago, an access request is due in 5 (H-A2): frank and alice have it, bob does not."""
    frank = person(runtime, "frank", "front_desk")
    received = call(
        runtime,
        intake.receive,
        frank,
        intake.Intake(
            client_id=canary,
            kind="access",
            channel="mail",
            requester={"name": "The client"},
            requester_is="client",
            categories=["diagnosis"],
            format="paper",
            received_on=NOW.date() - timedelta(days=25),
        ),
    )
    assert needs(runtime, frank) == [(Kind.REQUEST_DUE, 1, (received.reference,))]
    assert (Kind.REQUEST_DUE, 1, (received.reference,)) in needs(runtime, alice)
    assert needs(runtime, person(runtime, "bob", "clinician")) == []
