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
from roi_tracker.web import clients as client_views
from roi_tracker.web import form_errors
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
    form_errors.mark(form, problems)


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
    warnings: list[dict[str, Any]] = []
    renewing = _renew_from(form, cid, request.args.get("renew", "")) if request.method == "GET" else None
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
        except form_errors.FORM_ERRORS as exc:
            # Warnings go in their own box, pointing to the box that acknowledges them (issue 17, item 8).
            listed = form_errors.problems_of(exc, "signed_form")
            warnings = [p for p in listed if p.get("severity") == "WARN"]
            _mark(form, [p for p in listed if p.get("severity") != "WARN"])
            status = form_errors.status_of(exc)
        else:
            flash(f"Authorization {view.label} recorded: {view.status}.", "success")
            return redirect(url_for("clients.page", client_id=cid))
    elif request.method == "POST":
        status = 422
    return render_template(
        "releases/authorization_form.html",
        form=form,
        client=_client(cid),
        warnings=warnings,
        renewing=renewing,
    ), status


def _renew_from(form: AuthorizationForm, cid: uuid.UUID, raw: str) -> str | None:
    """Start a renewal from an old authorization's terms (kind, recipient, what, why); dates are new."""
    if not raw:
        return None
    wanted = authorizations.parse_authorization_id(raw)
    views = authorizations.list_for(context.db_session(), context.env(), context.actor(), cid)
    old = next((v for v in views if v.id == wanted), None)
    if old is None:
        return None
    form.kind.data = old.kind
    form.recipient_id.data = str(old.recipient_id or "")
    form.categories.data = list(old.categories)
    form.purposes.data = list(old.purposes)
    form.purpose_text.data = old.purpose_text
    form.expiry_event.data = old.expiry_event_kind if old.expiry_event_kind != "described" else ""
    return old.label


@bp.route("/clients/<client_id>/authorizations/<auth_id>/revoke", methods=["POST"])
@requires(Permission.AUTHORIZATION_REVOKE)
def revoke(client_id: str, auth_id: str) -> Any:
    """Record the written revocation of an authorization of this client; a problem comes back on its page."""
    cid = clients.parse_client_id(client_id)
    form = RevokeForm()
    typed = {"auth_id": auth_id, "received_on": form.received_on.data or ""}
    try:
        if not form.validate_on_submit():
            field, messages = next(iter(form.errors.items()))
            raise InvalidInput(f"{field}: {messages[0]}", field=field)
        view = authorizations.revoke(
            context.db_session(),
            context.env(),
            context.actor(),
            authorizations.parse_authorization_id(auth_id),
            received_on=rules.parse_date(form.received_on.data or "", "received_on"),
            document=form.document.data.read(),
            client_id=cid,
        )
    except form_errors.FORM_ERRORS as exc:
        problem = {**typed, "message": form_errors.text_of(form_errors.problems_of(exc)[0]), "file": "1"}
        return client_views.page_again(cid, form_errors.status_of(exc), release_problem=problem)
    flash(f"Authorization {view.label} is revoked from {view.revoked_on}.", "success")
    return redirect(url_for("clients.page", client_id=cid))


@bp.route("/clients/<client_id>/authorizations/<auth_id>/expiry-event", methods=["POST"])
@requires(Permission.AUTHORIZATION_REVOKE)
def expiry_event(client_id: str, auth_id: str) -> Any:
    """Record that an authorization's expiry event happened; a problem comes back on the client's page."""
    cid = clients.parse_client_id(client_id)
    form = ExpiryEventForm()
    typed = {"auth_id": auth_id, "occurred_on": form.occurred_on.data or ""}
    try:
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
    except form_errors.FORM_ERRORS as exc:
        problem = {**typed, "message": form_errors.text_of(form_errors.problems_of(exc)[0])}
        return client_views.page_again(cid, form_errors.status_of(exc), release_problem=problem)
    flash(f"Authorization {view.label} ended with its event on {occurred}.", "success")
    return redirect(url_for("clients.page", client_id=cid))


def _client(cid: uuid.UUID) -> clients.ClientView:
    """The client a page acts on, to name them at its top (a logged read of their demographics)."""
    return clients.get(context.db_session(), context.env(), context.actor(), cid)


