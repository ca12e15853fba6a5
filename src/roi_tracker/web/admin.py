"""User administration for administrators: list, create, change role, disable, enable, reset MFA."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http.security import requires
from roi_tracker.services.people import users
from roi_tracker.web.forms.common import EmptyForm
from roi_tracker.web.forms.people import NewUserForm
from roi_tracker.web.forms.people import RoleForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@requires(Permission.USER_LIST)
def user_list() -> Any:
    """List every account."""
    return render_template("admin/users.html", users=users.list_users(context.db_session()), form=EmptyForm())


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Permission.USER_CREATE)
def user_new() -> Any:
    """Create an account."""
    form = NewUserForm()
    status = 200
    if form.validate_on_submit():
        try:
            view = users.create_user(
                context.db_session(),
                context.env(),
                context.actor(),
                username=form.username.data or "",
                display_name=form.display_name.data or "",
                role=form.role.data or "",
                password=form.password.data or "",
            )
        except (InvalidInput, Conflict) as exc:
            target = getattr(form, getattr(exc, "field", None) or "username")
            target.errors = [str(exc)]
            status = 409 if isinstance(exc, Conflict) else 422
        else:
            flash(f"Account {view.username} created.", "success")
            return redirect(url_for("admin.user_detail", user_id=view.id))
    elif request.method == "POST":
        status = 422
    return render_template("admin/user_new.html", form=form), status


@bp.route("/users/<user_id>")
@requires(Permission.USER_LIST)
def user_detail(user_id: str) -> Any:
    """Show one account with its actions."""
    view = users.get_user(context.db_session(), users.parse_user_id(user_id))
    return render_template(
        "admin/user_detail.html", user=view, role_form=RoleForm(role=view.role), form=EmptyForm()
    )


@bp.route("/users/<user_id>/role", methods=["POST"])
@requires(Permission.USER_UPDATE)
def user_role(user_id: str) -> Any:
    """Change an account's role."""
    form = RoleForm()
    if not form.validate_on_submit():
        raise InvalidInput("choose one of the listed roles", field="role")
    view = users.change_role(
        context.db_session(),
        context.env(),
        context.actor(),
        users.parse_user_id(user_id),
        form.role.data or "",
    )
    flash(f"{view.username} is now {view.role.replace('_', ' ')}.", "success")
    return redirect(url_for("admin.user_detail", user_id=view.id))


@bp.route("/users/<user_id>/disable", methods=["POST"])
@requires(Permission.USER_DISABLE)
def user_disable(user_id: str) -> Any:
    """Disable an account, ending its sessions and tokens."""
    view = users.set_active(
        context.db_session(), context.env(), context.actor(), users.parse_user_id(user_id), active=False
    )
    flash(f"{view.username} is disabled; their sessions and tokens have ended.", "success")
    return redirect(url_for("admin.user_detail", user_id=view.id))


@bp.route("/users/<user_id>/enable", methods=["POST"])
@requires(Permission.USER_DISABLE)
def user_enable(user_id: str) -> Any:
    """Enable a disabled account."""
    view = users.set_active(
        context.db_session(), context.env(), context.actor(), users.parse_user_id(user_id), active=True
    )
    flash(f"{view.username} is enabled.", "success")
    return redirect(url_for("admin.user_detail", user_id=view.id))


@bp.route("/users/<user_id>/reset-mfa", methods=["POST"])
@requires(Permission.USER_UPDATE)
def user_reset_mfa(user_id: str) -> Any:
    """Clear an account's second factor so the person enrols again."""
    view = users.reset_mfa(context.db_session(), context.env(), context.actor(), users.parse_user_id(user_id))
    flash(f"{view.username} will set up a new authenticator at next sign-in.", "success")
    return redirect(url_for("admin.user_detail", user_id=view.id))
