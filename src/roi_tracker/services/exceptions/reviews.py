"""The privacy officer's review of exceptions and emergency access: two people, never one's own."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import incidents as incident_rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import Forbidden
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.exceptions import emergency
from roi_tracker.services.incidents import reporting as incidents
from roi_tracker.services.records import vault
from roi_tracker.services.releases import recipients

OUTCOMES = ("appropriate", "inappropriate")
STATUSES = ("pending", "appropriate", "inappropriate", "all")
_NOTES = "review-notes"


@dataclass(frozen=True)
class Item:
    """One exception or emergency access as the auditor sees it: client identity, never clinical notes."""

    subject_type: str
    id: uuid.UUID
    client_id: uuid.UUID
    client_reference: str
    client_name: str
    date_of_birth: str
    by: str
    at: datetime
    kind: str
    review_status: str
    overdue: bool
    details: dict[str, Any] = field(default_factory=dict)
    reviewed: Reviewed | None = None


@dataclass(frozen=True)
class Reviewed:
    """Who reviewed an item, when, and their notes."""

    by: str
    at: datetime
    notes: str


def _status(session: Session, subject_id: uuid.UUID) -> str:
    outcome = session.execute(
        select(models.Review.outcome).where(models.Review.subject_id == subject_id)
    ).scalar()
    return str(outcome) if outcome else "pending"


def queue(session: Session, env: Env, actor: audit.Actor, status: str = "pending") -> list[Item]:
    """Exceptions and emergency accesses with the given review status, oldest first; each read is logged."""
    if status not in STATUSES:
        raise InvalidInput(
            "review_status must be pending, appropriate, inappropriate or all", field="review_status"
        )
    emergency.close_expired(session, env)
    rows: list[tuple[str, Any]] = [
        ("exception", r) for r in session.execute(select(models.ConfidentialityException)).scalars()
    ]
    rows += [("emergency_access", r) for r in session.execute(select(models.EmergencyAccess)).scalars()]
    wanted = [(t, r) for t, r in rows if status == "all" or _status(session, r.id) == status]
    receipt = None
    for number, (subject_type, row) in enumerate(wanted, start=1):
        fields: dict[str, Any] = {
            "object_type": subject_type,
            "object_id": str(row.id),
            "client_id": str(row.client_id),
            "basis": "review-queue",
        }
        if number < len(wanted):
            env.log.append(session, actor, Action.EXCEPTION_READ, Outcome.ALLOWED, **fields)
        else:
            receipt = env.log.reveal(session, actor, Action.EXCEPTION_READ, **fields)
    if receipt is None:
        return []
    names = {str(u.id): u.username for u in session.execute(select(models.User)).scalars()}
    overdue_before = env.clock() - timedelta(days=env.settings.review_overdue_days)
    out = []
    for subject_type, row in wanted:
        client = session.get(models.Client, row.client_id)
        if client is None:
            continue
        key = vault.key_of(session, env, actor, client)
        who = vault.open_demographics(session, env, actor, key, client, receipt)
        if subject_type == "exception":
            details = json.loads(
                key.decrypt(
                    bytes(row.details),
                    table="confidentiality_exceptions",
                    column="details",
                    row_id=str(row.id),
                )
            )
            rid = uuid.UUID(details["recipient_id"])
            details["recipient"] = recipients.get_many(session, env, {rid})[rid].display
            kind, by, at = details["kind"], names.get(str(row.recorded_by), "?"), row.recorded_at
        else:
            details = {
                "reason": row.reason,
                "expires_at": row.expires_at.isoformat(),
                "justification": env.keyring.open(
                    bytes(row.justification), purpose="emergency-justification", context=row.id.bytes
                ).decode(),
            }
            kind, by, at = "emergency_access", names.get(str(row.user_id), "?"), row.started_at
        state = _status(session, row.id)
        done = _reviewed(session, env, row.id, names)
        out.append(
            Item(
                subject_type,
                row.id,
                client.id,
                client.reference,
                f"{who.given_name} {who.family_name}",
                who.date_of_birth.isoformat(),
                by,
                at,
                kind,
                state,
                state == "pending" and at < overdue_before,
                details,
                done,
            )
        )
    return sorted(out, key=lambda i: i.at)


def _reviewed(session: Session, env: Env, subject_id: uuid.UUID, names: dict[str, str]) -> Reviewed | None:
    row = session.execute(select(models.Review).where(models.Review.subject_id == subject_id)).scalar()
    if row is None:
        return None
    notes = env.keyring.open(bytes(row.notes), purpose=_NOTES, context=row.id.bytes).decode()
    return Reviewed(names.get(str(row.reviewer_id), "?"), row.reviewed_at, notes)


def review(
    session: Session, env: Env, actor: audit.Actor, subject_id: uuid.UUID, *, outcome: str, notes: str
) -> str:
    """Record the review of an exception or emergency access; refused for one's own (two people)."""
    if outcome not in OUTCOMES:
        raise InvalidInput("outcome must be appropriate or inappropriate", field="outcome")
    notes = notes.strip()
    if len(notes) > 4000:
        raise InvalidInput("notes must be at most 4000 characters", field="notes")
    exception = session.get(models.ConfidentialityException, subject_id)
    access = None if exception is not None else session.get(models.EmergencyAccess, subject_id)
    if exception is None and access is None:
        raise NotFound("nothing to review with that id")
    subject_type = "exception" if exception is not None else "emergency_access"
    author = exception.recorded_by if exception is not None else access.user_id  # type: ignore[union-attr]
    client_id = exception.client_id if exception is not None else access.client_id  # type: ignore[union-attr]
    if str(author) == actor.user_id:
        raise Forbidden("you cannot review your own exception or emergency access: a second person must")
    if _status(session, subject_id) != "pending":
        raise Conflict("this has already been reviewed")
    if outcome == "inappropriate" and not notes:
        # An inappropriate exception may be a breach to assess (164.402): the reasons must be on record.
        raise InvalidInput("say in the notes why it was inappropriate", field="notes")
    review_id = uuid.uuid4()
    session.add(
        models.Review(
            id=review_id,
            subject_type=subject_type,
            subject_id=subject_id,
            outcome=outcome,
            notes=env.keyring.seal(notes.encode(), purpose=_NOTES, context=review_id.bytes),
            reviewer_id=uuid.UUID(actor.user_id),
        )
    )
    action = Action.EXCEPTION_REVIEWED if subject_type == "exception" else Action.EMERGENCY_REVIEWED
    env.log.append(
        session,
        actor,
        action,
        Outcome.ALLOWED,
        object_type=subject_type,
        object_id=str(subject_id),
        client_id=str(client_id),
        basis=outcome,
    )
    if outcome == "inappropriate":
        _open_incident(session, env, actor, exception, client_id)
    audit.commit(session)
    return outcome