def _answer(
    form: Any, cid: uuid.UUID, on: date | None, send_form: DisclosureForm | None = None
) -> tuple[Any, Any, DisclosureForm | None]:
    """Answer the check; when today's answer permits, the send form (the one posted, when it came back)."""
    session, env, actor = context.db_session(), context.env(), context.actor()
    q = _question(form, cid, on)
    decision = disclosures.check(session, env, actor, q)
    # A check at another date is a "what if": only today's answer may be acted on (sent now).
    if not (decision.permitted and q.on == env.today()):
        return decision, None, None
    sendable = disclosures.sendable(session, env, actor, cid, decision)
    if send_form is None:
        send_form = DisclosureForm(formdata=None, obj=form)
        send_form.recipient_id.data = form.recipient_id.data
        send_form.purpose.data = form.purpose.data
    send_form.categories.data = [p.category.value for p in decision.permitted]
    send_form.document_ids.choices = [(str(d.id), d.title) for d in sendable]
    return decision, sendable, send_form


def _check_page(cid: uuid.UUID, form: Any, status: int, **answer: Any) -> Any:
    answer = {"decision": None, "sendable": None, "send_form": None, **answer}
    return render_template(
        "releases/check.html",
        form=form,
        client=_client(cid),
        client_id=cid,
        today=context.env().today(),
        **answer,
    ), status


@bp.route("/clients/<client_id>/check", methods=["GET", "POST"])
@requires(Permission.DISCLOSURE_CHECK)
def check(client_id: str) -> Any:
    """May we send ... to ... for ...? A large, unambiguous answer with its reasons."""
    cid = clients.parse_client_id(client_id)
    disclosures.open_check(context.db_session(), context.env(), context.actor(), cid)
    form = CheckForm()
    _recipient_choices(form)
    if request.method == "GET":
        return _check_page(cid, form, 200)
    if not form.validate_on_submit():
        return _check_page(cid, form, 422)
    try:
        decision, sendable, send_form = _answer(form, cid, _date(form.on.data, "on"))
    except InvalidInput as exc:
        form_errors.mark_error(form, exc)
        return _check_page(cid, form, 422)
    return _check_page(cid, form, 200, decision=decision, sendable=sendable, send_form=send_form)


@bp.route("/clients/<client_id>/disclosures", methods=["POST"])
@requires(Permission.DISCLOSURE_RECORD)
def disclose(client_id: str) -> Any:
    """Record a permitted disclosure, then offer its packet; a refusal comes back to the answer, as typed."""
    cid = clients.parse_client_id(client_id)
    disclosures.open_check(context.db_session(), context.env(), context.actor(), cid)
    form = DisclosureForm()
    _recipient_choices(form)
    form.document_ids.choices = [(d, d) for d in (form.document_ids.data or [])]
    env = context.env()
    if not form.validate_on_submit():
        return _answer_again(cid, form)
    try:
        # No date is read from the form: a disclosure made now is judged now (issue 15, item 1).
        recorded = disclosures.record(
            context.db_session(),
            env,
            context.actor(),
            _question(form, cid, None),
            channel=form.channel.data or "",
            document_ids=list(form.document_ids.data or []),
            requester_verification=form.requester_verification.data or "",
        )
    except form_errors.FORM_ERRORS as exc:
        form_errors.mark_error(form, exc)
        return _answer_again(cid, form)
    flash(f"Disclosure recorded under {recorded.basis}.", "success")
    return render_template("releases/recorded.html", recorded=recorded)


def _answer_again(cid: uuid.UUID, send_form: DisclosureForm) -> Any:
    """The check's answer again, with the send form as it was posted and its problems at their fields."""
    check_form = CheckForm(formdata=None)
    _recipient_choices(check_form)
    check_form.recipient_id.data = send_form.recipient_id.data
    check_form.purpose.data = send_form.purpose.data
    check_form.categories.data = list(send_form.categories.data or [])
    posted = send_form.document_ids.data
    try:
        decision, sendable, again = _answer(check_form, cid, None, send_form)
    except InvalidInput as exc:
        form_errors.mark_error(check_form, exc)
        return _check_page(cid, check_form, 422)
    if again is not None:
        again.document_ids.data = posted
    return _check_page(cid, check_form, 422, decision=decision, sendable=sendable, send_form=again)


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
                    type=form.type.data or "other",
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
