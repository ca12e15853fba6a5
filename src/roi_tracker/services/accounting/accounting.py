"""The accounting of disclosures for one client: produced (logged, kept 6 years), requested, delivered."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import accounting as rules
from roi_tracker.domain import clients as client_rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.accounting import kept
from roi_tracker.services.context import Env
from roi_tracker.services.disclosures import impermissible
from roi_tracker.services.incidents import accountable
from roi_tracker.services.records import clients
from roi_tracker.services.records import vault
from roi_tracker.services.releases import recipients

DUE_DAYS = 60
DELIVERY_METHODS = ("mail", "in_person", "secure_email", "portal")
EXTENSION_DAYS = 30
_PURPOSE = "accounting-note"


@dataclass(frozen=True)
class Produced:
    """An accounting as handed to the client, with who it is about."""

    id: uuid.UUID
    client_id: uuid.UUID
    client_reference: str
    client_name: str
    accounting: rules.Accounting


def client_for(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client_id: uuid.UUID,
    action: Action = Action.ACCOUNTING_PRODUCED,
) -> models.Client:
    """Return the client if the actor may see it: auditors any, clinicians their caseload (refusal logged)."""
    if actor.role == "auditor":
        client = session.get(models.Client, client_id)
        if client is None:
            raise NotFound(clients.NOT_FOUND)
        return client
    try:
        return clients.visible(session, actor, client_id, client_rules.View.CLINICAL, now=env.clock())
    except NotFound:
        clients.refuse(session, env, actor, client_id, action)
        raise


def _disclosed(
    session: Session, env: Env, actor: audit.Actor, client: models.Client, key: crypto.DataKey
) -> list[rules.Disclosed]:
    rows = list(
        session.execute(select(models.Disclosure).where(models.Disclosure.client_id == client.id)).scalars()
    )
    names = recipients.get_many(session, env, {r.recipient_id for r in rows if r.recipient_id})
    flagged = impermissible.flagged_for(session, client.id)
    out = []
    for row in rows:
        try:
            details = json.loads(
                key.decrypt(bytes(row.details), table="disclosures", column="details", row_id=str(row.id))
            )
        except crypto.IntegrityError:
            vault.integrity_failure(session, env, actor, client.id, "disclosure")
            raise
        who = names.get(row.recipient_id) if row.recipient_id else None
        out.append(
            rules.Disclosed(
                id=str(row.id),
                recipient_id=str(row.recipient_id) if row.recipient_id else "",
                on=row.disclosed_at.date(),
                recipient=who.display if who else "",
                address=who.address if who else "",
                categories=tuple(details.get("categories", [])),
                purpose=details.get("purpose", ""),
                basis=row.basis,
                under_authorization=row.authorization_id is not None,
                part2=bool(details.get("part2"))
                or client_rules.names_part2_records(details.get("categories", [])),
                to_client=bool(details.get("to_client")),
                impermissible=",".join(dict.fromkeys(flagged.get(row.id, []))),
            )
        )
    # A breach of another client's disclosure that names this client too is accountable here (H-B9).
    return out + accountable.for_other_clients(session, env, client.id)


def _suspensions(session: Session, env: Env, client_id: uuid.UUID) -> tuple[rules.Suspension, ...]:
    stmt = select(models.AccountingSuspension).where(models.AccountingSuspension.client_id == client_id)
    rows = list(session.execute(stmt).scalars())
    names = recipients.get_many(session, env, {r.recipient_id for r in rows if r.recipient_id})
    return tuple(
        rules.Suspension(
            r.starts_on,
            r.ends_on,
            r.written,
            names[r.recipient_id].display if r.recipient_id else None,
            str(r.recipient_id) if r.recipient_id else None,
        )
        for r in rows
    )


def check_since(since: date | None, asked_on: date) -> None:
    """Refuse a period that starts after the request or reaches back more than 6 years (164.528(a)(1))."""
    if since is not None and since > asked_on:
        raise InvalidInput("the period (since) cannot start after the day it was asked for", field="since")
    if since is not None and since < rules.period(asked_on, None)[0]:
        raise InvalidInput("the period (since) can reach back at most 6 years", field="since")


def produce(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client_id: uuid.UUID,
    *,
    since: date | None = None,
    asked_on: date | None = None,
) -> Produced:
    """Produce, log and keep an accounting for one client, as asked for on `asked_on` (default today)."""
    asked = asked_on or env.today()
    check_since(since, asked)
    client = client_for(session, env, actor, client_id)
    key = vault.key_of(session, env, actor, client)
    given_id = uuid.uuid4()
    receipt = env.log.reveal(
        session,
        actor,
        Action.ACCOUNTING_PRODUCED,
        object_type="accounting",
        object_id=str(given_id),
        client_id=str(client.id),
    )
    who = vault.open_demographics(session, env, actor, key, client, receipt)
    result = rules.build(
        _disclosed(session, env, actor, client, key),
        today=env.today(),
        since=since,
        suspensions=_suspensions(session, env, client.id),
        asked_on=asked,
    )
    snapshot = json.dumps(asdict(result), default=str).encode()
    session.add(
        models.AccountingGiven(
            id=given_id,
            client_id=client.id,
            produced_by=uuid.UUID(actor.user_id),
            since=result.since,
            until=result.until,
            content=kept.seal(env, given_id, snapshot),
            sealed_with=kept.SEALED_WITH,
        )
    )
    audit.commit(session)
    return Produced(given_id, client.id, client.reference, f"{who.given_name} {who.family_name}", result)


def client_by_reference(session: Session, reference: str) -> uuid.UUID:
    """Find a client's id by reference (auditors start an accounting request from it)."""
    ref = reference.strip().upper()
    ref = ref if ref.startswith("C-") else "C-" + ref
    found = session.execute(select(models.Client.id).where(models.Client.reference == ref)).scalar()
    if found is None:
        raise InvalidInput("no client has that reference", field="reference")
    return found


