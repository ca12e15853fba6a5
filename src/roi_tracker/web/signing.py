"""Signing in the office: prepare a release from a template, hand the device over, sign, give the copy."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user

from roi_tracker.domain.errors import AuthenticationFailed
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http.files import send_packet
from roi_tracker.http.security import requires
from roi_tracker.services.records import clients
from roi_tracker.services.releases import authorizations
from roi_tracker.services.signing import forms
from roi_tracker.services.signing import handover
from roi_tracker.services.signing import sign
from roi_tracker.services.signing import templates
from roi_tracker.web.forms.signing import LeaveForm
from roi_tracker.web.forms.signing import PrepareForm
from roi_tracker.web.forms.signing import SignForm
from roi_tracker.web.releases import _mark
from roi_tracker.web.releases import _recipient_choices

bp = Blueprint("signing", __name__)

_HELD = "signing"  # the session key of the release on the signing device (the session is sealed at rest)
# While the device is with the client, only these pages open; anything else comes back to the form.
_WHILE_SIGNING = frozenset({"signing.sign_page", "signing.leave", "signing.copy", "static", "auth.keepalive"})


@bp.before_app_request
def _keep_on_the_signing_page() -> Any:
    """Hold a browser that was handed to a client on the signing page until staff take it back."""
    if _HELD in session and request.endpoint not in _WHILE_SIGNING and not request.path.startswith("/api/"):
        return redirect(url_for("signing.sign_page"))
    return None


def _terms(form: PrepareForm) -> dict[str, Any]:
    skip = {"csrf_token", "template_id"}
    fields = {name: getattr(form, name).data for name in form.data if name not in skip}
    described = fields.pop("expiry_event_description", "") or ""
    if fields.get("expiry_event") == "described":
        fields["expiry_event"] = {"kind": "described", "description": described}
    return fields


@bp.route("/clients/<client_id>/releases/prepare", methods=["GET", "POST"])
@requires(Permission.AUTHORIZATION_RECORD)
def prepare(client_id: str) -> Any:
    """Fill a template with the client: print it, print it for a wet signature, or hand over the device."""
    cid = clients.parse_client_id(client_id)
    db, env, actor = context.db_session(), context.env(), context.actor()
    form = PrepareForm()
    _recipient_choices(form)
    newest: dict[str, templates.TemplateView] = {}
    for t in templates.every_version(db):  # newest first within a kind
        newest.setdefault(t.kind.value, t)
    form.template_id.choices = [
        (str(t.id), f"{t.wording.title} ({t.kind.value}, version {t.version})") for t in newest.values()
    ]
    if request.method == "GET":
        authorizations.open_form(db, env, actor, cid)
        return render_template("signing/prepare.html", form=form, client_id=cid)
    if not form.validate_on_submit():
        return render_template("signing/prepare.html", form=form, client_id=cid), 422
    fields, action = _terms(form), request.form.get("action", "")
    try:
        if action in {"read", "wet"}:
            name, pdf = forms.form_pdf(
                db, env, actor, cid, fields, form.template_id.data, wet=action == "wet"
            )
            return send_packet(name, pdf)
        prepared = forms.prepare(db, env, actor, cid, fields, form.template_id.data)
        forms.check_before_signing(db, env, actor, prepared)
    except Defective as exc:
        _mark(form, exc.problems)
        return render_template("signing/prepare.html", form=form, client_id=cid), 422
    except InvalidInput as exc:
        _mark(form, [{"field": exc.field or "", "message": str(exc)}])
        return render_template("signing/prepare.html", form=form, client_id=cid), 422
    held = {"client_id": str(cid), "template_id": str(prepared.template.id), "fields": _json(fields)}
    session[_HELD] = held
    return redirect(url_for("signing.sign_page"))


def _json(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in fields.items()}


def _page(
    form: SignForm,
    held: dict[str, Any],
    status: int = 200,
    problems: Any = (),
    leave: LeaveForm | None = None,
) -> Any:
    prepared = forms.prepare(
        context.db_session(),
        context.env(),
        context.actor(),
        clients.parse_client_id(held["client_id"]),
        held["fields"],
        held["template_id"],
    )
    if not form.form_sha256.data:
        form.form_sha256.data = prepared.sha256
    return render_template(
        "signing/sign.html",
        form=form,
        leave=leave or LeaveForm(formdata=None),
        paragraphs=prepared.paragraphs(),
        sha256=prepared.sha256,
        problems=problems,
        witness=current_user.display_name,
    ), status


@bp.route("/signing", methods=["GET", "POST"])
@requires(Permission.AUTHORIZATION_RECORD)
def sign_page() -> Any:
    """The form alone, for the client to read and sign; then their copy (H-P2)."""
    held = session.get(_HELD)
    if not held:
        return redirect(url_for("home.index"))
    if held.get("signed"):
        return render_template("signing/signed.html", label=held["label"], leave=LeaveForm(formdata=None))
    form = SignForm()
    if request.method == "GET":
        return _page(form, held)
    if not form.validate_on_submit():
        return _page(form, held, 422)
    env = context.env()
    fields = {
        **held["fields"],
        "copy_given_on": env.today().isoformat(),
        "copy_method": "signed copy offered on screen at signing (download or print)",
    }
    signature = sign.SignatureInput(
        method=form.method.data or "",
        signer_name=form.signer_name.data or "",
        intent=bool(form.intent.data),
        electronic_consent=bool(form.electronic_consent.data),
        witnessed_by=current_user.username,
        image=form.image.data or "",
        form_sha256=form.form_sha256.data or "",
        template_id=held["template_id"],
    )
    cid = clients.parse_client_id(held["client_id"])
    try:
        view = sign.record_signed(context.db_session(), env, context.actor(), cid, fields, signature)
    except Defective as exc:
        _mark(form, [{**p, "field": p["field"].removeprefix("signature.")} for p in exc.problems])
        return _page(form, held, 422, exc.problems)
    except InvalidInput as exc:
        _mark(form, [{"field": (exc.field or "").removeprefix("signature."), "message": str(exc)}])
        return _page(form, held, 422)
    session[_HELD] = {**held, "fields": {}, "signed": True, "label": view.label, "auth_id": str(view.id)}
    return redirect(url_for("signing.sign_page"))


@bp.route("/signing/copy")
@requires(Permission.AUTHORIZATION_RECORD)
def copy() -> Any:
    """The signed form as a download the client takes with them (H-P2)."""
    held = session.get(_HELD) or {}
    if not held.get("signed"):
        return redirect(url_for("signing.sign_page"))
    auth_id = authorizations.parse_authorization_id(held["auth_id"])
    cid = clients.parse_client_id(held["client_id"])
    name, content = sign.signed_copy(context.db_session(), context.env(), context.actor(), auth_id, cid)
    return send_packet(name, content)


@bp.route("/signing/leave", methods=["POST"])
@requires(Permission.AUTHORIZATION_RECORD)
def leave() -> Any:
    """Take the device back: the staff person's password ends the signing."""
    held = session.get(_HELD) or {}
    form = LeaveForm()
    password = form.password.data or "" if form.validate_on_submit() else ""
    try:
        handover.end_signing(
            context.db_session(),
            context.env(),
            context.actor(),
            password,
            client_id=held.get("client_id", ""),
            address=context.client_address(),
        )
    except AuthenticationFailed as exc:
        form.password.errors = [str(exc)]
        if held.get("signed"):
            return render_template("signing/signed.html", label=held["label"], leave=form), 403
        return (
            _page(SignForm(formdata=None), held, 403, leave=form) if held else redirect(url_for("home.index"))
        )
    session.pop(_HELD, None)
    if held.get("client_id"):
        return redirect(url_for("clients.page", client_id=held["client_id"]))
    return redirect(url_for("home.index"))
