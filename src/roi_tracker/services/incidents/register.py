"""The incident register: listed for the privacy officer, soonest due first; read in full; the HHS log."""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import incidents as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.services.context import Env
from roi_tracker.services.incidents import assessment
from roi_tracker.services.incidents import reporting

HHS_COLUMNS = (
    "reference",
    "kind",
    "occurred_on",
    "discovered_on",
    "affected",
    "individuals_notified_on",
    "notices_sent",
)


@dataclass(frozen=True)
class Summary:
    """One incident as the register lists it: identifiers, dates and counts, never what happened."""

    id: uuid.UUID
    reference: str
    kind: str
    source: str
    determination: str
    discovered_on: date
    occurred_on: date | None
    notify_by: date
    hhs_by: date | None
    media_required: bool
    affected: int
    client_ids: tuple[uuid.UUID, ...]
    disclosure_id: uuid.UUID | None
    notices: tuple[models.IncidentNotice, ...]
    is_open: bool
    due_on: date | None
    days_left: int | None
    kept_until: date


@dataclass(frozen=True)
class Detail:
    """An incident in full for its assessment: what happened, the standing answers, the notices."""

    summary: Summary
    description: str
    client_references: dict[uuid.UUID, str]
    answers: rules.Answers | None
    basis: tuple[rules.Reason, ...]


def _outstanding(
    row: models.Incident, clients: tuple[uuid.UUID, ...], notices: list[models.IncidentNotice]
) -> list[date]:
    if row.determination == rules.Determination.PENDING:
        return [row.notify_by]
    if row.determination != rules.Determination.BREACH:
        return []
    told = {n.client_id for n in notices if n.audience == rules.Audience.INDIVIDUAL}
    sent = {n.audience for n in notices}
    due = [row.notify_by] if set(clients) - told else []
    if row.media_required and rules.Audience.MEDIA not in sent:
        due.append(row.notify_by)
    if rules.Audience.HHS not in sent and row.hhs_by is not None:
        due.append(row.hhs_by)
    return due


def summarize(session: Session, row: models.Incident, *, today: date) -> Summary:
    """Summarize an incident: what is outstanding, when it is due, and how long it is kept (H-B8)."""
    clients = tuple(assessment.client_ids_of(session, row.id))
    n = models.IncidentNotice
    notices = list(session.execute(select(n).where(n.incident_id == row.id).order_by(n.sent_on)).scalars())
    standing = assessment.latest(session, row.id)
    due = _outstanding(row, clients, notices)
    due_on = min(due) if due else None
    return Summary(
        row.id,
        row.reference,
        row.kind,
        row.source,
        row.determination,
        row.discovered_on,
        row.occurred_on,
        row.notify_by,
        row.hhs_by,
        row.media_required,
        standing.affected if standing is not None else len(clients),
        clients,
        row.disclosure_id,
        tuple(notices),
        bool(due),
        due_on,
        rules.days_left(due_on, today=today) if due_on else None,
        rules.kept_until(row.discovered_on, notices[-1].sent_on if notices else None),
    )


def listed(
    session: Session,
    env: Env,
    actor: audit.Actor,
    *,
    determination: str | None = None,
    year: int | None = None,
) -> list[Summary]:
    """The incidents, open ones soonest due first, then the rest newest first; the read is logged."""
    if determination is not None and determination not in set(rules.Determination):
        raise InvalidInput("determination must be pending, not_a_breach or breach", field="determination")
    stmt = select(models.Incident)
    if determination is not None:
        stmt = stmt.where(models.Incident.determination == determination)
    if year is not None:
        stmt = stmt.where(
            models.Incident.discovered_on >= date(year, 1, 1),
            models.Incident.discovered_on <= date(year, 12, 31),
        )
    env.log.reveal(
        session, actor, Action.INCIDENT_READ, object_type="incidents", object_id="", basis="register"
    )
    today = env.today()
    items = [summarize(session, row, today=today) for row in session.execute(stmt).scalars()]
    open_items = sorted((i for i in items if i.is_open), key=lambda i: (i.due_on, i.reference))
    closed = sorted((i for i in items if not i.is_open), key=lambda i: i.discovered_on, reverse=True)
    return open_items + closed


def open_for_home(session: Session, env: Env) -> list[Summary]:
    """Open incidents soonest due first, for the privacy officer's home (identifiers and dates only)."""
    today = env.today()
    rows = session.execute(select(models.Incident)).scalars()
    items = [s for s in (summarize(session, row, today=today) for row in rows) if s.is_open]
    return sorted(items, key=lambda i: (i.due_on, i.reference))


def detail(session: Session, env: Env, actor: audit.Actor, incident_id: uuid.UUID) -> Detail:
    """Read an incident in full; the read is logged and committed before anything is decrypted."""
    row = assessment.incident_of(session, incident_id)
    summary = summarize(session, row, today=env.today())
    targets: list[uuid.UUID | None] = [*summary.client_ids] or [None]
    for cid in targets:
        env.log.append(
            session,
            actor,
            Action.INCIDENT_READ,
            Outcome.ALLOWED,
            object_type="incident",
            object_id=str(row.id),
            client_id=str(cid) if cid else "",
            basis="detail",
        )
    audit.commit(session)
    description = env.keyring.open(
        bytes(row.description), purpose=reporting.DESCRIPTION, context=row.id.bytes
    ).decode()
    refs = {
        c.id: c.reference
        for c in session.execute(
            select(models.Client).where(models.Client.id.in_(summary.client_ids))
        ).scalars()
    }
    standing = assessment.latest(session, row.id)
    answers = None
    basis: tuple[rules.Reason, ...] = ()
    if standing is not None:
        factors = json.loads(
            env.keyring.open(bytes(standing.factors), purpose=assessment.FACTORS, context=standing.id.bytes)
        )
        answers = rules.Answers(
            rules.Exclusion(standing.exclusion), standing.secured, factors, standing.low_probability
        )
        basis = tuple(rules.Reason(r["rule"], r["message"]) for r in json.loads(standing.basis))
    return Detail(summary, description, refs, answers, basis)


def hhs_log(session: Session, env: Env, actor: audit.Actor, year: int) -> str:
    """The year's breaches under 500 as CSV for the HHS portal, due 60 days after the year ends (H-B6)."""
    if not 1900 <= year <= 2200:
        raise InvalidInput("year must be between 1900 and 2200", field="year")
    env.log.reveal(
        session,
        actor,
        Action.INCIDENT_LOG_EXPORTED,
        object_type="incidents",
        object_id=str(year),
        basis="H-B6",
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HHS_COLUMNS)
    today = env.today()
    for item in listed_breaches(session, year, today=today):
        if item.affected >= rules.LARGE:
            continue  # reported to HHS with the individuals, not in the year's log (164.408(b))
        told = [n.sent_on for n in item.notices if n.audience == rules.Audience.INDIVIDUAL]
        writer.writerow(
            [
                item.reference,
                item.kind,
                item.occurred_on or "",
                item.discovered_on,
                item.affected,
                max(told) if told else "",
                len(item.notices),
            ]
        )
    return out.getvalue()


def listed_breaches(session: Session, year: int, *, today: date) -> list[Summary]:
    """The breaches discovered in `year`, oldest first."""
    i = models.Incident
    stmt = (
        select(i)
        .where(i.determination == rules.Determination.BREACH.value)
        .where(i.discovered_on >= date(year, 1, 1), i.discovered_on <= date(year, 12, 31))
        .order_by(i.discovered_on, i.reference)
    )
    return [summarize(session, row, today=today) for row in session.execute(stmt).scalars()]