def _open_incident(
    session: Session,
    env: Env,
    actor: audit.Actor,
    exception: models.ConfidentialityException | None,
    client_id: uuid.UUID,
) -> None:
    # Reviewed as inappropriate: an incident for the privacy officer to assess, discovered today (H-B7).
    made = session.get(models.Disclosure, exception.disclosure_id) if exception is not None else None
    what = "an exception disclosure" if exception is not None else "an emergency access"
    incidents.open_detected(
        session,
        env,
        actor,
        kind=incident_rules.Kind.OTHER if exception is not None else incident_rules.Kind.UNAUTHORIZED_ACCESS,
        source=incidents.EXCEPTION_REVIEW if exception is not None else incidents.EMERGENCY_REVIEW,
        client_id=client_id,
        disclosure=made,
        description=f"Found by the product: {what} was reviewed as inappropriate on {env.today()}",
    )


@dataclass(frozen=True)
class Pending:
    """How many reviews wait, and how many are overdue."""

    waiting: int
    overdue: int


def pending_count(session: Session, env: Env) -> Pending:
    """Count unreviewed exceptions and emergency accesses, and those older than the overdue limit."""
    reviewed = select(models.Review.subject_id)
    cutoff = env.clock() - timedelta(days=env.settings.review_overdue_days)
    e, a = models.ConfidentialityException, models.EmergencyAccess
    times = list(session.execute(select(e.recorded_at).where(e.id.not_in(reviewed))).scalars())
    times += list(session.execute(select(a.started_at).where(a.id.not_in(reviewed))).scalars())
    return Pending(len(times), sum(1 for t in times if t < cutoff))