def open_request(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client_id: uuid.UUID,
    *,
    received_on: date,
    since: date | None,
) -> models.AccountingRequest:
    """Record a request: due 60 days after receipt; the first in any 12 months is free (164.528(c))."""
    if session.get(models.Client, client_id) is None:
        raise NotFound(clients.NOT_FOUND)
    if received_on > env.today():
        raise InvalidInput("the date received cannot be in the future", field="received_on")
    check_since(since, received_on)
    earlier = session.execute(
        select(models.AccountingRequest.received_on).where(models.AccountingRequest.client_id == client_id)
    ).scalars()
    row = models.AccountingRequest(
        client_id=client_id,
        received_on=received_on,
        due_on=received_on + timedelta(days=DUE_DAYS),
        period_since=since,
        fee_cents=env.settings.accounting_fee_cents if rules.fee_applies(received_on, list(earlier)) else 0,
        recorded_by=uuid.UUID(actor.user_id),
    )
    session.add(row)
    session.flush()
    env.log.append(
        session,
        actor,
        Action.ACCOUNTING_REQUESTED,
        Outcome.ALLOWED,
        object_type="accounting_request",
        object_id=str(row.id),
        client_id=str(client_id),
    )
    audit.commit(session)
    return row


def _request(session: Session, request_id: uuid.UUID) -> models.AccountingRequest:
    row = session.get(models.AccountingRequest, request_id)
    if row is None:
        raise NotFound("no such accounting request")
    return row


