"""The recipients directory's upkeep: edit an entry, merge a duplicate into another, archive one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http.security import requires
from roi_tracker.services.releases import directory
from roi_tracker.services.releases import recipients
from roi_tracker.web.forms.recipients import ArchiveForm
from roi_tracker.web.forms.recipients import MergeForm
from roi_tracker.web.forms.releases import RecipientForm

bp = Blueprint("recipients", __name__)

_DETAILS = ("name", "organization", "address", "fax", "email", "phone")


def _entry(recipient_id: str) -> recipients.RecipientView:
    """A directory entry, current or archived, or 404."""
    try:
        rid = recipients.parse_recipient_id(recipient_id)
    except InvalidInput:
        raise NotFound("no such recipient") from None
    view = recipients.get(context.db_session(), context.env(), rid)
    if view.scope != "directory":
        raise NotFound("no such recipient")
    return view


def _gone(view: recipients.RecipientView, status: int) -> Any:
    """An archived entry's page: when it left the directory and where its records went; nothing to act on."""
    fate = directory.fate(context.db_session(), context.env(), view.id)
    return render_template("recipients/archived.html", recipient=view, fate=fate), status


def _current(recipient_id: str) -> recipients.RecipientView:
    """A current directory entry; acting on an archived one again (a second click) is a conflict, said so."""
    view = _entry(recipient_id)
    if view.archived:
        fate = directory.fate(context.db_session(), context.env(), view.id)
        where = f" into {fate.merged_into.display}" if fate and fate.merged_into else ""
        verb = "merged" if where else "archived"
        raise _Archived(view, f"{view.display} was already {verb}{where}; nothing was changed.")
    return view


class _Archived(Conflict):
    """An action on an entry that has left the directory."""

    def __init__(self, view: recipients.RecipientView, message: str) -> None:
        super().__init__(message)
        self.view = view


@bp.errorhandler(_Archived)
def _archived(exc: _Archived) -> Any:
    flash(str(exc), "error")
    return _gone(exc.view, 409)


def _page(view: recipients.RecipientView, form: RecipientForm, status: int = 200) -> Any:
    merge = MergeForm()
    merge.into_id.choices = [("", "—")] + [
        (str(r.id), r.display)
        for r in recipients.search(context.db_session(), context.env(), limit=500)
        if r.id != view.id
    ]
    return (
        render_template(
            "recipients/edit.html", recipient=view, form=form, merge=merge, archive=ArchiveForm()
        ),
        status,
    )


@bp.route("/recipients/<recipient_id>/edit", methods=["GET", "POST"])
@requires(Permission.RECIPIENT_UPDATE)
def edit(recipient_id: str) -> Any:
    """Correct a directory entry; its authorizations and disclosures keep pointing at it."""
    if request.method == "GET":
        view = _entry(recipient_id)
        if view.archived:
            return _gone(view, 200)
        return _page(view, RecipientForm(data={**view.__dict__}))
    view = _current(recipient_id)
    form = RecipientForm()
    if not form.validate_on_submit():
        return _page(view, form, 422)
    try:
        saved = directory.edit(
            context.db_session(),
            context.env(),
            context.actor(),
            view.id,
            kind=form.kind.data or "person",
            type=form.type.data or "other",
            **{name: getattr(form, name).data or "" for name in _DETAILS},
        )
    except InvalidInput as exc:
        target = getattr(form, exc.field or "", None)
        if target is not None:
            target.errors = [*target.errors, str(exc)]
        else:
            flash(str(exc), "error")
        return _page(view, form, 422)
    flash(f"Saved {saved.display}.", "success")
    return redirect(url_for("releases.directory"))


@bp.route("/recipients/<recipient_id>/merge", methods=["POST"])
@requires(Permission.RECIPIENT_UPDATE)
def merge(recipient_id: str) -> Any:
    """Merge a duplicate entry into another: its uses move there, it is archived."""
    view = _current(recipient_id)
    form = MergeForm()
    if not form.validate_on_submit() or not form.into_id.data:
        flash("Choose the recipient to merge into.", "error")
        return _page(view, RecipientForm(data={**view.__dict__}), 422)
    try:
        into = recipients.parse_recipient_id(form.into_id.data, field="into_id")
        moved = directory.merge(context.db_session(), context.env(), context.actor(), view.id, into)
    except InvalidInput as exc:
        flash(str(exc), "error")
        return _page(view, RecipientForm(data={**view.__dict__}), 422)
    flash(f"Merged {view.display}: {moved} record(s) now name the other entry.", "success")
    return redirect(url_for("releases.directory"))


@bp.route("/recipients/<recipient_id>/archive", methods=["POST"])
@requires(Permission.RECIPIENT_UPDATE)
def archive(recipient_id: str) -> Any:
    """Archive an entry: hidden from every chooser, its history kept."""
    view = _current(recipient_id)
    if not ArchiveForm().validate_on_submit():
        return _page(view, RecipientForm(data={**view.__dict__}), 400)
    directory.archive(context.db_session(), context.env(), context.actor(), view.id)
    flash(f"Archived {view.display}; what was sent to them stays on record.", "success")
    return redirect(url_for("releases.directory"))
