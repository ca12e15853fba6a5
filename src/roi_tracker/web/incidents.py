"""Incidents: anyone reports one (from a disclosure: "this went to the wrong place"); the privacy officer
assesses it, produces the notices and records them sent (regulatory.md section 9)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_wtf import FlaskForm

from roi_tracker.domain import clients as client_rules
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.roles import Access
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http import files
from roi_tracker.http.security import requires
from roi_tracker.services.incidents import assessment
from roi_tracker.services.incidents import notices
from roi_tracker.services.incidents import register
from roi_tracker.services.incidents import reporting
from roi_tracker.services.records import clients
from roi_tracker.web.forms.incidents import AssessmentForm
from roi_tracker.web.forms.incidents import IncidentForm
from roi_tracker.web.forms.incidents import NoticeForm

bp = Blueprint("incidents", __name__)


def _date(raw: str | None, field: str) -> date | None:
    return client_rules.parse_date(raw, field) if raw else None


def _count(raw: str | None, field: str) -> int | None:
    if not raw:
        return None
    if not raw.strip().isdigit():
        raise InvalidInput(f"{field.replace('_', ' ')} must be a whole number", field=field)
    return int(raw)


def _mark(form: FlaskForm, exc: Defective | InvalidInput, fallback: str) -> None:
    """Show each problem beside its field, with its rule id."""
    problems = (
        exc.problems if isinstance(exc, Defective) else [{"field": exc.field or "", "message": str(exc)}]
    )
    for problem in problems:
        name = problem.get("field", "").removeprefix("factors.")
        target = getattr(form, name, None) or getattr(form, fallback)
        label = f"{problem['rule']}: " if problem.get("rule") else ""
        target.errors = [*target.errors, label + problem["message"]]


@bp.route("/incidents/new", methods=["GET", "POST"])
@requires(Access.SIGNED_IN)
def report() -> Any:
    """Report an incident; from a disclosure's page it is linked to that disclosure and its client."""
    form = IncidentForm()
    if request.method == "GET":
        form.disclosure_id.data = request.args.get("disclosure_id", "")[:64]
        form.client_id.data = request.args.get("client_id", "")[:64]
        if form.disclosure_id.data:
            form.kind.data = "misdirected_disclosure"
        form.discovered_on.data = context.env().today().isoformat()
    status = 200
    if form.validate_on_submit():
        try:
            opened = reporting.report(
                context.db_session(),
                context.env(),
                context.actor(),
                kind=form.kind.data or "",
                discovered_on=client_rules.parse_date(form.discovered_on.data or "", "discovered_on"),
                occurred_on=_date(form.occurred_on.data, "occurred_on"),
                description=form.description.data or "",
                disclosure_id=form.disclosure_id.data or None,
                client_ids=[form.client_id.data] if form.client_id.data else [],
            )
        except (Defective, InvalidInput) as exc:
            _mark(form, exc, "description")
            status = 422
        else:
            flash(
                f"Incident {opened.reference} reported. The privacy officer will assess it; notices are due "
                f"by {opened.notify_by} if it is a breach (H-B4).",
                "success",
            )
            return redirect(url_for("home.index"))
    elif request.method == "POST":
        status = 422
    return render_template("incidents/report.html", form=form), status


@bp.route("/incidents")
@requires(Permission.INCIDENT_READ)
def register_page() -> Any:
    """The incident register: open incidents soonest due first, then the rest."""
    items = register.listed(context.db_session(), context.env(), context.actor())
    return render_template("incidents/register.html", items=items, year=context.env().today().year)


@bp.route("/incidents/hhs-log.csv")
@requires(Permission.INCIDENT_READ)
def hhs_log() -> Any:
    """The year's breaches under 500, as CSV for the HHS portal (H-B6)."""
    year = _count(request.args.get("year"), "year") or context.env().today().year
    text = register.hhs_log(context.db_session(), context.env(), context.actor(), year)
    return files.attachment(text, "text/csv", f"hhs-breach-log-{year}.csv")


