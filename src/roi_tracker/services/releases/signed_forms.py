"""Signed forms shared between authorizations: what else was recorded from the very same signed form."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import consent
from roi_tracker.services.context import Env
from roi_tracker.services.records import vault


def kinds_on_form(
    session: Session, env: Env, actor: audit.Actor, signed_form: bytes
) -> frozenset[consent.Kind]:
    """Return the kinds of every authorization, of any client, already recorded from this signed form."""
    # One signed form recorded as two authorizations is one compound authorization (H-X1, H-D4), found by
    # the form's SHA-256 for any client. The kinds are read only to decide, never shown, and the refusal
    # names no other client.
    stmt = (
        select(models.Authorization)
        .join(models.Document, models.Document.id == models.Authorization.signed_form_id)
        .where(models.Document.sha256 == crypto.sha256(signed_form))
    )
    kinds: set[consent.Kind] = set()
    for row in session.execute(stmt).scalars():
        owner = session.get(models.Client, row.client_id)
        if owner is None or owner.shredded_at is not None:
            continue  # a crypto-shredded client's terms are gone, and so is the authorization
        kinds.add(_kind(session, env, actor, owner, row))
    return frozenset(kinds)


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
