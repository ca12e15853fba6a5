"""One authorization's page: its terms, its standing, its signed form, what may be done, its history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import render_template

from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http.security import requires
from roi_tracker.services.records import clients
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import history
from roi_tracker.web.forms.common import EmptyForm

bp = Blueprint("authorization", __name__)


@bp.route("/clients/<client_id>/authorizations/<auth_id>")
@requires(Permission.AUTHORIZATION_READ)
def page(client_id: str, auth_id: str) -> Any:
    """Show one authorization of a client and its history (caseload clinicians and the front desk)."""
    opened = history.open_authorization(
        context.db_session(),
        context.env(),
        context.actor(),
        clients.parse_client_id(client_id),
        authorizations.parse_authorization_id(auth_id),
    )
    return render_template("releases/authorization.html", page=opened, form=EmptyForm())
