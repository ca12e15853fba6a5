"""The release packet of a recorded disclosure, and the documents the front desk may enclose in one."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain import disclosure
from roi_tracker.domain import expiry
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.records import vault
from roi_tracker.services.releases import packet
from roi_tracker.services.releases import recipients


def release_packet(
    session: Session, env: Env, actor: audit.Actor, disclosure_id: uuid.UUID
) -> tuple[str, bytes]:
    """Build the packet of a recorded disclosure, after logging its download; return (file name, PDF)."""
    row = session.get(models.Disclosure, disclosure_id)
    if row is None:
        raise NotFound("no such disclosure")
    client = clients.visible_or_refused(
        session,
        env,
        actor,
        row.client_id,
        rules.View.DEMOGRAPHICS,
        Action.PACKET_DOWNLOADED,
        missing="no such disclosure",
    )
    if row.entered_at is not None:
        # Recorded after the fact: nothing left through this product, so there is no packet to make.
        env.log.record_alone(
            session,
            actor,
            Action.PACKET_DOWNLOADED,
            Outcome.REFUSED,
            object_type="disclosure",
            object_id=str(row.id),
            client_id=str(client.id),
            basis="past-disclosure",
        )
        raise Conflict("a disclosure recorded after it was made has no release packet")
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
        # Part 2 protection follows the records: SUD information sent is a Part 2 record (2.12(d), 2.32).
        part2=bool(details.get("part2"))
        or rules.names_part2_records([*details["categories"], *(e.category for e in enclosures)]),
        consent_summary=_summary(details),
        own_copy=own_copy,
        consents=_scopes(session, env, actor, client, key, details),
        categories=tuple(details["categories"]),
        practice_contact=" · ".join(
            part for part in (env.settings.practice_address, env.settings.practice_phone) if part
        ),
    )
    return f"release-{client.reference}-{row.disclosed_at:%Y%m%d}-{str(row.id)[:8]}.pdf", packet.build(
        cover, enclosures
    )


def _scopes(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client: models.Client,
    key: crypto.DataKey,
    details: dict[str, Any],
) -> tuple[packet.Scope, ...]:
    """The scope of each authorization the disclosure relied on, for the cover sheet (42 CFR 2.32(b))."""
    labels = list(details.get("authorizations") or [])
    if not labels:
        return ()
    stmt = select(models.Authorization).where(
        models.Authorization.client_id == client.id, models.Authorization.label.in_(labels)
    )
    rows = list(session.execute(stmt.order_by(models.Authorization.label)).scalars())
    names = recipients.get_many(session, env, {r.recipient_id for r in rows if r.recipient_id})
    out = []
    for row in rows:
        try:
            raw = key.decrypt(bytes(row.terms), table="authorizations", column="terms", row_id=str(row.id))
        except crypto.IntegrityError:
            vault.integrity_failure(session, env, actor, client.id, "authorization")
            raise
        t = json.loads(raw)
        named = names[row.recipient_id].display if row.recipient_id in names else ""
        out.append(
            packet.Scope(
                label=row.label,
                recipient=named or t.get("recipient_class", ""),
                categories=tuple(t["categories"]),
                purposes=tuple(t["purposes"]),
                purpose_text=t.get("purpose_text", ""),
                expires_on=row.expires_on,
                expiry_event=expiry.label_of(t.get("expiry_event", "")),
            )
        )
    return tuple(out)


def _summary(details: dict[str, Any]) -> str:
    what = ", ".join(details["categories"])
    if details.get("to_client"):
        return f"The client's own copy of {what} (right of access, 45 CFR 164.524)"
    return f"{', '.join(details['authorizations'])} permits {what} for {details['purpose']}"


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
