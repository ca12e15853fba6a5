"""What auditors do with the access log: filter it, page through it, review flagged entries, verify it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.audit import verify as verifier
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env

# The columns of an access-log export (web page and `audit export`): identifiers, never PHI.
CSV_COLUMNS = (
    "seq",
    "at",
    "actor",
    "actor_name",
    "role",
    "action",
    "object_type",
    "object_id",
    "client_id",
    "outcome",
    "basis",
    "request_id",
)

MAX_PAGE = 500
SIGNIN_FAILURES = (Action.SIGNIN_FAILED.value, Action.MFA_FAILED.value, Action.SIGNIN_THROTTLED.value)
QUEUES = ("refused", "signin_failures", "after_hours", "bulk_access")
# Entries that name a client but read nothing of theirs: the privacy officer's own reviews and incidents
# would otherwise make every bulk review a new bulk access.
BOOKKEEPING = (Action.AUDIT_REVIEWED.value, Action.INCIDENT_REPORTED.value)
NOTE_PURPOSE = "audit-review-note"
# How far back the computed queues (after hours, bulk access) look.
QUEUE_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class Filters:
    """What an auditor narrows the log to; every field optional, any date range."""

    actor: str | None = None
    client_id: str | None = None
    action: str | None = None
    outcome: str | None = None
    since: date | None = None
    until: date | None = None
    zone: str = "UTC"  # the days' time zone: the pages use the practice's (ROI_TIMEZONE), as they show times


@dataclass(frozen=True)
class EntryView:
    """One entry as an auditor sees it: the actor's username beside their id."""

    seq: int
    at: datetime
    actor: str
    actor_name: str
    role: str
    action: str
    object_type: str
    object_id: str
    client_id: str
    outcome: str
    basis: str
    request_id: str
    reviewed: bool = False


@dataclass(frozen=True)
class Page:
    """A page of entries, newest first, and the cursor for the next page."""

    items: list[EntryView]
    next_cursor: int | None


def parse_date(raw: str | None, field: str) -> date | None:
    """Parse YYYY-MM-DD, naming the field when it is malformed."""
    if raw is None or raw.strip() == "":
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput(f"{field} must be a date as YYYY-MM-DD", field=field) from None


def _names(session: Session) -> dict[str, str]:
    return {str(uid): name for uid, name in session.execute(select(models.User.id, models.User.username))}


def _resolve_actor(session: Session, actor: str) -> str:
    uid = session.execute(
        select(models.User.id).where(models.User.username == actor.strip().lower())
    ).scalar()
    return str(uid) if uid is not None else actor.strip()


def _filtered(session: Session, f: Filters) -> Select[tuple[models.AuditEntry]]:
    t = models.AuditEntry
    stmt = select(t)
    if f.actor:
        stmt = stmt.where(t.actor == _resolve_actor(session, f.actor))
    if f.client_id:
        stmt = stmt.where(t.client_id == f.client_id.strip())
    if f.action:
        stmt = stmt.where(t.action == f.action.strip())
    if f.outcome:
        stmt = stmt.where(t.outcome == f.outcome)
    # The first representable days mean "no lower bound" (east of UTC their midnight is before year 1).
    if f.since and f.since > date.min + timedelta(days=1):
        stmt = stmt.where(t.at >= datetime.combine(f.since, time.min, tzinfo=ZoneInfo(f.zone)))
    if f.until and f.until < date.max - timedelta(
        days=1
    ):  # the last representable day means "no upper bound"
        stmt = stmt.where(
            t.at < datetime.combine(f.until + timedelta(days=1), time.min, tzinfo=ZoneInfo(f.zone))
        )
    return stmt


def _view(row: models.AuditEntry, names: dict[str, str], reviewed: set[int]) -> EntryView:
    return EntryView(
        row.seq,
        row.at,
        row.actor,
        names.get(row.actor, row.actor),
        row.role,
        row.action,
        row.object_type,
        row.object_id,
        row.client_id,
        row.outcome,
        row.basis,
        row.request_id,
        row.seq in reviewed,
    )


