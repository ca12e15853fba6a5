"""Client pages: search (the front desk's first screen), register, client page, edit, discharge, documents."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from roi_tracker.domain import clients as rules
from roi_tracker.domain import roles
from roi_tracker.domain.errors import DomainError
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http.files import send_document
from roi_tracker.http.security import requires
from roi_tracker.services.disclosures import client_copies
from roi_tracker.services.people import users
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.records import page as client_page
from roi_tracker.services.records import part2
from roi_tracker.services.records import search as client_search
from roi_tracker.services.releases import discharge as releases_discharge
from roi_tracker.web import form_errors
from roi_tracker.web.forms.common import EmptyForm
from roi_tracker.web.forms.disclosures import ClientCopyForm
from roi_tracker.web.forms.records import ClientForm
from roi_tracker.web.forms.records import Part2Form
from roi_tracker.web.forms.records import SearchForm
from roi_tracker.web.forms.records import UploadForm

bp = Blueprint("clients", __name__)


def _clinician_choices(form: ClientForm) -> None:
    form.clinicians.choices = [
        (u.username, u.display_name)
        for u in users.list_users(context.db_session())
        if u.role == "clinician" and u.active
    ]


def _details(form: ClientForm) -> rules.Demographics:
    return rules.Demographics(
        given_name=form.given_name.data or "",
        family_name=form.family_name.data or "",
        date_of_birth=rules.parse_date(form.date_of_birth.data or "", "date_of_birth"),
        pronouns=form.pronouns.data or "",
        phone=form.phone.data or "",
        email=form.email.data or "",
        address=form.address.data or "",
        emergency_contact=form.emergency_contact.data or "",
        part2=bool(form.part2.data),
    )


def _show_error(form: Any, exc: DomainError) -> int:
    form_errors.mark_error(form, exc)
    return 422


def search(form: SearchForm) -> list[client_search.Found]:
    """Run the search the form describes (name or phone, name + date of birth, or reference)."""
    if form.q.data and form.q.data.strip():
        return client_search.by_text(context.db_session(), context.env(), context.actor(), form.q.data)
    if form.reference.data:
        return client_search.by_reference(
            context.db_session(), context.env(), context.actor(), form.reference.data
        )
    if not form.family_name.data or not form.date_of_birth.data:
        raise InvalidInput(
            "enter part of a name or phone, the family name and date of birth, or the client reference",
            field="family_name",
        )
    dob = rules.parse_date(form.date_of_birth.data, "date_of_birth")
    return client_search.by_name_and_birth(
        context.db_session(), context.env(), context.actor(), form.family_name.data, dob
    )


@bp.route("/clients", methods=["GET", "POST"])
@requires(Permission.CLIENT_SEARCH)
def search_page() -> Any:
    """Find a client. A POST, so no name or date of birth ever sits in a URL or a server log."""
    form = SearchForm()
    results = None
    status = 200
    if form.validate_on_submit():
        try:
            results = search(form)
        except InvalidInput as exc:
            status = _show_error(form, exc)
    elif request.method == "POST":
        status = 422
    return render_template("clients/search.html", form=form, results=results), status


@bp.route("/clients/new", methods=["GET", "POST"])
@requires(Permission.CLIENT_CREATE)
def register() -> Any:
    """Register a client."""
    form = ClientForm()
    _clinician_choices(form)
    if request.method == "GET" and current_user.role == "clinician":
        form.clinicians.data = [current_user.username]
    status = 200
    if form.validate_on_submit():
        try:
            view = clients.register(
                context.db_session(),
                context.env(),
                context.actor(),
                _details(form),
                list(form.clinicians.data or []),
            )
        except InvalidInput as exc:
            status = _show_error(form, exc)
        else:
            flash(f"Registered {view.reference}.", "success")
            return redirect(url_for("clients.page", client_id=view.id))
    elif request.method == "POST":
        status = 422
    return render_template("clients/form.html", form=form, title="Register a client"), status


@bp.route("/clients/<client_id>")
@requires(Permission.CLIENT_READ)
def page(client_id: str) -> Any:
    """Show a client: demographics, clinicians, documents (clinicians only), panels later steps fill."""
    return page_again(clients.parse_client_id(client_id))


def page_again(cid: Any, status: int = 200, opened_form: str = "", **forms: Any) -> Any:
    """The client page; a form of it that came back (as typed, with its problems) replaces its blank."""
    opened = client_page.open_page(context.db_session(), context.env(), context.actor(), cid)
    blank = {
        "upload": UploadForm(formdata=None),
        "copy": ClientCopyForm(formdata=None),
        "part2_form": Part2Form(formdata=None, part2="clear" if opened.client.demographics.part2 else "set"),
    }
    return render_template(
        "clients/page.html",
        page=opened,
        form=EmptyForm(),
        opened_form=opened_form,
        **{**blank, "release_problem": None, **forms},
    ), status


@bp.route("/clients/<client_id>/edit", methods=["GET", "POST"])
@requires(Permission.CLIENT_UPDATE)
def edit(client_id: str) -> Any:
    """Edit a client's details and clinicians."""
    cid = clients.parse_client_id(client_id)
    form = ClientForm()
    _clinician_choices(form)
    status = 200
    # The caseload is the clinician's to change; the front desk's edit leaves it as it is (None).
    may_assign = roles.is_granted(current_user.role, Permission.CLIENT_CASELOAD_UPDATE)
    if form.validate_on_submit():
        chosen = list(form.clinicians.data or [])
        try:
            clients.update(
                context.db_session(),
                context.env(),
                context.actor(),
                cid,
                _details(form),
                chosen if chosen or may_assign else None,
            )
        except InvalidInput as exc:
            status = _show_error(form, exc)
        else:
            flash("Saved.", "success")
            return redirect(url_for("clients.page", client_id=cid))
    elif request.method == "POST":
        status = 422
    else:
        view = clients.get(context.db_session(), context.env(), context.actor(), cid)
        d = view.demographics
        form.process(
            data={
                **d.__dict__,
                "date_of_birth": d.date_of_birth.isoformat(),
                "clinicians": list(view.clinicians),
            }
        )
    return render_template(
        "clients/form.html", form=form, title="Edit client details", editing=True, may_assign=may_assign
    ), status


