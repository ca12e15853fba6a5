"""The practice's release form templates: every version, and a new version's wording (administrators)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from roi_tracker.domain import form_templates as rules
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http.security import requires
from roi_tracker.services.signing import templates
from roi_tracker.web.forms.signing import TemplateForm
from roi_tracker.web.releases import _mark

bp = Blueprint("form_templates", __name__)


@bp.route("/admin/form-templates")
@requires(Permission.FORM_TEMPLATE_READ)
def index() -> Any:
    """Every version of every kind's form, newest first."""
    return render_template("signing/templates.html", versions=templates.every_version(context.db_session()))


@bp.route("/admin/form-templates/<kind>/new", methods=["GET", "POST"])
@requires(Permission.FORM_TEMPLATE_MANAGE)
def new_version(kind: str) -> Any:
    """Write the next version of a kind's wording, starting from the current one; old versions stay."""
    which = templates.parse_kind(kind)
    db = context.db_session()
    current = templates.current(db, which)
    form = TemplateForm()
    if request.method == "GET":
        form.title.data = current.wording.title
        for name in rules.SECTIONS:
            getattr(form, name).data = current.wording.section(name)
    elif form.validate_on_submit():
        sections = {name: getattr(form, name).data or "" for name in rules.SECTIONS}
        try:
            view = templates.create_version(
                db, context.env(), context.actor(), which, rules.Wording(form.title.data or "", sections)
            )
        except Defective as exc:
            _mark(form, exc.problems)
        else:
            flash(
                f"Version {view.version} of the {which.value} form is now the one new forms use.", "success"
            )
            return redirect(url_for("form_templates.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("signing/template_form.html", form=form, kind=which, current=current), status
