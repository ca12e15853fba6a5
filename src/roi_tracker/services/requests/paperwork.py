"""Writing a request's letters: built from the sealed details, sealed under the client's key, listed."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.services.context import Env
from roi_tracker.services.requests import desk
from roi_tracker.services.requests import letters


def practice(env: Env) -> letters.Practice:
    """The practice as its letters name it (H-A8: a name or title and a telephone number to complain to)."""
    s = env.settings
    return letters.Practice(s.practice_name, s.practice_address, s.practice_phone, s.privacy_contact)


def money(cents: int) -> str:
    """Cents as dollars, as a letter says them."""
    return f"${cents // 100}.{cents % 100:02d}"


def write(
    session: Session,
    env: Env,
    actor: audit.Actor,
    row: models.RecordRequest,
    client: models.Client,
    key: crypto.DataKey,
    kind: str,
    details: dict[str, Any],
    position: int | None = None,
    **extra: Any,
) -> models.RequestLetter:
    """Write a letter of `kind` (its facts, rendered as PDF when read), sealed under the client's key."""
    requester = details.get("requester", {})
    who = requester.get("name") or requester.get("organization") or "the requester"
    facts = letters.Facts(
        reference=row.reference,
        client_reference=client.reference,
        requester=who,
        received_on=row.received_on,
        due_on=row.due_on,
        dated=env.today(),
        fee=f"{money(row.fee_cents)} ({details.get('fee_basis', '')})" if row.fee_cents else "",
        **extra,
    )
    letter_id = uuid.uuid4()
    content = letters.kept_form(kind, facts, practice(env))
    letter = models.RequestLetter(
        id=letter_id,
        request_id=row.id,
        position=position or desk.next_position(session, models.RequestLetter, row.id),
        kind=kind,
        created_at=env.clock(),
        created_by=uuid.UUID(actor.user_id),
        content=key.encrypt(content, table="request_letters", column="content", row_id=str(letter_id)),
    )
    session.add(letter)
    return letter
