"""Emergency access ("break the glass", 164.312(a)(2)(ii)): one client, limited time, logged, reviewed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import Forbidden
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.audit_review import notify
from roi_tracker.services.context import Env
from roi_tracker.services.people import stepup
from roi_tracker.services.records import clients

REASONS = ("imminent_risk", "crisis_coverage", "medical_emergency", "covering_clinician_absent", "other")


@dataclass(frozen=True)
class Grant:
    """An emergency access and when it ends."""

    id: uuid.UUID
    client_id: uuid.UUID
    started_at: datetime
    expires_at: datetime


def start(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client_id: uuid.UUID,
    *,
    reason: str,
    justification: str,
    password: str,
) -> Grant:
    """Open a client not on the clinician's caseload for a limited time; every auditor is told at once."""
    if actor.role != "clinician":
        raise Forbidden("only clinicians may use emergency access")
    if reason not in REASONS:
        raise InvalidInput("reason must be one of " + ", ".join(REASONS), field="reason")
    justification = justification.strip()
    if not justification or len(justification) > 2000:
        raise InvalidInput("write a justification (at most 2000 characters)", field="justification")
    client = session.get(models.Client, client_id)
    if client is None or client.shredded_at is not None:
        raise NotFound(clients.NOT_FOUND)
    if uuid.UUID(actor.user_id) in clients.caseload_of(session, client_id):
        raise Conflict("this client is on your caseload; no emergency access is needed")
    now = env.clock()
    if clients.has_emergency_access(session, actor, client_id, now):
        raise Conflict("you already hold emergency access to this client")
    stepup.confirm(session, env, actor, password)
    grant_id = uuid.uuid4()
    expires = now + timedelta(minutes=env.settings.emergency_access_minutes)
    session.add(
        models.EmergencyAccess(
            id=grant_id,
            client_id=client_id,
            user_id=uuid.UUID(actor.user_id),
            reason=reason,
            justification=env.keyring.seal(
                justification.encode(), purpose="emergency-justification", context=grant_id.bytes
            ),
            started_at=now,
            expires_at=expires,
        )
    )
    notify.tell_auditors(session, env, "emergency_access", grant_id, client_id)
    env.log.append(
        session,
        actor,
        Action.EMERGENCY_STARTED,
        Outcome.ALLOWED,
        object_type="emergency_access",
        object_id=str(grant_id),
        client_id=str(client_id),
        basis=reason,
    )
    audit.commit(session)
    notify.email_auditors(session, env, "roi-tracker: emergency access to a client record was used")
    return Grant(grant_id, client_id, now, expires)


def start_by_reference(
    session: Session,
    env: Env,
    actor: audit.Actor,
    reference: str,
    *,
    reason: str,
    justification: str,
    password: str,
) -> Grant:
    """Start emergency access to the client with this reference (a wrong reference is InvalidInput)."""
    ref = reference.strip().upper()
    ref = ref if ref.startswith("C-") else "C-" + ref
    client_id = session.execute(select(models.Client.id).where(models.Client.reference == ref)).scalar()
    if client_id is None:
        raise InvalidInput("no client has that reference", field="reference")
    return start(
        session, env, actor, client_id, reason=reason, justification=justification, password=password
    )


def current(session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID) -> Grant | None:
    """The actor's unexpired emergency access to this client, for the countdown banner."""
    stmt = select(models.EmergencyAccess).where(
        models.EmergencyAccess.client_id == client_id,
        models.EmergencyAccess.user_id == uuid.UUID(actor.user_id),
        models.EmergencyAccess.ended_at.is_(None),
        models.EmergencyAccess.expires_at > env.clock(),
    )
    row = session.execute(stmt).scalar_one_or_none()
    return Grant(row.id, row.client_id, row.started_at, row.expires_at) if row else None


def close_expired(session: Session, env: Env) -> int:
    """Mark every lapsed emergency access ended and log its end; return how many."""
    now = env.clock()
    stmt = select(models.EmergencyAccess).where(
        models.EmergencyAccess.ended_at.is_(None), models.EmergencyAccess.expires_at <= now
    )
    rows = list(session.execute(stmt).scalars())
    for row in rows:
        row.ended_at = row.expires_at
        env.log.append(
            session,
            audit.SYSTEM,
            Action.EMERGENCY_ENDED,
            Outcome.ALLOWED,
            object_type="emergency_access",
            object_id=str(row.id),
            client_id=str(row.client_id),
            basis="expired",
        )
    audit.commit(session)
    return len(rows)


def end(session: Session, env: Env, actor: audit.Actor, grant_id: uuid.UUID) -> None:
    """End one's own emergency access early."""
    row = session.get(models.EmergencyAccess, grant_id)
    if row is None or str(row.user_id) != actor.user_id or row.ended_at is not None:
        raise NotFound("no such emergency access")
    row.ended_at = min(env.clock(), row.expires_at)
    env.log.append(
        session,
        actor,
        Action.EMERGENCY_ENDED,
        Outcome.ALLOWED,
        object_type="emergency_access",
        object_id=str(row.id),
        client_id=str(row.client_id),
        basis="ended",
    )
    audit.commit(session)
