"""Releases: record, revoke and expire authorizations; the front desk's check; disclosures and packets."""

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

from roi_tracker.domain import clients as rules
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import DisclosureRefused
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http.files import send_packet
from roi_tracker.http.security import requires
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.disclosures import past
from roi_tracker.services.records import clients
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import dashboard
from roi_tracker.services.releases import recipients
from roi_tracker.web.forms.disclosures import CheckForm
from roi_tracker.web.forms.disclosures import DisclosureForm
from roi_tracker.web.forms.disclosures import PastDisclosureForm
from roi_tracker.web.forms.releases import AuthorizationForm
from roi_tracker.web.forms.releases import ExpiryEventForm
from roi_tracker.web.forms.releases import RecipientForm
from roi_tracker.web.forms.releases import RevokeForm

bp = Blueprint("releases", __name__)


def _recipient_choices(form: Any) -> None:
    directory = recipients.search(context.db_session(), context.env())
    form.recipient_id.choices = [("", "—")] + [(str(r.id), r.display) for r in directory]


def _mark(form: Any, problems: list[dict[str, str]]) -> None:
    for problem in problems:
        target = getattr(form, problem.get("field", ""), None)
        text = f"{problem['rule']}: {problem['message']}" if problem.get("rule") else problem["message"]
        if target is not None:
            target.errors = [*target.errors, text]
        else:
            flash(text, "error")


def _question(form: Any, cid: uuid.UUID, on: date | None) -> disclosures.Question:
    """The question a check, send or past-disclosure form asks about this client."""
    recipient, categories = form.recipient_id.data or "", list(form.categories.data or [])
    today = context.env().today()
    return disclosures.question(cid, recipient, categories, form.purpose.data or "", on, today)


def _date(raw: str | None, field: str) -> date | None:
    return rules.parse_date(raw, field) if raw else None


@bp.route("/clients/<client_id>/authorizations/new", methods=["GET", "POST"])
@requires(Permission.AUTHORIZATION_RECORD)
def record(client_id: str) -> Any:
    """Record a signed authorization; every problem is shown next to its field with its rule id."""
    cid = clients.parse_client_id(client_id)
    authorizations.open_form(context.db_session(), context.env(), context.actor(), cid)
    form = AuthorizationForm()
    _recipient_choices(form)
    status = 200
    problems: list[dict[str, str]] = []
    if request.method == "POST" and form.validate_on_submit():
        fields = {
            name: getattr(form, name).data for name in form.data if name not in {"csrf_token", "signed_form"}
        }
        # The select names the kind; its text field describes the event only when the kind is "described".
        described = fields.pop("expiry_event_description", "") or ""
        if fields.get("expiry_event") == "described":
            fields["expiry_event"] = {"kind": "described", "description": described}
        upload = form.signed_form.data
        try:
            view = authorizations.record(
                context.db_session(),
                context.env(),
                context.actor(),
                cid,
                fields,
                upload.read() if upload else None,
                acknowledge_warnings=bool(form.acknowledge_warnings.data),
            )
        except Defective as exc:
            problems = exc.problems
            _mark(form, problems)
            status = 422
        except InvalidInput as exc:
            _mark(form, [{"field": exc.field or "", "message": str(exc)}])
            status = 422
        else:
            flash(f"Authorization {view.label} recorded: {view.status}.", "success")
            return redirect(url_for("clients.page", client_id=cid))
    elif request.method == "POST":
        status = 422
    return render_template(
        "releases/authorization_form.html", form=form, client_id=cid, problems=problems
    ), status


