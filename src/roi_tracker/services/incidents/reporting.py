"""Opening an incident: reported by any signed-in person, or opened by the product for what it detects."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import incidents as rules
from roi_tracker.domain import inputs
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.audit_review import notify
from roi_tracker.services.context import Env

REPORTED = "reported"
IMPERMISSIBLE_DISCLOSURE = "impermissible_disclosure"
EXCEPTION_REVIEW = "exception_review"
EMERGENCY_REVIEW = "emergency_access_review"
LOG_REVIEW = "access_log_review"
DESCRIPTION = "incident-description"
MAX_CLIENTS = 1000


@dataclass(frozen=True)
class Opened:
    """An incident as its reporter is told: reference, kind, clock (H-B4)."""

    id: uuid.UUID
    reference: str
    kind: str
    determination: str
    discovered_on: date
    notify_by: date


def parse_id(raw: str, field: str = "incident_id") -> uuid.UUID:
    """Parse an id; a malformed one answers like a missing incident."""
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise NotFound(f"no such {field.removesuffix('_id').replace('_', ' ')}") from None


def _clients(session: Session, raw: list[str], disclosure: models.Disclosure | None) -> list[uuid.UUID]:
    if len(raw) > MAX_CLIENTS:
        raise InvalidInput(f"name at most {MAX_CLIENTS} clients", field="client_ids")
    ids = [disclosure.client_id] if disclosure is not None else []
    for value in raw:
        cid = parse_id(value, "client_id")
        if session.get(models.Client, cid) is None:
            raise NotFound("no such client")
        ids.append(cid)
    return list(dict.fromkeys(ids))


def _disclosure(session: Session, raw: str | None) -> models.Disclosure | None:
    if not raw:
        return None
    row = session.get(models.Disclosure, parse_id(raw, "disclosure_id"))
    if row is None:
        raise NotFound("no such disclosure")
    return row


def add(
    session: Session,
    env: Env,
    actor: audit.Actor,
    *,
    kind: rules.Kind,
    source: str,
    discovered_on: date,
    occurred_on: date | None,
    description: str,
    disclosure: models.Disclosure | None,
    client_ids: list[uuid.UUID],
    tell: bool = True,
) -> Opened:
    """Add the incident, its clients and a log entry per client, in the caller's transaction."""
    incident_id = uuid.uuid4()
    reference = f"INC-{discovered_on.year}-{incident_id.hex[:10].upper()}"
    due = rules.notify_by(discovered_on)
    session.add(
        models.Incident(
            id=incident_id,
            reference=reference,
            kind=kind.value,
            source=source,
            discovered_on=discovered_on,
            occurred_on=occurred_on,
            description=env.keyring.seal(
                description.encode(), purpose=DESCRIPTION, context=incident_id.bytes
            ),
            disclosure_id=disclosure.id if disclosure is not None else None,
            determination=rules.Determination.PENDING.value,
            notify_by=due,
            hhs_by=None,
            media_required=False,
            reported_by=uuid.UUID(actor.user_id),
            reported_at=env.clock(),
        )
    )
    session.flush()
    for client_id in client_ids:
        session.add(models.IncidentClient(incident_id=incident_id, client_id=client_id))
    targets: list[uuid.UUID | None] = [*client_ids] or [None]
    for cid in targets:
        env.log.append(
            session,
            actor,
            Action.INCIDENT_REPORTED,
            Outcome.ALLOWED,
            object_type="incident",
            object_id=str(incident_id),
            client_id=str(cid) if cid else "",
            basis=f"{source}:{kind.value}",
        )
    if tell and client_ids:
        notify.tell_auditors(session, env, "incident", incident_id, client_ids[0])
    return Opened(incident_id, reference, kind.value, rules.Determination.PENDING.value, discovered_on, due)


def report(
    session: Session,
    env: Env,
    actor: audit.Actor,
    *,
    kind: str,
    discovered_on: date,
    occurred_on: date | None,
    description: str,
    disclosure_id: str | None = None,
    client_ids: list[str] | None = None,
) -> Opened:
    """Report an incident the day it is discovered (H-B7): refused in the future, 422 with the rule id."""
    parsed = rules.parse_kind(kind)
    inputs.plausible(discovered_on, "discovered_on")
    inputs.plausible(occurred_on, "occurred_on")
    inputs.text(description, "description")
    rules.check_report(discovered_on, occurred_on, description, today=env.today())
    disclosure = _disclosure(session, disclosure_id)
    ids = _clients(session, client_ids or [], disclosure)
    opened = add(
        session,
        env,
        actor,
        kind=parsed,
        source=REPORTED,
        discovered_on=discovered_on,
        occurred_on=occurred_on,
        description=description.strip(),
        disclosure=disclosure,
        client_ids=ids,
    )
    audit.commit(session)
    return opened


def open_detected(
    session: Session,
    env: Env,
    actor: audit.Actor,
    *,
    kind: rules.Kind,
    source: str,
    client_id: uuid.UUID,
    description: str,
    disclosure: models.Disclosure | None = None,
    more_clients: list[uuid.UUID] | None = None,
) -> Opened | None:
    """Open an incident for what the product found (H-B7: discovered today), in the caller's transaction.

    None when the disclosure already has an incident: one finding, one incident.
    """
    if disclosure is not None:
        known = select(models.Incident.id).where(models.Incident.disclosure_id == disclosure.id)
        if session.execute(known).first() is not None:
            return None
    return add(
        session,
        env,
        actor,
        kind=kind,
        source=source,
        discovered_on=env.today(),
        occurred_on=disclosure.disclosed_at.date() if disclosure is not None else None,
        description=description,
        disclosure=disclosure,
        client_ids=list(dict.fromkeys([client_id, *(more_clients or [])])),
        tell=False,  # what detected it has told the auditors already
    )
