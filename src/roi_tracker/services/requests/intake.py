"""Intake: a request is recorded the day it arrived, with its clock, fee and acknowledgement (H-A2, H-A5)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as client_rules
from roi_tracker.domain import inputs
from roi_tracker.domain import request_answers as answers
from roi_tracker.domain import requests as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.services.context import Env
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.records import documents
from roi_tracker.services.records import vault
from roi_tracker.services.releases import recipients
from roi_tracker.services.requests import desk
from roi_tracker.services.requests import paperwork

REQUESTER_FIELDS = ("name", "organization", "address", "email", "fax", "phone")
CHANNELS = ("mail", "fax", "email", "portal", "in_person", "phone")


@dataclass(frozen=True)
class Intake:
    """A request as the desk takes it down."""

    client_id: uuid.UUID
    kind: str
    channel: str
    requester: dict[str, str]
    requester_is: str
    categories: list[str]
    format: str
    received_on: date | None = None
    records_from: date | None = None
    records_to: date | None = None
    deliver_to_recipient_id: str | None = None
    respond_by: date | None = None
    document_id: str | None = None
    # The request as it arrived (a scan of the letter, subpoena or signed designation), stored encrypted
    # with the client's documents in the request's own transaction.
    document: bytes | None = None
    notes: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _requester(raw: dict[str, str]) -> dict[str, str]:
    unknown = sorted(set(raw) - set(REQUESTER_FIELDS))
    if unknown:
        raise InvalidInput(f"requester has unknown fields: {', '.join(unknown)}", field="requester")
    out = {k: inputs.text(raw.get(k) or "", f"requester.{k}").strip()[:300] for k in REQUESTER_FIELDS}
    if not out["name"] and not out["organization"]:
        raise InvalidInput("name the requester or their organization", field="requester.name")
    return out


def _categories(raw: list[str]) -> list[str]:
    try:
        cats = sorted({client_rules.parse_category(c).value for c in raw})
    except InvalidInput as bad:
        raise InvalidInput(str(bad), field="categories") from None
    if not cats:
        raise InvalidInput("name at least one category asked for", field="categories")
    return cats


def receive(session: Session, env: Env, actor: audit.Actor, intake: Intake) -> desk.View:
    """Record a request received (never in the future), with its due date, fee and acknowledgement letter."""
    kind = rules.parse(rules.Kind, intake.kind, "kind")
    requester_is = rules.parse(rules.RequesterIs, intake.requester_is, "requester_is")
    fmt = rules.parse(rules.Format, intake.format, "format")
    if intake.channel not in CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}", field="channel")
    today = env.today()
    received = intake.received_on or today
    rules.check_received(received, today)
    due = rules.due_on(kind, received, intake.respond_by, desk.clock(env))
    if intake.records_from and intake.records_to and intake.records_from > intake.records_to:
        raise InvalidInput("records_from must not be after records_to", field="records_from")
    requester = _requester(intake.requester)
    categories = _categories(intake.categories)
    notes = inputs.text(intake.notes, "notes").strip()
    if len(notes) > 2000:
        raise InvalidInput("notes are at most 2000 characters", field="notes")
    client = desk.client_of(session, env, actor, intake.client_id, Action.REQUEST_RECEIVED)
    deliver_to = None
    if intake.deliver_to_recipient_id:
        # A copy the client directs to a person they name in a signed writing (164.524(c)(3), H-A4).
        deliver_to = recipients.parse_recipient_id(intake.deliver_to_recipient_id)
        recipients.get(session, env, deliver_to)
    if intake.document is not None and intake.document_id:
        raise InvalidInput("upload the request document or name a stored one, not both", field="document")
    named = disclosures.documents_of(session, client, [intake.document_id] if intake.document_id else [])
    docs = [d.id for d in named]
    if intake.document is not None:
        title = f"Request for records ({kind.value}) received {received.isoformat()}"
        stored = documents.store(
            session,
            env,
            actor,
            client,
            content=intake.document,
            category=client_rules.REQUEST_DOCUMENT,
            title=title,
        )
        docs = [stored.id]
    if deliver_to is not None and kind is rules.Kind.ACCESS and not docs:
        # A client-directed copy goes to the person the client names in a signed writing (164.524(c)(3)).
        raise Defective(
            "a copy sent to a person the client designates needs the client's signed writing",
            [rules.problem("H-A4", "document_id", "Upload the client's signed designation and name it.")],
        )
    fee = answers.fee(kind, fmt, desk.schedule(env))
    key = vault.key_of(session, env, actor, client)
    request_id = uuid.uuid4()
    details = {
        "requester": requester,
        "categories": categories,
        "records_from": intake.records_from.isoformat() if intake.records_from else None,
        "records_to": intake.records_to.isoformat() if intake.records_to else None,
        "notes": notes,
        "fee_basis": fee.basis,
    }
    row = models.RecordRequest(
        id=request_id,
        reference=desk.new_reference(session),
        client_id=client.id,
        kind=kind.value,
        status=rules.Status.OPEN.value,
        received_on=received,
        due_on=due,
        extended=False,
        channel=intake.channel,
        requester_is=requester_is.value,
        format=fmt.value,
        details=desk.seal(key, "record_requests", "details", request_id, details),
        fee_cents=fee.amount_cents,
        fee_status="due" if fee.amount_cents else "none",
        document_id=docs[0] if docs else None,
        deliver_to_recipient_id=deliver_to,
        recorded_by=uuid.UUID(actor.user_id),
        recorded_at=env.clock(),
    )
    session.add(row)
    # A new request's first step and first letter: no query for their places (issue 18's speed target).
    desk.step(session, env, actor, row, key, Action.REQUEST_RECEIVED, basis=f"{kind.value}:H-A2", position=1)
    paperwork.write(session, env, actor, row, client, key, "acknowledgement", details, position=1)
    audit.commit(session)
    return desk.view_of(row, today, fee.basis)


def fulfilled_on_the_spot(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client: models.Client,
    made: models.Disclosure,
    categories: list[str],
) -> models.RecordRequest:
    """Record a copy handed to the client as an access request received and fulfilled now (caller commits)."""
    key = vault.key_of(session, env, actor, client)
    today = env.today()
    request_id = uuid.uuid4()
    details = {
        "requester": {"name": "the client, in person"},
        "categories": categories,
        "notes": "",
        "fee_basis": "",
    }
    row = models.RecordRequest(
        id=request_id,
        reference=desk.new_reference(session),
        client_id=client.id,
        kind=rules.Kind.ACCESS.value,
        status=rules.Status.FULFILLED.value,
        received_on=today,
        due_on=rules.due_on(rules.Kind.ACCESS, today, None, desk.clock(env)),
        extended=False,
        channel="in_person"
        if made.channel == "in_person"
        else ("email" if made.channel == "secure_email" else made.channel),
        requester_is=rules.RequesterIs.CLIENT.value,
        format=rules.Format.PAPER.value,
        details=desk.seal(key, "record_requests", "details", request_id, details),
        fee_cents=0,
        fee_status="none",
        disclosure_id=made.id,
        recorded_by=uuid.UUID(actor.user_id),
        recorded_at=env.clock(),
        closed_at=env.clock(),
    )
    session.add(row)
    session.flush()
    desk.step(session, env, actor, row, key, Action.REQUEST_FULFILLED, basis="on_the_spot")
    return row
