"""Recording a confidentiality exception: guarded, re-authenticated, accountable, flagged, queued, notified.

All of it — the exception, its accountable disclosure, the notifications and the log entry — commits in one
transaction or not at all. Nothing about an exception is edited afterwards; a correction is a new exception.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain import exceptions as ex
from roi_tracker.domain import inputs
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.audit_review import notify
from roi_tracker.services.context import Env
from roi_tracker.services.people import stepup
from roi_tracker.services.records import clients
from roi_tracker.services.records import vault
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import recipients


@dataclass(frozen=True)
class Recorded:
    """A recorded exception and its accountable disclosure."""

    id: uuid.UUID
    disclosure_id: uuid.UUID
    review_status: str


def _date(raw: Any, field: str) -> date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    return rules.parse_date(str(raw), field)


def _yes_no(raw: Any) -> bool | None:
    # Only a real yes is a yes: "no", "false" or a missing answer never passes a guard.
    if isinstance(raw, bool):
        return raw
    if raw in (None, ""):
        return None
    return str(raw).strip().lower() in ("yes", "true", "y", "1")


def _occurred(raw: Any, now: datetime) -> datetime:
    if raw in (None, ""):
        return now
    if isinstance(raw, datetime):
        value = raw
    else:
        try:
            value = datetime.fromisoformat(str(raw))
        except ValueError:
            raise InvalidInput(
                "occurred_at must be a date and time such as 2026-03-02T14:30", field="occurred_at"
            ) from None
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    if value > now:
        raise InvalidInput("occurred_at cannot be in the future", field="occurred_at")
    return value


def record(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client_id: uuid.UUID,
    fields: dict[str, Any],
    password: str,
) -> Recorded:
    """Record an exception disclosure for a client on the caseload (after re-entering the password)."""
    inputs.texts({name: value for name, value in fields.items() if name != "password"})
    try:
        kind = ex.Kind(str(fields.get("kind") or ""))
    except ValueError:
        raise InvalidInput(
            "kind must be one of " + ", ".join(k.value for k in ex.Kind), field="kind"
        ) from None
    try:
        client = clients.visible(session, actor, client_id, rules.View.CLINICAL, now=env.clock())
    except NotFound:
        clients.refuse(session, env, actor, client_id, Action.EXCEPTION_RECORDED)
        raise
    stepup.confirm(session, env, actor, password)
    key = vault.key_of(session, env, actor, client)
    part2 = authorizations.client_part2(session, env, actor, client, key)
    categories = frozenset(rules.parse_category(c) for c in (fields.get("disclosed_categories") or []))
    recipient = fields.get("recipient") or {}
    own = {
        name: str(fields.get(name) or "").strip() for name in ex.FIELDS[kind] + ("belief_source", "statute")
    }
    report = ex.Report(
        kind=kind,
        client_part2=part2,
        disclosed_categories=categories,
        justification=str(fields.get("justification") or ""),
        recipient_name=str(recipient.get("name") or ""),
        fields=own,
        learned_as_admission_of_past_violent_crime=bool(
            fields.get("learned_as_admission_of_past_violent_crime")
        ),
        client_informed_on=_date(fields.get("client_informed_on"), "client_informed_on"),
        not_informed_reason=str(fields.get("not_informed_reason") or ""),
        recipient_type=str(recipient.get("type") or ""),
        imminent=_yes_no(fields.get("imminent")),
        recipient_able_to_lessen=_yes_no(fields.get("recipient_able_to_lessen")),
        order_categories=frozenset(rules.parse_category(c) for c in (fields.get("order_categories") or [])),
        subpoena=bool(fields.get("subpoena")),
        part2_order=bool(fields.get("part2_order")),
    )
    refusals = ex.check(report, today=env.today())
    order = own.get("order_document_id")
    if kind is ex.Kind.COURT_ORDER and order and not _is_document_of(session, client.id, order):
        refusals.append(ex.Refusal("X-FIELDS", "order_document_id", "Upload the order to this client first."))
    elif (
        kind is ex.Kind.COURT_ORDER
        and order
        and not _is_document_of(session, client.id, order, "court_order")
    ):
        refusals.append(
            ex.Refusal("L-1", "order_document_id", "The document named is not uploaded as a court order.")
        )
    if refusals:
        env.log.record_alone(
            session,
            actor,
            Action.EXCEPTION_RECORDED,
            Outcome.REFUSED,
            object_type="exception",
            client_id=str(client.id),
            basis=refusals[0].rule,
        )
        raise Defective(
            "the exception cannot be recorded",
            [{"rule": r.rule, "field": r.field, "message": r.message} for r in refusals],
        )
    occurred = _occurred(fields.get("occurred_at"), env.clock())
    # The recipient stays with this exception: never added to the shared directory (issue 17 item 6).
    who = recipients.create_in(
        session,
        env,
        actor,
        kind="organization" if recipient.get("organization") else "person",
        type=report.recipient_type,
        scope="exception",
        name=str(recipient.get("name") or ""),
        organization=str(recipient.get("organization") or ""),
        address=str(recipient.get("address") or ""),
    )
    exception_id, disclosure_id = uuid.uuid4(), uuid.uuid4()
    details = {
        "kind": kind.value,
        "fields": own,
        "justification": report.justification,
        "disclosed_categories": sorted(c.value for c in categories),
        "recipient_id": str(who.id),
        "learned_as_admission_of_past_violent_crime": report.learned_as_admission_of_past_violent_crime,
        "client_informed_on": report.client_informed_on.isoformat() if report.client_informed_on else None,
        "not_informed_reason": report.not_informed_reason,
        "recipient_type": report.recipient_type,
        "imminent": report.imminent,
        "recipient_able_to_lessen": report.recipient_able_to_lessen,
        # Kept, not dropped: a suspected parent is no longer treated as the representative (164.502(g)(5)).
        "parent_suspected": kind is ex.Kind.CHILD_ABUSE_REPORT
        and _yes_no(fields.get("parent_suspected")) is True,
        "part2": part2,
    }
    disclosure_details = {
        "categories": details["disclosed_categories"],
        "purpose": f"exception:{kind.value}",
        "on": occurred.date().isoformat(),
        "document_ids": [],
        "requester_verification": "",
        "authorizations": [],
        "part2": part2,
        "exception_id": str(exception_id),
    }
    session.add(
        models.Disclosure(
            id=disclosure_id,
            client_id=client.id,
            recipient_id=who.id,
            authorization_id=None,
            basis=kind.value,
            channel=str(fields.get("channel") or "phone")[:16],
            disclosed_by=uuid.UUID(actor.user_id),
            disclosed_at=occurred,
            details=key.encrypt(
                json.dumps(disclosure_details).encode(),
                table="disclosures",
                column="details",
                row_id=str(disclosure_id),
            ),
        )
    )
    session.flush()
    session.add(
        models.ConfidentialityException(
            id=exception_id,
            client_id=client.id,
            disclosure_id=disclosure_id,
            occurred_at=occurred,
            recorded_by=uuid.UUID(actor.user_id),
            recorded_at=env.clock(),
            details=key.encrypt(
                json.dumps(details).encode(),
                table="confidentiality_exceptions",
                column="details",
                row_id=str(exception_id),
            ),
        )
    )
    client.last_activity_at = env.clock()
    notify.tell_auditors(session, env, "exception", exception_id, client.id)
    env.log.append(
        session,
        actor,
        Action.EXCEPTION_RECORDED,
        Outcome.ALLOWED,
        object_type="exception",
        object_id=str(exception_id),
        client_id=str(client.id),
        basis=kind.value,
    )
    audit.commit(session)
    notify.email_auditors(session, env, "roi-tracker: a confidentiality exception was recorded")
    return Recorded(exception_id, disclosure_id, "pending")


def _is_document_of(session: Session, client_id: uuid.UUID, raw: str, category: str | None = None) -> bool:
    try:
        doc = session.get(models.Document, uuid.UUID(raw))
    except ValueError:
        return False
    return doc is not None and doc.client_id == client_id and category in (None, doc.category)


@dataclass(frozen=True)
class Flag:
    """The prominent flag on a client's page."""

    id: uuid.UUID
    recorded_on: date
    kind: str
    review_status: str


def review_status(session: Session, subject_id: uuid.UUID) -> str:
    """pending, or the review's outcome."""
    outcome = session.execute(
        select(models.Review.outcome).where(models.Review.subject_id == subject_id)
    ).scalar()
    return str(outcome) if outcome else "pending"


def flags_for(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client: models.Client,
    key: crypto.DataKey,
    receipt: audit.Receipt,
) -> list[Flag]:
    """The client's exceptions as flags (the caller logged the page read: `receipt`)."""
    del receipt
    stmt = select(models.ConfidentialityException).where(
        models.ConfidentialityException.client_id == client.id
    )
    out = []
    for row in session.execute(stmt.order_by(models.ConfidentialityException.recorded_at.desc())).scalars():
        try:
            details = json.loads(
                key.decrypt(
                    bytes(row.details),
                    table="confidentiality_exceptions",
                    column="details",
                    row_id=str(row.id),
                )
            )
        except crypto.IntegrityError:
            vault.integrity_failure(session, env, actor, client.id, "exception")
            raise
        out.append(Flag(row.id, row.recorded_at.date(), details["kind"], review_status(session, row.id)))
    return out
