"""A person's reminder address and the kinds they opted out of."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import reminders
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.people import users
from roi_tracker.services.reminders import collect
from roi_tracker.services.reminders import sources


@dataclass(frozen=True)
class Choice:
    """One kind of reminder a person can get, and whether they get it by e-mail."""

    kind: reminders.Kind
    label: str
    emailed: bool


@dataclass(frozen=True)
class Preferences:
    """A person's address and their choice per kind."""

    email: str | None
    choices: tuple[Choice, ...]


def _person(session: Session, user_id: uuid.UUID) -> models.User:
    person = session.get(models.User, user_id)
    if person is None:
        raise NotFound("no such user")
    return person


def update(
    session: Session,
    env: Env,
    actor: audit.Actor,
    user_id: uuid.UUID,
    *,
    email: str | None = None,
    emailed: dict[str, bool] | None = None,
) -> Preferences:
    """Change a person's address (None keeps it, "" removes it) and per kind whether it is e-mailed, at once.

    Everything is checked before anything changes; each change is one log entry naming ids and kinds only.
    """
    person = _person(session, user_id)
    address = None if email is None or not email.strip() else users.parse_email(email)
    try:
        choices = {reminders.parse_kind(k): on for k, on in (emailed or {}).items()}
    except ValueError as exc:
        raise InvalidInput(str(exc), field="kind") from None
    who = str(person.id)
    if email is not None and address != person.email:
        person.email = address
        person.updated_at = env.clock()
        env.log.append(
            session, actor, Action.USER_EMAIL_CHANGED, Outcome.ALLOWED, object_type="user", object_id=who
        )
    off = collect.opted_out(session, person.id)
    o = models.ReminderOptOut
    for kind, on in choices.items():
        if on == (kind not in off):
            continue
        session.execute(delete(o).where(o.user_id == person.id, o.kind == kind.value))
        if not on:
            session.add(o(user_id=person.id, kind=kind.value, created_at=env.clock()))
        basis = f"{kind.value}:{'on' if on else 'off'}"
        env.log.append(
            session,
            actor,
            Action.USER_REMINDERS_CHANGED,
            Outcome.ALLOWED,
            object_type="user",
            object_id=who,
            basis=basis,
        )
    audit.commit(session)
    return preferences(session, person.id)


def preferences(session: Session, user_id: uuid.UUID) -> Preferences:
    """Return a person's address and, per kind their role can get, whether it is e-mailed."""
    person = _person(session, user_id)
    off = collect.opted_out(session, user_id)
    choices = tuple(Choice(k, reminders.LABELS[k], k not in off) for k in sources.kinds_for(person.role))
    return Preferences(person.email, choices)


def choose_exactly(
    session: Session, env: Env, actor: audit.Actor, user_id: uuid.UUID, *, email: str, emailed: Iterable[str]
) -> Preferences:
    """The account page's form: the address ("" removes it), and exactly the ticked kinds e-mailed."""
    ticked = set(emailed)
    offered = sources.kinds_for(_person(session, user_id).role)
    choices = {k.value: k.value in ticked for k in offered}
    return update(session, env, actor, user_id, email=email, emailed=choices)
