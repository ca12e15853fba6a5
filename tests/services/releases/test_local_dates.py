"""Local dates: every legal "today" is the practice's date (ROI_TIMEZONE), not UTC's (H-D1)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

import pytest

from roi_tracker import audit
from roi_tracker.domain import clients as rules
from roi_tracker.runtime import Runtime
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.records import clients
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import recipients
from tests.helpers import call
from tests.helpers import person
from tests.web.conftest import FakeClock

# 23:30 on 31 December 2026 in Los Angeles (UTC-8 in winter) is already 07:30 on 1 January 2027 in UTC.
LATE_ON_EXPIRY_DAY = datetime(2027, 1, 1, 7, 30, tzinfo=UTC)
SIGNED_FORM = tiny_pdf(["Authorization to release information", "Signed: synthetic client"])


def terms(recipient_id: uuid.UUID) -> dict[str, Any]:
    """A complete HIPAA authorization for diagnosis, expiring on 31 December 2026."""
    return {
        "kind": "hipaa",
        "recipient_id": str(recipient_id),
        "categories": ["diagnosis"],
        "purposes": ["continuity_of_care"],
        "effective_on": "2026-03-01",
        "expires_on": "2026-12-31",
        "signed_on": "2026-03-01",
        "signed_by": "client",
        "statements": ["right_to_revoke", "no_conditioning", "redisclosure"],
        "copy_given_on": "2026-03-01",
        "copy_method": "handed over in person",
    }


@pytest.fixture
def clock(runtime: Runtime) -> FakeClock:
    """Stand the instance's clock at 10 March 2026, when the authorization is recorded."""
    fake = FakeClock(datetime(2026, 3, 10, 15, 0, tzinfo=UTC))
    object.__setattr__(runtime.env, "clock", fake)
    return fake


def in_zone(runtime: Runtime, timezone: str) -> None:
    """Set the practice's time zone, as ROI_TIMEZONE would."""
    object.__setattr__(runtime.env, "settings", replace(runtime.env.settings, timezone=timezone))


@pytest.fixture
def world(runtime: Runtime, clock: FakeClock) -> tuple[audit.Actor, uuid.UUID, uuid.UUID]:
    """Alice, her client and the client's authorization to a clinic, expiring on 31 December 2026."""
    alice = person(runtime, "alice", "clinician")
    details = rules.Demographics(given_name="Sam", family_name="Okafor", date_of_birth=date(1988, 8, 8))
    client_id = call(runtime, clients.register, alice, details, []).id
    clinic = call(runtime, recipients.create, alice, name="Dr Ana Rivera", organization="Northside").id
    call(runtime, authorizations.record, alice, client_id, terms(clinic), SIGNED_FORM)
    return alice, client_id, clinic


def status(runtime: Runtime, alice: audit.Actor, client_id: uuid.UUID) -> str:
    """The status of the client's one authorization today."""
    [view] = call(runtime, authorizations.list_for, alice, client_id)
    return view.status


def test_h_d1_a_release_is_still_valid_at_half_past_eleven_at_night_on_its_expiry_date_in_los_angeles(
    runtime: Runtime, clock: FakeClock, world: tuple[audit.Actor, uuid.UUID, uuid.UUID]
) -> None:
    """At 23:30 local (UTC-8) on the expiry date it is still active and still permits a disclosure."""
    alice, client_id, clinic = world
    in_zone(runtime, "America/Los_Angeles")
    clock.now = LATE_ON_EXPIRY_DAY
    assert runtime.env.today() == date(2026, 12, 31)
    assert status(runtime, alice, client_id) == "active"
    q = disclosures.question(
        client_id, str(clinic), ["diagnosis"], "continuity_of_care", None, runtime.env.today()
    )
    assert call(runtime, disclosures.check, alice, q).answer.value == "permit"


def test_h_d1_the_release_expires_at_local_midnight_and_utc_is_the_default(
    runtime: Runtime, clock: FakeClock, world: tuple[audit.Actor, uuid.UUID, uuid.UUID]
) -> None:
    """In UTC (the default) 07:30 on 1 January is past the expiry; in Los Angeles, from 00:00 local it is."""
    alice, client_id, _ = world
    clock.now = LATE_ON_EXPIRY_DAY
    assert status(runtime, alice, client_id) == "expired"
    in_zone(runtime, "America/Los_Angeles")
    clock.now = datetime(2027, 1, 1, 8, 0, tzinfo=UTC)
    assert status(runtime, alice, client_id) == "expired"
