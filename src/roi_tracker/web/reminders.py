"""The account page's reminder settings: where reminders go, and which kinds are e-mailed (issue 21)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from flask_login import current_user

from roi_tracker.domain.roles import Access
from roi_tracker.http import context
from roi_tracker.http.security import requires
from roi_tracker.services.reminders import preferences

bp = Blueprint("reminders", __name__)


@bp.route("/account/reminders", methods=["POST"])
@requires(Access.SIGNED_IN)
def account_reminders() -> Any:
    """Save one's own reminder address and the kinds to be e-mailed about (CSRF is checked app-wide)."""
    preferences.choose_exactly(
        context.db_session(),
        context.env(),
        context.actor(),
        uuid.UUID(current_user.id),
        email=request.form.get("email", ""),
        emailed=request.form.getlist("emailed"),
    )
    flash("Reminder settings saved.", "success")
    return redirect(url_for("home.account"))
