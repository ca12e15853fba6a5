"""The accounting of disclosures: requests and suspensions (auditors), and the accounting itself."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from roi_tracker.domain import accounting as rules
from roi_tracker.domain import clients as client_rules
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http import files
from roi_tracker.http.security import requires
from roi_tracker.services.accounting import accounting
from roi_tracker.services.records import clients
from roi_tracker.services.records import references
from roi_tracker.services.releases import recipients
from roi_tracker.web import form_errors
from roi_tracker.web.forms.accounting import AccountingRequestForm
from roi_tracker.web.forms.accounting import DeliverForm
from roi_tracker.web.forms.accounting import ExtendForm
from roi_tracker.web.forms.accounting import SuspensionForm

bp = Blueprint("accounting", __name__)


def _date(raw: str | None, field: str) -> Any:
    return client_rules.parse_date(raw, field) if raw else None


def _invalid(form: Any) -> InvalidInput:
    field, messages = next(iter(form.errors.items()))
    return InvalidInput(f"{field}: {messages[0]}", field=field)


@bp.route("/accounting")
@requires(Permission.ACCOUNTING_MANAGE)
def requests_page() -> Any:
    """Open accounting requests by due date, each naming its client; forms for a request and a suspension."""
    return _requests_page()


def _requests_page(
    new: AccountingRequestForm | None = None, suspension: SuspensionForm | None = None, status: int = 200
) -> Any:
    session = context.db_session()
    open_requests = accounting.open_requests(session)
    return render_template(
        "accounting/requests.html",
        requests=open_requests,
        references=references.references_of(session, [r.client_id for r in open_requests]),
        new=new or AccountingRequestForm(formdata=None),
        suspension=suspension or _suspension_form(SuspensionForm(formdata=None)),
        extend=ExtendForm(),
        deliver=DeliverForm(),
        # An overdue request can no longer be extended (164.528(c)(1)(ii)): its form is not offered.
        today=context.env().today(),
    ), status


def _suspension_form(form: SuspensionForm) -> SuspensionForm:
    # One choice per name: the suspension holds for every directory entry the accounting shows by that name.
    by_name: dict[str, str] = {}
    for r in recipients.search(context.db_session(), context.env(), limit=500):
        by_name.setdefault(r.display, str(r.id))
    form.agency_id.choices = [("", "—")] + [(rid, name) for name, rid in by_name.items()]
    return form


@bp.route("/accounting/requests", methods=["POST"])
@requires(Permission.ACCOUNTING_MANAGE)
def new_request() -> Any:
    """Record a request: due in 60 days; a problem brings the form back as typed."""
    form = AccountingRequestForm()
    if not form.validate_on_submit():
        return _requests_page(new=form, status=422)
    session = context.db_session()
    try:
        client_id = accounting.client_by_reference(session, form.reference.data or "")
        row = accounting.open_request(
            session,
            context.env(),
            context.actor(),
            client_id,
            received_on=client_rules.parse_date(form.received_on.data or "", "received_on"),
            since=_date(form.since.data, "since"),
        )
    except form_errors.FORM_ERRORS as exc:
        form_errors.mark_error(form, exc)
        return _requests_page(new=form, status=422)
    reference = references.references_of(session, [client_id]).get(str(client_id), "")
    fee = " (fee applies)" if row.fee_cents else " (free)"
    flash(f"Request recorded for {reference}; due {row.due_on}{fee}.", "success")
    return redirect(url_for("accounting.requests_page"))


@bp.route("/accounting/requests/<request_id>/extend", methods=["POST"])
@requires(Permission.ACCOUNTING_MANAGE)
def extend(request_id: str) -> Any:
    """Extend once by 30 days with a written reason."""
    form = ExtendForm()
    if not form.validate_on_submit():
        raise _invalid(form)
    row = accounting.extend(
        context.db_session(),
        context.env(),
        context.actor(),
        clients.parse_client_id(request_id),
        form.reason.data or "",
        notice_method=form.notice_method.data or "",
    )
    flash(f"Extended; now due {row.due_on}.", "success")
    return redirect(url_for("accounting.requests_page"))


@bp.route("/accounting/requests/<request_id>/deliver", methods=["POST"])
@requires(Permission.ACCOUNTING_MANAGE)
def deliver(request_id: str) -> Any:
    """Produce the accounting for the request and record its delivery; show it for printing."""
    form = DeliverForm()
    if not form.validate_on_submit():
        raise _invalid(form)
    produced = accounting.deliver(
        context.db_session(),
        context.env(),
        context.actor(),
        clients.parse_client_id(request_id),
        method=form.method.data or "",
    )
    how = (form.method.data or "").replace("_", " ")
    flash(
        f"Delivery recorded ({how}). The accounting below is the one delivered: print it or keep it.",
        "success",
    )
    return render_template("accounting/accounting.html", produced=produced, explanation=rules.EXPLANATION)


@bp.route("/accounting/suspensions", methods=["POST"])
@requires(Permission.ACCOUNTING_MANAGE)
def suspend() -> Any:
    """Record an agency's suspension of a client's accounting; a problem brings the form back as typed."""
    form = _suspension_form(SuspensionForm())
    if not form.validate_on_submit():
        return _requests_page(suspension=form, status=422)
    raw_agency = form.agency_id.data or ""
    session = context.db_session()
    try:
        accounting.suspend(
            session,
            context.env(),
            context.actor(),
            accounting.client_by_reference(session, form.reference.data or ""),
            agency_id=recipients.parse_recipient_id(raw_agency, field="agency_id") if raw_agency else None,
            starts_on=client_rules.parse_date(form.starts_on.data or "", "starts_on"),
            ends_on=client_rules.parse_date(form.ends_on.data or "", "ends_on"),
            written=bool(form.written.data),
        )
    except form_errors.FORM_ERRORS as exc:
        form_errors.mark_error(form, exc)
        return _requests_page(suspension=form, status=422)
    flash("Suspension recorded.", "success")
    return redirect(url_for("accounting.requests_page"))


def respond(produced: accounting.Produced, fmt: str) -> Any:
    """The accounting as PDF, CSV or a page."""
    if fmt in ("pdf", "csv"):
        return files.send_accounting(produced, fmt)
    return render_template("accounting/accounting.html", produced=produced, explanation=rules.EXPLANATION)


@bp.route("/clients/<client_id>/accounting")
@requires(Permission.ACCOUNTING_PRODUCE)
def client_accounting(client_id: str) -> Any:
    """Produce a client's accounting (page, PDF or CSV); each one is logged and kept."""
    fmt = request.args.get("format", "html")
    if fmt not in ("html", "pdf", "csv"):
        raise InvalidInput("format must be html, pdf or csv", field="format")
    produced = accounting.produce(
        context.db_session(),
        context.env(),
        context.actor(),
        clients.parse_client_id(client_id),
        since=_date(request.args.get("since"), "since"),
    )
    return respond(produced, fmt)
