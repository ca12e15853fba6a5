"""Server-side browser sessions: random 128-bit ids, idle and absolute timeouts, sealed data (ASVS 7.x)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.services.context import Env

_PURPOSE = "web-session-data"
# Keep writes down: refresh last_seen at most this often when nothing else changed.
_TOUCH_EVERY = timedelta(seconds=15)


@dataclass(frozen=True)
class Loaded:
    """A stored session: its data, whose it is, and whether it timed out just now."""

    data: dict[str, Any]
    user_id: uuid.UUID | None
    expired: bool = False


def new_id() -> str:
    """Return a fresh session id with 128 bits of entropy."""
    return crypto.random_token(16)


def _hash(session_id: str) -> bytes:
    return crypto.token_digest(session_id)


def load(session: Session, env: Env, session_id: str) -> Loaded | None:
    """Return the stored session, or None when unknown; an idle or too-old session is deleted and flagged."""
    row = session.get(models.WebSession, _hash(session_id))
    if row is None:
        return None
    now = env.clock()
    idle = timedelta(minutes=env.settings.session_idle_minutes)
    lifetime = timedelta(hours=env.settings.session_max_hours)
    if now - row.last_seen_at > idle or now - row.created_at > lifetime:
        user_id = row.user_id
        session.delete(row)
        session.commit()
        return Loaded(data={}, user_id=user_id, expired=True)
    try:
        raw = env.keyring.open(row.data_sealed, purpose=_PURPOSE, context=row.id_hash)
        data = json.loads(raw)
    except (crypto.IntegrityError, ValueError):
        return None
    return Loaded(data=data, user_id=row.user_id)


def save(
    session: Session,
    env: Env,
    session_id: str,
    data: dict[str, Any],
    user_id: uuid.UUID | None,
    *,
    changed: bool,
) -> None:
    """Store the session's data, creating the row when new; refresh its last-seen time."""
    key = _hash(session_id)
    row = session.get(models.WebSession, key)
    now = env.clock()
    if row is None:
        _purge_expired(session, env)
        row = models.WebSession(id_hash=key, user_id=user_id, created_at=now, last_seen_at=now)
        session.add(row)
        changed = True
    elif not changed and now - row.last_seen_at < _TOUCH_EVERY:
        return
    if changed:
        row.data_sealed = env.keyring.seal(json.dumps(data).encode("utf-8"), purpose=_PURPOSE, context=key)
        row.user_id = user_id
    row.last_seen_at = now
    session.commit()


def _purge_expired(session: Session, env: Env) -> None:
    """Delete sessions idle past the timeout, so abandoned ones (and bots' visits) do not pile up."""
    cutoff = env.clock() - timedelta(minutes=env.settings.session_idle_minutes)
    session.execute(delete(models.WebSession).where(models.WebSession.last_seen_at < cutoff))


def end(session: Session, session_id: str) -> None:
    """Delete a session so its id can never be used again."""
    session.execute(delete(models.WebSession).where(models.WebSession.id_hash == _hash(session_id)))
    session.commit()


def end_all_for(session: Session, user_id: uuid.UUID) -> None:
    """Delete every session of a user."""
    session.execute(delete(models.WebSession).where(models.WebSession.user_id == user_id))
    session.commit()


def delete_others_of(session: Session, user_id: uuid.UUID, keep_session_id: str | None) -> None:
    """Delete every session of a user but `keep_session_id`, in the caller's transaction."""
    others = delete(models.WebSession).where(models.WebSession.user_id == user_id)
    if keep_session_id is not None:
        others = others.where(models.WebSession.id_hash != _hash(keep_session_id))
    session.execute(others)
