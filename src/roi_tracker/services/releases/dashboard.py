"""Releases needing attention: authorizations expiring soon; recently revoked ones and their recipients."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.records import clients
from roi_tracker.services.releases import recipients

RECENTLY_REVOKED_DAYS = 30


@dataclass(frozen=True)
class Expiring:
    """An authorization whose end date is near (client shown by reference only)."""

    id: uuid.UUID
    label: str
    client_id: uuid.UUID
    client_reference: str
    recipient: str
    expires_on: date
    days_left: int


@dataclass(frozen=True)
class Revoked:
    """A recently revoked authorization and the recipients who received information under it."""

    id: uuid.UUID
    label: str
    client_id: uuid.UUID
    client_reference: str
    revoked_on: date
    recipients: tuple[recipients.RecipientView, ...]


def _scope(actor: audit.Actor) -> list[uuid.UUID] | None:
    return [uuid.UUID(actor.user_id)] if actor.role == "clinician" else None


def attention(session: Session, env: Env, actor: audit.Actor) -> tuple[list[Expiring], list[Revoked]]:
    """Return what needs attention for this person: their caseload (clinicians) or the whole practice."""
    if actor.role not in {"clinician", "front_desk"}:
        return [], []
    today = env.today()
    a, c = models.Authorization, models.Client
    stmt = select(a, c.reference).join(c, c.id == a.client_id).where(c.shredded_at.is_(None))
    clinicians = _scope(actor)
    if clinicians is not None:
        mine = select(models.CaseloadAssignment.client_id).where(
            models.CaseloadAssignment.user_id.in_(clinicians)
        )
        stmt = stmt.where(a.client_id.in_(mine))
    soon = stmt.where(
        a.expires_on >= today,
        a.expires_on <= today + timedelta(days=env.settings.expiring_days),
        a.revoked_on.is_(None),
        a.expiry_event_on.is_(None),
    ).order_by(a.expires_on)
    recent = stmt.where(a.revoked_on >= today - timedelta(days=RECENTLY_REVOKED_DAYS)).order_by(
        a.revoked_on.desc()
    )
    soon_rows = list(session.execute(soon).all())
    recent_rows = list(session.execute(recent).all())
    wanted = {row.recipient_id for row, _ in soon_rows if row.recipient_id}
    sent_to: dict[uuid.UUID, set[uuid.UUID]] = {}
    for row, _ in recent_rows:
        got = select(models.Disclosure.recipient_id).where(models.Disclosure.authorization_id == row.id)
        sent_to[row.id] = {rid for rid in session.execute(got).scalars() if rid}
        wanted |= sent_to[row.id]
    names = recipients.get_many(session, env, wanted)
    expiring = [
        Expiring(
            row.id,
            row.label,
            row.client_id,
            ref,
            names[row.recipient_id].display if row.recipient_id in names else "class of recipients",
            row.expires_on,
            (row.expires_on - today).days,
        )
        for row, ref in soon_rows
        if row.expires_on is not None
    ]
    revoked = [
        Revoked(
            row.id,
            row.label,
            row.client_id,
            ref,
            row.revoked_on,
            tuple(names[r] for r in sorted(sent_to[row.id]) if r in names),
        )
        for row, ref in recent_rows
        if row.revoked_on is not None
    ]
    return expiring, revoked


@dataclass(frozen=True)
class Notice:
    """A printable notice telling a recipient that the client revoked the authorization."""

    practice: str
    label: str
    client_reference: str
    revoked_on: date
    recipient: recipients.RecipientView
    today: date


def revocation_notice(
    session: Session, env: Env, actor: audit.Actor, auth_id: uuid.UUID, recipient_id: uuid.UUID
) -> Notice:
    """The notice of revocation for one recipient who received information under it (logged)."""
    row = session.get(models.Authorization, auth_id)
    if row is None or row.revoked_on is None:
        raise NotFound("no such revoked authorization")
    client = clients.visible(session, actor, row.client_id, rules.View.DEMOGRAPHICS, now=env.clock())
    got = select(models.Disclosure.id).where(
        models.Disclosure.authorization_id == row.id, models.Disclosure.recipient_id == recipient_id
    )
    if session.execute(got).first() is None:
        raise NotFound("this recipient received nothing under that authorization")
    env.log.reveal(
        session,
        actor,
        Action.AUTHORIZATION_READ,
        object_type="authorization",
        object_id=str(row.id),
        client_id=str(client.id),
        basis="revocation-notice",
    )
    return Notice(
        env.settings.practice_name,
        row.label,
        client.reference,
        row.revoked_on,
        recipients.get(session, env, recipient_id),
        env.today(),
    )
