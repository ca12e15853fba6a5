"""The request desk in the browser: the queue (the front desk's home), intake, one request and its answers."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from wtforms import SelectChoice

from roi_tracker.domain import clients as client_rules
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http import files
from roi_tracker.http.security import requires
from roi_tracker.services.accounting import accounting
from roi_tracker.services.releases import authorizations
from roi_tracker.services.requests import answers
from roi_tracker.services.requests import desk
from roi_tracker.services.requests import enclosures
from roi_tracker.services.requests import fulfil
from roi_tracker.services.requests import intake
from roi_tracker.services.requests import qa
from roi_tracker.services.requests import queue
from roi_tracker.web import form_errors
from roi_tracker.web.forms.requests import DenyForm
from roi_tracker.web.forms.requests import FeeForm
from roi_tracker.web.forms.requests import FulfilForm
from roi_tracker.web.forms.requests import IntakeForm
from roi_tracker.web.forms.requests import QaForm
from roi_tracker.web.forms.requests import ReasonForm
from roi_tracker.web.forms.requests import ReviewForm

bp = Blueprint("requests", __name__)


def _invalid(form: Any) -> InvalidInput:
    field, messages = next(iter(form.errors.items()))
    return InvalidInput(f"{field}: {messages[0]}", field=field)


def _date(raw: str | None, field: str) -> Any:
    return client_rules.parse_date(raw, field) if raw else None


def _id(request_id: str) -> uuid.UUID:
    return desk.parse_request_id(request_id)


@bp.route("/requests")
@requires(Permission.REQUEST_READ)
def queue_page() -> Any:
    """Requests, soonest due first, with days left; filters by status, kind and mine."""
    return _queue(IntakeForm(formdata=None))


def _queue(form: IntakeForm, code: int = 200) -> Any:
    status = request.args.get("status") or "open"
    kind = request.args.get("kind") or None
    mine = request.args.get("mine") == "1"
    filters = queue.Filters(status=None if status == "all" else status, kind=kind, mine=mine)
    page = queue.page(
        context.db_session(),
        context.env(),
        context.actor(),
        filters,
        cursor=request.args.get("cursor"),
        limit=100,
    )
    return render_template(
        "requests/queue.html", page=page, status=status, kind=kind or "", mine=mine, form=form
    ), code


@bp.route("/requests", methods=["POST"])
@requires(Permission.REQUEST_CREATE)
def receive() -> Any:
    """Record a request as it arrived, with its document; a problem brings the form back as typed."""
    form = IntakeForm()
    if not form.validate_on_submit():
        return _queue(form, 422)
    session = context.db_session()
    try:
        upload = form.document.data
        made = intake.Intake(
            client_id=accounting.client_by_reference(session, form.reference.data or ""),
            kind=form.kind.data or "",
            channel=form.channel.data or "",
            requester={
                name: getattr(form, f"requester_{name}").data or ""
                for name in ("name", "organization", "address", "email", "fax", "phone")
            },
            requester_is=form.requester_is.data or "",
            categories=list(form.categories.data or []),
            format=form.format.data or "",
            received_on=_date(form.received_on.data, "received_on"),
            records_from=_date(form.records_from.data, "records_from"),
            records_to=_date(form.records_to.data, "records_to"),
            respond_by=_date(form.respond_by.data, "respond_by"),
            document=upload.read() if upload else None,
            notes=form.notes.data or "",
        )
        view = intake.receive(session, context.env(), context.actor(), made)
    except form_errors.FORM_ERRORS as exc:
        form_errors.mark_error(form, exc, aliases={"client_id": "reference"})
        return _queue(form, form_errors.status_of(exc))
    flash(f"Request {view.reference} recorded: due {view.due_on}.", "ok")
    return redirect(url_for("requests.detail", request_id=view.id))


@bp.route("/requests/<request_id>")
@requires(Permission.REQUEST_READ)
def detail(request_id: str) -> Any:
    """One request: its clock, history, letters, and the answers still open to it."""
    session, env, actor = context.db_session(), context.env(), context.actor()
    d = queue.detail(session, env, actor, _id(request_id), name_client=True)
    fulfil_form = FulfilForm()
    qa_form = QaForm()
    if d.request.status == "open" and actor.role != "auditor":
        fulfil_form.categories.data = d.categories
        docs = enclosures.enclosable(session, env, actor, d.request.id, d.categories + ["court_order"])
        fulfil_form.document_ids.choices = [
            SelectChoice(str(x.id), f"{x.title} ({x.category})") for x in docs
        ]
        qa_form.categories.data = d.categories
        qa_form.document_ids.choices = fulfil_form.document_ids.choices
        fulfil_form.assurance_document_id.choices = [SelectChoice("", "—"), *fulfil_form.document_ids.choices]
        fulfil_form.order_document_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(str(x.id), x.title) for x in docs if x.category == "court_order"
        ]
        if d.request.kind == "authorized":
            held = authorizations.list_for(session, env, actor, d.request.client_id)
            fulfil_form.authorization_id.choices = [SelectChoice("", "—")] + [
                SelectChoice(str(a.id), f"{a.label} to {a.recipient} ({a.status})") for a in held
            ]
    return render_template(
        "requests/detail.html",
        d=d,
        r=d.request,
        fulfil_form=fulfil_form,
        qa_form=qa_form,
        qa_needed=d.request.kind in env.settings.request_qa_kinds,
        reason=ReasonForm(),
        deny=DenyForm(),
        review=ReviewForm(),
        fee=FeeForm(),
    )


@bp.route("/requests/<request_id>/extend", methods=["POST"])
@requires(Permission.REQUEST_ANSWER)
def extend(request_id: str) -> Any:
    """Extend an access request once (H-A3)."""
    form = ReasonForm()
    if not form.validate_on_submit():
        raise _invalid(form)
    view = answers.extend(
        context.db_session(), context.env(), context.actor(), _id(request_id), form.reason.data or ""
    )
    flash(f"Extended: now due {view.due_on}. The extension letter is listed below.", "ok")
    return redirect(url_for("requests.detail", request_id=request_id))


@bp.route("/requests/<request_id>/fulfil", methods=["POST"])
@requires(Permission.REQUEST_ANSWER)
def fulfil_request(request_id: str) -> Any:
    """Release what the request may have, through the gate, and close it."""
    form = FulfilForm()
    # The choices are the client's documents and authorizations: the service checks every id it is given.
    form.document_ids.choices = [SelectChoice(x, x) for x in request.form.getlist("document_ids")]
    form.authorization_id.choices = [SelectChoice(request.form.get("authorization_id", ""), "")]
    form.order_document_id.choices = [SelectChoice(request.form.get("order_document_id", ""), "")]
    form.assurance_document_id.choices = [SelectChoice(request.form.get("assurance_document_id", ""), "")]
    if not form.validate_on_submit():
        raise _invalid(form)
    release = fulfil.Release(
        categories=list(form.categories.data or []),
        channel=form.channel.data or "",
        document_ids=list(form.document_ids.data or []),
        requester_verification=form.requester_verification.data or "",
        authorization_id=form.authorization_id.data or None,
        purpose=form.purpose.data or None,
        order_document_id=form.order_document_id.data or None,
        part2_order=bool(form.part2_order.data),
        assurance_kind=form.assurance_kind.data or None,
        assurance_document_id=form.assurance_document_id.data or None,
    )
    done = fulfil.fulfil(context.db_session(), context.env(), context.actor(), _id(request_id), release)
    flash(
        "Fulfilled." + (" Some categories were refused: a denial letter lists them." if done.refused else ""),
        "ok",
    )
    return redirect(url_for("requests.detail", request_id=request_id))


@bp.route("/requests/<request_id>/qa", methods=["POST"])
@requires(Permission.REQUEST_ANSWER)
def confirm_packet(request_id: str) -> Any:
    """Record the second person's check of the packet (the service checks every document id)."""
    form = QaForm()
    form.document_ids.choices = [SelectChoice(x, x) for x in request.form.getlist("document_ids")]
    if not form.validate_on_submit():
        raise _invalid(form)
    qa.confirm(
        context.db_session(),
        context.env(),
        context.actor(),
        _id(request_id),
        list(form.categories.data or []),
        list(form.document_ids.data or []),
    )
    flash("Packet checked. Another person may now fulfil the request.", "ok")
    return redirect(url_for("requests.detail", request_id=request_id))


