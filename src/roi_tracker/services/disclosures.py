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
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import DisclosureRefused
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services import authorizations
from roi_tracker.services import clients
from roi_tracker.services import documents
from roi_tracker.services import packet
from roi_tracker.services import recipients
from roi_tracker.services import vault
from roi_tracker.services.context import Env

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


def _decide(
    session: Session, env: Env, actor: audit.Actor, q: Question, action: Action
) -> tuple[models.Client, crypto.DataKey, disclosure.Decision, bool]:
    try:
        client = clients.visible(session, actor, q.client_id, rules.View.DEMOGRAPHICS, now=env.clock())
    except NotFound:
        clients.refuse(session, env, actor, q.client_id, action)
        raise
    recipients.get(session, env, q.recipient_id)
    key = vault.key_of(session, env, actor, client)
    part2 = authorizations.client_part2(session, env, actor, client, key)
    held = authorizations.held_for(session, env, actor, client, key)
    request = disclosure.Request(str(q.recipient_id), q.categories, q.purpose, q.on, part2)
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
    client, _key, decision, _part2 = _decide(session, env, actor, q, Action.DISCLOSURE_CHECK)
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
    """Record a disclosure; refused (and nothing stored) unless the decision permits every category sent."""
    if channel not in CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}", field="channel")
    verification = requester_verification.strip()
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
    client, _key, decision, part2 = _decide(session, env, actor, q, Action.DISCLOSURE_RECORDED)
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
                {"rule": "DT-2", "message": f"A document of category {doc.category} is not permitted."}
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
    details = {
        "categories": [c.value for c in q.categories],
        "purpose": q.purpose.value,
        "on": q.on.isoformat(),
        "document_ids": [str(d.id) for d in docs],
        "requester_verification": verification,
        "authorizations": labels,
        "part2": part2,
    }
    return store(
        session,
        env,
        actor,
        client,
        details,
        recipient_id=q.recipient_id,
        authorization_id=uuid.UUID(decision.permitted[0].authorization_id),
        basis=",".join(labels)[:64],
        channel=channel,
    )


def store(
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
) -> Recorded:
    """Store a disclosure already found permitted (details sealed under the client's key), log it, commit."""
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
        disclosed_at=env.clock(),
        details=key.encrypt(
            json.dumps(details).encode(), table="disclosures", column="details", row_id=str(disclosure_id)
        ),
    )
    session.add(row)
    client.last_activity_at = env.clock()
    env.log.append(
        session,
        actor,
        Action.DISCLOSURE_RECORDED,
        Outcome.ALLOWED,
        object_type="disclosure",
        object_id=str(disclosure_id),
        client_id=str(client.id),
        basis=basis,
    )
    audit.commit(session)
    return Recorded(disclosure_id, client.id, basis, row.disclosed_at)


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


def release_packet(
    session: Session, env: Env, actor: audit.Actor, disclosure_id: uuid.UUID
) -> tuple[str, bytes]:
    """Build the packet of a recorded disclosure, after logging its download; return (file name, PDF)."""
    row = session.get(models.Disclosure, disclosure_id)
    if row is None:
        raise NotFound("no such disclosure")
    try:
        client = clients.visible(session, actor, row.client_id, rules.View.DEMOGRAPHICS, now=env.clock())
    except NotFound:
        clients.refuse(session, env, actor, row.client_id, Action.PACKET_DOWNLOADED)
        raise NotFound("no such disclosure") from None
    key = vault.key_of(session, env, actor, client)
    receipt = env.log.reveal(
        session,
        actor,
        Action.PACKET_DOWNLOADED,
        object_type="disclosure",
        object_id=str(row.id),
        client_id=str(client.id),
        basis=row.basis,
    )
    details = json.loads(
        key.decrypt(bytes(row.details), table="disclosures", column="details", row_id=str(row.id))
    )
    who = vault.open_demographics(session, env, actor, key, client, receipt)
    recipient = recipients.get(session, env, row.recipient_id) if row.recipient_id else None
    enclosures = []
    for raw in details["document_ids"]:
        doc = session.get(models.Document, uuid.UUID(raw))
        if doc is None:
            raise NotFound("a document of this disclosure is missing")
        content = documents.content_of(session, env, actor, client, doc.id)
        title = key.decrypt(bytes(doc.title), table="documents", column="title", row_id=str(doc.id)).decode()
        enclosures.append(
            packet.Enclosure(title, doc.category, doc.media_type, bytes(doc.sha256).hex(), content)
        )
    name = f"{who.given_name} {who.family_name}"
    own_copy = bool(details.get("to_client"))
    cover = packet.Cover(
        practice=env.settings.practice_name,
        client_reference=client.reference,
        client_name=name,
        recipient=recipient.display if recipient else (f"{name} (the client)" if own_copy else ""),
        recipient_address=recipient.address if recipient else "",
        sent_on=row.disclosed_at.date(),
        channel=row.channel,
        purpose=details["purpose"],
        authorization="none needed: the client's own copy"
        if own_copy
        else ", ".join(details["authorizations"]),
        part2=bool(details.get("part2")),
        consent_summary=_summary(details),
        own_copy=own_copy,
    )
    return f"release-{client.reference}-{row.disclosed_at:%Y%m%d}-{str(row.id)[:8]}.pdf", packet.build(
        cover, enclosures
    )


def _summary(details: dict[str, Any]) -> str:
    what = ", ".join(details["categories"])
    if details.get("to_client"):
        return f"The client's own copy of {what} (right of access, 45 CFR 164.524)"
    return f"{', '.join(details['authorizations'])} permits {what} for {details['purpose']}"


def history(session: Session, client_id: uuid.UUID) -> list[models.Disclosure]:
    """Every disclosure of a client, newest first (rows only; callers decrypt after logging)."""
    stmt = select(models.Disclosure).where(models.Disclosure.client_id == client_id)
    return list(session.execute(stmt.order_by(models.Disclosure.disclosed_at.desc())).scalars())


def sendable(
    session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID, decision: disclosure.Decision
) -> list[documents.DocumentView]:
    """The client's documents in the permitted categories (what the front desk may enclose), logged."""
    client = clients.visible(session, actor, client_id, rules.View.DEMOGRAPHICS, now=env.clock())
    allowed = {p.category.value for p in decision.permitted}
    key = vault.key_of(session, env, actor, client)
    stmt = select(models.Document).where(
        models.Document.client_id == client.id, models.Document.category.in_(allowed)
    )
    rows = list(session.execute(stmt.order_by(models.Document.uploaded_at.desc())).scalars())
    env.log.reveal(
        session,
        actor,
        Action.CLIENT_RECORD_READ,
        object_type="client",
        object_id=str(client.id),
        client_id=str(client.id),
        basis="disclosure:documents",
    )
    out = []
    for row in rows:
        try:
            title = key.decrypt(
                bytes(row.title), table="documents", column="title", row_id=str(row.id)
            ).decode()
        except crypto.IntegrityError:
            vault.integrity_failure(session, env, actor, client.id, "document")
            raise
        out.append(
            documents.DocumentView(
                row.id,
                row.client_id,
                row.category,
                title,
                row.media_type,
                row.size,
                bytes(row.sha256).hex(),
                row.uploaded_at,
            )
        )
    return out
