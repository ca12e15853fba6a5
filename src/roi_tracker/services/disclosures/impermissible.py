"""Impermissible disclosures (H-B9): flagged, listed for the privacy officer, named in accountings."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import disclosure
from roi_tracker.domain import incidents as incident_rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.services.audit_review import notify
from roi_tracker.services.context import Env
from roi_tracker.services.incidents import reporting as incidents

PAST_DISCLOSURE = "past_disclosure"
LATE_REVOCATION = "late_revocation"


@dataclass(frozen=True)
class Finding:
    """One impermissible disclosure as the privacy officer's list shows it (client by reference only)."""

    id: uuid.UUID
    disclosure_id: uuid.UUID
    client_id: uuid.UUID
    client_reference: str
    disclosed_on: date
    source: str
    rule: str
    reasons: tuple[disclosure.Reason, ...]
    found_at: datetime


def flag(
    session: Session,
    env: Env,
    actor: audit.Actor,
    row: models.Disclosure,
    source: str,
    reasons: list[disclosure.Reason],
) -> None:
    """Flag a disclosure impermissible and log it, in the caller's transaction (the caller commits)."""
    finding_id = uuid.uuid4()
    session.add(
        models.ImpermissibleDisclosure(
            id=finding_id,
            disclosure_id=row.id,
            client_id=row.client_id,
            source=source,
            rule=reasons[0].rule,
            reasons=json.dumps([{"rule": r.rule, "message": r.message} for r in reasons]),
            found_by=uuid.UUID(actor.user_id),
            found_at=env.clock(),
        )
    )
    notify.tell_auditors(session, env, "impermissible_disclosure", finding_id, row.client_id)
    env.log.append(
        session,
        actor,
        Action.DISCLOSURE_FLAGGED,
        Outcome.ALLOWED,
        object_type="disclosure",
        object_id=str(row.id),
        client_id=str(row.client_id),
        basis=f"{source}:{reasons[0].rule}",
    )
    # Found impermissible afterwards: an incident to assess from today, the day it is known (H-B7).
    incidents.open_detected(
        session,
        env,
        actor,
        kind=incident_rules.Kind.OTHER,
        source=incidents.IMPERMISSIBLE_DISCLOSURE,
        client_id=row.client_id,
        disclosure=row,
        description=f"Found by the product: the disclosure of {row.disclosed_at.date()} was impermissible "
        f"({reasons[0].rule}: {reasons[0].message})",
    )


def flag_after_revocation(
    session: Session, env: Env, actor: audit.Actor, authorization: models.Authorization
) -> int:
    """Flag the disclosures made under `authorization` on or after its revocation was received (H-D3)."""
    stmt = select(models.Disclosure).where(models.Disclosure.authorization_id == authorization.id)
    found = 0
    for row in session.execute(stmt.order_by(models.Disclosure.disclosed_at)).scalars():
        reason = disclosure.after_revocation(
            authorization.label, row.disclosed_at.date(), authorization.revoked_on
        )
        if reason is not None and "H-D3" not in rules_of(session, row.id):
            flag(session, env, actor, row, LATE_REVOCATION, [reason])
            found += 1
    return found


def rules_of(session: Session, disclosure_id: uuid.UUID) -> set[str]:
    """The rules a disclosure was found to break (empty: never flagged)."""
    stmt = select(models.ImpermissibleDisclosure.rule).where(
        models.ImpermissibleDisclosure.disclosure_id == disclosure_id
    )
    return set(session.execute(stmt).scalars())


def flagged_for(session: Session, client_id: uuid.UUID) -> dict[uuid.UUID, list[str]]:
    """Each flagged disclosure of a client and the rules it broke."""
    stmt = select(models.ImpermissibleDisclosure).where(models.ImpermissibleDisclosure.client_id == client_id)
    out: dict[uuid.UUID, list[str]] = {}
    for row in session.execute(stmt.order_by(models.ImpermissibleDisclosure.found_at)).scalars():
        out.setdefault(row.disclosure_id, []).append(row.rule)
    return out


def listed(session: Session, *, limit: int = 200) -> list[Finding]:
    """The impermissible disclosures for the privacy officer, newest finding first."""
    f, d, c = models.ImpermissibleDisclosure, models.Disclosure, models.Client
    stmt = (
        select(f, d.disclosed_at, c.reference)
        .join(d, d.id == f.disclosure_id)
        .join(c, c.id == f.client_id)
        .order_by(f.found_at.desc())
        .limit(limit)
    )
    return [
        Finding(
            row.id,
            row.disclosure_id,
            row.client_id,
            reference,
            disclosed_at.date(),
            row.source,
            row.rule,
            tuple(disclosure.Reason(r["rule"], r["message"]) for r in json.loads(row.reasons)),
            row.found_at,
        )
        for row, disclosed_at, reference in session.execute(stmt).all()
    ]
