"""A practice with a front desk, two clinicians, a client with a plan, a court order, and a fixed clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

import pytest

from roi_tracker import audit
from roi_tracker.domain import clients as client_rules
from roi_tracker.runtime import Runtime
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.requests import intake
from tests.helpers import call
from tests.helpers import person
from tests.web.conftest import FakeClock

TODAY = date(2026, 3, 10)


@dataclass(frozen=True)
class Practice:
    """Who is there and what the client's record holds."""

    desk: audit.Actor
    alice: audit.Actor
    bob: audit.Actor
    client_id: uuid.UUID
    plan: str
    notes: str
    order: str


@pytest.fixture
def clock(runtime: Runtime) -> FakeClock:
    """Stand the instance's clock at 10 March 2026, mid-afternoon."""
    fake = FakeClock(datetime(2026, 3, 10, 15, 0, tzinfo=UTC))
    object.__setattr__(runtime.env, "clock", fake)
    return fake


def upload(runtime: Runtime, actor: audit.Actor, client_id: uuid.UUID, category: str) -> str:
    """Upload a synthetic document of `category`; return its id."""
    content = tiny_pdf([f"{category} (synthetic)"])
    return str(
        call(
            runtime, documents.upload, actor, client_id, content=content, category=category, title=category
        ).id
    )


@pytest.fixture
def practice(runtime: Runtime, clock: FakeClock) -> Practice:
    """Dora at the desk; Alice and Bob, both on Sam's caseload; Sam's plan, notes and a court order."""
    desk = person(runtime, "dora", "front_desk")
    alice = person(runtime, "alice", "clinician")
    bob = person(runtime, "bob", "clinician")
    details = client_rules.Demographics(
        given_name="Sam", family_name="Okafor", date_of_birth=date(1988, 8, 8)
    )
    client_id = call(runtime, clients.register, alice, details, ["alice", "bob"]).id
    return Practice(
        desk,
        alice,
        bob,
        client_id,
        upload(runtime, alice, client_id, "treatment_plan"),
        upload(runtime, alice, client_id, "psychotherapy_notes"),
        upload(runtime, alice, client_id, "court_order"),
    )


def intake_of(client_id: uuid.UUID, **changes: Any) -> intake.Intake:
    """A mailed access request from the client for their treatment plan, on paper."""
    fields: dict[str, Any] = {
        "client_id": client_id,
        "kind": "access",
        "channel": "mail",
        "requester": {"name": "Sam Okafor", "address": "1 Elm St"},
        "requester_is": "client",
        "categories": ["treatment_plan"],
        "format": "paper",
        "received_on": TODAY,
    }
    fields.update(changes)
    return intake.Intake(**fields)
