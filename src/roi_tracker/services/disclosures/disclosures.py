"""The front-desk gate: checks, recorded disclosures and release packets. Refusal is the default."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import db
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain import consent
from roi_tracker.domain import disclosure
from roi_tracker.domain import inputs
from roi_tracker.domain import recipients as recipient_types
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import DisclosureRefused
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.disclosures.packets import release_packet as release_packet
from roi_tracker.services.disclosures.packets import sendable as sendable
from roi_tracker.services.records import clients
from roi_tracker.services.records import vault
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import draft_facts
from roi_tracker.services.releases import recipients

CHANNELS = ("mail", "fax", "secure_email", "portal", "in_person", "phone")


@dataclass(frozen=True)
class Question:
    """May we send these categories to this recipient for this purpose on this date?"""

    client_id: uuid.UUID
    recipient_id: uuid.UUID
    categories: tuple[rules.Category, ...]
    purpose: consent.Purpose
    on: date


@dataclass(frozen=True)
class Recorded:
    """A recorded disclosure."""

    id: uuid.UUID
    client_id: uuid.UUID
    basis: str
    disclosed_at: datetime


def question(
    client_id: uuid.UUID, recipient_id: str, categories: list[str], purpose: str, on: date | None, today: date
) -> Question:
    """Parse a question, naming the field that is wrong."""
    cats = tuple(dict.fromkeys(rules.parse_category(c) for c in categories))
    if not cats:
        raise InvalidInput("ask about at least one category", field="categories")
    try:
        parsed_purpose = consent.Purpose(purpose)
    except ValueError:
        raise InvalidInput(f"unknown purpose {purpose!r}", field="purpose") from None
    return Question(client_id, recipients.parse_recipient_id(recipient_id), cats, parsed_purpose, on or today)


def reasons_of(d: disclosure.Decision) -> list[dict[str, str]]:
    """Every refusal reason, per category, as the API shows them."""
    return [
        {"category": r.category.value, "rule": reason.rule, "message": reason.message}
        for r in d.refused
        for reason in r.reasons
    ]


def judge(
    session: Session, env: Env, actor: audit.Actor, q: Question, action: Action
) -> tuple[models.Client, crypto.DataKey, disclosure.Decision, bool]:
    """Decide the question against the client's authorizations on the question's date (refusal logged)."""
    try:
        client = clients.visible(session, actor, q.client_id, rules.View.DEMOGRAPHICS, now=env.clock())
    except NotFound:
        clients.refuse(session, env, actor, q.client_id, action)
        raise
    recipient_type = recipient_types.of_row(recipients.get(session, env, q.recipient_id).type)
    key = vault.key_of(session, env, actor, client)
    # Part 2 follows the records: a flagged client, a client with Part 2 documents, or SUD information asked.
    part2 = authorizations.client_part2(session, env, actor, client, key) or rules.names_part2_records(
        c.value for c in q.categories
    )
    held = authorizations.held_for(session, env, actor, client, key)
    request = disclosure.Request(
        str(q.recipient_id),
        q.categories,
        q.purpose,
        q.on,
        part2,
        recipient_type=recipient_type,
        representative_suspected=draft_facts.parent_suspected(session, env, actor, client, key),
    )
    return client, key, disclosure.decide(request, held), part2


def _basis(d: disclosure.Decision) -> str:
    if d.permitted:
        return ",".join(dict.fromkeys(p.label for p in d.permitted))[:64]
    return d.refused[0].reasons[0].rule if d.refused and d.refused[0].reasons else "DT-1"


def open_check(session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID) -> None:
    """Confirm the actor may ask about this client's releases; otherwise log it and answer NotFound."""
    try:
        clients.visible(session, actor, client_id, rules.View.DEMOGRAPHICS, now=env.clock())
    except NotFound:
        clients.refuse(session, env, actor, client_id, Action.DISCLOSURE_CHECK)
        raise


def check(session: Session, env: Env, actor: audit.Actor, q: Question) -> disclosure.Decision:
    """Answer the question and log the check (refusals too) before the answer leaves the service."""
    # The decision only reads: on SQLite it needs no write lock, so the lock is held for the entry alone.
    db.begin_read(session)
    client, _key, decision, _part2 = judge(session, env, actor, q, Action.DISCLOSURE_CHECK)
    db.end_read(session)
    outcome = Outcome.REFUSED if decision.answer is disclosure.Answer.REFUSE else Outcome.ALLOWED
    env.log.append(
        session,
        actor,
        Action.DISCLOSURE_CHECK,
        outcome,
        object_type="recipient",
        object_id=str(q.recipient_id),
        client_id=str(client.id),
        basis=f"{decision.answer.value}:{_basis(decision)}"[:64],
    )
    audit.commit(session)
    return decision


def record(
    session: Session,
    env: Env,
    actor: audit.Actor,
    q: Question,
    *,
    channel: str,
    document_ids: list[str],
    requester_verification: str,
    authorization_id: str | None = None,
) -> Recorded:
    """Record a disclosure made now; refused (nothing stored) unless every category sent is permitted."""
    client, details, fields = admit(
        session,
        env,
        actor,
        q,
        channel=channel,
        document_ids=document_ids,
        requester_verification=requester_verification,
        authorization_id=authorization_id,
    )
    return store(session, env, actor, client, details, **fields)


