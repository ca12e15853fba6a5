"""The enforcing hook: what each route declared decides who may call it; refusals are logged."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import flash
from flask import redirect
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user

from roi_tracker import audit
from roi_tracker.domain import roles
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.roles import Access
from roi_tracker.http import context
from roi_tracker.http import errors
from roi_tracker.http import security
from roi_tracker.http.session_store import ServerSession


def safe_next(target: str | None) -> str | None:
    """Return `target` when it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _note_expired_session() -> None:
    if isinstance(session, ServerSession) and session.expired_user is not None:
        actor = audit.Actor(str(session.expired_user), audit.ANONYMOUS_ROLE, context.actor().request_id)
        context.env().log.record_alone(
            context.db_session(),
            actor,
            Action.SESSION_EXPIRED,
            Outcome.ALLOWED,
            object_type="user",
            object_id=str(session.expired_user),
        )
        flash("You were signed out after a period without activity. Please sign in again.", "info")
        session.expired_user = None


# What a person whose password was reset may still reach before changing it.
_WHILE_MUST_CHANGE = frozenset({"auth.change_password", "auth.keepalive"})


def _must_change_password_first() -> bool:
    """Tell whether this browser's person must change a reset password before anything else."""
    return (
        not current_user.via_token
        and current_user.view.must_change_password
        and request.endpoint not in _WHILE_MUST_CHANGE
    )


def enforce() -> Any:
    """Refuse the request unless the route's declaration allows this caller (deny by default)."""
    if request.endpoint is None:
        return None  # routing will answer 404 or 405
    _note_expired_session()
    need = security.declared(request.endpoint)
    if need is None:
        return errors.respond(403, "forbidden", "This address declares no permission, so it is closed.")
    if need == Access.PUBLIC:
        return None
    if not current_user.is_authenticated:
        if errors.wants_json():
            if request.headers.get("Authorization"):
                context.env().log.record_alone(
                    context.db_session(),
                    context.actor(),
                    Action.TOKEN_REJECTED,
                    Outcome.REFUSED,
                    object_type="route",
                    object_id=request.endpoint,
                )
            return errors.respond(
                401, "unauthorized", "Send a valid API token as `Authorization: Bearer <token>`."
            )
        return redirect(url_for("auth.signin_page", next=safe_next(request.full_path.rstrip("?"))))
    if _must_change_password_first():
        return redirect(url_for("auth.change_password"))
    if need == Access.SIGNED_IN or roles.is_granted(current_user.role, need):
        return None
    context.env().log.record_alone(
        context.db_session(),
        context.actor(),
        Action.ACCESS_DENIED,
        Outcome.REFUSED,
        object_type="route",
        object_id=request.endpoint,
        basis=str(need),
    )
    return errors.respond(403, "forbidden", "Your role does not permit this.")
