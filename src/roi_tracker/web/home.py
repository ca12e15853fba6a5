"""The home page: one per role, with what that role does first."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import render_template
from flask_login import current_user

from roi_tracker.domain.roles import Access
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http.security import requires
from roi_tracker.services import home
from roi_tracker.services.records import references
from roi_tracker.web.forms.common import EmptyForm
from roi_tracker.web.forms.records import SearchForm

bp = Blueprint("home", __name__)


@bp.route("/")
@requires(Permission.HOME_VIEW)
def index() -> Any:
    """Show the signed-in person's home page."""
    session = context.db_session()
    data = home.home_for(session, context.env(), context.actor())
    # Each open accounting request names its client by reference (issue 17, item 10).
    refs = references.references_of(session, [r.client_id for r in data.get("open_requests", [])])
    return render_template(f"home/{current_user.role}.html", search=SearchForm(), references=refs, **data)


@bp.route("/account")
@requires(Access.SIGNED_IN)
def account() -> Any:
    """Show the signed-in person's own account: role, second factor and reminder settings."""
    data = home.account_for(context.db_session(), current_user.view.id)
    return render_template("account.html", form=EmptyForm(), **data)