def extend(
    session: Session,
    env: Env,
    actor: audit.Actor,
    request_id: uuid.UUID,
    reason: str,
    *,
    notice_method: str,
    notice_on: date | None = None,
) -> models.AccountingRequest:
    """Extend the deadline once, by 30 days, recording the written notice given within the first 60 days.

    164.528(c)(1)(ii): only within the 60 days, and only with a written statement of the reason and the
    date the accounting will be given; an overdue request can no longer be extended.
    """
    row = _request(session, request_id)
    if row.extension_reason is not None:
        raise Conflict("this request was already extended once; no further extension is allowed")
    if row.delivered_on is not None:
        raise Conflict("this request was already delivered")
    notice = notice_on or env.today()
    if env.today() > row.due_on or notice > row.due_on:
        raise Conflict(
            f"this request was due on {row.due_on}: an overdue accounting can no longer be extended "
            "(164.528(c)(1)(ii))"
        )
    if not reason.strip() or len(reason) > 2000:
        raise InvalidInput("give the reason for the delay in writing", field="reason")
    if notice_method not in DELIVERY_METHODS:
        raise InvalidInput(
            "say how the written notice was given: " + ", ".join(DELIVERY_METHODS), field="notice_method"
        )
    if notice > env.today() or notice < row.received_on:
        raise InvalidInput("the notice date must fall between the request and today", field="notice_on")
    row.extension_reason = env.keyring.seal(reason.strip().encode(), purpose=_PURPOSE, context=row.id.bytes)
    row.extension_notice_on, row.extension_notice_method = notice, notice_method
    row.due_on = row.due_on + timedelta(days=EXTENSION_DAYS)
    env.log.append(
        session,
        actor,
        Action.ACCOUNTING_EXTENDED,
        Outcome.ALLOWED,
        object_type="accounting_request",
        object_id=str(row.id),
        client_id=str(row.client_id),
    )
    audit.commit(session)
    return row


def deliver(
    session: Session, env: Env, actor: audit.Actor, request_id: uuid.UUID, *, method: str
) -> Produced:
    """Produce the accounting for a request and record its delivery."""
    row = _request(session, request_id)
    if row.delivered_on is not None:
        raise Conflict("this request was already delivered")
    if method not in DELIVERY_METHODS:
        raise InvalidInput("method must be " + ", ".join(DELIVERY_METHODS), field="method")
    # The window runs back from the day the request came in, not from delivery (164.528(a)(1)).
    produced = produce(session, env, actor, row.client_id, since=row.period_since, asked_on=row.received_on)
    row = _request(session, request_id)
    row.delivered_on = env.today()
    row.delivery_method = method
    row.accounting_id = produced.id
    given = session.get(models.AccountingGiven, produced.id)
    if given is not None:
        given.delivered_at = env.clock()
    env.log.append(
        session,
        actor,
        Action.ACCOUNTING_DELIVERED,
        Outcome.ALLOWED,
        object_type="accounting_request",
        object_id=str(row.id),
        client_id=str(row.client_id),
        basis=method,
    )
    audit.commit(session)
    return produced


def open_requests(session: Session) -> list[models.AccountingRequest]:
    """Undelivered requests, soonest due first."""
    stmt = select(models.AccountingRequest).where(models.AccountingRequest.delivered_on.is_(None))
    return list(session.execute(stmt.order_by(models.AccountingRequest.due_on)).scalars())


def suspend(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client_id: uuid.UUID,
    *,
    agency_id: uuid.UUID | None,
    starts_on: date,
    ends_on: date,
    written: bool,
) -> None:
    """Record an agency's suspension of the accounting of disclosures to it (oral: 30 days at most)."""
    if session.get(models.Client, client_id) is None:
        raise NotFound(clients.NOT_FOUND)
    if agency_id is None:
        raise InvalidInput("choose the agency that asked from the recipients directory", field="agency_id")
    try:
        entry = recipients.get(session, env, agency_id)
    except NotFound:
        raise InvalidInput("no recipient in the directory has that id", field="agency_id") from None
    if entry.scope != "directory":
        # The agency is a directory entry (164.528(a)(2)), never a recipient an exception keeps to itself.
        raise InvalidInput("choose the agency from the recipients directory", field="agency_id")
    agency = entry.display
    if ends_on < starts_on:
        raise InvalidInput("the suspension ends before it starts", field="ends_on")
    row_id = uuid.uuid4()
    session.add(
        models.AccountingSuspension(
            id=row_id,
            client_id=client_id,
            recipient_id=agency_id,
            agency=env.keyring.seal(agency.encode(), purpose=_PURPOSE, context=row_id.bytes),
            starts_on=starts_on,
            ends_on=ends_on,
            written=written,
            recorded_by=uuid.UUID(actor.user_id),
        )
    )
    env.log.append(
        session,
        actor,
        Action.ACCOUNTING_SUSPENDED,
        Outcome.ALLOWED,
        object_type="accounting_suspension",
        object_id=str(row_id),
        client_id=str(client_id),
        basis="written" if written else "oral",
    )
    audit.commit(session)