@bp.route("/clients/<client_id>/part2", methods=["POST"])
@requires(Permission.CLIENT_PART2_UPDATE)
def change_part2(client_id: str) -> Any:
    """Set or clear the client's Part 2 flag (their clinician, with a reason; refused while Part 2 documents
    are on file when clearing)."""
    cid = clients.parse_client_id(client_id)
    form = Part2Form()
    if not form.validate_on_submit():
        return page_again(cid, 422, "part2", part2_form=form)
    try:
        now = part2.change(
            context.db_session(),
            context.env(),
            context.actor(),
            cid,
            part2=form.part2.data == "set",
            reason=form.reason.data or "",
        )
    except form_errors.FORM_ERRORS as exc:
        form_errors.mark_error(form, exc)
        return page_again(cid, 422, "part2", part2_form=form)
    flash("Marked as Part 2 records." if now else "The Part 2 flag is cleared.", "success")
    return redirect(url_for("clients.page", client_id=cid))


@bp.route("/clients/<client_id>/discharge", methods=["POST"])
@requires(Permission.CLIENT_DISCHARGE)
def discharge(client_id: str) -> Any:
    """Discharge a client; releases that expire at end of treatment or discharge end that day."""
    cid = clients.parse_client_id(client_id)
    raw = (request.form.get("discharged_on") or "").strip()
    try:
        on = date.fromisoformat(raw) if raw else context.env().today()
    except ValueError:
        raise InvalidInput("the discharge date must be a date as YYYY-MM-DD", field="discharged_on") from None
    releases_discharge.discharge(context.db_session(), context.env(), context.actor(), cid, discharged_on=on)
    flash("The client is discharged.", "success")
    return redirect(url_for("clients.page", client_id=cid))


@bp.route("/clients/<client_id>/documents", methods=["POST"])
@requires(Permission.DOCUMENT_UPLOAD)
def upload(client_id: str) -> Any:
    """Upload a document for a client on the clinician's caseload."""
    cid = clients.parse_client_id(client_id)
    form = UploadForm()
    if not form.validate_on_submit():
        return page_again(cid, 422, "upload", upload=form)
    try:
        view = documents.upload(
            context.db_session(),
            context.env(),
            context.actor(),
            cid,
            content=form.file.data.read(),
            category=form.category.data or "",
            title=form.title.data or "",
        )
    except form_errors.FORM_ERRORS as exc:
        form_errors.mark_error(form, exc, "file")
        return page_again(cid, form_errors.status_of(exc), "upload", upload=form)
    flash(f"Uploaded {view.title}.", "success")
    return redirect(url_for("clients.page", client_id=cid))


@bp.route("/clients/<client_id>/copies", methods=["POST"])
@requires(Permission.DISCLOSURE_TO_CLIENT)
def give_copy(client_id: str) -> Any:
    """Record a copy of records given to the client (no authorization needed; not in the accounting)."""
    cid = clients.parse_client_id(client_id)
    form = ClientCopyForm()
    form.document_ids.choices = [(d, d) for d in (form.document_ids.data or [])]
    if not form.validate_on_submit():
        return page_again(cid, 422, "copy", copy=form)
    try:
        client_copies.record(
            context.db_session(),
            context.env(),
            context.actor(),
            cid,
            categories=list(form.categories.data or []),
            channel=form.channel.data or "",
            document_ids=list(form.document_ids.data or []),
            identity_verification=form.identity_verification.data or "",
        )
    except form_errors.FORM_ERRORS as exc:
        form_errors.mark_error(form, exc)
        return page_again(cid, 422, "copy", copy=form)
    flash("The copy given to the client is recorded.", "success")
    return redirect(url_for("clients.page", client_id=cid))


@bp.route("/documents/<document_id>")
@requires(Permission.DOCUMENT_READ)
def download(document_id: str) -> Any:
    """Download a document (its client's clinicians only)."""
    view, content = documents.download(
        context.db_session(), context.env(), context.actor(), documents.parse_document_id(document_id)
    )
    return send_document(view, content)
