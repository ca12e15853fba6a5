"""Breach notices: the letter to each affected client (H-B4) and the record of each notice sent."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import clients as client_rules
from roi_tracker.domain import incidents as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.incidents import assessment
from roi_tracker.services.incidents import letter
from roi_tracker.services.records import vault


@dataclass(frozen=True)
class Notice:
    """A notice letter ready to hand over, and whom it is for (by reference)."""

    client_reference: str
    pdf: bytes


def _breach(
    session: Session, incident_id: uuid.UUID, refusal: type[Conflict | NotFound] = Conflict
) -> models.Incident:
    row = assessment.incident_of(session, incident_id)
    if row.determination != rules.Determination.BREACH:
        raise refusal("notices are for a breach: this incident is not assessed a breach (H-B3)")
    return row


def _affected(session: Session, row: models.Incident, client_id: uuid.UUID) -> models.Client:
    client = session.get(models.Client, client_id)
    if client is None or client_id not in assessment.client_ids_of(session, row.id):
        raise NotFound("that client is not affected by this incident")
    return client


def _categories(
    session: Session,
    env: Env,
    actor: audit.Actor,
    row: models.Incident,
    client: models.Client,
    key: crypto.DataKey,
) -> list[str]:
    if row.disclosure_id is None:
        return []
    made = session.get(models.Disclosure, row.disclosure_id)
    if made is None or made.client_id != client.id:
        return []
    try:
        raw = key.decrypt(bytes(made.details), table="disclosures", column="details", row_id=str(made.id))
    except crypto.IntegrityError:
        vault.integrity_failure(session, env, actor, client.id, "disclosure")
        raise
    details = json.loads(raw)
    return [str(c).replace("_", " ") for c in details.get("categories", [])]


def produce(
    session: Session, env: Env, actor: audit.Actor, incident_id: uuid.UUID, client_id: uuid.UUID
) -> Notice:
    """Produce the notice to one affected client; its read is logged and committed before it is made."""
    # No letter exists for an incident that is not a breach: as absent as a letter for no incident at all.
    row = _breach(session, incident_id, NotFound)
    client = _affected(session, row, client_id)
    key = vault.key_of(session, env, actor, client)
    receipt = env.log.reveal(
        session,
        actor,
        Action.INCIDENT_NOTICE_PRODUCED,
        object_type="incident",
        object_id=str(row.id),
        client_id=str(client.id),
        basis="H-B4",
    )
    who: client_rules.Demographics = vault.open_demographics(session, env, actor, key, client, receipt)
    standing = assessment.latest(session, row.id)
    factors: dict[str, str] = {}
    if standing is not None:
        factors = json.loads(
            env.keyring.open(bytes(standing.factors), purpose=assessment.FACTORS, context=standing.id.bytes)
        )
    content = letter.Content(
        practice=env.settings.practice_name,
        contact=env.settings.practice_contact,
        reference=row.reference,
        kind=row.kind,
        client_name=f"{who.given_name} {who.family_name}",
        client_address=who.address,
        occurred_on=row.occurred_on,
        discovered_on=row.discovered_on,
        categories=_categories(session, env, actor, row, client, key),
        phi_nature=factors.get("phi_nature", ""),
        mitigation=factors.get("mitigation", ""),
        written_on=env.today(),
    )
    return Notice(client.reference, letter.render(content))


def record_sent(
    session: Session,
    env: Env,
    actor: audit.Actor,
    incident_id: uuid.UUID,
    *,
    audience: str,
    sent_on: date,
    method: str,
    client_id: uuid.UUID | None = None,
) -> models.IncidentNotice:
    """Record when a notice went out and how (H-B4..H-B6); dated before discovery or in the future: 422."""
    row = _breach(session, incident_id)
    try:
        who, how = rules.Audience(audience), rules.Method(method)
    except ValueError:
        raise InvalidInput("audience or method is not one of the listed values", field="method") from None
    rules.check_notice(sent_on, discovered_on=row.discovered_on, today=env.today())
    if who is rules.Audience.INDIVIDUAL:
        if client_id is None:
            raise InvalidInput("name the client the notice went to", field="client_id")
        _affected(session, row, client_id)
    else:
        client_id = None
    notice = models.IncidentNotice(
        id=uuid.uuid4(),
        incident_id=row.id,
        audience=who.value,
        client_id=client_id,
        sent_on=sent_on,
        method=how.value,
        recorded_by=uuid.UUID(actor.user_id),
        recorded_at=env.clock(),
    )
    session.add(notice)
    env.log.append(
        session,
        actor,
        Action.INCIDENT_NOTICE_SENT,
        Outcome.ALLOWED,
        object_type="incident",
        object_id=str(row.id),
        client_id=str(client_id) if client_id else "",
        basis=f"{who.value}:{how.value}",
    )
    audit.commit(session)
    return notice
