"""Synthetic history for a demo instance, so the auditor's pages have something to show."""

from __future__ import annotations

import random
from datetime import datetime
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.services.context import Env


def seed_history(session: Session, env: Env, *, days: int = 14, seed: int = 7) -> int:
    """Append sign-ins, failures and refusals spread over the last `days` days; return how many."""
    rng = random.Random(seed)  # noqa: S311  # nosec B311  # synthetic demo data, not security
    people = list(session.execute(select(models.User.id, models.User.role)))
    today = env.clock().replace(hour=0, minute=0, second=0, microsecond=0)
    planned: list[tuple[datetime, audit.Actor, Action, Outcome, str, str]] = []
    for day in range(days, 0, -1):
        date = today - timedelta(days=day)
        if date.weekday() >= 5:
            continue
        for user_id, role in people:
            actor = audit.Actor(str(user_id), role, f"demo-{rng.getrandbits(48):012x}")
            start = date + timedelta(hours=8, minutes=rng.randint(0, 50))
            if rng.random() < 0.2:
                planned.append((start, actor, Action.SIGNIN_FAILED, Outcome.REFUSED, "user", str(user_id)))
            planned.append(
                (
                    start + timedelta(minutes=1),
                    actor,
                    Action.SIGNIN_SUCCEEDED,
                    Outcome.ALLOWED,
                    "user",
                    str(user_id),
                )
            )
            if role == "front_desk" and rng.random() < 0.3:
                at = start + timedelta(hours=2)
                planned.append((at, actor, Action.ACCESS_DENIED, Outcome.REFUSED, "route", "admin.user_list"))
            planned.append(
                (start + timedelta(hours=8), actor, Action.SIGNOUT, Outcome.ALLOWED, "user", str(user_id))
            )
        stranger = audit.Actor("unknown", audit.ANONYMOUS_ROLE, f"demo-{rng.getrandbits(48):012x}")
        night = date + timedelta(hours=2, minutes=rng.randint(0, 59))
        for minute in range(rng.randint(0, 3)):
            at = night + timedelta(minutes=minute)
            planned.append((at, stranger, Action.SIGNIN_FAILED, Outcome.REFUSED, "user", "unknown"))
    planned.sort(key=lambda item: item[0])
    for at, actor, action, outcome, object_type, object_id in planned:
        env.log.append(session, actor, action, outcome, object_type=object_type, object_id=object_id, at=at)
    audit.commit(session)
    return len(planned)
