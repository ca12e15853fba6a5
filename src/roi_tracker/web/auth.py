"""Sign-in, the second factor (challenge and enrolment), sign-out and the idle keep-alive."""

from __future__ import annotations

import time
import uuid
from typing import Any

import segno
from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user

from roi_tracker import audit
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import AuthenticationFailed
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import Throttled
from roi_tracker.domain.roles import Access
from roi_tracker.http import context
from roi_tracker.http.guard import safe_next
from roi_tracker.http.login import LoginUser
from roi_tracker.http.security import requires
from roi_tracker.http.session_store import ServerSession
from roi_tracker.services.people import mfa
from roi_tracker.services.people import password_change
from roi_tracker.services.people import replace_factor
from roi_tracker.services.people import signin
from roi_tracker.services.people import users
from roi_tracker.web.forms.common import EmptyForm
from roi_tracker.web.forms.people import ChangePasswordForm
from roi_tracker.web.forms.people import CodeForm
from roi_tracker.web.forms.people import ReplaceFactorForm
from roi_tracker.web.forms.people import SignInForm

bp = Blueprint("auth", __name__)

PENDING = "pending_signin"
PENDING_SECONDS = 300
NOTICES = {
    "signed-out": "You are signed out.",
    "idle": "You were signed out after a period without activity. Please sign in again.",
}


def _finish(user: users.UserView) -> Any:
    target = safe_next(session.get(PENDING, {}).get("next"))
    session.clear()
    if isinstance(session, ServerSession):
        session.rotate()  # a new session id at sign-in (ASVS 7.2.4)
    login_user(LoginUser(user))
    return redirect(target or url_for("home.index"))


def _refused(exc: AuthenticationFailed | Throttled) -> tuple[int, dict[str, str]]:
    """Return the status and headers of a refused credential: 429 with Retry-After when throttled."""
    if isinstance(exc, Throttled):
        return 429, {"Retry-After": str(exc.retry_after)}
    return 401, {}


def _pending_user() -> uuid.UUID | None:
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return uuid.UUID(pending["user_id"])


@bp.route("/signin", methods=["GET", "POST"])
@requires(Access.PUBLIC)
def signin_page() -> Any:
    """Ask for username and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    status = 200
    headers: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            result = signin.check_password(
                context.db_session(),
                context.env(),
                username=form.username.data or "",
                password=form.password.data or "",
                address=context.client_address(),
                request_id=context.actor().request_id,
            )
        except (AuthenticationFailed, Throttled) as exc:
            form.password.errors = [str(exc)]
            status, headers = _refused(exc)
        else:
            if result.next is signin.Next.DONE:
                return _finish(result.user)
            session.clear()
            if isinstance(session, ServerSession):
                session.rotate()
            session[PENDING] = {
                "user_id": str(result.user.id),
                "at": time.time(),
                "next": request.args.get("next"),
            }
            if result.next is signin.Next.MFA:
                return redirect(url_for("auth.challenge"))
            session["enrol_secret"] = mfa.new_secret()
            return redirect(url_for("auth.enrol"))
    elif request.method == "POST":
        status = 400
    notice = NOTICES.get(request.args.get("notice", ""))
    return render_template("auth/signin.html", form=form, notice=notice), status, headers


@bp.route("/signin/code", methods=["GET", "POST"])
@requires(Access.PUBLIC)
def challenge() -> Any:
    """Ask for the second factor."""
    user_id = _pending_user()
    if user_id is None:
        flash("Please sign in again.", "info")
        return redirect(url_for("auth.signin_page"))
    form = CodeForm()
    status = 200
    headers: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            user = signin.check_second_factor(
                context.db_session(),
                context.env(),
                user_id=user_id,
                code=form.code.data or "",
                address=context.client_address(),
                request_id=context.actor().request_id,
            )
        except (AuthenticationFailed, Throttled) as exc:
            form.code.errors = [str(exc)]
            status, headers = _refused(exc)
        else:
            return _finish(user)
    elif request.method == "POST":
        status = 400
    return render_template("auth/challenge.html", form=form), status, headers


@bp.route("/signin/enrol", methods=["GET", "POST"])
@requires(Access.PUBLIC)
def enrol() -> Any:
    """Set up the authenticator app during sign-in when the practice requires a second factor."""
    user_id = _pending_user()
    secret = session.get("enrol_secret")
    if user_id is None or not secret:
        flash("Please sign in again.", "info")
        return redirect(url_for("auth.signin_page"))
    return _enrolment(user_id, secret, finishing_signin=True)


@bp.route("/account/mfa", methods=["GET", "POST"])
@requires(Access.SIGNED_IN)
def account_mfa() -> Any:
    """Set up (or replace) the authenticator app from the account page."""
    secret = session.get("enrol_secret")
    if not secret:
        secret = mfa.new_secret()
        session["enrol_secret"] = secret
    user = users.get_user(context.db_session(), uuid.UUID(current_user.id))
    if user.mfa_enrolled:
        return _replacement(user, secret)
    return _enrolment(user.id, secret, finishing_signin=False)


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Access.SIGNED_IN)
def change_password() -> Any:
    """Change one's own password: the current one, the new one twice, the policy; other sessions end."""
    form = ChangePasswordForm()
    status = 200
    headers: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            password_change.change_own(
                context.db_session(),
                context.env(),
                context.actor(),
                current=form.current_password.data or "",
                new=form.new_password.data or "",
                address=context.client_address(),
                keep_session_id=session.sid if isinstance(session, ServerSession) else None,
            )
        except InvalidInput as exc:
            target = form.current_password if exc.field == "current_password" else form.new_password
            target.errors = [str(exc)]
            status = 422
        except Throttled as exc:
            form.current_password.errors = [str(exc)]
            status, headers = _refused(exc)
        else:
            if isinstance(session, ServerSession):
                session.rotate()  # a new session id with the new password (ASVS 7.2.4)
            flash("Your password is changed. Your other sessions have ended.", "success")
            return redirect(url_for("home.account"))
    elif request.method == "POST":
        status = 422  # a field missing or the two new passwords differ
    forced = current_user.view.must_change_password
    return render_template("auth/change_password.html", form=form, forced=forced), status, headers


