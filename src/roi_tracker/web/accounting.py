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
from roi_tracker.services.releases import recipients
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
    """Open accounting requests by due date; forms for a new request and a suspension."""
    return render_template(
        "accounting/requests.html",
        requests=accounting.open_requests(context.db_session()),
        new=AccountingRequestForm(),
        suspension=_suspension_form(),
        extend=ExtendForm(),
        deliver=DeliverForm(),
    )


def _suspension_form() -> SuspensionForm:
    form = SuspensionForm()
    # One choice per name: the suspension holds for every directory entry the accounting shows by that name.
    by_name: dict[str, str] = {}
    for r in recipients.search(context.db_session(), context.env(), limit=500):
        by_name.setdefault(r.display, str(r.id))
    form.agency_id.choices = [("", "—")] + [(rid, name) for name, rid in by_name.items()]
    return form


@bp.route("/accounting/requests", methods=["POST"])
@requires(Permission.ACCOUNTING_MANAGE)
def new_request() -> Any:
    """Record a request: due in 60 days."""
    form = AccountingRequestForm()
    if not form.validate_on_submit():
        raise _invalid(form)
    session = context.db_session()
    client_id = accounting.client_by_reference(session, form.reference.data or "")
    row = accounting.open_request(
        session,
        context.env(),
        context.actor(),
        client_id,
        received_on=client_rules.parse_date(form.received_on.data or "", "received_on"),
        since=_date(form.since.data, "since"),
    )
    flash(f"Request recorded; due {row.due_on}{' (fee applies)' if row.fee_cents else ' (free)'}.", "success")
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
    return render_template("accounting/accounting.html", produced=produced, explanation=rules.EXPLANATION)


@bp.route("/accounting/suspensions", methods=["POST"])
@requires(Permission.ACCOUNTING_MANAGE)
def suspend() -> Any:
    """Record an agency's suspension of a client's accounting."""
    form = SuspensionForm()
    if not form.validate_on_submit():
        raise _invalid(form)
    raw_agency = form.agency_id.data or ""
    session = context.db_session()
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