def page(
    session: Session, env: Env, actor: audit.Actor, f: Filters, *, cursor: int | None = None, limit: int = 50
) -> Page:
    """Return one page of entries (keyset pagination on seq, newest first); the reading is logged."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    stmt = _filtered(session, f)
    if cursor is not None:
        stmt = stmt.where(models.AuditEntry.seq < cursor)
    rows = list(session.execute(stmt.order_by(models.AuditEntry.seq.desc()).limit(limit + 1)).scalars())
    env.log.reveal(session, actor, Action.AUDIT_READ, object_type="audit_log", object_id=str(cursor or ""))
    names = _names(session)
    reviewed = _reviewed(session, [r.seq for r in rows])
    items = [_view(r, names, reviewed) for r in rows[:limit]]
    return Page(items, rows[limit - 1].seq if len(rows) > limit else None)


def _reviewed(session: Session, seqs: list[int]) -> set[int]:
    if not seqs:
        return set()
    return set(
        session.execute(select(models.AuditReview.seq).where(models.AuditReview.seq.in_(seqs))).scalars()
    )


def export(session: Session, env: Env, actor: audit.Actor, f: Filters, fmt: str) -> Iterator[EntryView]:
    """Record the export, then yield every matching entry oldest first."""
    if fmt not in {"csv", "jsonl"}:
        raise InvalidInput("format must be csv or jsonl", field="format")
    env.log.reveal(session, actor, Action.AUDIT_EXPORTED, object_type="audit_log", object_id="", basis=fmt)
    names = _names(session)
    stmt = _filtered(session, f).order_by(models.AuditEntry.seq).execution_options(yield_per=5000)
    for row in session.execute(stmt).scalars():
        yield _view(row, names, set())


def queue(session: Session, env: Env, actor: audit.Actor, name: str, *, limit: int = 200) -> list[EntryView]:
    """Return the unreviewed entries of one review queue, newest first."""
    if name not in QUEUES:
        raise NotFound("no such review queue")
    since = env.clock() - QUEUE_WINDOW
    t = models.AuditEntry
    unreviewed = select(t).where(t.at >= since, ~t.seq.in_(select(models.AuditReview.seq)))
    if name == "refused":
        stmt = unreviewed.where(t.outcome == Outcome.REFUSED.value, t.action.not_in(SIGNIN_FAILURES))
    elif name == "signin_failures":
        stmt = unreviewed.where(t.action.in_(SIGNIN_FAILURES))
    else:
        stmt = unreviewed.where(t.client_id != "", t.action.not_in(BOOKKEEPING))
    rows = list(
        session.execute(stmt.order_by(t.seq.desc()).limit(limit if name in QUEUES[:2] else None)).scalars()
    )
    if name == "after_hours":
        rows = [r for r in rows if _after_hours(r.at, env)][:limit]
    elif name == "bulk_access":
        rows = _bulk(rows, env.settings.bulk_access_threshold)[:limit]
    env.log.reveal(session, actor, Action.AUDIT_READ, object_type="review_queue", object_id=name)
    names = _names(session)
    return [_view(r, names, set()) for r in rows]


def _after_hours(at: datetime, env: Env) -> bool:
    local = at.astimezone(ZoneInfo(env.settings.timezone))
    start, end = env.settings.business_hours
    return local.weekday() >= 5 or not (start <= local.hour < end)


def _bulk(rows: list[models.AuditEntry], threshold: int) -> list[models.AuditEntry]:
    """Keep the reads of anyone who touched more than `threshold` distinct clients within one hour."""
    buckets: dict[tuple[str, datetime], list[models.AuditEntry]] = {}
    for row in rows:
        hour = row.at.replace(minute=0, second=0, microsecond=0)
        buckets.setdefault((row.actor, hour), []).append(row)
    flagged = [
        r for group in buckets.values() if len({r.client_id for r in group}) > threshold for r in group
    ]
    return sorted(flagged, key=lambda r: r.seq, reverse=True)


def run_verification(
    session: Session, env: Env, actor: audit.Actor, *, full: bool = False
) -> verifier.Verdict:
    """Verify the log, keep the verdict with its time, and log that it ran."""
    verdict = verifier.verify(session, env.keyring, env.settings.checkpoint_dir, full=full)
    record_verdict(session, env, actor, verdict, full=full)
    return verdict


def record_verdict(
    session: Session, env: Env, actor: audit.Actor, verdict: verifier.Verdict, *, full: bool
) -> None:
    """Keep a verdict with its time and log that the verifier ran."""
    session.rollback()
    session.add(
        models.AuditVerification(
            intact=verdict.intact,
            full=full,
            verified=verdict.verified,
            head_seq=verdict.head_seq,
            first_break_seq=verdict.first_break_seq,
            reason=verdict.reason[:256],
        )
    )
    outcome = Outcome.ALLOWED if verdict.intact else Outcome.INTEGRITY_FAILURE
    env.log.append(
        session,
        actor,
        Action.AUDIT_VERIFIED,
        outcome,
        object_type="audit_log",
        object_id=str(verdict.head_seq),
        basis=str(verdict.first_break_seq or ""),
    )
    audit.commit(session)


def last_verification(session: Session) -> models.AuditVerification | None:
    """Return the most recent verifier verdict."""
    stmt = select(models.AuditVerification).order_by(models.AuditVerification.at.desc()).limit(1)
    return session.execute(stmt).scalar_one_or_none()


@dataclass(frozen=True)
class Summary:
    """The auditor's home page at a glance."""

    last_verification: models.AuditVerification | None
    head_seq: int


def summary(session: Session, env: Env) -> Summary:
    """Return the last verdict and the log's length."""
    seq, _ = audit.head(session)
    return Summary(last_verification(session), seq)