def _replacement(user: users.UserView, secret: str) -> Any:
    """Replace an enrolled factor only with the password and a code from it (security review 15, item 4)."""
    form = ReplaceFactorForm()
    status = 200
    headers: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            codes = replace_factor.replace(
                context.db_session(),
                context.env(),
                context.actor(),
                password=form.password.data or "",
                current_code=form.current_code.data or "",
                secret=secret,
                new_code=form.code.data or "",
                address=context.client_address(),
            )
        except InvalidInput as exc:
            target = form.password if exc.field == "password" else form.code
            target.errors = [str(exc)]
            status = 422  # as the other step-up forms answer a wrong password
        except (AuthenticationFailed, Throttled) as exc:
            form.current_code.errors = [str(exc)]
            status, headers = _refused(exc)
        else:
            session.pop("enrol_secret", None)
            return render_template("auth/recovery_codes.html", codes=codes)
    elif request.method == "POST":
        status = 400  # a field missing: answered like the enrolment form
    return _enrol_page(form, user.username, secret, replacing=True), status, headers


def _enrol_page(form: CodeForm | ReplaceFactorForm, username: str, secret: str, *, replacing: bool) -> str:
    uri = mfa.provisioning_uri(secret, username)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=5, title="QR code for your authenticator app")
    return render_template("auth/enrol.html", form=form, qr_svg=qr_svg, secret=secret, replacing=replacing)


def _enrolment(user_id: uuid.UUID, secret: str, *, finishing_signin: bool) -> Any:
    store = context.db_session()
    user = users.get_user(store, user_id)
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        actor = audit.Actor(str(user.id), user.role, context.actor().request_id)
        try:
            codes = mfa.confirm_enrolment(store, context.env(), actor, user.id, secret, form.code.data or "")
        except InvalidInput as exc:
            form.code.errors = [str(exc)]
            status = 422
        else:
            session.pop("enrol_secret", None)
            if finishing_signin:
                signin.complete(store, context.env(), user.id, request_id=actor.request_id)
                _finish(user)
            return render_template("auth/recovery_codes.html", codes=codes)
    elif request.method == "POST":
        status = 400  # no code sent: answered like the sign-in and code forms
    return _enrol_page(form, user.username, secret, replacing=False), status


@bp.route("/signout", methods=["POST"])
@requires(Access.PUBLIC)
def signout() -> Any:
    """End the session for good."""
    form = EmptyForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        context.env().log.record_alone(
            context.db_session(),
            context.actor(),
            Action.SIGNOUT,
            Outcome.ALLOWED,
            object_type="user",
            object_id=current_user.id,
        )
    logout_user()
    if isinstance(session, ServerSession):
        session.end()
    return redirect(url_for("auth.signin_page", notice="signed-out"))


@bp.route("/session/keepalive", methods=["POST"])
@requires(Access.SIGNED_IN)
def keepalive() -> Any:
    """Mark the session active (the idle warning's 'stay signed in' button)."""
    session.modified = True
    return {"idle_minutes": context.env().settings.session_idle_minutes}
