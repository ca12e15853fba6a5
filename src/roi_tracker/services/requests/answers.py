"""Answering a request without a release: extend (H-A3), deny (H-A6..H-A8), review (H-A9), withdraw, fee."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import inputs
from roi_tracker.domain import requests as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import DomainError
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import RuleConflict
from roi_tracker.services.context import Env
from roi_tracker.services.records import vault
from roi_tracker.services.requests import desk
from roi_tracker.services.requests import paperwork

FEE_STATUSES = ("paid", "waived")


def _words(value: str, field: str, *, required: bool = True) -> str:
    text = inputs.text(value, field).strip()
    if (required and not text) or len(text) > 2000:
        raise InvalidInput(f"write the {field} (at most 2000 characters)", field=field)
    return text


def open_request(
    session: Session, env: Env, actor: audit.Actor, request_id: uuid.UUID, action: Action
) -> tuple[models.RecordRequest, models.Client, crypto.DataKey, dict[str, Any]]:
    """Load an open request with its key and sealed details; a closed one is read-only (logged, 409)."""
    row, client = desk.load(session, env, actor, request_id, action)
    try:
        rules.check_open(rules.Status(row.status))
    except DomainError:
        desk.refused(session, env, actor, row, action, "closed")
        raise
    key = vault.key_of(session, env, actor, client)
    details = desk.unseal(
        session, env, actor, key, ("record_requests", "details", row.id, row.client_id), bytes(row.details)
    )
    return row, client, key, details


def extend(session: Session, env: Env, actor: audit.Actor, request_id: uuid.UUID, reason: str) -> desk.View:
    """Extend an access request once by 30 days, before it is due, with the extension letter (H-A3)."""
    why = _words(reason, "reason")
    row, client, key, details = open_request(session, env, actor, request_id, Action.REQUEST_EXTENDED)
    try:
        due = rules.extended_due(rules.Kind(row.kind), row.due_on, row.extended, env.today())
    except RuleConflict:
        desk.refused(session, env, actor, row, Action.REQUEST_EXTENDED, "H-A3")
        raise
    row.due_on = due
    row.extended = True
    desk.step(session, env, actor, row, key, Action.REQUEST_EXTENDED, {"reason": why}, basis="H-A3")
    paperwork.write(session, env, actor, row, client, key, "extension", details, reason=why)
    audit.commit(session)
    return desk.view_of(row, env.today())


def deny(
    session: Session,
    env: Env,
    actor: audit.Actor,
    request_id: uuid.UUID,
    grounds: list[str],
    explanation: str,
) -> desk.View:
    """Deny a request on its grounds, with a plain denial letter (H-A8); a reviewable ground allows review."""
    text = _words(explanation, "explanation", required=False)
    row, client, key, details = open_request(session, env, actor, request_id, Action.REQUEST_DENIED)
    parsed, reviewable = rules.denial_grounds(rules.Kind(row.kind), grounds)
    names = [g.value for g in parsed]
    row.status = rules.Status.DENIED.value
    row.reviewable = reviewable
    row.closed_at = env.clock()
    desk.step(
        session,
        env,
        actor,
        row,
        key,
        Action.REQUEST_DENIED,
        {"grounds": names, "explanation": text},
        basis="H-A7" if reviewable else "H-A6",
    )
    kind = "no_records" if names == [rules.Ground.NO_RECORDS.value] else "denial"
    paperwork.write(
        session,
        env,
        actor,
        row,
        client,
        key,
        kind,
        details,
        grounds=tuple(names),
        reviewable=reviewable,
        reason=text,
    )
    audit.commit(session)
    return desk.view_of(row, env.today())


def review(
    session: Session, env: Env, actor: audit.Actor, request_id: uuid.UUID, outcome: str, notes: str
) -> desk.View:
    """Record a review of a reviewable denial by a clinician who took no part in it, and its letter (H-A9)."""
    if outcome not in ("upheld", "reversed"):
        raise InvalidInput("outcome must be upheld or reversed", field="outcome")
    text = _words(notes, "notes", required=False)
    row, client = desk.load(session, env, actor, request_id, Action.REQUEST_REVIEWED)
    steps = list(
        session.execute(
            select(models.RequestEvent.action, models.RequestEvent.actor_id)
            .where(models.RequestEvent.request_id == row.id)
            .order_by(models.RequestEvent.position)
        ).tuples()
    )
    denials = [n for n, (action, _who) in enumerate(steps) if action == Action.REQUEST_DENIED.value]
    # Whoever denied it (this time or before) took part; a denial is reviewed once.
    took_part = [str(who) for action, who in steps if action == Action.REQUEST_DENIED.value]
    reviewed = bool(denials) and any(a == Action.REQUEST_REVIEWED.value for a, _ in steps[denials[-1] :])
    try:
        if row.status != rules.Status.DENIED.value or reviewed:
            raise RuleConflict(
                "only a denial not yet reviewed can be reviewed",
                [rules.problem("H-A9", "status", "The request is not a denial awaiting review.")],
            )
        rules.check_reviewer(bool(row.reviewable), actor.user_id, took_part)
    except RuleConflict as exc:
        desk.refused(session, env, actor, row, Action.REQUEST_REVIEWED, exc.problems[0]["rule"])
        raise
    key = vault.key_of(session, env, actor, client)
    details = desk.unseal(
        session, env, actor, key, ("record_requests", "details", row.id, row.client_id), bytes(row.details)
    )
    if outcome == "reversed":
        # The denial is reversed: the request is open again, to be fulfilled (164.524(d)(4)).
        row.status = rules.Status.OPEN.value
        row.closed_at = None
    desk.step(
        session,
        env,
        actor,
        row,
        key,
        Action.REQUEST_REVIEWED,
        {"outcome": outcome, "notes": text},
        basis=outcome,
    )
    paperwork.write(
        session, env, actor, row, client, key, "review_outcome", details, outcome=outcome, reason=text
    )
    audit.commit(session)
    return desk.view_of(row, env.today())


def withdraw(session: Session, env: Env, actor: audit.Actor, request_id: uuid.UUID, reason: str) -> desk.View:
    """Record that the requester withdrew the request."""
    why = _words(reason, "reason")
    row, _client, key, _details = open_request(session, env, actor, request_id, Action.REQUEST_WITHDRAWN)
    row.status = rules.Status.WITHDRAWN.value
    row.closed_at = env.clock()
    desk.step(session, env, actor, row, key, Action.REQUEST_WITHDRAWN, {"reason": why})
    audit.commit(session)
    return desk.view_of(row, env.today())


def record_fee(
    session: Session, env: Env, actor: audit.Actor, request_id: uuid.UUID, status: str
) -> desk.View:
    """Record the fee as paid or waived (H-A5)."""
    if status not in FEE_STATUSES:
        raise InvalidInput("the fee is paid or waived", field="fee_status")
    row, _client, key, _details = open_request(session, env, actor, request_id, Action.REQUEST_FEE_RECORDED)
    row.fee_status = status
    desk.step(session, env, actor, row, key, Action.REQUEST_FEE_RECORDED, basis=f"H-A5:{status}")
    audit.commit(session)
    return desk.view_of(row, env.today())
