"""Per-request plumbing: one database session per request, the request id, the acting person."""

from __future__ import annotations

import logging
import uuid
from itertools import chain

from flask import Response
from flask import current_app
from flask import g
from flask import request
from flask_login import current_user
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.runtime import Runtime
from roi_tracker.services.context import Env

request_log = logging.getLogger("roi_tracker.requests")


def runtime() -> Runtime:
    """Return the open instance this app serves."""
    rt: Runtime = current_app.extensions["roi_runtime"]
    return rt


def env() -> Env:
    """Return the collaborators handed to services."""
    return runtime().env


def db_session() -> Session:
    """Return this request's database session, opening it on first use."""
    if "db" not in g:
        g.db = runtime().sessions()
    session: Session = g.db
    return session


def close_db_session(_exc: BaseException | None = None) -> None:
    """Close this request's database session (teardown)."""
    session = g.pop("db", None)
    if session is not None:
        session.close()


def new_request_id() -> None:
    """Give the request an id that ties its log entries together."""
    g.request_id = uuid.uuid4().hex


def refuse_nul_characters() -> None:
    """Refuse input holding NUL characters: no field accepts them and PostgreSQL text cannot store them."""
    values = chain(
        request.args.items(multi=True), request.form.items(multi=True), (request.view_args or {}).items()
    )
    for name, value in values:
        if isinstance(value, str) and "\x00" in value:
            raise InvalidInput(f"{name} must not contain NUL characters", field=name)


def log_request(response: Response) -> Response:
    """Log one line per request: method, endpoint, status, request id; never paths or values (no PHI)."""
    request_log.info(
        "%s %s %s request_id=%s",
        request.method,
        request.endpoint or "-",
        response.status_code,
        g.get("request_id"),
    )
    return response


def actor() -> audit.Actor:
    """Return the person acting in this request, as the access log names them."""
    request_id = g.get("request_id", "")
    if current_user.is_authenticated:
        return audit.Actor(user_id=str(current_user.id), role=current_user.role, request_id=request_id)
    return audit.Actor(user_id="anonymous", role=audit.ANONYMOUS_ROLE, request_id=request_id)


def client_address() -> str:
    """Return the client's address as the WSGI server saw it."""
    return request.remote_addr or "unknown"
