"""Written authorizations: record (validated, signed form attached), list with status, revoke, expire."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain import consent
from roi_tracker.domain import disclosure
from roi_tracker.domain import expiry
from roi_tracker.domain import inputs
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.disclosures import impermissible
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.records import part2
from roi_tracker.services.records import vault
from roi_tracker.services.releases import draft_facts
from roi_tracker.services.releases import labels
from roi_tracker.services.releases import recipients
from roi_tracker.services.releases import signed_forms
from roi_tracker.services.releases.terms import parse_draft
from roi_tracker.services.releases.terms import terms_json


@dataclass(frozen=True)
class AuthorizationView:
    """An authorization as staff see it, with its status on the day asked."""

    id: uuid.UUID
    label: str
    client_id: uuid.UUID
    kind: str
    recipient_id: uuid.UUID | None
    recipient: str
    categories: tuple[str, ...]
    purposes: tuple[str, ...]
    purpose_text: str
    effective_on: date
    expires_on: date | None
    expiry_event: str
    expiry_event_on: date | None
    revoked_on: date | None
    signed_on: date | None
    signed_by: str
    status: str
    signed_form_id: uuid.UUID
    warnings: tuple[dict[str, str], ...] = ()
    expiry_event_kind: str = ""


def problem_dicts(problems: list[consent.Problem]) -> list[dict[str, str]]:
    """Problems as the API and forms show them."""
    return [
        {"rule": p.rule, "severity": p.severity.value, "field": p.field, "message": p.message}
        for p in problems
    ]


def _part2(
    session: Session, env: Env, actor: audit.Actor, client: models.Client, key: crypto.DataKey
) -> bool:
    # Part 2 protection follows the records: the flag, or any Part 2 document (42 CFR 2.12(d)).
    return part2.is_part2(session, env, actor, client, key)


def open_form(session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID) -> None:
    """Confirm the actor may record authorizations for this client; otherwise log it and answer NotFound."""
    try:
        clients.visible(session, actor, client_id, rules.View.CLINICAL, now=env.clock())
    except NotFound:
        clients.refuse(session, env, actor, client_id, Action.AUTHORIZATION_RECORDED)
        raise


def record(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client_id: uuid.UUID,
    fields: dict[str, Any],
    signed_form: bytes | None,
    *,
    acknowledge_warnings: bool = False,
    also: Callable[[models.Authorization], None] | None = None,
) -> AuthorizationView:
    """Validate and record an authorization with its signed form (and `also` rows); BLOCK refuses it."""
    client = clients.visible(session, actor, client_id, rules.View.CLINICAL, now=env.clock())
    key = vault.key_of(session, env, actor, client)
    draft = parse_draft(fields, signed_form_attached=bool(signed_form))
    draft = draft_facts.complete(session, env, actor, client, key, draft)
    today = env.today()
    same_form = signed_forms.kinds_on_form(session, env, actor, signed_form) if signed_form else frozenset()
    problems = consent.validate(
        draft, client_part2=_part2(session, env, actor, client, key), today=today, same_form_kinds=same_form
    ) + draft_facts.representative_problems(draft)
    blocks = consent.blocking(problems)
    warnings = [p for p in problems if p.severity is consent.Severity.WARN]
    if blocks or (warnings and not acknowledge_warnings):
        env.log.record_alone(
            session,
            actor,
            Action.AUTHORIZATION_RECORDED,
            Outcome.REFUSED,
            object_type="authorization",
            client_id=str(client.id),
            basis=(blocks or warnings)[0].rule,
        )
        message = "the authorization cannot be used" if blocks else "acknowledge the warnings to record it"
        raise Defective(message, problem_dicts(blocks or warnings))
    if signed_form is None or draft.signed_on is None:  # unreachable: H-D2 and H-C6 block these above
        raise Defective("the authorization cannot be used", problem_dicts(blocks))
    form = documents.store(
        session,
        env,
        actor,
        client,
        content=signed_form,
        category="signed_authorization",
        title=f"Signed authorization ({draft.kind.value if draft.kind else ''}, signed {draft.signed_on})",
    )
    auth_id = uuid.uuid4()
    row = models.Authorization(
        id=auth_id,
        client_id=client.id,
        label=labels.allocate(session),
        recipient_id=uuid.UUID(draft.recipient_id) if draft.recipient_id else None,
        terms=key.encrypt(
            terms_json(draft, warnings), table="authorizations", column="terms", row_id=str(auth_id)
        ),
        effective_on=draft.effective_on or draft.signed_on,
        expires_on=draft.expires_on,
        signed_form_id=form.id,
        recorded_by=uuid.UUID(actor.user_id),
    )
    session.add(row)
    session.flush()
    if also is not None:
        also(row)
    env.log.append(
        session,
        actor,
        Action.AUTHORIZATION_RECORDED,
        Outcome.ALLOWED,
        object_type="authorization",
        object_id=str(auth_id),
        client_id=str(client.id),
        basis=row.label,
    )
    audit.commit(session)
    names = recipients.get_many(session, env, {row.recipient_id} if row.recipient_id else set())
    return view_of(row, json.loads(terms_json(draft, warnings)), names, today)


def terms_of(
    session: Session, env: Env, actor: audit.Actor, key: crypto.DataKey, row: models.Authorization
) -> Any:
    """Decrypt an authorization's terms (the caller has logged the read that shows them)."""
    try:
        raw = key.decrypt(bytes(row.terms), table="authorizations", column="terms", row_id=str(row.id))
    except crypto.IntegrityError:
        vault.integrity_failure(session, env, actor, row.client_id, "authorization")
        raise
    return json.loads(raw)


