"""Confidentiality exceptions (guided, step-up, flagged), their review, and emergency access."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from roi_tracker.domain import exceptions as ex
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http.security import requires
from roi_tracker.services.exceptions import emergency
from roi_tracker.services.exceptions import exceptions
from roi_tracker.services.exceptions import legal_data
from roi_tracker.services.exceptions import reviews
from roi_tracker.services.records import clients
from roi_tracker.services.records import page as client_page
from roi_tracker.web import filters
from roi_tracker.web import form_errors
from roi_tracker.web.forms.exceptions import EmergencyForm
from roi_tracker.web.forms.exceptions import ExceptionForm
from roi_tracker.web.forms.exceptions import ExceptionReviewForm

bp = Blueprint("exceptions", __name__)
KIND_FIELDS = {kind.value: (*ex.FIELDS[kind],) for kind in ex.Kind}
EXTRA = {
    "danger_to_others": (
        "imminent",
        "recipient_able_to_lessen",
        "belief_source",
        "learned_as_admission_of_past_violent_crime",
        "statute",
    ),
    "danger_to_self": ("imminent", "recipient_able_to_lessen", "belief_source"),
    "child_abuse_report": ("parent_suspected",),
    "elder_abuse_report": ("client_informed_on", "not_informed_reason"),
    "court_order": ("order_categories", "part2_order"),
}


def fields_of(form: ExceptionForm, kind: str) -> dict[str, Any]:
    """The service's fields from the form, for the chosen kind."""
    names = KIND_FIELDS.get(kind, ()) + EXTRA.get(kind, ())
    fields: dict[str, Any] = {name: getattr(form, name).data for name in names}
    fields.update(
        kind=kind,
        disclosed_categories=list(form.disclosed_categories.data or []),
        occurred_at=form.occurred_at.data,
        justification=form.justification.data or "",
        channel=form.channel.data,
        recipient={
            "name": form.recipient_name.data or "",
            "organization": form.recipient_organization.data or "",
            "address": form.recipient_address.data or "",
            "type": form.recipient_type.data or "",
        },
    )
    return fields


@bp.route("/clients/<client_id>/exceptions/new", methods=["GET", "POST"])
@requires(Permission.EXCEPTION_RECORD)
def record(client_id: str) -> Any:
    """Choose the kind, read its legal basis, give exactly its fields, re-enter the password."""
    cid = clients.parse_client_id(client_id)
    kind = request.args.get("kind", "")
    if kind not in KIND_FIELDS:
        bases = {k.value: legal_data.basis_of(k.value) for k in ex.Kind}
        client = clients.get(context.db_session(), context.env(), context.actor(), cid)
        return render_template("exceptions/choose.html", client_id=cid, client=client, bases=bases)
    page = client_page.open_page(context.db_session(), context.env(), context.actor(), cid)
    form = ExceptionForm()
    form.order_document_id.choices = [("", "—")] + [(str(d.id), d.title) for d in (page.documents or [])]
    status = 200
    if form.validate_on_submit():
        try:
            recorded = exceptions.record(
                context.db_session(),
                context.env(),
                context.actor(),
                cid,
                fields_of(form, kind),
                form.password.data or "",
            )
        except (Defective, InvalidInput) as exc:
            # "recipient.type" in the API is the form's recipient_type control.
            form_errors.mark_error(form, exc, aliases={"recipient": "recipient_name"})
            status = 422
        else:
            flash(
                f"Exception recorded; the privacy officer is notified (review {recorded.review_status}).",
                "success",
            )
            return redirect(url_for("clients.page", client_id=cid))
    elif request.method == "POST":
        status = 422
    settings = context.env().settings
    return render_template(
        "exceptions/form.html",
        form=form,
        client_id=cid,
        client=page.client,
        kind=kind,
        basis=legal_data.basis_of(kind),
        fields=KIND_FIELDS[kind] + EXTRA.get(kind, ()),
        duty=legal_data.duty_to_warn(settings.practice_state, settings.duty_to_warn_override)
        if kind.startswith("danger")
        else None,
    ), status


@bp.route("/exceptions")
@requires(Permission.EXCEPTION_READ)
def queue() -> Any:
    """The privacy officer's review queue: exceptions and emergency access."""
    return _queue_page(ExceptionReviewForm(formdata=None))


def _queue_page(form: ExceptionReviewForm, failed: str = "", status: int = 200) -> Any:
    review_status = request.args.get("review_status", "pending")
    items = reviews.queue(context.db_session(), context.env(), context.actor(), review_status)
    return render_template(
        "exceptions/queue.html", items=items, status=review_status, form=form, failed=failed
    ), status


@bp.route("/exceptions/<subject_id>/review", methods=["POST"])
@requires(Permission.EXCEPTION_REVIEW)
def review(subject_id: str) -> Any:
    """Mark an exception or emergency access appropriate or inappropriate, with notes (required if not)."""
    form = ExceptionReviewForm()
    subject = clients.parse_client_id(subject_id)
    if not form.validate_on_submit():
        return _queue_page(form, str(subject), 422)
    try:
        outcome = reviews.review(
            context.db_session(),
            context.env(),
            context.actor(),
            subject,
            outcome=form.outcome.data or "",
            notes=form.notes.data or "",
        )
    except InvalidInput as exc:
        form_errors.mark_error(form, exc)
        return _queue_page(form, str(subject), 422)
    flash(f"Reviewed: {outcome}.", "success")
    return redirect(url_for("exceptions.queue"))


@bp.route("/emergency-access", methods=["GET", "POST"])
@requires(Permission.EMERGENCY_ACCESS)
def emergency_access() -> Any:
    """Break the glass: the client's reference, a reason, a justification and the password."""
    form = EmergencyForm()
    status = 200
    if form.validate_on_submit():
        try:
            grant = emergency.start_by_reference(
                context.db_session(),
                context.env(),
                context.actor(),
                form.reference.data or "",
                reason=form.reason.data or "",
                justification=form.justification.data or "",
                password=form.password.data or "",
            )
        except InvalidInput as exc:
            target = getattr(form, exc.field or "", None) or form.justification
            target.errors = [*target.errors, str(exc)]
            status = 422
        else:
            flash(
                f"Emergency access granted until {filters.when(grant.expires_at)}. "
                "Every auditor has been told.",
                "warning",
            )
            return redirect(url_for("clients.page", client_id=grant.client_id))
    elif request.method == "POST":
        status = 422
    return render_template("exceptions/emergency.html", form=form), status


@bp.route("/emergency-access/<grant_id>/end", methods=["POST"])
@requires(Permission.EMERGENCY_ACCESS)
def end_emergency(grant_id: str) -> Any:
    """End one's emergency access early."""
    emergency.end(context.db_session(), context.env(), context.actor(), clients.parse_client_id(grant_id))
    flash("Emergency access ended.", "success")
    return redirect(url_for("home.index"))
