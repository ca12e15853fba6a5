"""Sign-in: password with throttling per account and per address, then the second factor (ASVS 6.x)."""

from __future__ import annotations

import enum
import math
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import AuthenticationFailed
from roi_tracker.domain.errors import Throttled
from roi_tracker.services.context import Env
from roi_tracker.services.people import mfa
from roi_tracker.services.people.users import UserView
from roi_tracker.services.people.users import view_of

# Free attempts before each further one must wait 2^(n - free) seconds, at most 15 minutes: slow enough to
# stop guessing, never a permanent lock-out that an attacker could impose on a person (ASVS 6.1.1, 6.3.1).
ACCOUNT_FREE_FAILURES = 5
ADDRESS_FREE_FAILURES = 20
MAX_DELAY_SECONDS = 15 * 60
FORGET_AFTER = timedelta(hours=1)
UNKNOWN_ACTOR = "unknown"


class Next(enum.Enum):
    """What the person must do after a correct password."""

    DONE = "done"
    MFA = "mfa"
    ENROL = "enrol"


@dataclass(frozen=True)
class PasswordResult:
    """A correct password: who it proved, and what step remains."""

    user: UserView
    next: Next


def _key(kind: str, value: str) -> bytes:
    return crypto.token_digest(f"{kind}:{value}")


def _delay(session: Session, env: Env, key: bytes, free: int) -> int:
    row = session.get(models.SigninThrottle, key)
    if row is None or row.failures < free:
        return 0
    now = env.clock()
    if now - row.last_failure_at > FORGET_AFTER:
        return 0
    wait = min(2 ** (row.failures - free), MAX_DELAY_SECONDS)
    remaining = ((row.last_failure_at + timedelta(seconds=wait)) - now).total_seconds()
    # Round up to whole seconds, but no further: a full wait is `wait` seconds, never wait + 1.
    return math.ceil(remaining) if remaining > 0 else 0


def _fail(session: Session, env: Env, key: bytes) -> None:
    row = session.get(models.SigninThrottle, key)
    now = env.clock()
    if row is None:
        session.add(models.SigninThrottle(key_hash=key, failures=1, last_failure_at=now))
        return
    row.failures = 1 if now - row.last_failure_at > FORGET_AFTER else row.failures + 1
    row.last_failure_at = now


def _clear(session: Session, key: bytes) -> None:
    row = session.get(models.SigninThrottle, key)
    if row is not None:
        session.delete(row)


def throttle_wait(session: Session, env: Env, username: str, address: str) -> int:
    """Return how many seconds this account or address must still wait before another attempt."""
    return max(
        _delay(session, env, _key("account", username), ACCOUNT_FREE_FAILURES),
        _delay(session, env, _key("address", address), ADDRESS_FREE_FAILURES),
    )


def record_failure(
    session: Session,
    env: Env,
    *,
    username: str,
    address: str,
    user_id: str,
    role: str,
    action: Action,
    request_id: str,
) -> None:
    """Count a failed attempt against the account and the address, and log it, in one transaction."""
    session.rollback()
    _fail(session, env, _key("account", username))
    _fail(session, env, _key("address", address))
    actor = audit.Actor(user_id=user_id, role=role, request_id=request_id)
    env.log.append(session, actor, action, Outcome.REFUSED, object_type="user", object_id=user_id)
    audit.commit(session)


def count_failure(session: Session, env: Env, *, username: str, address: str) -> None:
    """Count a failed step-up against the account and the address; its caller has logged it already."""
    _fail(session, env, _key("account", username))
    _fail(session, env, _key("address", address))
    session.commit()


def check_password(
    session: Session, env: Env, *, username: str, password: str, address: str, request_id: str
) -> PasswordResult:
    """Check a username and password; raise Throttled or AuthenticationFailed, each logged."""
    username = username.strip().lower()
    user = session.execute(select(models.User).where(models.User.username == username)).scalar_one_or_none()
    user_id = str(user.id) if user is not None else UNKNOWN_ACTOR
    role = user.role if user is not None else audit.ANONYMOUS_ROLE
    wait = throttle_wait(session, env, username, address)
    if wait:
        actor = audit.Actor(user_id=user_id, role=role, request_id=request_id)
        env.log.record_alone(session, actor, Action.SIGNIN_THROTTLED, Outcome.REFUSED, object_type="user")
        raise Throttled(f"Too many failed attempts. Try again in {wait} seconds.", retry_after=wait)
    ok = env.hasher.check(user.password_hash if user is not None else None, password)
    if user is None or not ok or not user.active:
        record_failure(
            session,
            env,
            username=username,
            address=address,
            user_id=user_id,
            role=role,
            action=Action.SIGNIN_FAILED,
            request_id=request_id,
        )
        raise AuthenticationFailed("The username or password is incorrect, or the account is disabled.")
    _clear(session, _key("account", username))
    if user.totp_secret is not None:
        session.commit()
        return PasswordResult(view_of(user), Next.MFA)
    if env.settings.require_mfa:
        session.commit()
        return PasswordResult(view_of(user), Next.ENROL)
    complete(session, env, user.id, request_id=request_id)
    return PasswordResult(view_of(user), Next.DONE)


def complete(session: Session, env: Env, user_id: uuid.UUID, *, request_id: str) -> None:
    """Record a finished sign-in."""
    user = session.get(models.User, user_id)
    role = user.role if user is not None else audit.ANONYMOUS_ROLE
    actor = audit.Actor(user_id=str(user_id), role=role, request_id=request_id)
    env.log.append(
        session, actor, Action.SIGNIN_SUCCEEDED, Outcome.ALLOWED, object_type="user", object_id=str(user_id)
    )
    audit.commit(session)


def check_second_factor(
    session: Session, env: Env, *, user_id: uuid.UUID, code: str, address: str, request_id: str
) -> UserView:
    """Check a TOTP or recovery code for a person whose password was correct; finish the sign-in."""
    # Lock the row so two requests cannot both spend the same code (PostgreSQL; SQLite serializes writes).
    user = session.get(models.User, user_id, with_for_update=True)
    if user is None or not user.active:
        raise AuthenticationFailed("The sign-in has expired. Start again.")
    wait = throttle_wait(session, env, user.username, address)
    if wait:
        raise Throttled(f"Too many failed attempts. Try again in {wait} seconds.", retry_after=wait)
    used = mfa.consume_code(session, env, user, code)
    if used is None:
        record_failure(
            session,
            env,
            username=user.username,
            address=address,
            user_id=str(user.id),
            role=user.role,
            action=Action.MFA_FAILED,
            request_id=request_id,
        )
        raise AuthenticationFailed("That code is not valid. Codes work once; wait for the next one.")
    actor = audit.Actor(user_id=str(user.id), role=user.role, request_id=request_id)
    action = Action.RECOVERY_CODE_USED if used == "recovery" else Action.MFA_SUCCEEDED
    env.log.append(session, actor, action, Outcome.ALLOWED, object_type="user", object_id=str(user.id))
    _clear(session, _key("account", user.username))
    complete(session, env, user.id, request_id=request_id)
    return view_of(user)
