"""`roi-tracker notify`: one message per person with what needs them, never the same item twice a day."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.config import ConfigError
from roi_tracker.domain import reminders
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.services.context import Env
from roi_tracker.services.reminders import collect
from roi_tracker.services.reminders import mail

Connect = Callable[[str], AbstractContextManager[mail.Mailer]]


@dataclass(frozen=True)
class Planned:
    """One message for one person: who, where to, the items it tells of, and its text."""

    user_id: uuid.UUID
    username: str
    address: str
    items: tuple[reminders.Item, ...]
    message: reminders.Message


@dataclass(frozen=True)
class Report:
    """What a run did: the messages it planned and how many it sent."""

    planned: tuple[Planned, ...]
    sent: int


def _require(env: Env, *, sending: bool) -> None:
    """Fail closed, in one line, on a setting the run needs."""
    settings = env.settings
    if not settings.base_url:
        raise ConfigError(
            "ROI_BASE_URL must be set (the sign-in link reminders carry), e.g. https://roi.example"
        )
    if sending and not settings.smtp_url:
        raise ConfigError(
            "ROI_SMTP_URL must be set to send reminders: smtp://user:pass@host:587 or smtps://..."
        )
    if sending and not settings.notify_from:
        raise ConfigError("ROI_NOTIFY_FROM must be set to send reminders: the sender's address")


def plan(session: Session, env: Env) -> list[Planned]:
    """For each addressed person, the items not opted out of and not yet sent today, and the message."""
    today = env.today()
    sign_in = f"{env.settings.base_url}/signin"
    out = []
    for person in collect.addressed(session):
        items = collect.items_for(session, env, person)
        items = reminders.wanted(items, collect.opted_out(session, person.id))
        items = reminders.fresh(items, collect.sent_on(session, person.id, today))
        if items and person.email:
            message = reminders.compose(items, sign_in_url=sign_in)
            out.append(Planned(person.id, person.username, person.email, tuple(items), message))
    return out


def _email(env: Env, planned: Planned) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = env.settings.notify_from
    msg["To"] = planned.address
    msg["Subject"] = planned.message.subject
    msg.set_content(planned.message.body)
    return msg


def _record(session: Session, env: Env, actor: audit.Actor, planned: Planned) -> bool:
    """Mark the items sent today and log the message, committed before it leaves (rule 7).

    False when a run alongside this one marked them first: that run sends them, this one does not.
    """
    today, now = env.today(), env.clock()
    for item in {(i.kind.value, i.key): i for i in planned.items}.values():
        session.add(
            models.ReminderSent(
                user_id=planned.user_id, kind=item.kind.value, item_key=item.key, sent_on=today, sent_at=now
            )
        )
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return False
    env.log.append(
        session,
        actor,
        Action.REMINDER_SENT,
        Outcome.ALLOWED,
        object_type="user",
        object_id=str(planned.user_id),
        basis=f"{len(planned.items)} items",
    )
    audit.commit(session)
    return True


def _undo(session: Session, env: Env, actor: audit.Actor, planned: Planned) -> None:
    """The server refused: forget today's marks so the next run tries again, and log the failure."""
    r = models.ReminderSent
    keys = [i.key for i in planned.items]
    session.execute(
        delete(r).where(r.user_id == planned.user_id, r.sent_on == env.today(), r.item_key.in_(keys))
    )
    env.log.append(
        session,
        actor,
        Action.REMINDER_SENT,
        Outcome.ERROR,
        object_type="user",
        object_id=str(planned.user_id),
        basis="refused by the mail server",
    )
    audit.commit(session)


def run(
    session: Session, env: Env, actor: audit.Actor, *, dry_run: bool = False, connect: Connect = mail.connect
) -> Report:
    """Plan every person's message and, unless `dry_run`, send each after logging it; stop at a refusal."""
    _require(env, sending=not dry_run)
    planned = plan(session, env)
    session.rollback()  # end the read transaction; each message commits its own
    if dry_run or not planned:
        return Report(tuple(planned), 0)
    sent = 0
    with connect(env.settings.smtp_url) as mailer:
        for one in planned:
            if not _record(session, env, actor, one):
                continue
            try:
                mailer.send_message(_email(env, one))
            except reminders.MailRefused:
                _undo(session, env, actor, one)
                raise
            sent += 1
    return Report(tuple(planned), sent)
