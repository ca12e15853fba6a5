"""Item sources: each kind of reminder says which people it is for and which items each of them has.

Adding a source is three small steps, and nothing else changes (collect, notify and the home page read
SOURCES):

1. Name its kind and its line in `domain/reminders.py` (`Kind.REQUEST_DUE = "request_due"`, and
   `LABELS[Kind.REQUEST_DUE] = "requests due within 7 days or late"`).
2. Write one function `(session, env, person) -> list[Item]` returning what needs `person`: for the request
   desk, the open requests due within 7 days or late, all of them for the front desk and the request's own
   for a clinician; for incidents, those whose notice date nears, for the privacy officer. Each item is
   `Item(kind, key=str(row.id), reference=row.reference)`: the key de-duplicates (never shown), the reference
   (C-0042, R-0007) is all a message or the home page says of it. Read identifiers only; never decrypt.
3. Append `Source(Kind.REQUEST_DUE, frozenset({Role.FRONT_DESK, Role.CLINICIAN}), _requests_due)` to SOURCES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import models
from roi_tracker.domain import reminders
from roi_tracker.domain.incidents import Determination
from roi_tracker.domain.reminders import Item
from roi_tracker.domain.reminders import Kind
from roi_tracker.domain.requests import Status as RequestStatus
from roi_tracker.domain.roles import Role
from roi_tracker.services.context import Env
from roi_tracker.services.incidents import register

Items = Callable[[Session, Env, models.User], list[Item]]


@dataclass(frozen=True)
class Source:
    """One kind of reminder: the roles it is for, and the items that need one person of those roles."""

    kind: Kind
    roles: frozenset[Role]
    items: Items

    def for_person(self, session: Session, env: Env, person: models.User) -> list[Item]:
        """Return `person`'s items of this kind, or none when the kind is not for their role."""
        if person.role not in self.roles:
            return []
        return self.items(session, env, person)


def _expiring_authorizations(session: Session, env: Env, person: models.User) -> list[Item]:
    """Authorizations on the clinician's caseload ending within ROI_EXPIRING_DAYS, still in force."""
    today = env.today()
    a, c = models.Authorization, models.Client
    mine = select(models.CaseloadAssignment.client_id).where(models.CaseloadAssignment.user_id == person.id)
    rows = session.execute(
        select(a.id, c.reference)
        .join(c, c.id == a.client_id)
        .where(
            c.shredded_at.is_(None),
            a.client_id.in_(mine),
            a.expires_on >= today,
            a.expires_on <= today + timedelta(days=env.settings.expiring_days),
            a.revoked_on.is_(None),
            a.expiry_event_on.is_(None),
        )
        .order_by(a.expires_on)
    ).all()
    return [Item(Kind.AUTHORIZATION_EXPIRING, str(auth_id), ref) for auth_id, ref in rows]


def _reviews_waiting(session: Session, env: Env, person: models.User) -> list[Item]:
    """Exceptions and emergency accesses no one has reviewed yet, by their client's reference."""
    del env, person  # every privacy officer reviews the whole practice's
    reviewed = select(models.Review.subject_id)
    c = models.Client
    out: list[Item] = []
    for subject in (models.ConfidentialityException, models.EmergencyAccess):
        rows = session.execute(
            select(subject.id, c.reference)
            .join(c, c.id == subject.client_id)
            .where(subject.id.not_in(reviewed))
            .order_by(c.reference)
        ).all()
        out += [Item(Kind.REVIEW_WAITING, str(row_id), ref) for row_id, ref in rows]
    return out


def _failed_verification(session: Session, env: Env, person: models.User) -> list[Item]:
    """The newest `audit verify` verdict, when it found the log broken or could not vouch for it."""
    del env, person
    v = models.AuditVerification
    newest = session.execute(select(v).order_by(v.at.desc()).limit(1)).scalar_one_or_none()
    if newest is None or newest.intact:
        return []
    where = newest.first_break_seq if newest.first_break_seq is not None else newest.head_seq
    return [Item(Kind.LOG_VERIFICATION_FAILED, str(newest.id), f"entry {where}")]


REQUEST_DUE_DAYS = 7  # an access request is due 30 days after receipt (H-A2): a week's warning


def _requests_due(session: Session, env: Env, person: models.User) -> list[Item]:
    """Open requests due within 7 days or late: all for the front desk, a caseload's for a clinician."""
    r = models.RecordRequest
    stmt = select(r.id, r.due_on, r.reference).where(
        r.status == RequestStatus.OPEN, r.due_on <= env.today() + timedelta(days=REQUEST_DUE_DAYS)
    )
    if person.role == Role.CLINICIAN:
        mine = select(models.CaseloadAssignment.client_id).where(
            models.CaseloadAssignment.user_id == person.id
        )
        stmt = stmt.where(r.client_id.in_(mine))
    rows = session.execute(stmt.order_by(r.due_on, r.reference)).all()
    return [Item(Kind.REQUEST_DUE, f"{row_id}:{due_on}", ref) for row_id, due_on, ref in rows]


INCIDENT_NOTICE_DAYS = 14  # a breach notice is due 60 days after discovery (H-B4): two weeks' warning


def _incident_notices_due(session: Session, env: Env, person: models.User) -> list[Item]:
    """Incidents with a notice (or a determination) outstanding whose date is within 14 days or past."""
    del person  # every privacy officer answers for the practice's incidents
    today = env.today()
    horizon = today + timedelta(days=INCIDENT_NOTICE_DAYS)
    rows = session.execute(
        select(models.Incident).where(models.Incident.determination != Determination.NOT_A_BREACH)
    ).scalars()
    out: list[Item] = []
    for row in rows:
        summary = register.summarize(session, row, today=today)
        if summary.is_open and summary.due_on is not None and summary.due_on <= horizon:
            out.append(Item(Kind.INCIDENT_NOTICE_DUE, f"{row.id}:{summary.due_on}", row.reference))
    return sorted(out, key=lambda item: item.reference)


SOURCES: tuple[Source, ...] = (
    Source(Kind.AUTHORIZATION_EXPIRING, frozenset({Role.CLINICIAN}), _expiring_authorizations),
    Source(Kind.REVIEW_WAITING, frozenset({Role.AUDITOR}), _reviews_waiting),
    Source(Kind.LOG_VERIFICATION_FAILED, frozenset({Role.AUDITOR, Role.ADMIN}), _failed_verification),
    Source(Kind.INCIDENT_NOTICE_DUE, frozenset({Role.AUDITOR}), _incident_notices_due),
    Source(Kind.REQUEST_DUE, frozenset({Role.FRONT_DESK, Role.CLINICIAN}), _requests_due),
)


def kinds_for(role: str) -> list[Kind]:
    """The kinds of reminder a person of `role` can get (and so opt out of), in LABELS order."""
    offered = {s.kind for s in SOURCES if role in s.roles}
    return [k for k in reminders.LABELS if k in offered]
