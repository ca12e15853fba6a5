"""Per-request plumbing: one database session per request, the request id, the acting person."""

from __future__ import annotations

import uuid

from flask import current_app
from flask import g
from flask_login import current_user
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker.runtime import Runtime
from roi_tracker.services.context import Env


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


def actor() -> audit.Actor:
    """Return the person acting in this request, as the access log names them."""
    request_id = g.get("request_id", "")
    if current_user.is_authenticated:
        return audit.Actor(user_id=str(current_user.id), role=current_user.role, request_id=request_id)
    return audit.Actor(user_id="anonymous", role=audit.ANONYMOUS_ROLE, request_id=request_id)


def client_address() -> str:
    """Return the client's address (the proxy in front sets X-Forwarded-For only when configured to)."""
    from flask import request

    return request.remote_addr or "unknown"
