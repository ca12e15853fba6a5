"""Signed forms shared between authorizations: what else was recorded from the very same signed form."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import consent
from roi_tracker.services.context import Env
from roi_tracker.services.records import vault

# The advisory-lock space of signed forms (PostgreSQL's two-key form: "H-X1" as a number).
_FORM_LOCKS = 0x48583131


def kinds_on_form(
    session: Session, env: Env, actor: audit.Actor, signed_form: bytes
) -> frozenset[consent.Kind]:
    """Return the kinds of every authorization, of any client, already recorded from this signed form."""
    # One signed form recorded as two authorizations is one compound authorization (H-X1, H-D4), found by
    # the form's SHA-256 for any client. The kinds are read only to decide, never shown, and the refusal
    # names no other client.
    digest = crypto.sha256(signed_form)
    hold_the_form(session, digest)
    stmt = (
        select(models.Authorization)
        .join(models.Document, models.Document.id == models.Authorization.signed_form_id)
        .where(models.Document.sha256 == digest)
    )
    kinds: set[consent.Kind] = set()
    for row in session.execute(stmt).scalars():
        owner = session.get(models.Client, row.client_id)
        if owner is None or owner.shredded_at is not None:
            continue  # a crypto-shredded client's terms are gone, and so is the authorization
        kinds.add(_kind(session, env, actor, owner, row))
    return frozenset(kinds)


def hold_the_form(session: Session, digest: bytes) -> None:
    """Serialize the recording of one signed form until this transaction ends (H-X1 under concurrency).

    Two clerks recording the same signed form at the same moment, as psychotherapy notes and as another kind,
    would each find nothing on the form and both succeed. PostgreSQL: a transaction-scoped advisory lock on
    the form's hash (the two-key space, apart from the access log's one-key lock), so the second waits for
    the first to commit and then sees its authorization. SQLite: every write transaction is BEGIN IMMEDIATE
    (db.py), which already holds the database's one write lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        form_key = int.from_bytes(digest[:4], "big", signed=True)
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": _FORM_LOCKS, "key": form_key}
        )


def _kind(
    session: Session, env: Env, actor: audit.Actor, owner: models.Client, row: models.Authorization
) -> consent.Kind:
    key = vault.key_of(session, env, actor, owner)
    try:
        raw = key.decrypt(bytes(row.terms), table="authorizations", column="terms", row_id=str(row.id))
    except crypto.IntegrityError:
        vault.integrity_failure(session, env, actor, row.client_id, "authorization")
        raise
    return consent.Kind(json.loads(raw)["kind"])
