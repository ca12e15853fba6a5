"""Security fixtures: a demo practice seeded in-process, with an API token for each role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.runtime import Runtime
from roi_tracker.services.demo import clients as demo_clients
from roi_tracker.services.demo import exceptions as demo_exceptions
from roi_tracker.services.demo import incidents as demo_incidents
from roi_tracker.services.demo import releases as demo_releases
from roi_tracker.services.operations import setup as instance
from roi_tracker.services.people import users
from roi_tracker.services.requests import intake
from tests.security.live_server import ACCOUNTS

SYSTEM = audit.Actor("test", "system")


@dataclass(frozen=True)
class Practice:
    """The seeded demo practice: a token per role and a real id for each kind of path parameter."""

    tokens: dict[str, str]
    ids: dict[str, str]


def _actor(session: Session, username: str) -> audit.Actor:
    user = users.by_username(session, username)
    return audit.Actor(str(user.id), user.role, "demo")


def _first_id(session: Session, model: Any) -> str:
    row_id = session.execute(select(model.id).limit(1)).scalar_one()
    return str(row_id)


@pytest.fixture
def demo_practice(runtime: Runtime) -> Practice:
    """Seed the demo practice (clients, documents, releases, exceptions) and issue a token per role."""
    with runtime.sessions() as session:
        created = {
            s.username: s
            for s in instance.create_demo_accounts(session, runtime.env, runtime.env.settings.instance_path)
        }
        clinician = _actor(session, "clinician")
        demo_clients.seed_clients(session, runtime.env, clinician)
        demo_releases.seed_releases(session, runtime.env, clinician)
        demo_exceptions.seed_exceptions(
            session,
            runtime.env,
            clinician,
            created["clinician"].password,
            _actor(session, "auditor"),
            _actor(session, "covering"),
            created["covering"].password,
        )
        demo_incidents.seed_incidents(session, runtime.env, clinician, _actor(session, "auditor"))
        # One request for records, so the request desk's routes reach a real row (issue 18).
        client_id = session.execute(select(models.Client.id).limit(1)).scalar_one()
        intake.receive(
            session,
            runtime.env,
            _actor(session, "frontdesk"),
            intake.Intake(
                client_id=client_id,
                kind="access",
                channel="mail",
                requester={"name": "Synthetic requester"},
                requester_is="client",
                categories=["diagnosis"],
                format="paper",
            ),
        )
        tokens = {
            role: users.issue_token(session, runtime.env, SYSTEM, name) for role, name in ACCOUNTS.items()
        }
        ids = {
            "client_id": _first_id(session, models.Client),
            "document_id": _first_id(session, models.Document),
            "auth_id": _first_id(session, models.Authorization),
            "disclosure_id": _first_id(session, models.Disclosure),
            "subject_id": _first_id(session, models.ConfidentialityException),
            "incident_id": _first_id(session, models.Incident),
            "request_id": _first_id(session, models.RecordRequest),
            "letter_id": _first_id(session, models.RequestLetter),
        }
    return Practice(tokens, ids)
