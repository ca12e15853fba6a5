"""The daily maintenance run: what retention allows to go, reported and logged; it never deletes anything.

Safe to run from cron: it only reads, writes one access-log entry, and leaves destruction to people
(`roi-tracker clients purge`). Log entries and accountable disclosures are kept whatever it reports.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as client_rules
from roi_tracker.domain import retention
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.services.context import Env


@dataclass(frozen=True)
class Due:
    """An authorization whose signed form may be destroyed on or after `kept_until` (H-R1)."""

    label: str
    client_reference: str
    kept_until: date
    ended: bool


@dataclass(frozen=True)
class Report:
    """What the run found: authorizations at the end of retention, and clients that may be purged."""

    today: date
    authorizations: list[Due]
    purgeable: list[tuple[uuid.UUID, str]]


def kept_until(row: models.Authorization, years: int) -> date | None:
    """The day an authorization's retention ends (None while it may still be in effect)."""
    ended = retention.authorization_ended_on(row.expires_on, row.revoked_on, row.expiry_event_on)
    return retention.authorization_kept_until(row.recorded_at.date(), ended, years=years)


def authorizations_kept(session: Session, client_id: uuid.UUID, *, today: date, years: int) -> int:
    """How many of a client's authorizations must still be kept today (they block a purge, H-R1)."""
    stmt = select(models.Authorization).where(models.Authorization.client_id == client_id)
    return sum(
        not retention.authorization_retention_ended(kept_until(a, years), today=today)
        for a in session.execute(stmt).scalars()
    )


def run(session: Session, env: Env, actor: audit.Actor, *, ahead_days: int = 30) -> Report:
    """Report authorizations whose retention ends within `ahead_days` (or has ended) and purgeable clients."""
    today = env.today()
    years = env.settings.retention_years
    horizon = today + timedelta(days=ahead_days)
    stmt = (
        select(models.Authorization, models.Client.reference)
        .join(models.Client, models.Client.id == models.Authorization.client_id)
        .where(models.Client.shredded_at.is_(None))
    )
    due = []
    still_kept: set[uuid.UUID] = set()  # clients with a signed form that must still be kept block a purge
    for row, reference in session.execute(stmt):
        until = kept_until(row, years)
        if not retention.authorization_retention_ended(until, today=today):
            still_kept.add(row.client_id)
        if until is not None and until <= horizon:
            due.append(Due(row.label, reference, until, ended=until <= today))
    clients = select(
        models.Client.id, models.Client.reference, models.Client.last_activity_at, models.Client.legal_hold
    ).where(models.Client.shredded_at.is_(None))
    purgeable = [
        (cid, reference)
        for cid, reference, last_activity, hold in session.execute(clients)
        if cid not in still_kept
        and client_rules.retention_ended(last_activity.date(), today=today, years=years, legal_hold=hold)
    ]
    env.log.record_alone(
        session,
        actor,
        Action.MAINTENANCE_RUN,
        Outcome.ALLOWED,
        object_type="maintenance",
        object_id=today.isoformat(),
        basis=f"due:{len(due)}:purgeable:{len(purgeable)}",
    )
    return Report(
        today, sorted(due, key=lambda d: (d.kept_until, d.label)), sorted(purgeable, key=lambda p: p[1])
    )
