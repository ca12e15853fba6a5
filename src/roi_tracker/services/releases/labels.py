"""Authorization labels: the short name ("A-7K2Q") staff say aloud and the check page shows."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import models
from roi_tracker.domain.errors import Conflict

_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def allocate(session: Session) -> str:
    """Return a label no authorization has yet (letters that cannot be misread: no 0/O, 1/I/L, U)."""
    for _ in range(50):
        label = "A-" + "".join(secrets.choice(_ALPHABET) for _ in range(4))
        taken = select(models.Authorization.id).where(models.Authorization.label == label)
        if session.execute(taken).first() is None:
            return label
    raise Conflict("could not allocate an authorization label; try again")
