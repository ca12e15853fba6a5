"""The JSON API, /api/v1: bearer tokens, JSON in and out, thin like web/."""

from __future__ import annotations

from typing import Any
from typing import TypeVar

from flask import Blueprint
from flask import jsonify
from flask import request
from flask_login import current_user
from pydantic import BaseModel
from pydantic import ValidationError

from roi_tracker.api.registry import openapi
from roi_tracker.api.registry import operation
from roi_tracker.api.schemas import audit as audit_schemas
from roi_tracker.api.schemas import common as common_schemas
from roi_tracker.domain.roles import Access
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http import errors
from roi_tracker.services.audit_review import log as audit_review

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
M = TypeVar("M", bound=BaseModel)


class RequestError(Exception):
    """The request body or query is malformed or invalid; carries the status and problems."""

    def __init__(self, status: int, message: str, problems: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.status = status
        self.problems = problems


@bp.errorhandler(RequestError)
def _bad_request(exc: RequestError) -> Any:
    return errors.respond(exc.status, "invalid_request", str(exc), exc.problems)


def _problems(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in err["loc"]) or "body", "message": err["msg"]}
        for err in exc.errors(include_url=False, include_input=False)
    ]


def query_of(model: type[M]) -> M:
    """Validate the query string against `model`, naming each bad field."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise RequestError(422, "the query string is invalid", _problems(exc)) from None


def body_of(model: type[M]) -> M:
    """Validate the JSON body against `model`: 400 when it is not JSON, 422 naming each bad field."""
    raw = request.get_data(cache=False)
    try:
        return model.model_validate_json(raw or b"")
    except ValidationError as exc:
        if any(err["type"] == "json_invalid" for err in exc.errors()):
            raise RequestError(
                400, "the body is not valid JSON", [{"field": "body", "message": "not JSON"}]
            ) from None
        raise RequestError(422, "the body is invalid", _problems(exc)) from None


def form_of(model: type[M]) -> M:
    """Validate multipart form fields against `model`, naming each bad field."""
    try:
        return model.model_validate(request.form.to_dict())
    except ValidationError as exc:
        raise RequestError(422, "the form fields are invalid", _problems(exc)) from None


def answer(model: BaseModel, status: int = 200) -> Any:
    """Send a validated response model as JSON."""
    return jsonify(model.model_dump(mode="json", by_alias=True)), status


@operation(
    bp,
    "/health",
    "GET",
    summary="Tell that the service is up",
    need=Access.PUBLIC,
    responses={200: common_schemas.Health},
)
def health() -> Any:
    """Answer that the service is up."""
    return answer(common_schemas.Health(status="ok"))


@operation(bp, "/openapi.json", "GET", summary="This document", need=Access.PUBLIC, responses={200: None})
def openapi_document() -> Any:
    """Serve the OpenAPI document generated from the registered operations."""
    return jsonify(openapi(PREFIX))


@operation(
    bp,
    "/me",
    "GET",
    summary="The user this token acts for",
    need=Access.SIGNED_IN,
    responses={200: common_schemas.Me},
)
def me() -> Any:
    """Tell who the token belongs to."""
    return answer(
        common_schemas.Me(
            id=current_user.id,
            username=current_user.username,
            display_name=current_user.display_name,
            role=current_user.role,
        )
    )


@operation(
    bp,
    "/audit-events",
    "GET",
    summary="Access-log entries, filtered, newest first",
    need=Permission.AUDIT_READ,
    query=audit_schemas.AuditEventQuery,
    responses={200: audit_schemas.AuditEventPage},
)
def audit_events() -> Any:
    """List access-log entries with keyset pagination."""
    q = query_of(audit_schemas.AuditEventQuery)
    filters = audit_review.Filters(q.actor, q.client_id, q.action, q.outcome, q.since, q.until)
    result = audit_review.page(
        context.db_session(), context.env(), context.actor(), filters, cursor=q.cursor, limit=q.limit
    )
    items = [audit_schemas.AuditEvent.model_validate(item, from_attributes=True) for item in result.items]
    return answer(audit_schemas.AuditEventPage(items=items, next_cursor=result.next_cursor))


@operation(
    bp,
    "/audit/verification",
    "GET",
    summary="Verify the access log now",
    need=Permission.AUDIT_VERIFY,
    responses={200: audit_schemas.Verification},
)
def audit_verification() -> Any:
    """Run the verifier and answer its verdict."""
    verdict = audit_review.run_verification(context.db_session(), context.env(), context.actor())
    return answer(audit_schemas.Verification.model_validate(verdict, from_attributes=True))


# Operations in other modules register on `bp` when imported.
from roi_tracker.api import accounting as _accounting  # noqa: E402, F401
from roi_tracker.api import clients as _clients  # noqa: E402, F401
from roi_tracker.api import exceptions as _exceptions  # noqa: E402, F401
from roi_tracker.api import incidents as _incidents  # noqa: E402, F401
from roi_tracker.api import past_disclosures as _past_disclosures  # noqa: E402, F401
from roi_tracker.api import releases as _releases  # noqa: E402, F401
from roi_tracker.api import requests as _requests  # noqa: E402, F401
from roi_tracker.api import signing as _signing  # noqa: E402, F401
