"""What the desk may enclose when it fulfils a request: the client's documents in the categories asked."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.services.context import Env
from roi_tracker.services.records import documents
from roi_tracker.services.records import vault
from roi_tracker.services.requests import desk


def enclosable(
    session: Session, env: Env, actor: audit.Actor, request_id: uuid.UUID, categories: list[str]
) -> list[documents.DocumentView]:
    """The client's documents in `categories` (titles shown only after the read is logged)."""
    row, client = desk.load(session, env, actor, request_id, Action.CLIENT_RECORD_READ)
    vault.key_of(session, env, actor, client)
    receipt = env.log.reveal(
        session,
        actor,
        Action.CLIENT_RECORD_READ,
        object_type="client",
        object_id=str(client.id),
        client_id=str(client.id),
        basis="request:documents",
    )
    wanted = set(categories)
    return [d for d in documents.list_for(session, env, actor, client, receipt) if d.category in wanted]
