"""What each role's home page shows first."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker.domain.roles import Role
from roi_tracker.services.accounting import accounting
from roi_tracker.services.audit_review import log as audit_review
from roi_tracker.services.audit_review import notify
from roi_tracker.services.context import Env
from roi_tracker.services.disclosures import impermissible
from roi_tracker.services.exceptions import reviews
from roi_tracker.services.incidents import register as incidents
from roi_tracker.services.people import users
from roi_tracker.services.records import search as client_search
from roi_tracker.services.releases import dashboard
from roi_tracker.services.reminders import collect
from roi_tracker.services.reminders import preferences


def home_for(session: Session, env: Env, actor: audit.Actor) -> dict[str, Any]:
    """Return the data for `actor`'s home page (a clinician's caseload is one logged list read)."""
    # What reminders e-mail, the home page lists too (issue 21).
    return {"needs_you": collect.needs_you(session, env, actor), **_by_role(session, env, actor)}


def account_for(session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    """Return the data for a person's own account page: the account and their reminder settings."""
    return {"user": users.get_user(session, user_id), "reminders": preferences.preferences(session, user_id)}


def _by_role(session: Session, env: Env, actor: audit.Actor) -> dict[str, Any]:
    if actor.role in (Role.CLINICIAN, Role.FRONT_DESK):
        expiring, revoked = dashboard.attention(session, env, actor)
        caseload = client_search.caseload(session, env, actor) if actor.role == Role.CLINICIAN else []
        return {"caseload": caseload, "expiring": expiring, "revoked": revoked}
    if actor.role == Role.AUDITOR:
        return {
            "summary": audit_review.summary(session, env),
            "pending": reviews.pending_count(session, env),
            "notifications": notify.unread(session, uuid.UUID(actor.user_id)),
            "open_requests": accounting.open_requests(session),
            "impermissible": impermissible.listed(session, limit=20),
            "incidents": incidents.open_for_home(session, env),
        }
    if actor.role == Role.ADMIN:
        return {"user_count": len(users.list_users(session))}
    return {}
