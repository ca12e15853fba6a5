"""Finding clients without decrypting everyone: a compound blind index, then decrypt and filter (A8, P2)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import client_search
from roi_tracker.domain import clients as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Gone
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.services.context import Env
from roi_tracker.services.records import search_terms
from roi_tracker.services.records import vault

# More candidates than this (after the blind index, before decrypting) is a search too broad to answer.
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class Found:
    """One client in a list of results: enough to tell people apart on the phone."""

    id: uuid.UUID
    reference: str
    status: str
    given_name: str
    family_name: str
    date_of_birth: date


def _scoped(actor: audit.Actor, stmt: Select[tuple[models.Client]]) -> Select[tuple[models.Client]]:
    # Roles that may see no client's demographics (auditor, admin) find nothing, as in clients.visible.
    if not rules.may_see(actor.role, rules.View.DEMOGRAPHICS, on_caseload=True):
        return stmt.where(false())
    # A clinician finds only their caseload; others' clients answer as if they did not exist.
    if actor.role == "clinician":
        mine = select(models.CaseloadAssignment.client_id).where(
            models.CaseloadAssignment.user_id == uuid.UUID(actor.user_id)
        )
        stmt = stmt.where(models.Client.id.in_(mine))
    return stmt.where(models.Client.shredded_at.is_(None))


def _reveal_each(
    session: Session,
    env: Env,
    actor: audit.Actor,
    rows: Sequence[models.Client],
    keep: Callable[[rules.Demographics], bool] | None,
    basis: str,
) -> list[Found]:
    """Log the search, commit, decrypt the candidates, keep the matches and log a read of each."""
    # The caseload on a clinician's home is one logged list read, not a record read per client (issue 17/4).
    listing = basis == "caseload"
    receipt = env.log.reveal(
        session,
        actor,
        Action.CLIENT_SEARCHED,
        object_type="caseload" if listing else "search",
        object_id=str(len(rows)),
        basis=basis,
    )
    found: list[Found] = []
    for client in rows:
        try:
            key = vault.key_of(session, env, actor, client)
        except Gone:
            continue
        d = vault.open_demographics(session, env, actor, key, client, receipt)
        if keep is not None and not keep(d):
            continue  # a false positive of the truncated index, by design
        found.append(
            Found(client.id, client.reference, client.status, d.given_name, d.family_name, d.date_of_birth)
        )
    for item in [] if listing else found:
        env.log.append(
            session,
            actor,
            Action.CLIENT_RECORD_READ,
            Outcome.ALLOWED,
            object_type="client",
            object_id=str(item.id),
            client_id=str(item.id),
            basis=basis,
        )
    audit.commit(session)
    return found


def by_name_and_birth(
    session: Session, env: Env, actor: audit.Actor, family_name: str, date_of_birth: date
) -> list[Found]:
    """Find clients by family name and date of birth, exact but blind to case and accents."""
    if not family_name.strip():
        raise InvalidInput("family name is required", field="family_name")
    index = vault.name_dob_index(env.keyring, family_name, date_of_birth)
    rows = session.execute(_scoped(actor, select(models.Client).where(models.Client.name_dob_index == index)))
    wanted = crypto.normalize(family_name)

    def keep(d: rules.Demographics) -> bool:
        return crypto.normalize(d.family_name) == wanted and d.date_of_birth == date_of_birth

    return _reveal_each(session, env, actor, list(rows.scalars()), keep, "search:name+dob")


def by_text(session: Session, env: Env, actor: audit.Actor, text: str) -> list[Found]:
    """Find clients by part of a name ("smi", "Zoe O'Br") or by phone ("0123", "555-0123") (issue 17).

    The blind index narrows the candidates (every term must be present); decrypting and filtering keeps the
    real matches. A search that would decrypt more than MAX_CANDIDATES clients is refused before any read.
    """
    query = client_search.parse_query(text)
    wanted = search_terms.hashed(env.keyring, query.terms())
    t = models.ClientSearchTerm
    having_all = (
        select(t.client_id)
        .where(t.term.in_(wanted))
        .group_by(t.client_id)
        .having(func.count(t.term.distinct()) == len(wanted))
    )
    stmt = _scoped(actor, select(models.Client).where(models.Client.id.in_(having_all)))
    rows = list(session.execute(stmt.order_by(models.Client.reference).limit(MAX_CANDIDATES + 1)).scalars())
    if len(rows) > MAX_CANDIDATES:
        raise InvalidInput(
            "too many clients could match: type more of the name, add the given name, "
            "or search by family name and date of birth",
            field="q",
        )

    def keep(d: rules.Demographics) -> bool:
        return query.matches(d.given_name, d.family_name, d.phone)

    return _reveal_each(session, env, actor, rows, keep, "search:name-or-phone")


def by_reference(session: Session, env: Env, actor: audit.Actor, reference: str) -> list[Found]:
    """Find a client by their short reference, such as C-7K2Q."""
    ref = reference.strip().upper()
    if not ref.startswith("C-"):
        ref = "C-" + ref
    if len(ref) > 16:
        raise InvalidInput("a reference looks like C-7K2Q", field="reference")
    rows = session.execute(_scoped(actor, select(models.Client).where(models.Client.reference == ref)))
    return _reveal_each(session, env, actor, list(rows.scalars()), None, "search:reference")


def caseload(session: Session, env: Env, actor: audit.Actor) -> list[Found]:
    """List the clinician's own clients, active first."""
    stmt = _scoped(actor, select(models.Client)).order_by(models.Client.status, models.Client.created_at)
    if actor.role != "clinician":
        return []
    return _reveal_each(session, env, actor, list(session.execute(stmt).scalars()), None, "caseload")