@bp.route("/clients/<client_id>/authorizations/<auth_id>/revoke", methods=["POST"])
@requires(Permission.AUTHORIZATION_REVOKE)
def revoke(client_id: str, auth_id: str) -> Any:
    """Record the written revocation of an authorization of this client."""
    cid = clients.parse_client_id(client_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        field, messages = next(iter(form.errors.items()))
        raise InvalidInput(f"{field}: {messages[0]}", field=field)
    received = rules.parse_date(form.received_on.data or "", "received_on")
    view = authorizations.revoke(
        context.db_session(),
        context.env(),
        context.actor(),
        authorizations.parse_authorization_id(auth_id),
        received_on=received,
        document=form.document.data.read(),
        client_id=cid,
    )
    flash(f"Authorization {view.label} is revoked from {view.revoked_on}.", "success")
    return redirect(url_for("clients.page", client_id=cid))


@bp.route("/clients/<client_id>/authorizations/<auth_id>/expiry-event", methods=["POST"])
@requires(Permission.AUTHORIZATION_REVOKE)
def expiry_event(client_id: str, auth_id: str) -> Any:
    """Record that an authorization's expiry event happened."""
    cid = clients.parse_client_id(client_id)
    form = ExpiryEventForm()
    if not form.validate_on_submit():
        raise InvalidInput("enter the date the event happened", field="occurred_on")
    occurred = rules.parse_date(form.occurred_on.data or "", "occurred_on")
    view = authorizations.record_expiry_event(
        context.db_session(),
        context.env(),
        context.actor(),
        authorizations.parse_authorization_id(auth_id),
        occurred_on=occurred,
        client_id=cid,
    )
    flash(f"Authorization {view.label} ended with its event on {occurred}.", "success")
    return redirect(url_for("clients.page", client_id=cid))


@bp.route("/clients/<client_id>/check", methods=["GET", "POST"])
@requires(Permission.DISCLOSURE_CHECK)
def check(client_id: str) -> Any:
    """May we send ... to ... for ...? A large, unambiguous answer with its reasons."""
    cid = clients.parse_client_id(client_id)
    disclosures.open_check(context.db_session(), context.env(), context.actor(), cid)
    form = CheckForm()
    _recipient_choices(form)
    decision = sendable = send_form = None
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        session, env, actor = context.db_session(), context.env(), context.actor()
        try:
            q = _question(form, cid, _date(form.on.data, "on"))
        except InvalidInput as exc:
            _mark(form, [{"field": exc.field or "", "message": str(exc)}])
            status = 422
        else:
            decision = disclosures.check(session, env, actor, q)
            # A check at another date is a "what if": only today's answer may be acted on (sent now).
            if decision.permitted and q.on == env.today():
                sendable = disclosures.sendable(session, env, actor, cid, decision)
                send_form = DisclosureForm(formdata=None, obj=form)
                send_form.recipient_id.data = form.recipient_id.data
                send_form.categories.data = [p.category.value for p in decision.permitted]
                send_form.purpose.data = form.purpose.data
                send_form.document_ids.choices = [(str(d.id), d.title) for d in sendable]
    elif request.method == "POST":
        status = 422
    return render_template(
        "releases/check.html",
        form=form,
        client_id=cid,
        decision=decision,
        sendable=sendable,
        send_form=send_form,
        today=context.env().today(),
    ), status


@bp.route("/clients/<client_id>/disclosures", methods=["POST"])
@requires(Permission.DISCLOSURE_RECORD)
def disclose(client_id: str) -> Any:
    """Record a permitted disclosure, then offer its packet."""
    cid = clients.parse_client_id(client_id)
    form = DisclosureForm()
    _recipient_choices(form)
    form.document_ids.choices = [(d, d) for d in (form.document_ids.data or [])]
    if not form.validate_on_submit():
        raise InvalidInput("the disclosure form is incomplete", field="recipient_id")
    env = context.env()
    # No date is read from the form: a disclosure made now is judged now (issue 15, item 1).
    q = _question(form, cid, None)
    try:
        recorded = disclosures.record(
            context.db_session(),
            env,
            context.actor(),
            q,
            channel=form.channel.data or "",
            document_ids=list(form.document_ids.data or []),
            requester_verification=form.requester_verification.data or "",
        )
    except (DisclosureRefused, Defective) as exc:
        for problem in exc.problems:
            flash(f"{problem.get('rule', '')}: {problem['message']}", "error")
        return redirect(url_for("releases.check", client_id=cid))
    flash(f"Disclosure recorded under {recorded.basis}.", "success")
    return render_template("releases/recorded.html", recorded=recorded)


@bp.route("/clients/<client_id>/disclosures/past", methods=["GET", "POST"])
@requires(Permission.DISCLOSURE_RECORD_PAST)
def record_past(client_id: str) -> Any:
    """Record a disclosure made earlier (on paper): judged at its date, flagged when impermissible."""
    cid = clients.parse_client_id(client_id)
    form = PastDisclosureForm()
    disclosures.open_check(context.db_session(), context.env(), context.actor(), cid)
    _recipient_choices(form)
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("releases/past.html", form=form, client_id=cid), (
            200 if request.method == "GET" else 422
        )
    try:
        recorded = _past_from(form, cid)
    except (Defective, InvalidInput) as exc:
        field = getattr(exc, "field", None) or ""
        _mark(form, getattr(exc, "problems", None) or [{"field": field, "message": str(exc)}])
        return render_template("releases/past.html", form=form, client_id=cid), 422
    if recorded.permissible:
        flash(f"Recorded the disclosure of {recorded.disclosed_at.date()} under {recorded.basis}.", "success")
        return redirect(url_for("clients.page", client_id=cid))
    for _, reason in recorded.reasons:
        flash(f"{reason.rule}: {reason.message}", "error")
    flash(
        "Recorded, and flagged impermissible: it is listed in the client's accounting and for the "
        "privacy officer.",
        "error",
    )
    return redirect(url_for("clients.page", client_id=cid))


def _past_from(form: PastDisclosureForm, cid: uuid.UUID) -> past.PastRecorded:
    env = context.env()
    q = _question(form, cid, rules.parse_date(form.on.data or "", "on"))
    verification = form.requester_verification.data or ""
    channel = form.channel.data or ""
    return past.record_past(
        context.db_session(), env, context.actor(), q, channel=channel, requester_verification=verification
    )


@bp.route("/disclosures/<disclosure_id>/packet")
@requires(Permission.PACKET_READ)
def packet(disclosure_id: str) -> Any:
    """Download the release packet of a recorded disclosure (each download is logged)."""
    name, pdf = disclosures.release_packet(
        context.db_session(), context.env(), context.actor(), disclosures.parse_disclosure_id(disclosure_id)
    )
    return send_packet(name, pdf)


@bp.route("/recipients", methods=["GET", "POST"])
@requires(Permission.RECIPIENT_READ)
def directory() -> Any:
    """The recipients directory: search it, add to it."""
    form = RecipientForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                view = recipients.create(
                    context.db_session(),
                    context.env(),
                    context.actor(),
                    kind=form.kind.data or "person",
                    name=form.name.data or "",
                    organization=form.organization.data or "",
                    address=form.address.data or "",
                    fax=form.fax.data or "",
                    email=form.email.data or "",
                    phone=form.phone.data or "",
                )
            except InvalidInput as exc:
                _mark(form, [{"field": exc.field or "", "message": str(exc)}])
                status = 422
            else:
                flash(f"Added {view.display} to the directory.", "success")
                return redirect(url_for("releases.directory"))
        else:
            status = 422
    q = request.args.get("q", "")[:100]
    found = recipients.search(context.db_session(), context.env(), q)
    return render_template("releases/recipients.html", form=form, found=found, q=q), status


@bp.route("/authorizations/<auth_id>/revocation-notice/<recipient_id>")
@requires(Permission.AUTHORIZATION_READ)
def revocation_notice(auth_id: str, recipient_id: str) -> Any:
    """A printable notice of revocation for a recipient who received information under the authorization."""
    notice = dashboard.revocation_notice(
        context.db_session(),
        context.env(),
        context.actor(),
        authorizations.parse_authorization_id(auth_id),
        recipients.parse_recipient_id(recipient_id),
    )
    return render_template("releases/revocation_notice.html", notice=notice)
