"""A minor client's consent to their own care, recorded from the client's page (H-C7, P2-8)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import url_for
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms.validators import InputRequired

from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http.security import requires
from roi_tracker.services.records import clients
from roi_tracker.services.records import minors

bp = Blueprint("minors", __name__)


class MinorConsentForm(FlaskForm):
    """Did this minor lawfully consent to their own care?"""

    consented = RadioField(
        "The client is a minor who consented to this care themselves (as state law allows)",
        choices=[
            SelectChoice("yes", "Yes: the minor signs their own releases"),
            SelectChoice("no", "No: a parent or guardian signs"),
        ],
        validators=[InputRequired()],
    )


@bp.route("/clients/<client_id>/minor-consent", methods=["POST"])
@requires(Permission.CLIENT_MINOR_CONSENT_UPDATE)
def record(client_id: str) -> Any:
    """Record the minor's consent to care; from then on a parent's signature is refused (164.502(g)(3))."""
    cid = clients.parse_client_id(client_id)
    form = MinorConsentForm()
    if not form.validate_on_submit():
        raise InvalidInput("say whether the minor consented to this care", field="consented")
    yes = minors.record_consent(
        context.db_session(), context.env(), context.actor(), cid, consented=form.consented.data == "yes"
    )
    flash(
        "Recorded: the minor consented to this care and signs their own releases."
        if yes
        else "Recorded: a parent or guardian signs this client's releases.",
        "success",
    )
    return redirect(url_for("clients.page", client_id=cid))
