"""Reminder fixtures: a practice with a clinician, a privacy officer and an admin, and a real SMTP server."""

from __future__ import annotations

import uuid
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.runtime import Runtime
from roi_tracker.services.exceptions import emergency
from roi_tracker.services.records import clients
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import recipients
from roi_tracker.services.reminders import preferences
from tests.helpers import PASSWORD
from tests.helpers import SYSTEM
from tests.helpers import call
from tests.helpers import person
from tests.services.releases.test_releases import SIGNED_FORM
from tests.services.releases.test_releases import terms
from tests.smtp import certificate  # noqa: F401  # fixtures for this folder
from tests.smtp import mail_server  # noqa: F401
from tests.smtp import trusted  # noqa: F401
from tests.web.conftest import FakeClock

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
CANARY = "ZZCANARY-PHI-7781"  # the canary client of tests/web/test_client_canary.py
BORN = date(1971, 7, 19)


@pytest.fixture(autouse=True)
def clock(runtime: Runtime) -> FakeClock:
    """Stand the instance's clock still at 10 March 2026, 15:00 UTC."""
    fake = FakeClock(NOW)
    object.__setattr__(runtime.env, "clock", fake)
    return fake


def addressed(runtime: Runtime, username: str, role: str) -> audit.Actor:
    """Create an account with a work address."""
    actor = person(runtime, username, role)
    call(runtime, preferences.update, SYSTEM, uuid.UUID(actor.user_id), email=f"{username}@practice.example")
    return actor


@pytest.fixture
def alice(runtime: Runtime) -> audit.Actor:
    """A clinician with an address."""
    return addressed(runtime, "alice", "clinician")


@pytest.fixture
def olga(runtime: Runtime) -> audit.Actor:
    """The privacy officer, with an address."""
    return addressed(runtime, "olga", "auditor")


@pytest.fixture
def root(runtime: Runtime) -> audit.Actor:
    """An administrator with an address."""
    return addressed(runtime, "root", "admin")


@pytest.fixture
def canary(runtime: Runtime, alice: audit.Actor) -> uuid.UUID:
    """The canary client on alice's caseload, with an authorization ending in ten days."""
    details = rules.Demographics(given_name=CANARY, family_name=CANARY, date_of_birth=BORN, part2=False)
    client_id = call(runtime, clients.register, alice, details, []).id
    rivera = call(
        runtime, recipients.create, alice, name="Dr Ana Rivera", organization="Clinic", fax="555-0101"
    )
    fields = terms(rivera.id, expires_on="2026-03-20")
    call(runtime, authorizations.record, alice, client_id, fields, SIGNED_FORM)
    return client_id


def reference_of(runtime: Runtime, client_id: uuid.UUID) -> str:
    """Return a client's C-XXXX reference."""
    with runtime.sessions() as session:
        row = session.get(models.Client, client_id)
        assert row is not None
        return row.reference


def break_glass(runtime: Runtime, client_id: uuid.UUID) -> None:
    """Another clinician opens the client by emergency access, which waits for the privacy officer."""
    bob = person(runtime, "bob", "clinician")
    call(
        runtime,
        emergency.start,
        bob,
        client_id,
        reason="crisis_coverage",
        justification="Covering a crisis call",
        password=PASSWORD,
    )


def failed_verification(runtime: Runtime) -> None:
    """Record an `audit verify` that found the log broken at entry 7."""
    with runtime.sessions() as session:
        session.add(
            models.AuditVerification(
                at=NOW,
                intact=False,
                full=True,
                verified=6,
                head_seq=9,
                first_break_seq=7,
                reason="MAC mismatch",
            )
        )
        session.commit()
