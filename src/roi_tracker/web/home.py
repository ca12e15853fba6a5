"""The home page: one per role, with what that role does first."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import render_template
from flask_login import current_user

from roi_tracker.domain.roles import Access
from roi_tracker.domain.roles import Permission
from roi_tracker.domain.roles import Role
from roi_tracker.services import audit_review
from roi_tracker.services import users
from roi_tracker.web import context
from roi_tracker.web.security import requires

bp = Blueprint("home", __name__)


@bp.route("/")
@requires(Permission.HOME_VIEW)
def index() -> Any:
    """Show the signed-in person's home page."""
    role = current_user.role
    data: dict[str, Any] = {}
    if role == Role.AUDITOR:
        data["summary"] = audit_review.summary(context.db_session(), context.env())
    elif role == Role.ADMIN:
        data["user_count"] = len(users.list_users(context.db_session()))
    return render_template(f"home/{role}.html", **data)


@bp.route("/account")
@requires(Access.SIGNED_IN)
def account() -> Any:
    """Show the signed-in person's own account: role and second factor."""
    view = users.get_user(context.db_session(), current_user.view.id)
    return render_template("account.html", user=view)
