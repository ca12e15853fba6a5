"""The JSON API for incidents: reported by anyone, assessed and notified by the privacy officer (H-B1..B9)."""

from __future__ import annotations

from typing import Any

from roi_tracker.api import answer
from roi_tracker.api import body_of
from roi_tracker.api import bp
from roi_tracker.api import query_of
from roi_tracker.api.registry import operation
from roi_tracker.api.schemas import incidents as schemas
from roi_tracker.domain.roles import Access
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http import files
from roi_tracker.services.incidents import assessment
from roi_tracker.services.incidents import notices
from roi_tracker.services.incidents import register
from roi_tracker.services.incidents import reporting
from roi_tracker.services.records import clients


def item_of(s: register.Summary) -> schemas.IncidentItem:
    """The register's shape of one incident."""
    return schemas.IncidentItem(
        id=str(s.id),
        reference=s.reference,
        kind=s.kind,
        source=s.source,
        determination=s.determination,
        discovered_on=s.discovered_on,
        occurred_on=s.occurred_on,
        notify_by=s.notify_by,
        hhs_by=s.hhs_by,
        media_required=s.media_required,
        affected=s.affected,
        client_ids=[str(c) for c in s.client_ids],
        disclosure_id=str(s.disclosure_id) if s.disclosure_id else None,
        open=s.is_open,
        due_on=s.due_on,
        days_left=s.days_left,
        kept_until=s.kept_until,
        notices=[
            schemas.NoticeSent(
                audience=n.audience,
                client_id=str(n.client_id) if n.client_id else None,
                sent_on=n.sent_on,
                method=n.method,
            )
            for n in s.notices
        ],
    )


@operation(
    bp,
    "/incidents",
    "POST",
    summary="Report an incident the day it is discovered (H-B7); notify_by is discovery + 60 days (H-B4)",
    need=Access.SIGNED_IN,
    body=schemas.IncidentCreate,
    responses={201: schemas.IncidentOut},
)
def report_incident() -> Any:
    """Open an incident; a discovery date in the future is 422 with H-B7."""
    data = body_of(schemas.IncidentCreate)
    opened = reporting.report(
        context.db_session(),
        context.env(),
        context.actor(),
        kind=data.kind,
        discovered_on=data.discovered_on,
        occurred_on=data.occurred_on,
        description=data.description,
        disclosure_id=data.disclosure_id,
        client_ids=data.client_ids,
    )
    out = schemas.IncidentOut(
        id=str(opened.id),
        reference=opened.reference,
        kind=opened.kind,
        determination=opened.determination,
        discovered_on=opened.discovered_on,
        notify_by=opened.notify_by,
    )
    return answer(out, 201)


@operation(
    bp,
    "/incidents",
    "GET",
    summary="The incident register, open incidents soonest due first",
    need=Permission.INCIDENT_READ,
    query=schemas.IncidentQuery,
    responses={200: schemas.IncidentList},
)
def list_incidents() -> Any:
    """List incidents by determination and year of discovery."""
    q = query_of(schemas.IncidentQuery)
    items = register.listed(
        context.db_session(), context.env(), context.actor(), determination=q.determination, year=q.year
    )
    return answer(schemas.IncidentList(items=[item_of(s) for s in items]))


@operation(
    bp,
    "/incidents/hhs-log",
    "GET",
    summary="CSV of the year's breaches under 500, due at HHS 60 days after the year ends (H-B6)",
    need=Permission.INCIDENT_READ,
    query=schemas.HhsLogQuery,
    responses={200: None},
    media=("text/csv",),
)
def hhs_log() -> Any:
    """The year's HHS breach log as CSV."""
    q = query_of(schemas.HhsLogQuery)
    text = register.hhs_log(context.db_session(), context.env(), context.actor(), q.year)
    return files.attachment(text, "text/csv", f"hhs-breach-log-{q.year}.csv")


@operation(
    bp,
    "/incidents/<incident_id>/assessment",
    "POST",
    summary="Assess an incident: the determination follows from the answers (H-B1, H-B2, H-B3)",
    need=Permission.INCIDENT_ASSESS,
    body=schemas.AssessmentCreate,
    responses={200: schemas.AssessmentOut},
)
def assess_incident(incident_id: str) -> Any:
    """Record the assessment; low probability with a factor left blank is 422 with H-B3."""
    data = body_of(schemas.AssessmentCreate)
    outcome = assessment.assess(
        context.db_session(),
        context.env(),
        context.actor(),
        reporting.parse_id(incident_id),
        exclusion=data.exclusion,
        secured=data.secured,
        factors=data.factors.model_dump(),
        low_probability=data.low_probability,
        affected=data.affected,
        most_in_one_state=data.most_in_one_state,
    )
    out = schemas.AssessmentOut(
        determination=outcome.determination.value,
        basis=[schemas.Basis(rule=r.rule, message=r.message) for r in outcome.basis],
        notify_by=outcome.notify_by,
        affected=outcome.affected,
        hhs_by=outcome.hhs_by,
        media_required=outcome.media_required,
    )
    return answer(out)


@operation(
    bp,
    "/incidents/<incident_id>/notices/<client_id>",
    "GET",
    summary="The breach notice to one affected client, as PDF (H-B4)",
    need=Permission.INCIDENT_NOTIFY,
    responses={200: None},
    media=("application/pdf",),
)
def incident_notice(incident_id: str, client_id: str) -> Any:
    """Produce the notice letter; logged before it is made."""
    notice = notices.produce(
        context.db_session(),
        context.env(),
        context.actor(),
        reporting.parse_id(incident_id),
        clients.parse_client_id(client_id),
    )
    return files.attachment(notice.pdf, "application/pdf", f"breach-notice-{notice.client_reference}.pdf")


@operation(
    bp,
    "/incidents/<incident_id>/notices",
    "POST",
    summary="Record when a notice went out and how (H-B4..H-B6); dates before discovery are 422",
    need=Permission.INCIDENT_NOTIFY,
    body=schemas.NoticeCreate,
    responses={201: schemas.NoticeOut},
)
def record_incident_notice(incident_id: str) -> Any:
    """Record a notice sent to an individual, the media or HHS."""
    data = body_of(schemas.NoticeCreate)
    row = notices.record_sent(
        context.db_session(),
        context.env(),
        context.actor(),
        reporting.parse_id(incident_id),
        audience=data.audience,
        sent_on=data.sent_on,
        method=data.method,
        client_id=clients.parse_client_id(data.client_id) if data.client_id else None,
    )
    out = schemas.NoticeOut(
        id=str(row.id),
        audience=row.audience,
        client_id=str(row.client_id) if row.client_id else None,
        sent_on=row.sent_on,
        method=row.method,
    )
    return answer(out, 201)
