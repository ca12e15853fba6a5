"""Replacing an enrolled second factor: the password again and a code from the current factor (ASVS 6.4.x)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import AuthenticationFailed
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.domain.errors import Throttled
from roi_tracker.services.context import Env
from roi_tracker.services.people import mfa
from roi_tracker.services.people import signin
from roi_tracker.services.people import stepup


def _prove_current_factor(
    session: Session, env: Env, actor: audit.Actor, user: models.User, code: str, address: str
) -> None:
    """Spend a code of the current factor, counted and logged as at sign-in; raise when it fails."""
    used = mfa.consume_code(session, env, user, code)
    if used is None:
        signin.record_failure(
            session,
            env,
            username=user.username,
            address=address,
            user_id=str(user.id),
            role=user.role,
            action=Action.MFA_FAILED,
            request_id=actor.request_id,
        )
        raise AuthenticationFailed(
            "That code from your current authenticator is not valid. Codes work once; wait for the next one."
        )
    action = Action.RECOVERY_CODE_USED if used == "recovery" else Action.MFA_SUCCEEDED
    env.log.append(session, actor, action, Outcome.ALLOWED, object_type="user", object_id=str(user.id))


def replace(
    session: Session,
    env: Env,
    actor: audit.Actor,
    *,
    password: str,
    current_code: str,
    secret: str,
    new_code: str,
    address: str,
) -> list[str]:
    """Replace the actor's enrolled factor with `secret` once password, current code and new code all hold."""
    user_id = uuid.UUID(actor.user_id)
    # Lock the row so two requests cannot both spend the same current code (as check_second_factor does).
    user = session.get(models.User, user_id, with_for_update=True)
    if user is None:
        raise NotFound("no such user")
    if user.totp_secret is None:
        # Nothing to prove: a first enrolment, as from the account page today.
        return mfa.confirm_enrolment(session, env, actor, user_id, secret, new_code)
    # Wrong passwords and wrong codes here count with the sign-in's, so this form is no guessing shortcut.
    username = user.username
    wait = signin.throttle_wait(session, env, username, address)
    if wait:
        raise Throttled(f"Too many failed attempts. Try again in {wait} seconds.", retry_after=wait)
    try:
        stepup.confirm(session, env, actor, password)
    except InvalidInput:
        signin.count_failure(session, env, username=username, address=address)
        raise
    _prove_current_factor(session, env, actor, user, current_code, address)
    try:
        return mfa.confirm_enrolment(session, env, actor, user_id, secret, new_code)
    except Exception:
        # A wrong new code spends nothing: the current code and its log entry are rolled back together.
        session.rollback()
        raise
