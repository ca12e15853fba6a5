"""The JSON API of the request desk: intake, the queue and each answer (interface.md, requests)."""

from __future__ import annotations

import uuid
from typing import Any

from roi_tracker.api import answer
from roi_tracker.api import body_of
from roi_tracker.api import bp
from roi_tracker.api import query_of
from roi_tracker.api.registry import operation
from roi_tracker.api.schemas import disclosures as disclosures_schemas
from roi_tracker.api.schemas import requests as schemas
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http import files
from roi_tracker.services.records import clients
from roi_tracker.services.requests import answers
from roi_tracker.services.requests import desk
from roi_tracker.services.requests import fulfil
from roi_tracker.services.requests import intake
from roi_tracker.services.requests import qa
from roi_tracker.services.requests import queue


def out(v: desk.View) -> schemas.RequestOut:
    """The API shape of a request."""
    return schemas.RequestOut(
        id=str(v.id),
        reference=v.reference,
        client_id=str(v.client_id),
        kind=v.kind,
        status=v.status,
        received_on=v.received_on,
        due_on=v.due_on,
        extended=v.extended,
        overdue=v.overdue,
        days_left=v.days_left,
        fee=schemas.RequestFeeOut(
            amount=v.fee_cents / 100, currency="USD", basis=v.fee_basis, status=v.fee_status
        ),
        reviewable=v.reviewable,
        disclosure_id=str(v.disclosure_id) if v.disclosure_id else None,
    )


def _client_filter(raw: str | None) -> uuid.UUID | None:
    # A filter is not a lookup: a malformed id is bad input (422), not a missing client.
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise InvalidInput("client_id is not a client id", field="client_id") from None


def _call(use_case: Any, request_id: str, *args: Any) -> Any:
    return use_case(
        context.db_session(), context.env(), context.actor(), desk.parse_request_id(request_id), *args
    )


@operation(
    bp,
    "/requests",
    "POST",
    summary="Record a request for records as received (due_on per H-A2; 422 with the rule id)",
    need=Permission.REQUEST_CREATE,
    body=schemas.RequestCreate,
    responses={201: schemas.RequestOut},
)
def create_request() -> Any:
    """Record a request received, with its clock, fee and acknowledgement letter."""
    data = body_of(schemas.RequestCreate)
    fields = data.model_dump(exclude={"client_id", "requester"})
    made = intake.Intake(
        client_id=clients.parse_client_id(data.client_id), requester=data.requester.model_dump(), **fields
    )
    view = intake.receive(context.db_session(), context.env(), context.actor(), made)
    return answer(out(view), 201)


@operation(
    bp,
    "/requests",
    "GET",
    summary="Requests, soonest due first, with cursor paging",
    need=Permission.REQUEST_READ,
    query=schemas.RequestQuery,
    responses={200: schemas.RequestPage},
)
def list_requests() -> Any:
    """List requests by the filters, soonest due first."""
    q = query_of(schemas.RequestQuery)
    filters = queue.Filters(q.status, q.kind, q.overdue, q.due_before, _client_filter(q.client_id), q.mine)
    page = queue.page(
        context.db_session(), context.env(), context.actor(), filters, cursor=q.cursor, limit=q.limit
    )
    return answer(schemas.RequestPage(items=[out(v) for v in page.items], next_cursor=page.next_cursor))


@operation(
    bp,
    "/requests/<request_id>",
    "GET",
    summary="A request with its steps and letters (requests are never deleted: DELETE answers 405)",
    need=Permission.REQUEST_READ,
    responses={200: schemas.RequestDetailOut},
)
def get_request(request_id: str) -> Any:
    """One request, its history and its letters."""
    d = _call(queue.detail, request_id)
    base = out(d.request).model_dump()
    return answer(
        schemas.RequestDetailOut(
            **base,
            events=[schemas.RequestEventOut(at=e.at, actor=e.actor, action=e.action) for e in d.events],
            letters=[
                schemas.RequestLetterOut(id=str(x.id), kind=x.kind, created_at=x.created_at)
                for x in d.letters
            ],
        )
    )


@operation(
    bp,
    "/requests/<request_id>/extend",
    "POST",
    summary="Extend an access request once, before it is due (409 citing H-A3 otherwise)",
    need=Permission.REQUEST_ANSWER,
    body=schemas.RequestReason,
    responses={200: schemas.RequestOut},
)
def extend_request(request_id: str) -> Any:
    """Extend by 30 days with the extension letter."""
    return answer(out(_call(answers.extend, request_id, body_of(schemas.RequestReason).reason)))


