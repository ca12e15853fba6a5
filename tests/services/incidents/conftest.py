"""Incident fixtures: a person in each role, a client with a permitted faxed disclosure, a still clock."""

from __future__ import annotations

import uuid
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest

from roi_tracker import audit
from roi_tracker.domain import clients as client_rules
from roi_tracker.runtime import Runtime
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.records import clients
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import recipients
from tests.helpers import call
from tests.helpers import person
from tests.web.conftest import FakeClock

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
SIGNED_FORM = tiny_pdf(["Authorization to release information", "Signed: synthetic client"])


@pytest.fixture
def clock(runtime: Runtime) -> FakeClock:
    """Stand the instance's clock still at 10 March 2026, 15:00 UTC."""
    fake = FakeClock(NOW)
    object.__setattr__(runtime.env, "clock", fake)
    return fake


@pytest.fixture
def alice(runtime: Runtime) -> audit.Actor:
    """A clinician."""
    return person(runtime, "alice", "clinician")


@pytest.fixture
def desk(runtime: Runtime) -> audit.Actor:
    """The front desk."""
    return person(runtime, "fran", "front_desk")


@pytest.fixture
def priya(runtime: Runtime) -> audit.Actor:
    """The privacy officer."""
    return person(runtime, "priya", "auditor")


def register_sam(runtime: Runtime, clinician: audit.Actor) -> uuid.UUID:
    """Register Sam Okafor on the clinician's caseload, with an address to mail a notice to."""
    details = client_rules.Demographics(
        given_name="Sam",
        family_name="Okafor",
        date_of_birth=date(1988, 8, 8),
        address="12 Elm Street, Springfield",
    )
    return call(runtime, clients.register, clinician, details, []).id


def fax_to_rivera(
    runtime: Runtime, clinician: audit.Actor, client_id: uuid.UUID, recipient_id: uuid.UUID
) -> disclosures.Recorded:
    """Record a release to the recipient and a permitted fax of the client's diagnosis under it, today."""
    today = runtime.env.today()
    terms = {
        "kind": "hipaa",
        "recipient_id": str(recipient_id),
        "categories": ["diagnosis"],
        "purposes": ["continuity_of_care"],
        "effective_on": today.isoformat(),
        "expires_on": (today + timedelta(days=300)).isoformat(),
        "signed_on": today.isoformat(),
        "signed_by": "client",
        "statements": ["right_to_revoke", "no_conditioning", "redisclosure"],
        "copy_given_on": today.isoformat(),
        "copy_method": "handed over in person",
    }
    call(runtime, authorizations.record, clinician, client_id, terms, SIGNED_FORM)
    q = disclosures.question(client_id, str(recipient_id), ["diagnosis"], "continuity_of_care", today, today)
    return call(
        runtime,
        disclosures.record,
        clinician,
        q,
        channel="fax",
        document_ids=[],
        requester_verification="Known clinic; fax number matched the directory",
    )


def add_rivera(runtime: Runtime, actor: audit.Actor) -> uuid.UUID:
    """Add Dr Ana Rivera at Northside Clinic to the directory."""
    return call(
        runtime,
        recipients.create,
        actor,
        kind="person",
        name="Dr Ana Rivera",
        organization="Northside Clinic",
    ).id


@pytest.fixture
def sam(runtime: Runtime, alice: audit.Actor, clock: FakeClock) -> uuid.UUID:
    """Sam Okafor, on alice's caseload."""
    return register_sam(runtime, alice)


@pytest.fixture
def rivera(runtime: Runtime, alice: audit.Actor) -> uuid.UUID:
    """Dr Ana Rivera at Northside Clinic."""
    return add_rivera(runtime, alice)


@pytest.fixture
def faxed(runtime: Runtime, alice: audit.Actor, sam: uuid.UUID, rivera: uuid.UUID) -> disclosures.Recorded:
    """A permitted fax of Sam's diagnosis to Dr Rivera, made today."""
    return fax_to_rivera(runtime, alice, sam, rivera)
