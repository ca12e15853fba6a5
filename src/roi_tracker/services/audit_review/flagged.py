"""Reviews of the access log's flagged entries: appropriate or inappropriate, each with a sealed note.

An inappropriate read of a client's records opens an incident for the privacy officer (issue 19, H-B7).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import incidents as incident_rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.audit_review.log import BOOKKEEPING
from roi_tracker.services.audit_review.log import NOTE_PURPOSE
from roi_tracker.services.audit_review.log import QUEUES
from roi_tracker.services.context import Env
from roi_tracker.services.incidents import reporting as incidents

OUTCOMES = ("appropriate", "inappropriate")


@dataclass(frozen=True)
class Reviewed:
    """What one review decided: the entries it covered and the incident it opened, if any."""

    seqs: tuple[int, ...]
    outcome: str
    incident_reference: str | None


def review(
    session: Session, env: Env, actor: audit.Actor, seq: int, queue_name: str, note: str, outcome: str
) -> Reviewed:
    """Review one flagged entry, appropriate or inappropriate, with a sealed note; the review is logged.

    A bulk access is one episode: reviewing one of its reads reviews every unreviewed read the same person
    made in that hour. Reads of client records reviewed as inappropriate open an incident for the privacy
    officer to assess (H-B7: discovered today; issue 19), naming every client read; a refused attempt or a
    failed sign-in disclosed nothing and opens none.
    """
    if queue_name not in QUEUES:
        raise InvalidInput("unknown review queue", field="queue")
    if outcome not in OUTCOMES:
        raise InvalidInput("say whether the access was appropriate or inappropriate", field="outcome")
    note = note.strip()
    if not note or len(note) > 2000:
        raise InvalidInput("a review note of 1 to 2000 characters is required", field="note")
    entry = session.get(models.AuditEntry, seq)
    if entry is None:
        raise NotFound("no such log entry")
    if session.execute(select(models.AuditReview.id).where(models.AuditReview.seq == seq)).first():
        raise Conflict(f"entry {seq} has already been reviewed")
    covered = _episode(session, entry) if queue_name == "bulk_access" else [entry]
    for row in covered:
        review_id = uuid.uuid4()
        sealed = env.keyring.seal(note.encode("utf-8"), purpose=NOTE_PURPOSE, context=review_id.bytes)
        session.add(
            models.AuditReview(
                id=review_id,
                seq=row.seq,
                queue=queue_name,
                outcome=outcome,
                reviewer_id=uuid.UUID(actor.user_id),
                note=sealed,
            )
        )
        env.log.append(
            session,
            actor,
            Action.AUDIT_REVIEWED,
            Outcome.ALLOWED,
            object_type="audit_entry",
            object_id=str(row.seq),
            basis=f"{queue_name}:{outcome}",
        )
    opened = _incident(session, env, actor, queue_name, covered) if outcome == "inappropriate" else None
    audit.commit(session)
    return Reviewed(tuple(r.seq for r in covered), outcome, opened)


def _episode(session: Session, entry: models.AuditEntry) -> list[models.AuditEntry]:
    """The unreviewed client-record entries of the same person in the same clock hour as `entry`."""
    t = models.AuditEntry
    hour = entry.at.replace(minute=0, second=0, microsecond=0)
    stmt = (
        select(t)
        .where(
            t.actor == entry.actor,
            t.client_id != "",
            t.action.not_in(BOOKKEEPING),
            t.at >= hour,
            t.at < hour + timedelta(hours=1),
            ~t.seq.in_(select(models.AuditReview.seq)),
        )
        .order_by(t.seq)
    )
    rows = list(session.execute(stmt).scalars())
    return rows if any(r.seq == entry.seq for r in rows) else [entry, *rows]


def _incident(
    session: Session, env: Env, actor: audit.Actor, queue_name: str, covered: list[models.AuditEntry]
) -> str | None:
    # Only what was allowed reached anyone: a read of a client's record that should not have happened.
    read = [r for r in covered if r.client_id and r.outcome == Outcome.ALLOWED.value]
    clients = list(dict.fromkeys(uuid.UUID(r.client_id) for r in read))
    stored = set(session.execute(select(models.Client.id).where(models.Client.id.in_(clients))).scalars())
    known = [c for c in clients if c in stored]
    if not known:
        return None
    seqs = f"{read[0].seq}" if len(read) == 1 else f"{read[0].seq} to {read[-1].seq}"
    opened = incidents.open_detected(
        session,
        env,
        actor,
        kind=incident_rules.Kind.UNAUTHORIZED_ACCESS,
        source=incidents.LOG_REVIEW,
        client_id=known[0],
        more_clients=known[1:],
        description=(
            f"Found by the product: {len(read)} access(es) to the records of {len(known)} client(s) "
            f"(access-log entries {seqs}, review queue {queue_name}) were reviewed as inappropriate "
            f"on {env.today()}"
        ),
    )
    return opened.reference if opened is not None else None
