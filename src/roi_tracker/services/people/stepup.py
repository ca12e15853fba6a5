"""Re-authentication before a sensitive act (ASVS 7.5.3): the person types their password again."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.services.context import Env


def confirm(session: Session, env: Env, actor: audit.Actor, password: str) -> None:
    """Refuse (logged) unless `password` is the actor's current password."""
    user = session.get(models.User, uuid.UUID(actor.user_id))
    if user is None or not user.active or not env.hasher.check(user.password_hash, password):
        env.log.record_alone(
            session,
            actor,
            Action.STEP_UP_FAILED,
            Outcome.REFUSED,
            object_type="user",
            object_id=actor.user_id,
        )
        raise InvalidInput("your password is not correct; re-enter it to confirm this step", field="password")
