"""The client page: demographics for whoever may see them, documents only for the client's clinicians."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.disclosures import impermissible
from roi_tracker.services.exceptions import emergency
from roi_tracker.services.exceptions import exceptions
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.records import part2
from roi_tracker.services.records import vault
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import recipients


@dataclass(frozen=True)
class Page:
    """What the client page shows; `documents` is None when the viewer may not see clinical content."""

    client: clients.ClientView
    documents: list[documents.DocumentView] | None
    authorizations: list[authorizations.AuthorizationView]
    disclosures: list[DisclosureLine]
    flags: list[exceptions.Flag]
    emergency: emergency.Grant | None
    part2_documents: int = 0  # Part 2 records by their category, whatever the flag says (42 CFR 2.12(d))


@dataclass(frozen=True)
class DisclosureLine:
    """One recorded disclosure on the client page."""

    id: uuid.UUID
    disclosed_at: datetime
    recipient: str
    basis: str
    channel: str
    by: str
    categories: tuple[str, ...]
    enclosed: tuple[str, ...]
    to_client: bool
    entered_later: bool = False  # made earlier (on paper): no packet
    impermissible: tuple[str, ...] = ()  # the rules it broke (H-B9), when flagged


def open_page(session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID) -> Page:
    """Read a client for their page: one logged read, then decrypt what this viewer may see."""
    try:
        client = clients.visible(session, actor, client_id, rules.View.DEMOGRAPHICS, now=env.clock())
    except NotFound:
        clients.refuse(session, env, actor, client_id, Action.CLIENT_RECORD_READ)
        raise
    key = vault.key_of(session, env, actor, client)
    clinical = sees_clinical(session, env, actor, client)
    receipt = env.log.reveal(
        session,
        actor,
        Action.CLIENT_RECORD_READ,
        object_type="client",
        object_id=str(client.id),
        client_id=str(client.id),
        basis="page:clinical" if clinical else "page:demographics",
    )
    details = vault.open_demographics(session, env, actor, key, client, receipt)
    docs = documents.list_for(session, env, actor, client, receipt) if clinical else None
    auths = authorizations.list_for(session, env, actor, client.id)
    lines = disclosure_lines(
        session, env, actor, client, key, receipt, disclosures.history(session, client.id)
    )
    flags = exceptions.flags_for(session, env, actor, client, key, receipt) if clinical else []
    grant = emergency.current(session, env, actor, client.id) if actor.role == "clinician" else None
    held = part2.part2_documents(session, client.id)
    return Page(clients.view_of(session, client, details), docs, auths, lines, flags, grant, held)


def sees_clinical(session: Session, env: Env, actor: audit.Actor, client: models.Client) -> bool:
    """Tell whether the actor may see the client's clinical content (documents, signed forms) right now."""
    # Emergency access opens the whole record, as clients.visible grants it (164.312(a)(2)(ii)).
    return rules.may_see(
        actor.role,
        rules.View.CLINICAL,
        on_caseload=uuid.UUID(actor.user_id) in clients.caseload_of(session, client.id)
        or clients.has_emergency_access(session, actor, client.id, env.clock()),
    )


def disclosure_lines(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client: models.Client,
    key: crypto.DataKey,
    receipt: audit.Receipt,
    rows: list[models.Disclosure],
) -> list[DisclosureLine]:
    """Describe disclosures for a history: who got what, enclosing what, sent by whom (after `receipt`)."""
    try:
        details = {
            r.id: json.loads(
                key.decrypt(bytes(r.details), table="disclosures", column="details", row_id=str(r.id))
            )
            for r in rows
        }
    except crypto.IntegrityError:
        vault.integrity_failure(session, env, actor, client.id, "disclosure")
        raise
    names = recipients.get_many(session, env, {r.recipient_id for r in rows if r.recipient_id})
    people = {uid: name for uid, name in session.execute(select(models.User.id, models.User.username))}
    enclosed = {uuid.UUID(d) for one in details.values() for d in one.get("document_ids", [])}
    titles = documents.titles_of(session, env, actor, client, enclosed, receipt)
    flagged = impermissible.flagged_for(session, client.id)
    return [
        DisclosureLine(
            r.id,
            r.disclosed_at,
            names[r.recipient_id].display if r.recipient_id in names else "",
            r.basis,
            r.channel,
            people.get(r.disclosed_by, ""),
            tuple(details[r.id].get("categories", [])),
            tuple(
                titles.get(uuid.UUID(d), "(document no longer held)") for d in details[r.id]["document_ids"]
            ),
            bool(details[r.id].get("to_client")),
            r.entered_at is not None,
            tuple(dict.fromkeys(flagged.get(r.id, []))),
        )
        for r in rows
    ]
