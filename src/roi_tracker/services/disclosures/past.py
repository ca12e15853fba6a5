"""Disclosures made earlier (on paper) and entered afterwards: judged on their date, never a packet."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import time

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import disclosure
from roi_tracker.domain import inputs
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.services.context import Env
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.disclosures import impermissible


@dataclass(frozen=True)
class PastRecorded:
    """A past disclosure as entered: permissible on its date, or flagged with every reason."""

    id: uuid.UUID
    client_id: uuid.UUID
    basis: str
    disclosed_at: datetime
    reasons: tuple[tuple[str, disclosure.Reason], ...]

    @property
    def permissible(self) -> bool:
        """Tell whether the gate would have permitted it on its date."""
        return not self.reasons


def _reasons(
    decision: disclosure.Decision, authorization_id: str | None
) -> list[tuple[str, disclosure.Reason]]:
    out = [(r.category.value, reason) for r in decision.refused for reason in r.reasons]
    if authorization_id and any(p.authorization_id != authorization_id for p in decision.permitted):
        out.append(("", disclosure.Reason("DT-1", "The authorization named is not the one that covered it.")))
    return out


def _authorization(session: Session, client: models.Client, raw: str | None) -> uuid.UUID | None:
    if not raw:
        return None
    try:
        row = session.get(models.Authorization, uuid.UUID(str(raw)))
    except ValueError:
        row = None
    if row is None or row.client_id != client.id:
        raise InvalidInput("authorization_id names no authorization of this client", field="authorization_id")
    return row.id


def record_past(
    session: Session,
    env: Env,
    actor: audit.Actor,
    q: disclosures.Question,
    *,
    channel: str,
    requester_verification: str,
    authorization_id: str | None = None,
) -> PastRecorded:
    """Record a disclosure made on `q.on`, judged against what was on file then; flag it if impermissible."""
    if inputs.plausible(q.on, "on") and q.on > env.today():
        raise InvalidInput("a disclosure made earlier cannot be dated in the future", field="on")
    disclosures.check_channel(channel)
    verification = disclosures.verified(inputs.text(requester_verification, "requester_verification"))
    client, _key, decision, part2 = disclosures.judge(session, env, actor, q, Action.DISCLOSURE_PAST_RECORDED)
    named = _authorization(session, client, authorization_id)
    reasons = _reasons(decision, authorization_id)
    labels = sorted({p.label for p in decision.permitted})
    covering = uuid.UUID(decision.permitted[0].authorization_id) if decision.permitted else None
    basis = ",".join(labels)[:64] if not reasons else f"impermissible:{reasons[0][1].rule}"
    details = {**disclosures.details_of(q, [], verification, labels, part2), "entered_later": True}
    row = disclosures.add(
        session,
        env,
        actor,
        client,
        details,
        made_at=datetime.combine(q.on, time.min, tzinfo=UTC),
        action=Action.DISCLOSURE_PAST_RECORDED,
        basis=basis,
        channel=channel,
        recipient_id=q.recipient_id,
        authorization_id=named or covering,
    )
    if reasons:
        # Impermissible on its date: recorded all the same (it happened), flagged and accountable (H-B9).
        found = list(dict.fromkeys(r for _, r in reasons))
        impermissible.flag(session, env, actor, row, impermissible.PAST_DISCLOSURE, found)
    audit.commit(session)
    return PastRecorded(row.id, client.id, basis, row.disclosed_at, tuple(reasons))