def standing_of(row: models.Authorization) -> consent.Standing:
    """What decides the authorization's status: its dates and the events recorded against it."""
    return consent.Standing(row.effective_on, row.expires_on, row.expiry_event_on, row.revoked_on)


def view_of(
    row: models.Authorization,
    t: dict[str, Any],
    names: dict[uuid.UUID, recipients.RecipientView],
    today: date,
) -> AuthorizationView:
    """The authorization as staff see it on `today`, from its row, its decrypted terms and recipient names."""
    recipient = names[row.recipient_id].display if row.recipient_id in names else t.get("recipient_class", "")
    return AuthorizationView(
        row.id,
        row.label,
        row.client_id,
        t["kind"],
        row.recipient_id,
        recipient,
        tuple(t["categories"]),
        tuple(t["purposes"]),
        t.get("purpose_text", ""),
        row.effective_on,
        row.expires_on,
        expiry.label_of(t.get("expiry_event", "")),
        row.expiry_event_on,
        row.revoked_on,
        date.fromisoformat(t["signed_on"]) if t.get("signed_on") else None,
        t.get("signed_by", ""),
        consent.status_of(standing_of(row), today=today).value,
        row.signed_form_id,
        tuple(t.get("warnings", [])),
        expiry.kind_of(t.get("expiry_event", "")),
    )


def _rows(session: Session, client_id: uuid.UUID) -> list[models.Authorization]:
    stmt = select(models.Authorization).where(models.Authorization.client_id == client_id)
    return list(session.execute(stmt.order_by(models.Authorization.recorded_at.desc())).scalars())


def list_for(session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID) -> list[AuthorizationView]:
    """Every authorization of a client, newest first, with status today (release status is not clinical)."""
    try:
        client = clients.visible(session, actor, client_id, rules.View.DEMOGRAPHICS, now=env.clock())
    except NotFound:
        clients.refuse(session, env, actor, client_id, Action.AUTHORIZATION_READ)
        raise
    key = vault.key_of(session, env, actor, client)
    rows = _rows(session, client.id)
    env.log.reveal(
        session,
        actor,
        Action.AUTHORIZATION_READ,
        object_type="client",
        object_id=str(client.id),
        client_id=str(client.id),
    )
    names = recipients.get_many(session, env, {r.recipient_id for r in rows if r.recipient_id})
    today = env.today()
    return [view_of(r, terms_of(session, env, actor, key, r), names, today) for r in rows]


def held_for(
    session: Session, env: Env, actor: audit.Actor, client: models.Client, key: crypto.DataKey
) -> list[disclosure.Held]:
    """The client's authorizations as the decision sees them (the caller has logged the check)."""
    out = []
    for row in _rows(session, client.id):
        t = terms_of(session, env, actor, key, row)
        out.append(
            disclosure.Held(
                id=str(row.id),
                label=row.label,
                kind=consent.Kind(t["kind"]),
                recipient_id=str(row.recipient_id) if row.recipient_id else None,
                recipient_class=t.get("recipient_class", ""),
                categories=frozenset(rules.Category(c) for c in t["categories"]),
                purposes=frozenset(consent.Purpose(p) for p in t["purposes"]),
                standing=standing_of(row),
                records_from=date.fromisoformat(t["records_from"]) if t.get("records_from") else None,
                records_to=date.fromisoformat(t["records_to"]) if t.get("records_to") else None,
                known_false=bool(t.get("known_false")),
                signed_on=date.fromisoformat(t["signed_on"]) if t.get("signed_on") else None,
                intermediary_participants=t.get("intermediary_participants", ""),
                signed_by_representative=t.get("signed_by") == "representative",
                representative_not_suspected=bool(t.get("representative_not_suspected")),
            )
        )
    return out


