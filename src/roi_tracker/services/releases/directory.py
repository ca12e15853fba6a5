"""Keeping the recipients directory tidy: edit an entry, merge two entries, archive one (issue 17 item 6).

Nothing is deleted. An archived entry leaves the choosers but keeps its history; a merged entry is archived
and every authorization, disclosure and suspension that named it names the entry it was merged into. Each
change is logged; a merge logs one entry per client whose records it re-pointed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.releases import recipients


def _entry(session: Session, recipient_id: uuid.UUID) -> models.Recipient:
    """A current directory entry (an exception's own recipient is not one)."""
    row = session.get(models.Recipient, recipient_id)
    if row is None or row.scope != "directory":
        raise NotFound("no such recipient")
    if row.archived_at is not None:
        raise Conflict("this recipient is archived")
    return row


@dataclass(frozen=True)
class Fate:
    """What became of an archived entry: when it left the directory and the entry it was merged into."""

    archived_at: datetime
    merged_into: recipients.RecipientView | None


def fate(session: Session, env: Env, recipient_id: uuid.UUID) -> Fate | None:
    """Return what became of a directory entry, or None while it is current."""
    row = session.get(models.Recipient, recipient_id)
    if row is None or row.scope != "directory":
        raise NotFound("no such recipient")
    if row.archived_at is None:
        return None
    into = recipients.get(session, env, row.merged_into_id) if row.merged_into_id else None
    return Fate(row.archived_at, into)


def edit(
    session: Session,
    env: Env,
    actor: audit.Actor,
    recipient_id: uuid.UUID,
    *,
    kind: str,
    type: str,
    **details: str,
) -> recipients.RecipientView:
    """Correct a directory entry's details and type; its uses keep pointing at it."""
    row = _entry(session, recipient_id)
    if kind not in recipients.KINDS:
        raise InvalidInput("kind must be person or organization", field="kind")
    recipient_type = recipients.parse_type(type)
    clean = recipients.clean_details(details)
    row.kind, row.type = kind, recipient_type
    row.details = recipients.seal(env, row.id, clean)
    env.log.append(
        session,
        actor,
        Action.RECIPIENT_UPDATED,
        Outcome.ALLOWED,
        object_type="recipient",
        object_id=str(row.id),
        basis=recipient_type,
    )
    audit.commit(session)
    return recipients.get(session, env, row.id)


def archive(session: Session, env: Env, actor: audit.Actor, recipient_id: uuid.UUID) -> None:
    """Take an entry out of the choosers; what was sent to it stays on record."""
    row = _entry(session, recipient_id)
    row.archived_at = env.clock()
    env.log.append(
        session,
        actor,
        Action.RECIPIENT_ARCHIVED,
        Outcome.ALLOWED,
        object_type="recipient",
        object_id=str(row.id),
    )
    audit.commit(session)


_USES = (models.Authorization, models.Disclosure, models.AccountingSuspension)


def merge(session: Session, env: Env, actor: audit.Actor, duplicate_id: uuid.UUID, into_id: uuid.UUID) -> int:
    """Merge a duplicate entry into another: re-point its uses, archive it; return how many were moved."""
    if duplicate_id == into_id:
        raise InvalidInput("choose a different recipient to merge into", field="into_id")
    duplicate = _entry(session, duplicate_id)
    try:
        into = _entry(session, into_id)
    except NotFound:
        # The entry to merge into is named in the form, not the address: bad input, named (422).
        raise InvalidInput("the recipient to merge into is not in the directory", field="into_id") from None
    clients: set[uuid.UUID] = set()
    moved = 0
    for table in _USES:
        clients |= set(
            session.execute(select(table.client_id).where(table.recipient_id == duplicate.id)).scalars()
        )
        result = session.execute(
            update(table).where(table.recipient_id == duplicate.id).values(recipient_id=into.id)
        )
        moved += int(getattr(result, "rowcount", 0) or 0)
    duplicate.archived_at, duplicate.merged_into_id = env.clock(), into.id
    # One entry for the directory, then one in each affected client's history.
    for client_id in ["", *sorted(str(c) for c in clients)]:
        env.log.append(
            session,
            actor,
            Action.RECIPIENT_MERGED,
            Outcome.ALLOWED,
            object_type="recipient",
            object_id=str(duplicate.id),
            client_id=client_id,
            basis=f"into:{into.id}",
        )
    audit.commit(session)
    return moved