def admit(
    session: Session,
    env: Env,
    actor: audit.Actor,
    q: Question,
    *,
    channel: str,
    document_ids: list[str],
    requester_verification: str,
    authorization_id: str | None = None,
) -> tuple[models.Client, dict[str, Any], dict[str, Any]]:
    """Judge a disclosure made now through the gate; return what `add` stores, or refuse (logged)."""
    if q.on != env.today():
        # A disclosure being made now is judged now, always; one made earlier is recorded by record_past.
        raise InvalidInput(
            "a disclosure made now is judged today: leave out the date, or record a past disclosure",
            field="on",
        )
    check_channel(channel)
    verification = verified(requester_verification)
    client, _key, decision, part2 = judge(session, env, actor, q, Action.DISCLOSURE_RECORDED)
    problems = reasons_of(decision)
    permitted = {p.category: p for p in decision.permitted}
    if authorization_id and any(p.authorization_id != authorization_id for p in decision.permitted):
        problems.append(
            {"rule": "DT-1", "message": "The authorization named is not the one that covers this request."}
        )
    docs = documents_of(session, client, document_ids)
    for doc in docs:
        if doc.category not in {c.value for c in permitted}:
            problems.append(
                {"rule": "DT-2", "message": f"A {doc.category.replace('_', ' ')} document is not permitted."}
            )
    if problems:
        env.log.record_alone(
            session,
            actor,
            Action.DISCLOSURE_RECORDED,
            Outcome.REFUSED,
            object_type="recipient",
            object_id=str(q.recipient_id),
            client_id=str(client.id),
            basis=problems[0]["rule"],
        )
        raise DisclosureRefused("the disclosure is not permitted", problems)
    labels = sorted({p.label for p in decision.permitted})
    details = details_of(q, [str(d.id) for d in docs], verification, labels, part2)
    fields = {
        "recipient_id": q.recipient_id,
        "authorization_id": uuid.UUID(decision.permitted[0].authorization_id),
        "basis": ",".join(labels)[:64],
        "channel": channel,
    }
    return client, details, fields


def details_of(
    q: Question, document_ids: list[str], verification: str, labels: list[str], part2: bool
) -> dict[str, Any]:
    """What a disclosure keeps sealed: what went out, why, how the requester was verified, under what."""
    return {
        "categories": [c.value for c in q.categories],
        "purpose": q.purpose.value,
        "on": q.on.isoformat(),
        "document_ids": document_ids,
        "requester_verification": verification,
        "authorizations": labels,
        "part2": part2,
    }


def check_channel(channel: str) -> None:
    """Refuse a channel outside the vocabulary."""
    if channel not in CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}", field="channel")


def verified(requester_verification: str) -> str:
    """Return how the requester was verified (DT-3), refusing an empty or overlong answer."""
    verification = inputs.text(requester_verification, "requester_verification").strip()
    if not verification or len(verification) > 500:
        raise Defective(
            "say how the requester's identity and authority were verified",
            [
                {
                    "rule": "DT-3",
                    "field": "requester_verification",
                    "message": "Record how the requester's identity and authority were verified.",
                }
            ],
        )
    return verification


def store(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client: models.Client,
    details: dict[str, Any],
    **fields: Any,
) -> Recorded:
    """Store a disclosure already found permitted (as `add` does), then commit."""
    row = add(session, env, actor, client, details, **fields)
    audit.commit(session)
    return Recorded(row.id, client.id, row.basis, row.disclosed_at)


def add(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client: models.Client,
    details: dict[str, Any],
    *,
    recipient_id: uuid.UUID | None,
    authorization_id: uuid.UUID | None,
    basis: str,
    channel: str,
    made_at: datetime | None = None,
    action: Action = Action.DISCLOSURE_RECORDED,
) -> models.Disclosure:
    """Add a disclosure row and its log entry without committing; `made_at` marks one entered afterwards."""
    key = vault.key_of(session, env, actor, client)
    disclosure_id = uuid.uuid4()
    row = models.Disclosure(
        id=disclosure_id,
        client_id=client.id,
        recipient_id=recipient_id,
        authorization_id=authorization_id,
        basis=basis,
        channel=channel,
        disclosed_by=uuid.UUID(actor.user_id),
        disclosed_at=made_at or env.clock(),
        entered_at=env.clock() if made_at is not None else None,
        details=key.encrypt(
            json.dumps(details).encode(), table="disclosures", column="details", row_id=str(disclosure_id)
        ),
    )
    session.add(row)
    session.flush()
    client.last_activity_at = env.clock()
    env.log.append(
        session,
        actor,
        action,
        Outcome.ALLOWED,
        object_type="disclosure",
        object_id=str(disclosure_id),
        client_id=str(client.id),
        basis=basis,
    )
    return row


def documents_of(session: Session, client: models.Client, ids: list[str]) -> list[models.Document]:
    """Return the client's documents with these ids, refusing any that is not the client's (named)."""
    out = []
    for raw in dict.fromkeys(ids):
        try:
            doc = session.get(models.Document, uuid.UUID(str(raw)))
        except ValueError:
            doc = None
        if doc is None or doc.client_id != client.id:
            raise InvalidInput(f"document {raw} is not a document of this client", field="document_ids")
        out.append(doc)
    return out


def parse_disclosure_id(raw: str) -> uuid.UUID:
    """Parse a disclosure id; a malformed one answers like a missing one."""
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise NotFound("no such disclosure") from None


def history(session: Session, client_id: uuid.UUID) -> list[models.Disclosure]:
    """Every disclosure of a client, newest first (rows only; callers decrypt after logging)."""
    stmt = select(models.Disclosure).where(models.Disclosure.client_id == client_id)
    return list(session.execute(stmt.order_by(models.Disclosure.disclosed_at.desc())).scalars())