@bp.route("/requests/<request_id>/deny", methods=["POST"])
@requires(Permission.REQUEST_ANSWER)
def deny(request_id: str) -> Any:
    """Deny on grounds, with the letter (H-A8)."""
    form = DenyForm()
    if not form.validate_on_submit():
        raise _invalid(form)
    answers.deny(
        context.db_session(),
        context.env(),
        context.actor(),
        _id(request_id),
        list(form.grounds.data or []),
        form.explanation.data or "",
    )
    flash("Denied. The denial letter is listed below.", "ok")
    return redirect(url_for("requests.detail", request_id=request_id))


@bp.route("/requests/<request_id>/review", methods=["POST"])
@requires(Permission.REQUEST_REVIEW)
def review(request_id: str) -> Any:
    """Record a review by a clinician who took no part in the denial (H-A9)."""
    form = ReviewForm()
    if not form.validate_on_submit():
        raise _invalid(form)
    answers.review(
        context.db_session(),
        context.env(),
        context.actor(),
        _id(request_id),
        form.outcome.data or "",
        form.notes.data or "",
    )
    flash("Review recorded, with its outcome letter.", "ok")
    return redirect(url_for("requests.detail", request_id=request_id))


@bp.route("/requests/<request_id>/fee", methods=["POST"])
@requires(Permission.REQUEST_ANSWER)
def record_fee(request_id: str) -> Any:
    """Record the fee as paid or waived (H-A5)."""
    form = FeeForm()
    if not form.validate_on_submit():
        raise _invalid(form)
    answers.record_fee(
        context.db_session(), context.env(), context.actor(), _id(request_id), form.status.data or ""
    )
    flash("Fee recorded.", "ok")
    return redirect(url_for("requests.detail", request_id=request_id))


@bp.route("/requests/<request_id>/withdraw", methods=["POST"])
@requires(Permission.REQUEST_ANSWER)
def withdraw(request_id: str) -> Any:
    """Record the requester's withdrawal."""
    form = ReasonForm()
    if not form.validate_on_submit():
        raise _invalid(form)
    answers.withdraw(
        context.db_session(), context.env(), context.actor(), _id(request_id), form.reason.data or ""
    )
    flash("Withdrawn.", "ok")
    return redirect(url_for("requests.detail", request_id=request_id))


@bp.route("/requests/<request_id>/letters/<letter_id>")
@requires(Permission.REQUEST_READ)
def letter(request_id: str, letter_id: str) -> Any:
    """A letter as PDF."""
    name, pdf = queue.letter(
        context.db_session(), context.env(), context.actor(), _id(request_id), _id(letter_id)
    )
    return files.attachment(pdf, "application/pdf", name)
