"""Accountings given, kept 6 years even after the client's record is purged (164.528(d), 164.530(j)).

A client's data key is destroyed when the client is purged, so an accounting sealed under it would be lost
with the rest. Accountings given are sealed under the practice's keyring instead; rows from before
migration 0012 were sealed under the client's key (`sealed_with` says which).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import Gone
from roi_tracker.domain.errors import IntegrityFailure
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env

SEALED_WITH = "practice"
_PURPOSE = "accounting-given"


def _context(given_id: uuid.UUID) -> bytes:
    return b"accountings_given|content|" + str(given_id).encode("ascii")


def seal(env: Env, given_id: uuid.UUID, snapshot: bytes) -> bytes:
    """Seal an accounting as given under the practice's keyring, bound to its row."""
    return env.keyring.seal(snapshot, purpose=_PURPOSE, context=_context(given_id))


def read(session: Session, env: Env, actor: audit.Actor, given_id: uuid.UUID) -> dict[str, Any]:
    """Return an accounting exactly as it was given (logged first), the client purged or not."""
    row = session.get(models.AccountingGiven, given_id)
    if row is None:
        raise NotFound("no such accounting")
    if row.sealed_with != SEALED_WITH:
        # Sealed under the client's own key before migration 0012: readable only while that key exists.
        raise Gone("this accounting was sealed under the client's key, which no longer opens it here")
    env.log.reveal(
        session,
        actor,
        Action.ACCOUNTING_GIVEN_READ,
        object_type="accounting",
        object_id=str(row.id),
        client_id=str(row.client_id),
    )
    try:
        content = env.keyring.open(bytes(row.content), purpose=_PURPOSE, context=_context(row.id))
    except crypto.IntegrityError:
        raise IntegrityFailure("a kept accounting failed its integrity check") from None
    out: dict[str, Any] = json.loads(content)
    return out