def _detail_page(incident_id: uuid.UUID, form: AssessmentForm | None = None, status: int = 200) -> Any:
    shown = register.detail(context.db_session(), context.env(), context.actor(), incident_id)
    if form is None:
        form = AssessmentForm(formdata=None)
        if shown.answers is not None:
            form.exclusion.data = shown.answers.exclusion.value
            form.secured.data = shown.answers.secured
            form.low_probability.data = shown.answers.low_probability
            for name, text in shown.answers.factors.items():
                getattr(form, name).data = text
    notice_form = NoticeForm(formdata=None)
    notice_form.sent_on.data = context.env().today().isoformat()
    return render_template("incidents/detail.html", shown=shown, form=form, notice_form=notice_form), status


@bp.route("/incidents/<incident_id>")
@requires(Permission.INCIDENT_READ)
def detail(incident_id: str) -> Any:
    """One incident: what happened, the assessment form, the notices."""
    return _detail_page(reporting.parse_id(incident_id))


@bp.route("/incidents/<incident_id>/assessment", methods=["POST"])
@requires(Permission.INCIDENT_ASSESS)
def assess(incident_id: str) -> Any:
    """Record the assessment; the determination follows from the answers."""
    iid = reporting.parse_id(incident_id)
    form = AssessmentForm()
    if not form.validate_on_submit():
        return _detail_page(iid, form, 422)
    try:
        outcome = assessment.assess(
            context.db_session(),
            context.env(),
            context.actor(),
            iid,
            exclusion=form.exclusion.data or "",
            secured=bool(form.secured.data),
            factors={
                name: getattr(form, name).data or ""
                for name in ("phi_nature", "unauthorized_person", "acquired_or_viewed", "mitigation")
            },
            low_probability=bool(form.low_probability.data),
            affected=_count(form.affected.data, "affected"),
            most_in_one_state=_count(form.most_in_one_state.data, "most_in_one_state"),
        )
    except (Defective, InvalidInput) as exc:
        _mark(form, exc, "mitigation")
        return _detail_page(iid, form, 422)
    flash(f"Assessed: {outcome.determination.value.replace('_', ' ')}.", "success")
    return redirect(url_for("incidents.detail", incident_id=iid))


@bp.route("/incidents/<incident_id>/notices/<client_id>")
@requires(Permission.INCIDENT_NOTIFY)
def notice(incident_id: str, client_id: str) -> Any:
    """The breach notice to one affected client, as PDF (H-B4)."""
    made = notices.produce(
        context.db_session(),
        context.env(),
        context.actor(),
        reporting.parse_id(incident_id),
        clients.parse_client_id(client_id),
    )
    return files.attachment(made.pdf, "application/pdf", f"breach-notice-{made.client_reference}.pdf")


@bp.route("/incidents/<incident_id>/notices", methods=["POST"])
@requires(Permission.INCIDENT_NOTIFY)
def record_notice(incident_id: str) -> Any:
    """Record when a notice went out and how."""
    iid = reporting.parse_id(incident_id)
    form = NoticeForm()
    try:
        if not form.validate_on_submit():
            raise InvalidInput("give the date the notice was sent", field="sent_on")
        notices.record_sent(
            context.db_session(),
            context.env(),
            context.actor(),
            iid,
            audience=form.audience.data or "",
            sent_on=client_rules.parse_date(form.sent_on.data or "", "sent_on"),
            method=form.method.data or "",
            client_id=clients.parse_client_id(form.client_id.data) if form.client_id.data else None,
        )
    except (Defective, InvalidInput) as exc:
        problems = exc.problems if isinstance(exc, Defective) else [{"rule": "", "message": str(exc)}]
        for problem in problems:
            flash(f"{problem.get('rule') or 'Notice'}: {problem['message']}", "error")
        return _detail_page(iid, status=422)
    flash("Notice recorded as sent.", "success")
    return redirect(url_for("incidents.detail", incident_id=iid))
