"""Changing a password: the person's own (current password required) and an administrator's reset."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker import passwords
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.domain.errors import Throttled
from roi_tracker.services.context import Env
from roi_tracker.services.people import sessions
from roi_tracker.services.people import signin
from roi_tracker.services.people import stepup
from roi_tracker.services.people import users


def change_own(
    session: Session,
    env: Env,
    actor: audit.Actor,
    *,
    current: str,
    new: str,
    address: str,
    keep_session_id: str | None = None,
) -> None:
    """Replace the actor's password once the current one is proved; end their other sessions; log it."""
    user = session.get(models.User, uuid.UUID(actor.user_id))
    if user is None or not user.active:
        raise NotFound("no such user")
    # A wrong current password counts with the sign-in's, so this form is no guessing shortcut.
    wait = signin.throttle_wait(session, env, user.username, address)
    if wait:
        raise Throttled(f"Too many failed attempts. Try again in {wait} seconds.", retry_after=wait)
    try:
        stepup.confirm(session, env, actor, current)
    except InvalidInput:
        signin.count_failure(session, env, username=user.username, address=address)
        raise InvalidInput("your current password is not correct", field="current_password") from None
    passwords.require_acceptable(new, field="new_password")
    user.password_hash = env.hasher.hash(new)
    user.must_change_password = False
    user.updated_at = env.clock()
    # Whoever else was signed in with the old password is signed out (ASVS 7.4.3).
    sessions.delete_others_of(session, user.id, keep_session_id)
    env.log.append(
        session, actor, Action.PASSWORD_CHANGED, Outcome.ALLOWED, object_type="user", object_id=str(user.id)
    )
    audit.commit(session)


def reset(session: Session, env: Env, actor: audit.Actor, username: str, new: str) -> users.UserView:
    """Give `username` a new password to change at next sign-in; end their sessions and API tokens."""
    user = users.by_username(session, username.strip().lower())
    passwords.require_acceptable(new)
    user.password_hash = env.hasher.hash(new)
    user.must_change_password = True
    user.updated_at = env.clock()
    sessions.delete_others_of(session, user.id, None)
    users.revoke_tokens(session, env, user.id)  # a reset answers a lost or stolen password: tokens end too
    env.log.append(
        session, actor, Action.PASSWORD_RESET, Outcome.ALLOWED, object_type="user", object_id=str(user.id)
    )
    audit.commit(session)
    return users.view_of(user)
