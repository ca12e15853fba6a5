"""The JSON API for confidentiality exceptions, their review, and emergency access."""

from __future__ import annotations

from typing import Any

from roi_tracker.api import answer
from roi_tracker.api import body_of
from roi_tracker.api import bp
from roi_tracker.api import query_of
from roi_tracker.api.registry import operation
from roi_tracker.api.schemas import exceptions as exceptions_schemas
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.services.exceptions import emergency
from roi_tracker.services.exceptions import exceptions
from roi_tracker.services.exceptions import reviews
from roi_tracker.services.records import clients


@operation(
    bp,
    "/clients/<client_id>/exceptions",
    "POST",
    summary="Record a confidentiality exception",
    need=Permission.EXCEPTION_RECORD,
    body=exceptions_schemas.ExceptionCreate,
    responses={201: exceptions_schemas.ExceptionOut},
)
def record_exception(client_id: str) -> Any:
    """Record an exception (password re-entered); 422 names each missing field or guard with its rule."""
    data = body_of(exceptions_schemas.ExceptionCreate)
    fields = data.model_dump(exclude={"password"})
    recorded = exceptions.record(
        context.db_session(),
        context.env(),
        context.actor(),
        clients.parse_client_id(client_id),
        fields,
        data.password,
    )
    out = exceptions_schemas.ExceptionOut(
        id=str(recorded.id), review_status=recorded.review_status, disclosure_id=str(recorded.disclosure_id)
    )
    return answer(out, 201)


@operation(
    bp,
    "/exceptions",
    "GET",
    summary="The review queue of exceptions and emergency access",
    need=Permission.EXCEPTION_READ,
    query=exceptions_schemas.ExceptionQuery,
    responses={200: exceptions_schemas.ExceptionList},
)
def list_exceptions() -> Any:
    """List exceptions and emergency accesses by review status."""
    q = query_of(exceptions_schemas.ExceptionQuery)
    items = reviews.queue(context.db_session(), context.env(), context.actor(), q.review_status)
    return answer(
        exceptions_schemas.ExceptionList(
            items=[
                exceptions_schemas.ExceptionItem(
                    id=str(i.id),
                    subject_type=i.subject_type,
                    kind=i.kind,
                    client_id=str(i.client_id),
                    client_reference=i.client_reference,
                    client_name=i.client_name,
                    by=i.by,
                    at=i.at,
                    review_status=i.review_status,
                    overdue=i.overdue,
                )
                for i in items
            ]
        )
    )


@operation(
    bp,
    "/exceptions/<subject_id>/review",
    "POST",
    summary="Review an exception or emergency access",
    need=Permission.EXCEPTION_REVIEW,
    body=exceptions_schemas.ReviewCreate,
    responses={200: exceptions_schemas.ReviewOut},
)
def review_exception(subject_id: str) -> Any:
    """Record the review (never of one's own)."""
    data = body_of(exceptions_schemas.ReviewCreate)
    outcome = reviews.review(
        context.db_session(),
        context.env(),
        context.actor(),
        clients.parse_client_id(subject_id),
        outcome=data.outcome,
        notes=data.notes,
    )
    return answer(exceptions_schemas.ReviewOut(id=subject_id, review_status=outcome))


@operation(
    bp,
    "/clients/<client_id>/emergency-access",
    "POST",
    summary="Break the glass for one client",
    need=Permission.EMERGENCY_ACCESS,
    body=exceptions_schemas.EmergencyCreate,
    responses={201: exceptions_schemas.EmergencyOut},
)
def start_emergency_access(client_id: str) -> Any:
    """Open a client not on the caseload for a limited time; every auditor is told."""
    data = body_of(exceptions_schemas.EmergencyCreate)
    grant = emergency.start(
        context.db_session(),
        context.env(),
        context.actor(),
        clients.parse_client_id(client_id),
        reason=data.reason,
        justification=data.justification,
        password=data.password,
    )
    return answer(exceptions_schemas.EmergencyOut(id=str(grant.id), expires_at=grant.expires_at), 201)
