"""Staff accounts: create, list, change role, disable and enable, reset MFA, issue API tokens."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker import passwords
from roi_tracker.domain import reminders
from roi_tracker.domain import roles
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import Forbidden
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


@dataclass(frozen=True)
class UserView:
    """What the app shows of an account: never its secrets."""

    id: uuid.UUID
    username: str
    display_name: str
    role: str
    active: bool
    mfa_enrolled: bool
    must_change_password: bool = False


def view_of(user: models.User) -> UserView:
    """Return the shareable view of a user row."""
    return UserView(
        user.id,
        user.username,
        user.display_name,
        user.role,
        user.active,
        user.totp_secret is not None,
        bool(user.must_change_password),
    )


def parse_user_id(raw: str) -> uuid.UUID:
    """Parse a user id from a URL or form, answering an unknown shape as not found."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound("no such user") from None


def _get(session: Session, user_id: uuid.UUID) -> models.User:
    user = session.get(models.User, user_id)
    if user is None:
        raise NotFound("no such user")
    return user


def by_username(session: Session, username: str) -> models.User:
    """Return the user named `username` or raise NotFound."""
    user = session.execute(select(models.User).where(models.User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def create_user(
    session: Session,
    env: Env,
    actor: audit.Actor,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str,
    email: str | None = None,
) -> UserView:
    """Create an account with one role; the entry and the account commit together."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise InvalidInput(
            "username must be 2-64 characters: lowercase letters, digits, dot, dash, underscore",
            field="username",
        )
    try:
        parsed_role = roles.parse_role(role)
    except roles.UnknownRoleError as exc:
        raise InvalidInput(str(exc), field="role") from None
    display_name = display_name.strip() or username
    if len(display_name) > 128:
        raise InvalidInput("display name must be at most 128 characters", field="display_name")
    passwords.require_acceptable(password)
    address = None if email is None else parse_email(email)
    if session.execute(select(models.User.id).where(models.User.username == username)).first():
        raise Conflict(f"the username {username!r} is taken")
    user = models.User(
        username=username,
        display_name=display_name,
        role=parsed_role.value,
        password_hash=env.hasher.hash(password),
        active=True,
        email=address,
    )
    session.add(user)
    session.flush()
    env.log.append(
        session, actor, Action.USER_CREATED, Outcome.ALLOWED, object_type="user", object_id=str(user.id)
    )
    audit.commit(session)
    return view_of(user)


def parse_email(raw: str) -> str:
    """Parse a reminder address (issue 21), naming the field when it is not one."""
    try:
        return reminders.parse_address(raw)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="email") from None


def list_users(session: Session) -> list[UserView]:
    """Return every account, by username."""
    rows = session.execute(select(models.User).order_by(models.User.username)).scalars()
    return [view_of(u) for u in rows]


def get_user(session: Session, user_id: uuid.UUID) -> UserView:
    """Return one account."""
    return view_of(_get(session, user_id))


def change_role(session: Session, env: Env, actor: audit.Actor, user_id: uuid.UUID, role: str) -> UserView:
    """Give an account another role."""
    try:
        parsed = roles.parse_role(role)
    except roles.UnknownRoleError as exc:
        raise InvalidInput(str(exc), field="role") from None
    user = _get(session, user_id)
    if str(user.id) == actor.user_id:
        raise Forbidden("you cannot change your own role")
    if user.role != parsed.value:
        user.role = parsed.value
        user.updated_at = env.clock()
        env.log.append(
            session,
            actor,
            Action.USER_ROLE_CHANGED,
            Outcome.ALLOWED,
            object_type="user",
            object_id=str(user.id),
            basis=parsed.value,
        )
        # A new role means new permissions: end the sessions that were granted under the old one.
        session.execute(delete(models.WebSession).where(models.WebSession.user_id == user.id))
    audit.commit(session)
    return view_of(user)


def set_active(
    session: Session, env: Env, actor: audit.Actor, user_id: uuid.UUID, *, active: bool
) -> UserView:
    """Disable an account (ending all its sessions and tokens) or enable it again."""
    user = _get(session, user_id)
    if not active and str(user.id) == actor.user_id:
        raise Forbidden("you cannot disable your own account")
    user.active = active
    user.updated_at = env.clock()
    if not active:
        session.execute(delete(models.WebSession).where(models.WebSession.user_id == user.id))
        revoke_tokens(session, env, user.id)
    action = Action.USER_ENABLED if active else Action.USER_DISABLED
    env.log.append(session, actor, action, Outcome.ALLOWED, object_type="user", object_id=str(user.id))
    audit.commit(session)
    return view_of(user)


def revoke_tokens(session: Session, env: Env, user_id: uuid.UUID) -> None:
    """Revoke every API token of `user_id` still in force (the caller logs and commits)."""
    session.execute(
        update(models.ApiToken)
        .where(models.ApiToken.user_id == user_id, models.ApiToken.revoked_at.is_(None))
        .values(revoked_at=env.clock())
    )


def reset_mfa(session: Session, env: Env, actor: audit.Actor, user_id: uuid.UUID) -> UserView:
    """Clear an account's second factor so the person enrols again at next sign-in."""
    user = _get(session, user_id)
    user.totp_secret = None
    user.totp_last_step = None
    session.execute(delete(models.RecoveryCode).where(models.RecoveryCode.user_id == user.id))
    session.execute(delete(models.WebSession).where(models.WebSession.user_id == user.id))
    env.log.append(
        session, actor, Action.USER_MFA_RESET, Outcome.ALLOWED, object_type="user", object_id=str(user.id)
    )
    audit.commit(session)
    return view_of(user)


def issue_token(session: Session, env: Env, actor: audit.Actor, username: str) -> str:
    """Create an API token for `username` and return it; only its hash is kept."""
    user = by_username(session, username)
    if not user.active:
        raise Conflict(f"the user {username!r} is disabled")
    token = "roi_" + crypto.random_token(32)
    row = models.ApiToken(user_id=user.id, token_hash=crypto.token_digest(token))
    session.add(row)
    session.flush()
    env.log.append(
        session, actor, Action.TOKEN_ISSUED, Outcome.ALLOWED, object_type="api_token", object_id=str(row.id)
    )
    audit.commit(session)
    return token


def user_for_token(session: Session, env: Env, token: str) -> UserView | None:
    """Return the active user a bearer token acts for, or None."""
    row = session.execute(
        select(models.ApiToken, models.User)
        .join(models.User, models.User.id == models.ApiToken.user_id)
        .where(models.ApiToken.token_hash == crypto.token_digest(token))
    ).first()
    if row is None:
        return None
    token_row, user = row
    if token_row.revoked_at is not None or not user.active:
        return None
    return view_of(user)
