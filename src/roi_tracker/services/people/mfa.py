"""TOTP second factor (pyotp): enrolment, single-use codes, hashed recovery codes (ASVS 6.3.3, 6.5)."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

import pyotp
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env

ISSUER = "roi-tracker"
RECOVERY_CODES = 10
_PURPOSE = "user-totp-secret"
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _context(user_id: uuid.UUID) -> bytes:
    return b"users|totp_secret|" + str(user_id).encode("ascii")


def new_secret() -> str:
    """Return a fresh base32 TOTP secret."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """Return the otpauth:// URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def _matching_step(secret: str, code: str, at: datetime, last_step: int | None) -> int | None:
    totp = pyotp.TOTP(secret)
    for offset in (0, -1, 1):
        moment = datetime.fromtimestamp(at.timestamp() + offset * totp.interval, tz=at.tzinfo)
        step = totp.timecode(moment)
        if last_step is not None and step <= last_step:
            continue  # a code works once (ASVS 6.5.1)
        if secrets.compare_digest(totp.at(moment), code):
            return step
    return None


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _normalize_recovery(code: str) -> str:
    return code.strip().lower().replace(" ", "").replace("-", "")


def confirm_enrolment(
    session: Session, env: Env, actor: audit.Actor, user_id: uuid.UUID, secret: str, code: str
) -> list[str]:
    """Store the secret once the person proves their app has it; return their new recovery codes."""
    user = session.get(models.User, user_id)
    if user is None:
        raise NotFound("no such user")
    code = code.strip().replace(" ", "")
    step = _matching_step(secret, code, env.clock(), None)
    if step is None:
        raise InvalidInput(
            "That code does not match. Check the time on your phone and try again.", field="code"
        )
    user.totp_secret = env.keyring.seal(secret.encode("ascii"), purpose=_PURPOSE, context=_context(user.id))
    user.totp_last_step = step
    session.execute(delete(models.RecoveryCode).where(models.RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    for plain in codes:
        session.add(
            models.RecoveryCode(user_id=user.id, code_hash=crypto.token_digest(_normalize_recovery(plain)))
        )
    env.log.append(
        session, actor, Action.MFA_ENROLLED, Outcome.ALLOWED, object_type="user", object_id=str(user.id)
    )
    audit.commit(session)
    return codes


def consume_code(session: Session, env: Env, user: models.User, code: str) -> str | None:
    """Accept a TOTP code or a recovery code once; return which kind was used, or None."""
    if user.totp_secret is None:
        return None
    compact = code.strip().replace(" ", "")
    if compact.isdigit() and len(compact) == 6:
        secret = env.keyring.open(user.totp_secret, purpose=_PURPOSE, context=_context(user.id)).decode(
            "ascii"
        )
        step = _matching_step(secret, compact, env.clock(), user.totp_last_step)
        if step is None:
            return None
        user.totp_last_step = step
        return "totp"
    digest = crypto.token_digest(_normalize_recovery(code))
    row = session.execute(
        select(models.RecoveryCode).where(
            models.RecoveryCode.user_id == user.id,
            models.RecoveryCode.code_hash == digest,
            models.RecoveryCode.used_at.is_(None),
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    row.used_at = env.clock()
    return "recovery"
