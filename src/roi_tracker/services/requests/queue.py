"""The queue: open requests soonest due first, one request with its steps and letters, a letter's PDF."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import requests as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.records import vault
from roi_tracker.services.requests import desk
from roi_tracker.services.requests import letters

MAX_LIMIT = 200


@dataclass(frozen=True)
class Filters:
    """What the queue is narrowed to."""

    status: str | None = None
    kind: str | None = None
    overdue: bool | None = None
    due_before: date | None = None
    client_id: uuid.UUID | None = None
    mine: bool = False


@dataclass(frozen=True)
class Page:
    """A page of requests, soonest due first, and the cursor of the next page."""

    items: list[desk.View]
    next_cursor: str | None


@dataclass(frozen=True)
class Step:
    """One step of a request as its history shows it."""

    at: datetime
    actor: str
    action: str


@dataclass(frozen=True)
class Letter:
    """A letter listed on a request."""

    id: uuid.UUID
    kind: str
    created_at: datetime


@dataclass(frozen=True)
class Detail:
    """A request with its history and letters; the requester and what was asked are not for auditors."""

    request: desk.View
    events: list[Step]
    letters: list[Letter]
    requester: dict[str, str]
    requester_is: str
    categories: list[str]
    format: str
    channel: str
    notes: str
    # The request as it arrived, stored with the client's documents (readable by the client's clinicians).
    document_id: uuid.UUID | None = None
    # Whom the request is about: the reference for everyone, the name for the desk and clinicians.
    client_reference: str = ""
    client_name: str = ""


def _cursor(raw: str | None) -> tuple[date, uuid.UUID] | None:
    if not raw:
        return None
    try:
        day, _, rid = raw.partition("_")
        return date.fromisoformat(day), uuid.UUID(rid)
    except ValueError:
        raise InvalidInput("the cursor is not one this list gave", field="cursor") from None


def page(
    session: Session, env: Env, actor: audit.Actor, f: Filters, *, cursor: str | None = None, limit: int = 50
) -> Page:
    """List requests, soonest due first; clinicians see their caseload's only. The listing is logged."""
    if f.status is not None:
        rules.parse(rules.Status, f.status, "status")
    if f.kind is not None:
        rules.parse(rules.Kind, f.kind, "kind")
    limit = max(1, min(limit, MAX_LIMIT))
    today = env.today()
    r = models.RecordRequest
    stmt = select(r)
    if actor.role == "clinician":
        mine = select(models.CaseloadAssignment.client_id).where(
            models.CaseloadAssignment.user_id == uuid.UUID(actor.user_id)
        )
        stmt = stmt.where(r.client_id.in_(mine))
    if f.mine:
        stmt = stmt.where(r.recorded_by == uuid.UUID(actor.user_id))
    if f.status:
        stmt = stmt.where(r.status == f.status)
    if f.kind:
        stmt = stmt.where(r.kind == f.kind)
    if f.client_id:
        stmt = stmt.where(r.client_id == f.client_id)
    if f.due_before:
        stmt = stmt.where(r.due_on < f.due_before)
    if f.overdue is True:
        stmt = stmt.where(r.status == rules.Status.OPEN.value, r.due_on < today)
    elif f.overdue is False:
        stmt = stmt.where(or_(r.status != rules.Status.OPEN.value, r.due_on >= today))
    after = _cursor(cursor)
    if after is not None:
        stmt = stmt.where(or_(r.due_on > after[0], and_(r.due_on == after[0], r.id > after[1])))
    rows = list(session.execute(stmt.order_by(r.due_on, r.id).limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    env.log.reveal(session, actor, Action.REQUEST_LISTED, object_type="request", object_id=str(len(rows)))
    next_cursor = f"{rows[-1].due_on.isoformat()}_{rows[-1].id}" if more and rows else None
    return Page([desk.view_of(row, today) for row in rows], next_cursor)


def detail(
    session: Session, env: Env, actor: audit.Actor, request_id: uuid.UUID, *, name_client: bool = False
) -> Detail:
    """Return a request with its steps and letters, after logging the read (the auditor sees no requester).

    `name_client`: also open the client's name, for a page that acts on them (the API answers without it).
    """
    row, client = desk.load(session, env, actor, request_id, Action.REQUEST_READ)
    events = list(
        session.execute(
            select(models.RequestEvent)
            .where(models.RequestEvent.request_id == row.id)
            .order_by(models.RequestEvent.position)
        ).scalars()
    )
    letters = list(
        session.execute(
            select(models.RequestLetter)
            .where(models.RequestLetter.request_id == row.id)
            .order_by(models.RequestLetter.position)
        ).scalars()
    )
    users = select(models.User.id, models.User.username).where(
        models.User.id.in_({e.actor_id for e in events})
    )
    names = {uid: name for uid, name in session.execute(users).tuples()}
    key = vault.key_of(session, env, actor, client)
    receipt = env.log.reveal(
        session,
        actor,
        Action.REQUEST_READ,
        object_type="request",
        object_id=str(row.id),
        client_id=str(row.client_id),
    )
    details: dict[str, object] = {}
    client_name = ""
    if actor.role != "auditor":
        where = ("record_requests", "details", row.id, row.client_id)
        details = desk.unseal(session, env, actor, key, where, bytes(row.details))
    if name_client and actor.role != "auditor":
        # The page acts on this client: it names them (issue 17, item 2), under the read just logged.
        named = vault.open_demographics(session, env, actor, key, client, receipt)
        client_name = f"{named.given_name} {named.family_name}"
    requester = details.get("requester")
    categories = details.get("categories")
    return Detail(
        request=desk.view_of(row, env.today(), str(details.get("fee_basis", ""))),
        events=[Step(e.at, names.get(e.actor_id, str(e.actor_id)), e.action) for e in events],
        letters=[Letter(x.id, x.kind, x.created_at) for x in letters],
        requester=dict(requester) if isinstance(requester, dict) else {},
        requester_is=row.requester_is,
        categories=list(categories) if isinstance(categories, list) else [],
        format=row.format,
        channel=row.channel,
        notes=str(details.get("notes", "")),
        document_id=row.document_id,
        client_reference=client.reference,
        client_name=client_name,
    )


def letter(
    session: Session, env: Env, actor: audit.Actor, request_id: uuid.UUID, letter_id: uuid.UUID
) -> tuple[str, bytes]:
    """Return a letter's file name and PDF, after logging its read."""
    row, client = desk.load(session, env, actor, request_id, Action.REQUEST_LETTER_READ)
    found = session.get(models.RequestLetter, letter_id)
    if found is None or found.request_id != row.id:
        raise NotFound("no such letter")
    key = vault.key_of(session, env, actor, client)
    env.log.reveal(
        session,
        actor,
        Action.REQUEST_LETTER_READ,
        object_type="request_letter",
        object_id=str(found.id),
        client_id=str(row.client_id),
        basis=found.kind,
    )
    try:
        content = key.decrypt(
            bytes(found.content), table="request_letters", column="content", row_id=str(found.id)
        )
    except crypto.IntegrityError:
        vault.integrity_failure(session, env, actor, row.client_id, "request_letters")
        raise
    return f"{row.reference}-{found.kind}.pdf", letters.pdf_of(content)


def due_soon(session: Session, env: Env, actor: audit.Actor, *, within_days: int = 7) -> list[desk.View]:
    """Open requests due within `within_days` or late, soonest first (for cron; the read is logged)."""
    today = env.today()
    r = models.RecordRequest
    stmt = select(r).where(
        r.status == rules.Status.OPEN.value, r.due_on <= today + timedelta(days=within_days)
    )
    rows = list(session.execute(stmt.order_by(r.due_on, r.id)).scalars())
    env.log.reveal(session, actor, Action.REQUEST_LISTED, object_type="request", object_id=f"due:{len(rows)}")
    return [desk.view_of(row, today) for row in rows]
