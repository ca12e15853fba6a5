"""Handing the device back: only the staff person who handed it over ends the signing, with their password."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import AuthenticationFailed
from roi_tracker.domain.errors import Throttled
from roi_tracker.services.context import Env
from roi_tracker.services.people import signin


def end_signing(
    session: Session, env: Env, actor: audit.Actor, password: str, *, client_id: str, address: str
) -> None:
    """Check the signed-in person's password before the device leaves the signing page; log either way."""
    user = session.get(models.User, uuid.UUID(actor.user_id))
    if user is None:
        raise AuthenticationFailed("The sign-in has ended. Sign in again.")
    # Wrong passwords count with the sign-in's: the person holding the device cannot guess at leisure.
    wait = signin.throttle_wait(session, env, user.username, address)
    if wait:
        raise Throttled(f"Too many failed attempts. Try again in {wait} seconds.", retry_after=wait)
    ok = user.active and env.hasher.check(user.password_hash, password)
    outcome = Outcome.ALLOWED if ok else Outcome.REFUSED
    env.log.record_alone(
        session,
        actor,
        Action.SIGNING_ENDED,
        outcome,
        object_type="user",
        object_id=actor.user_id,
        client_id=client_id,
    )
    if not ok:
        signin.count_failure(session, env, username=user.username, address=address)
        raise AuthenticationFailed("That is not the password of the person who handed over the device.")
