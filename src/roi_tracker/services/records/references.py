"""Clients' short references (C-XXXX) by id: not PHI, so pages that list ids show these instead."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import models


def references_of(session: Session, ids: Iterable[str | uuid.UUID]) -> dict[str, str]:
    """Return each known client id (as text) with its reference; unknown or malformed ids are left out."""
    wanted: set[uuid.UUID] = set()
    for raw in ids:
        try:
            wanted.add(raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw)))
        except ValueError:
            continue
    if not wanted:
        return {}
    rows = session.execute(
        select(models.Client.id, models.Client.reference).where(models.Client.id.in_(wanted))
    )
    return {str(cid): ref for cid, ref in rows}


def id_of_reference(session: Session, reference: str) -> uuid.UUID | None:
    """Return the id of the client with this reference ("C-7K2Q" or "7k2q"), or None."""
    ref = reference.strip().upper()
    ref = ref if ref.startswith("C-") else "C-" + ref
    return session.execute(select(models.Client.id).where(models.Client.reference == ref)).scalar()
