"""Key-encryption-key rotation and retirement, and crypto-shredding of a client (security.md A7, A9)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import keyfile
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.operations import maintenance
from roi_tracker.services.operations import setup as instance
from roi_tracker.services.records import search_terms

BATCH = 500
Progress = Callable[[int], None]


def _totp_context(row: Any) -> bytes:
    return b"users|totp_secret|" + str(row.id).encode("ascii")


def _note_context(row: Any) -> bytes:
    return bytes(row.id.bytes)


# Small secrets sealed under a KEK, re-sealed on rotation: (model, column, purpose, context of a row).
_SEALED: tuple[tuple[Any, str, str, Callable[[Any], bytes]], ...] = (
    (models.User, "totp_secret", "user-totp-secret", _totp_context),
    (models.AuditReview, "note", "audit-review-note", _note_context),
    (models.Review, "notes", "review-notes", _note_context),
    (models.EmergencyAccess, "justification", "emergency-justification", _note_context),
    (models.AccountingRequest, "extension_reason", "accounting-note", _note_context),
    (models.AccountingSuspension, "agency", "accounting-note", _note_context),
)


@dataclass(frozen=True)
class KeyState:
    """One key as `keys status` shows it: never its material."""

    purpose: str
    id: str
    state: str
    data_keys: int


def status(session: Session, env: Env) -> list[KeyState]:
    """List every key with its state and, for KEKs, how many client data keys it wraps."""
    stmt = select(models.ClientKey.kek_id, func.count()).group_by(models.ClientKey.kek_id)
    counts: dict[str, int] = {str(kek): int(n) for kek, n in session.execute(stmt)}
    out = []
    for purpose, group in (
        ("access-log", "log_keys"),
        ("checkpoint", "signing_keys"),
        ("kek", "keks"),
        ("blind-index", "index_keys"),
    ):
        for key in env.keyring.group(group).values():
            out.append(
                KeyState(purpose, key.id, key.state, int(counts.get(key.id, 0)) if purpose == "kek" else 0)
            )
    return out


def pending(session: Session, env: Env) -> int:
    """Count the data keys not yet wrapped by the primary KEK."""
    stmt = (
        select(func.count())
        .select_from(models.ClientKey)
        .where(models.ClientKey.kek_id != env.keyring.primary_kek_id)
    )
    return int(session.execute(stmt).scalar_one())


def rotate(
    session: Session, env: Env, actor: audit.Actor, *, progress: Progress | None = None
) -> tuple[str, int]:
    """Add a KEK and make it primary (unless a rotation is unfinished), then re-wrap in resumable batches."""
    if pending(session, env) == 0:
        newer, new_id = env.keyring.with_new_kek()
        keyfile.replace(newer, env.settings.key_file)
        env.keyring.adopt_keks(newer)
        instance.check_keys(session, env.keyring, remember=True)
        env.log.append(
            session, actor, Action.KEYS_ROTATED, Outcome.ALLOWED, object_type="kek", object_id=new_id
        )
        audit.commit(session)
    primary = env.keyring.primary_kek_id
    done = 0
    while True:
        rows = list(
            session.execute(
                select(models.ClientKey)
                .where(models.ClientKey.kek_id != primary)
                .limit(BATCH)
                .with_for_update()
            ).scalars()
        )
        if not rows:
            break
        for row in rows:
            row.wrapped = env.keyring.rewrap(bytes(row.wrapped), str(row.client_id), row.version)
            row.kek_id = primary
        session.commit()  # each batch is durable: an interrupted rotation resumes where it stopped
        done += len(rows)
        if progress is not None:
            progress(len(rows))
    _reseal_small_secrets(session, env)
    return primary, done


def _reseal_small_secrets(session: Session, env: Env) -> None:
    primary = env.keyring.primary_kek_id
    for model, column, purpose, context in _SEALED:
        for row in session.execute(select(model)).scalars():
            sealed = getattr(row, column)
            if sealed is None or env.keyring.sealed_by(bytes(sealed)) == primary:
                continue
            plain = env.keyring.open(bytes(sealed), purpose=purpose, context=context(row))
            setattr(row, column, env.keyring.seal(plain, purpose=purpose, context=context(row)))
    # Sessions are sealed too; rather than re-seal them, end them (people sign in again).
    session.execute(delete(models.WebSession))
    session.commit()


def users_of(session: Session, env: Env, key_id: str) -> int:
    """Count what still needs `key_id`: wrapped data keys and sealed secrets."""
    count = int(
        session.execute(
            select(func.count()).select_from(models.ClientKey).where(models.ClientKey.kek_id == key_id)
        ).scalar_one()
    )
    for model, column, _purpose, _context in _SEALED:
        for sealed in session.execute(select(getattr(model, column))).scalars():
            if sealed is not None and env.keyring.sealed_by(bytes(sealed)) == key_id:
                count += 1
    return count


def retire(session: Session, env: Env, actor: audit.Actor, key_id: str) -> None:
    """Retire a KEK (forget its material); refused while it is primary or anything still uses it."""
    key = env.keyring.keks.get(key_id)
    if key is None:
        raise NotFound(f"no key-encryption key {key_id!r} in the key file")
    if key.state == "primary":
        raise Conflict(f"{key_id} is the primary key; rotate first")
    if key.state == "retired":
        raise Conflict(f"{key_id} is already retired")
    in_use = users_of(session, env, key_id)
    if in_use:
        raise Conflict(
            f"{key_id} still protects {in_use} data keys or secrets; run `roi-tracker keys rotate` first"
        )
    newer = env.keyring.with_kek_retired(key_id)
    keyfile.replace(newer, env.settings.key_file)
    env.keyring.adopt_keks(newer)
    env.log.append(session, actor, Action.KEYS_RETIRED, Outcome.ALLOWED, object_type="kek", object_id=key_id)
    audit.commit(session)


def purge(session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID) -> None:
    """Crypto-shred a client whose retention has ended: destroy the data key, keep the log and accounting."""
    client = session.get(models.Client, client_id)
    if client is None:
        raise NotFound("no such client")
    if client.shredded_at is not None:
        raise Conflict("this client was already purged")
    years = env.settings.retention_years
    today = env.today()
    kept = maintenance.authorizations_kept(session, client_id, today=today, years=years)
    if kept or not rules.retention_ended(
        client.last_activity_at.date(), today=today, years=years, legal_hold=client.legal_hold
    ):
        reason = (
            "a legal hold is in place"
            if client.legal_hold
            else f"retention of {kept} signed authorization(s) has not ended ({years} years from last effect)"
            if kept
            else f"retention ({years} years after last activity) has not ended"
        )
        env.log.record_alone(
            session,
            actor,
            Action.CLIENT_SHREDDED,
            Outcome.REFUSED,
            object_type="client",
            object_id=str(client_id),
            client_id=str(client_id),
            basis="H-R1",
        )
        raise Conflict(f"refused: {reason} (rule H-R1)")
    session.execute(delete(models.ClientKey).where(models.ClientKey.client_id == client_id))
    search_terms.forget(session, client_id)
    client.shredded_at = env.clock()
    env.keyring.forget_data_keys(str(client_id))
    env.log.append(
        session,
        actor,
        Action.CLIENT_SHREDDED,
        Outcome.ALLOWED,
        object_type="client",
        object_id=str(client_id),
        client_id=str(client_id),
        basis="H-R1",
    )
    audit.commit(session)


def set_legal_hold(
    session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID, *, hold: bool
) -> None:
    """Place or lift a legal hold, which blocks purging."""
    client = session.get(models.Client, client_id)
    if client is None:
        raise NotFound("no such client")
    client.legal_hold = hold
    env.log.append(
        session,
        actor,
        Action.CLIENT_RECORD_WRITTEN,
        Outcome.ALLOWED,
        object_type="client",
        object_id=str(client_id),
        client_id=str(client_id),
        basis="legal-hold:on" if hold else "legal-hold:off",
    )
    audit.commit(session)
