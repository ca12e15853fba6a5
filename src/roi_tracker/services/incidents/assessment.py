"""The privacy officer's assessment: answers decide (H-B1..H-B3); a breach starts a clock (H-B4..H-B6)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import disclosure as disclosure_rules
from roi_tracker.domain import incidents as rules
from roi_tracker.domain import inputs
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.disclosures import impermissible

FACTORS = "incident-factors"
BREACH = "breach"  # the source of an impermissible-disclosure flag a breach adds (H-B9)


def incident_of(session: Session, incident_id: uuid.UUID) -> models.Incident:
    """Return the incident or answer NotFound."""
    row = session.get(models.Incident, incident_id)
    if row is None:
        raise NotFound("no such incident")
    return row


def client_ids_of(session: Session, incident_id: uuid.UUID) -> list[uuid.UUID]:
    """The clients an incident concerns."""
    stmt = select(models.IncidentClient.client_id).where(models.IncidentClient.incident_id == incident_id)
    return list(session.execute(stmt).scalars())


def _exclusion(value: str) -> rules.Exclusion:
    try:
        return rules.Exclusion(value)
    except ValueError:
        known = ", ".join(e.value for e in rules.Exclusion)
        rules.refuse([rules.problem("H-B1", "exclusion", f"expected one of {known}")])
        raise  # unreachable: refuse raised


def _counts(linked: int, affected: int | None, most_in_one_state: int | None) -> tuple[int, int]:
    total = linked if affected is None else affected
    state = total if most_in_one_state is None else most_in_one_state
    problems = []
    if total < linked:
        problems.append(
            rules.problem("H-B6", "affected", f"at least the {linked} clients the incident names")
        )
    if not 0 <= state <= total:
        problems.append(rules.problem("H-B5", "most_in_one_state", "between 0 and the number affected"))
    rules.refuse(problems)
    return total, state


def assess(
    session: Session,
    env: Env,
    actor: audit.Actor,
    incident_id: uuid.UUID,
    *,
    exclusion: str,
    secured: bool,
    factors: Mapping[str, str],
    low_probability: bool,
    affected: int | None = None,
    most_in_one_state: int | None = None,
) -> rules.Outcome:
    """Record the assessment and the determination that follows from it; 422 with the rule id when wrong."""
    row = incident_of(session, incident_id)
    inputs.texts(dict(factors), "factors.")
    answers = rules.Answers(
        _exclusion(exclusion), secured, {k: v.strip() for k, v in factors.items()}, low_probability
    )
    clients = client_ids_of(session, row.id)
    total, state = _counts(len(clients), affected, most_in_one_state)
    outcome = rules.determine(
        answers, discovered_on=row.discovered_on, affected=total, most_in_one_state=state
    )
    assessment_id = uuid.uuid4()
    session.add(
        models.IncidentAssessment(
            id=assessment_id,
            incident_id=row.id,
            exclusion=answers.exclusion.value,
            secured=secured,
            low_probability=low_probability,
            factors=env.keyring.seal(
                json.dumps(dict(answers.factors)).encode(), purpose=FACTORS, context=assessment_id.bytes
            ),
            affected=total,
            most_in_one_state=state,
            determination=outcome.determination.value,
            basis=json.dumps([{"rule": r.rule, "message": r.message} for r in outcome.basis]),
            assessed_by=uuid.UUID(actor.user_id),
            assessed_at=env.clock(),
        )
    )
    row.determination = outcome.determination.value
    row.hhs_by = outcome.hhs_by
    row.media_required = outcome.media_required
    targets: list[uuid.UUID | None] = [*clients] or [None]
    for cid in targets:
        env.log.append(
            session,
            actor,
            Action.INCIDENT_ASSESSED,
            Outcome.ALLOWED,
            object_type="incident",
            object_id=str(row.id),
            client_id=str(cid) if cid else "",
            basis=f"{outcome.determination.value}:{','.join(dict.fromkeys(r.rule for r in outcome.basis))}",
        )
    if outcome.determination is rules.Determination.BREACH:
        _accountable(session, env, actor, row)
    audit.commit(session)
    return outcome


def _accountable(session: Session, env: Env, actor: audit.Actor, row: models.Incident) -> None:
    # A breach that was a disclosure is accountable: it enters the client's accounting (H-B9, 164.528(a)).
    if row.disclosure_id is None or "H-B9" in impermissible.rules_of(session, row.disclosure_id):
        return
    made = session.get(models.Disclosure, row.disclosure_id)
    if made is None:
        return
    reason = disclosure_rules.Reason("H-B9", f"assessed a breach in incident {row.reference}")
    impermissible.flag(session, env, actor, made, BREACH, [reason])


def latest(session: Session, incident_id: uuid.UUID) -> models.IncidentAssessment | None:
    """The assessment that stands: the newest."""
    a = models.IncidentAssessment
    stmt = select(a).where(a.incident_id == incident_id).order_by(a.assessed_at.desc(), a.id).limit(1)
    return session.execute(stmt).scalar()


def assessed_count(session: Session, incident_id: uuid.UUID) -> int:
    """How many times the incident was assessed."""
    a = models.IncidentAssessment
    return int(session.execute(select(func.count()).where(a.incident_id == incident_id)).scalar_one())
