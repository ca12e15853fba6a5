"""Security fixtures: a demo practice seeded in-process, with an API token for each role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.runtime import Runtime
from roi_tracker.services import demo_clients
from roi_tracker.services import demo_exceptions
from roi_tracker.services import demo_releases
from roi_tracker.services import instance
from roi_tracker.services import users

# The demo account that acts for each role (the demo's own `clinician` holds the caseload).
ACCOUNTS = {"clinician": "clinician", "front_desk": "frontdesk", "auditor": "auditor", "admin": "admin"}
SYSTEM = audit.Actor("test", "system")


@dataclass(frozen=True)
class Practice:
    """The seeded demo practice: a token per role and a real id for each kind of path parameter."""

    tokens: dict[str, str]
    ids: dict[str, str]


def _actor(session: object, username: str) -> audit.Actor:
    user = users.by_username(session, username)  # type: ignore[arg-type]
    return audit.Actor(str(user.id), user.role, "demo")


def _first_id(session: object, model: type[models.Base]) -> str:
    row_id = session.execute(select(model.id).limit(1)).scalar_one()  # type: ignore[attr-defined]
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
        tokens = {
            role: users.issue_token(session, runtime.env, SYSTEM, name) for role, name in ACCOUNTS.items()
        }
        ids = {
            "client_id": _first_id(session, models.Client),
            "document_id": _first_id(session, models.Document),
            "auth_id": _first_id(session, models.Authorization),
            "disclosure_id": _first_id(session, models.Disclosure),
            "subject_id": _first_id(session, models.ConfidentialityException),
        }
    return Practice(tokens, ids)
