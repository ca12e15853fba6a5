"""Gather, per person, what needs them from every item source."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import reminders
from roi_tracker.services.context import Env
from roi_tracker.services.reminders import sources


def items_for(session: Session, env: Env, person: models.User) -> list[reminders.Item]:
    """Every item that needs `person`, from every source for their role."""
    out: list[reminders.Item] = []
    for source in sources.SOURCES:
        out += source.for_person(session, env, person)
    return out


def needs_you(session: Session, env: Env, actor: audit.Actor) -> list[reminders.Line]:
    """The signed-in person's "needs you" list: counts and references per kind, opted out or not."""
    person = session.get(models.User, uuid.UUID(actor.user_id))
    if person is None:
        return []
    return reminders.lines(items_for(session, env, person))


def addressed(session: Session) -> list[models.User]:
    """The active people who have an e-mail address, by username."""
    stmt = select(models.User).where(models.User.active.is_(True), models.User.email.is_not(None))
    return list(session.execute(stmt.order_by(models.User.username)).scalars())


def opted_out(session: Session, user_id: uuid.UUID) -> set[reminders.Kind]:
    """The kinds `user_id` asked not to be e-mailed about."""
    rows = session.execute(
        select(models.ReminderOptOut.kind).where(models.ReminderOptOut.user_id == user_id)
    ).scalars()
    return {reminders.Kind(k) for k in rows if k in set(reminders.Kind)}


def sent_on(session: Session, user_id: uuid.UUID, day: date) -> set[tuple[str, str]]:
    """The (kind, item key) pairs already sent to `user_id` on `day`."""
    r = models.ReminderSent
    rows = session.execute(select(r.kind, r.item_key).where(r.user_id == user_id, r.sent_on == day)).all()
    return {(kind, key) for kind, key in rows}
