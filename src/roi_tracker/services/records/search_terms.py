"""The blind-index terms of search by part of a name or phone (issue 17; security.md A8).

Each term is a 2-byte HMAC of a name prefix or phone tail under its own index key: about 65,000 buckets, so at
the scale of a practice many clients share each term and a search decrypts and filters its candidates
(services/records/search.py). Written with the client's demographics, in the same transaction; deleted when
the client is crypto-shredded.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select
from sqlalchemy import delete
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import client_search
from roi_tracker.domain import clients as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import Gone
from roi_tracker.services.context import Env
from roi_tracker.services.records import vault

TERM_BYTES = 2
_INDEX = {
    client_search.NAME_PREFIX: "clients.name_prefix",
    client_search.PHONE_TAIL: "clients.phone_tail",
}


def hashed(keyring: crypto.Keyring, terms: set[tuple[str, str]]) -> set[bytes]:
    """The stored form of (index, value) terms: truncated HMACs, one key per index."""
    return {keyring.blind_index(_INDEX[index], value, nbytes=TERM_BYTES) for index, value in terms}


def rows_of(keyring: crypto.Keyring, client_id: uuid.UUID, d: rules.Demographics) -> list[dict[str, object]]:
    """The term rows of one client, for a bulk insert (demo seed) or `write`."""
    terms = client_search.terms_of(d.given_name, d.family_name, d.phone)
    return [{"client_id": client_id, "term": term} for term in sorted(hashed(keyring, terms))]


def write(session: Session, keyring: crypto.Keyring, client_id: uuid.UUID, d: rules.Demographics) -> None:
    """Replace a client's terms with those of `d`, in the caller's transaction."""
    forget(session, client_id)
    session.flush()
    for row in rows_of(keyring, client_id, d):
        session.add(models.ClientSearchTerm(**row))


def forget(session: Session, client_id: uuid.UUID) -> None:
    """Delete a client's terms (a shredded client is found by nothing)."""
    session.execute(delete(models.ClientSearchTerm).where(models.ClientSearchTerm.client_id == client_id))


def _missing() -> Select[tuple[models.Client]]:
    t = models.ClientSearchTerm
    return select(models.Client).where(
        models.Client.shredded_at.is_(None), ~exists().where(t.client_id == models.Client.id)
    )


def count_missing(session: Session) -> int:
    """How many clients have no search terms yet (registered before migration 0017); needs no keys."""
    return session.execute(select(func.count()).select_from(_missing().subquery())).scalar_one()


def fill_missing(session: Session, env: Env, actor: audit.Actor, *, batch: int = 500) -> int:
    """Index the clients registered before search terms existed (migration 0017); return how many.

    Decrypting their names is a logged read of each batch (no access-log entry, no data), made by `actor`
    (the CLI's system actor), before any plaintext is produced.
    """
    missing = _missing().order_by(models.Client.id).limit(batch)
    done = 0
    while clients := list(session.execute(missing).scalars()):
        receipt = env.log.reveal(
            session,
            actor,
            Action.CLIENT_SEARCHED,
            object_type="search_index",
            object_id=str(len(clients)),
            basis="search-index",
        )
        indexed = 0
        for client in clients:
            try:
                key = vault.key_of(session, env, actor, client)
            except Gone:
                continue
            write(
                session,
                env.keyring,
                client.id,
                vault.open_demographics(session, env, actor, key, client, receipt),
            )
            indexed += 1
        audit.commit(session)
        done += indexed
        if indexed == 0:
            break
    return done