@operation(
    bp,
    "/requests/<request_id>/fulfil",
    "POST",
    summary="Fulfil a request through the disclosure gate (403 when nothing may be released)",
    need=Permission.REQUEST_ANSWER,
    body=schemas.RequestFulfilCreate,
    responses={201: schemas.RequestFulfilOut},
)
def fulfil_request(request_id: str) -> Any:
    """Release what the request may have, and close it."""
    data = body_of(schemas.RequestFulfilCreate)
    release = fulfil.Release(
        categories=data.categories,
        channel=data.channel,
        document_ids=data.document_ids,
        requester_verification=data.requester_verification,
        authorization_id=data.authorization_id,
        purpose=data.purpose,
        order_document_id=data.order_document_id,
        part2_order=data.part2_order,
        assurance_kind=data.assurance.kind if data.assurance else None,
        assurance_document_id=data.assurance.document_id if data.assurance else None,
    )
    done = _call(fulfil.fulfil, request_id, release)
    return answer(
        schemas.RequestFulfilOut(
            id=str(done.id),
            status="fulfilled",
            disclosure_id=str(done.disclosure_id),
            packet=f"/api/v1/disclosures/{done.disclosure_id}/packet",
            late=done.late,
            refused=[disclosures_schemas.RefusedOut.model_validate(r) for r in done.refused],
        ),
        201,
    )


@operation(
    bp,
    "/requests/<request_id>/qa",
    "POST",
    summary="A second staff member confirms the packet before release (on for legal requests by default)",
    need=Permission.REQUEST_ANSWER,
    body=schemas.RequestQaCreate,
    responses={200: schemas.RequestOut},
)
def confirm_request_packet(request_id: str) -> Any:
    """Record the second person's check of the packet's categories and documents."""
    data = body_of(schemas.RequestQaCreate)
    return answer(out(_call(qa.confirm, request_id, data.categories, data.document_ids)))


@operation(
    bp,
    "/requests/<request_id>/deny",
    "POST",
    summary="Deny a request on its grounds, with the denial letter (H-A6..H-A8)",
    need=Permission.REQUEST_ANSWER,
    body=schemas.RequestDenyCreate,
    responses={200: schemas.RequestOut},
)
def deny_request(request_id: str) -> Any:
    """Deny with grounds and a plain letter."""
    data = body_of(schemas.RequestDenyCreate)
    return answer(out(_call(answers.deny, request_id, data.grounds, data.explanation)))


@operation(
    bp,
    "/requests/<request_id>/review",
    "POST",
    summary="Review a reviewable denial by a clinician who took no part in it (409 citing H-A9)",
    need=Permission.REQUEST_REVIEW,
    body=schemas.RequestReviewCreate,
    responses={200: schemas.RequestOut},
)
def review_request(request_id: str) -> Any:
    """Record the review's outcome and its letter."""
    data = body_of(schemas.RequestReviewCreate)
    return answer(out(_call(answers.review, request_id, data.outcome, data.notes)))


@operation(
    bp,
    "/requests/<request_id>/withdraw",
    "POST",
    summary="Record that the requester withdrew the request",
    need=Permission.REQUEST_ANSWER,
    body=schemas.RequestReason,
    responses={200: schemas.RequestOut},
)
def withdraw_request(request_id: str) -> Any:
    """Close the request as withdrawn."""
    return answer(out(_call(answers.withdraw, request_id, body_of(schemas.RequestReason).reason)))


@operation(
    bp,
    "/requests/<request_id>/fee",
    "POST",
    summary="Record the fee as paid or waived (H-A5)",
    need=Permission.REQUEST_ANSWER,
    body=schemas.RequestFeeCreate,
    responses={200: schemas.RequestOut},
)
def record_request_fee(request_id: str) -> Any:
    """Record the fee's status."""
    return answer(out(_call(answers.record_fee, request_id, body_of(schemas.RequestFeeCreate).status)))


@operation(
    bp,
    "/requests/<request_id>/letters/<letter_id>",
    "GET",
    summary="A letter about the request (PDF)",
    need=Permission.REQUEST_READ,
    responses={200: None},
)
def request_letter(request_id: str, letter_id: str) -> Any:
    """The letter as PDF, its read logged."""
    name, pdf = _call(queue.letter, request_id, desk.parse_request_id(letter_id))
    return files.attachment(pdf, "application/pdf", name)