def client_part2(
    session: Session, env: Env, actor: audit.Actor, client: models.Client, key: crypto.DataKey
) -> bool:
    """Tell whether the client's records are Part 2 records (the caller has logged the read)."""
    return _part2(session, env, actor, client, key)


def _own(
    session: Session, env: Env, actor: audit.Actor, auth_id: uuid.UUID, client_id: uuid.UUID | None
) -> models.Authorization:
    row = session.get(models.Authorization, auth_id)
    if row is None or (client_id is not None and row.client_id != client_id):
        raise NotFound("no such authorization")
    clients.visible(session, actor, row.client_id, rules.View.CLINICAL, now=env.clock())
    return row


def parse_authorization_id(raw: str) -> uuid.UUID:
    """Parse an authorization id; a malformed one answers like a missing one."""
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise NotFound("no such authorization") from None


def revoke(
    session: Session,
    env: Env,
    actor: audit.Actor,
    auth_id: uuid.UUID,
    *,
    received_on: date,
    document: bytes | None,
    client_id: uuid.UUID | None = None,
) -> AuthorizationView:
    """Record a written revocation (uploaded), effective from the day it was received (H-D3)."""
    row = _own(session, env, actor, auth_id, client_id)
    if row.revoked_on is not None:
        raise Conflict(f"authorization {row.label} was already revoked on {row.revoked_on}")
    if inputs.plausible(received_on, "received_on") and received_on > env.today():
        raise InvalidInput("the date received cannot be in the future", field="received_on")
    if not document:
        raise InvalidInput("attach the written revocation", field="document")
    client = clients.visible(session, actor, row.client_id, rules.View.CLINICAL, now=env.clock())
    doc = documents.store(
        session,
        env,
        actor,
        client,
        content=document,
        category="revocation",
        title=f"Revocation of {row.label}",
    )
    row.revoked_on = received_on
    row.revocation_document_id = doc.id
    row.revocation_recorded_by = uuid.UUID(actor.user_id)
    env.log.append(
        session,
        actor,
        Action.AUTHORIZATION_REVOKED,
        Outcome.ALLOWED,
        object_type="authorization",
        object_id=str(row.id),
        client_id=str(row.client_id),
        basis=row.label,
    )
    # A revocation counts from its receipt, even entered later: what went out since then was impermissible.
    impermissible.flag_after_revocation(session, env, actor, row)
    audit.commit(session)
    key = vault.key_of(session, env, actor, client)
    names = recipients.get_many(session, env, {row.recipient_id} if row.recipient_id else set())
    return view_of(row, terms_of(session, env, actor, key, row), names, env.today())


def record_expiry_event(
    session: Session,
    env: Env,
    actor: audit.Actor,
    auth_id: uuid.UUID,
    *,
    occurred_on: date,
    client_id: uuid.UUID | None = None,
) -> AuthorizationView:
    """Record that the authorization's expiry event happened; from that day it no longer permits (H-D1)."""
    row = _own(session, env, actor, auth_id, client_id)
    client = clients.visible(session, actor, row.client_id, rules.View.CLINICAL, now=env.clock())
    key = vault.key_of(session, env, actor, client)
    t = terms_of(session, env, actor, key, row)
    if not t.get("expiry_event"):
        raise Conflict(f"authorization {row.label} names no expiry event")
    if row.expiry_event_on is not None:
        raise Conflict(f"the expiry event of {row.label} was already recorded on {row.expiry_event_on}")
    if inputs.plausible(occurred_on, "occurred_on") and occurred_on > env.today():
        raise InvalidInput("the event cannot be in the future", field="occurred_on")
    row.expiry_event_on = occurred_on
    row.expiry_event_recorded_by = uuid.UUID(actor.user_id)
    env.log.append(
        session,
        actor,
        Action.AUTHORIZATION_EXPIRY_EVENT,
        Outcome.ALLOWED,
        object_type="authorization",
        object_id=str(row.id),
        client_id=str(row.client_id),
        basis=row.label,
    )
    audit.commit(session)
    names = recipients.get_many(session, env, {row.recipient_id} if row.recipient_id else set())
    return view_of(row, t, names, env.today())
