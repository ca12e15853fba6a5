"""What every request step shares: loading a request the actor may act on, its view, its steps and seals."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import clients as client_rules
from roi_tracker.domain import request_answers as answers
from roi_tracker.domain import requests as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.records import clients
from roi_tracker.services.records import vault

NOT_FOUND = "no such request"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class View:
    """A request as the queue and the API show it: identifiers, dates and the derived clock; no PHI."""

    id: uuid.UUID
    reference: str
    client_id: uuid.UUID
    kind: str
    status: str
    received_on: date
    due_on: date
    extended: bool
    overdue: bool
    days_left: int
    fee_cents: int
    fee_status: str
    fee_basis: str
    reviewable: bool | None
    disclosure_id: uuid.UUID | None


def view_of(row: models.RecordRequest, today: date, fee_basis: str = "") -> View:
    """Derive the view of a request on `today` (overdue and days left are never stored)."""
    status = rules.Status(row.status)
    return View(
        id=row.id,
        reference=row.reference,
        client_id=row.client_id,
        kind=row.kind,
        status=row.status,
        received_on=row.received_on,
        due_on=row.due_on,
        extended=row.extended,
        overdue=rules.overdue(status, row.due_on, today),
        days_left=rules.days_left(row.due_on, today),
        fee_cents=row.fee_cents,
        fee_status=row.fee_status,
        fee_basis=fee_basis,
        reviewable=row.reviewable,
        disclosure_id=row.disclosure_id,
    )


def parse_request_id(raw: str) -> uuid.UUID:
    """Parse a request id; a malformed one answers like a missing one."""
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise NotFound(NOT_FOUND) from None


def new_reference(session: Session) -> str:
    """Allocate a short reference (R-XXXXX) the desk can say on the phone; it carries no PHI."""
    for _ in range(20):
        ref = "R-" + "".join(secrets.choice(_ALPHABET) for _ in range(5))
        if session.execute(
            select(models.RecordRequest.id).where(models.RecordRequest.reference == ref)
        ).first():
            continue
        return ref
    raise Conflict("could not allocate a request reference; try again")


def client_of(
    session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID, action: Action
) -> models.Client:
    """Return the client if the actor may work on its requests (clinicians: caseload); else log and refuse."""
    if actor.role == "auditor":
        client = session.get(models.Client, client_id)
        if client is not None:
            return client
        raise NotFound(clients.NOT_FOUND)
    try:
        return clients.visible(session, actor, client_id, client_rules.View.DEMOGRAPHICS, now=env.clock())
    except NotFound:
        clients.refuse(session, env, actor, client_id, action)
        raise


def load(
    session: Session, env: Env, actor: audit.Actor, request_id: uuid.UUID, action: Action
) -> tuple[models.RecordRequest, models.Client]:
    """Return a request and its client, answering NotFound for a request the actor may not see."""
    row = session.get(models.RecordRequest, request_id)
    if row is None:
        raise NotFound(NOT_FOUND)
    try:
        client = client_of(session, env, actor, row.client_id, action)
    except NotFound:
        raise NotFound(NOT_FOUND) from None
    return row, client


def seal(key: crypto.DataKey, table: str, column: str, row_id: uuid.UUID, value: dict[str, Any]) -> bytes:
    """Seal a JSON value under the client's key, bound to its table, column and row."""
    return key.encrypt(json.dumps(value).encode(), table=table, column=column, row_id=str(row_id))


def unseal(
    session: Session,
    env: Env,
    actor: audit.Actor,
    key: crypto.DataKey,
    where: tuple[str, str, uuid.UUID, uuid.UUID],
    sealed: bytes,
) -> dict[str, Any]:
    """Open a sealed JSON value; a damaged one is logged as an integrity failure and shown to no one."""
    table, column, row_id, client_id = where
    try:
        value: dict[str, Any] = json.loads(
            key.decrypt(sealed, table=table, column=column, row_id=str(row_id))
        )
    except crypto.IntegrityError:
        vault.integrity_failure(session, env, actor, client_id, table)
        raise
    return value


def step(
    session: Session,
    env: Env,
    actor: audit.Actor,
    row: models.RecordRequest,
    key: crypto.DataKey,
    action: Action,
    note: dict[str, Any] | None = None,
    *,
    basis: str = "",
    position: int | None = None,
) -> None:
    """Record one step of a request (sealed note) and its access-log entry in the caller's transaction.

    `position` is the step's place in the history when the caller knows it (1 for a new request).
    """
    event_id = uuid.uuid4()
    session.add(
        models.RequestEvent(
            id=event_id,
            request_id=row.id,
            position=position or next_position(session, models.RequestEvent, row.id),
            at=env.clock(),
            actor_id=uuid.UUID(actor.user_id),
            action=action.value,
            note=seal(key, "request_events", "note", event_id, note) if note else None,
        )
    )
    env.log.append(
        session,
        actor,
        action,
        Outcome.ALLOWED,
        object_type="request",
        object_id=str(row.id),
        client_id=str(row.client_id),
        basis=basis[:64],
    )


def next_position(
    session: Session, model: type[models.RequestEvent] | type[models.RequestLetter], request_id: uuid.UUID
) -> int:
    """The next position in a request's history or letters (timestamps can tie)."""
    session.flush()
    last = session.execute(select(func.max(model.position)).where(model.request_id == request_id)).scalar()
    return int(last or 0) + 1


def schedule(env: Env) -> answers.Schedule:
    """The practice's fee schedule from its settings (H-A5)."""
    s = env.settings
    return answers.Schedule(
        per_page_cents=s.request_fee_per_page_cents,
        supplies_cents=s.request_fee_supplies_cents,
        postage_cents=s.request_fee_postage_cents,
        flat_electronic_cents=s.request_fee_flat_cents,
    )


def clock(env: Env) -> rules.Clock:
    """The practice's clock settings (H-A2)."""
    return rules.Clock(
        access_days=env.settings.request_access_days, authorized_days=env.settings.request_authorized_days
    )


def refused(
    session: Session, env: Env, actor: audit.Actor, row: models.RecordRequest, action: Action, rule: str
) -> None:
    """Log a refused step on its own (nothing else is stored)."""
    request_id, client_id = str(row.id), str(row.client_id)
    env.log.record_alone(
        session,
        actor,
        action,
        Outcome.REFUSED,
        object_type="request",
        object_id=request_id,
        client_id=client_id,
        basis=rule,
    )
