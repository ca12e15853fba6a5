"""The second person's check: another staff member confirms the packet before it goes (issue 18, QA).

On for the kinds in ROI_REQUEST_QA_KINDS (default `legal`): the fulfilment must send exactly the categories
and documents a different person confirmed.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import clients as client_rules
from roi_tracker.domain import requests as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import RuleConflict
from roi_tracker.services.context import Env
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.requests import answers
from roi_tracker.services.requests import desk


def _packet(categories: list[str], document_ids: list[str]) -> dict[str, list[str]]:
    try:
        cats = sorted({client_rules.parse_category(c).value for c in categories})
    except InvalidInput as bad:
        raise InvalidInput(str(bad), field="categories") from None
    return {"categories": cats, "document_ids": sorted({str(d) for d in document_ids})}


def confirm(
    session: Session,
    env: Env,
    actor: audit.Actor,
    request_id: uuid.UUID,
    categories: list[str],
    document_ids: list[str],
) -> desk.View:
    """Record that this person checked the packet's categories and pages."""
    packet = _packet(categories, document_ids)
    if not packet["categories"]:
        raise InvalidInput("name the categories checked", field="categories")
    row, client, key, _details = answers.open_request(
        session, env, actor, request_id, Action.REQUEST_QA_CONFIRMED
    )
    disclosures.documents_of(session, client, packet["document_ids"])
    desk.step(session, env, actor, row, key, Action.REQUEST_QA_CONFIRMED, packet, basis="QA")
    audit.commit(session)
    return desk.view_of(row, env.today())


def check(
    session: Session,
    env: Env,
    actor: audit.Actor,
    row: models.RecordRequest,
    key: crypto.DataKey,
    categories: list[str],
    document_ids: list[str],
) -> None:
    """Refuse a fulfilment of a QA kind that no one else confirmed exactly as it is sent."""
    if row.kind not in env.settings.request_qa_kinds:
        return
    stmt = (
        select(models.RequestEvent)
        .where(
            models.RequestEvent.request_id == row.id,
            models.RequestEvent.action == Action.REQUEST_QA_CONFIRMED.value,
        )
        .order_by(models.RequestEvent.position.desc())
        .limit(1)
    )
    last = session.execute(stmt).scalar()
    confirmed: dict[str, Any] = {}
    if last is not None and last.note is not None:
        where = ("request_events", "note", last.id, row.client_id)
        confirmed = desk.unseal(session, env, actor, key, where, bytes(last.note))
    if last is None or str(last.actor_id) == actor.user_id:
        why = "Another staff member must confirm the packet's categories and pages before it is released."
    elif confirmed != _packet(categories, document_ids):
        why = "The packet differs from the one confirmed: confirm it again as it is to be sent."
    else:
        return
    raise RuleConflict("the packet needs a second person's check", [rules.problem("QA", "qa", why)])
