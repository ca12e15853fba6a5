"""Client records: register, find, read, edit, discharge. Reads are logged before anything is decrypted."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain import roles
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import Forbidden
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.domain.roles import Permission
from roi_tracker.services.context import Env
from roi_tracker.services.records import search_terms
from roi_tracker.services.records import vault

_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: easy to read aloud
NOT_FOUND = "no such client"


@dataclass(frozen=True)
class ClientView:
    """A client as a permitted person sees them."""

    id: uuid.UUID
    reference: str
    status: str
    demographics: rules.Demographics
    clinicians: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    discharged_at: datetime | None


def parse_client_id(raw: str) -> uuid.UUID:
    """Parse a client id; a malformed one answers like a missing client."""
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise NotFound(NOT_FOUND) from None


def _new_reference(session: Session) -> str:
    for _ in range(50):
        ref = "C-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(4))
        if session.execute(select(models.Client.id).where(models.Client.reference == ref)).first() is None:
            return ref
    raise Conflict("could not allocate a client reference; try again")


def _clinician_ids(session: Session, usernames: list[str]) -> list[uuid.UUID]:
    out = []
    for name in usernames:
        user = session.execute(
            select(models.User).where(models.User.username == name.strip().lower())
        ).scalar()
        if user is None or user.role != "clinician" or not user.active:
            raise InvalidInput(f"{name!r} is not an active clinician", field="clinician")
        out.append(user.id)
    return out


def caseload_of(session: Session, client_id: uuid.UUID) -> list[uuid.UUID]:
    """Return the ids of the clinicians assigned to a client."""
    stmt = select(models.CaseloadAssignment.user_id).where(models.CaseloadAssignment.client_id == client_id)
    return list(session.execute(stmt).scalars())


def _usernames(session: Session, ids: list[uuid.UUID]) -> tuple[str, ...]:
    if not ids:
        return ()
    rows = session.execute(
        select(models.User.username).where(models.User.id.in_(ids)).order_by(models.User.username)
    )
    return tuple(rows.scalars())


def register(
    session: Session, env: Env, actor: audit.Actor, details: rules.Demographics, clinicians: list[str]
) -> ClientView:
    """Register a client with their own data key; the entry and the record commit together."""
    details = rules.check(details, today=env.today())
    if not clinicians and actor.role == "clinician":
        me = session.get(models.User, uuid.UUID(actor.user_id))
        clinicians = [me.username] if me is not None else []
    if not clinicians:
        raise InvalidInput("assign at least one clinician", field="clinician")
    clinician_ids = _clinician_ids(session, clinicians)
    now = env.clock()
    client = models.Client(
        id=uuid.uuid4(),
        reference=_new_reference(session),
        status=rules.Status.ACTIVE.value,
        key_version=1,
        created_by=uuid.UUID(actor.user_id),
        created_at=now,
        updated_at=now,
        last_activity_at=now,
        name_dob_index=vault.name_dob_index(env.keyring, details.family_name, details.date_of_birth),
    )
    key = vault.new_key(session, env, client.id)
    vault.seal_demographics(key, client, details)
    session.add(client)
    session.flush()
    search_terms.write(session, env.keyring, client.id, details)
    for user_id in dict.fromkeys(clinician_ids):
        session.add(models.CaseloadAssignment(client_id=client.id, user_id=user_id, assigned_at=now))
    _log_write(session, env, actor, client, "register")
    audit.commit(session)
    return ClientView(
        client.id,
        client.reference,
        client.status,
        details,
        _usernames(session, clinician_ids),
        client.created_at,
        client.updated_at,
        None,
    )


def has_emergency_access(session: Session, actor: audit.Actor, client_id: uuid.UUID, now: datetime) -> bool:
    """Tell whether `actor` holds an unexpired emergency access ("break the glass") to this client."""
    stmt = select(models.EmergencyAccess.id).where(
        models.EmergencyAccess.client_id == client_id,
        models.EmergencyAccess.user_id == uuid.UUID(actor.user_id),
        models.EmergencyAccess.ended_at.is_(None),
        models.EmergencyAccess.expires_at > now,
    )
    return actor.role == "clinician" and session.execute(stmt).first() is not None


def _log_write(session: Session, env: Env, actor: audit.Actor, client: models.Client, basis: str) -> None:
    env.log.append(
        session,
        actor,
        Action.CLIENT_RECORD_WRITTEN,
        Outcome.ALLOWED,
        object_type="client",
        object_id=str(client.id),
        client_id=str(client.id),
        basis=basis,
    )


def visible(
    session: Session,
    actor: audit.Actor,
    client_id: uuid.UUID,
    view: rules.View,
    *,
    now: datetime | None = None,
) -> models.Client:
    """Return the client if `actor` may see `view` of it; anything else answers as missing (ASVS 8.2.2)."""
    client = session.get(models.Client, client_id)
    if client is None:
        raise NotFound(NOT_FOUND)
    if rules.may_see(actor.role, view, on_caseload=False):
        return client  # the role sees this of every client (front desk, demographics): no caseload query
    on_caseload = uuid.UUID(actor.user_id) in caseload_of(session, client_id) or (
        now is not None and has_emergency_access(session, actor, client_id, now)
    )
    if not rules.may_see(actor.role, view, on_caseload=on_caseload):
        raise NotFound(NOT_FOUND)
    return client


def refuse(session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID, action: Action) -> None:
    """Log a refused attempt on a client (it reaches the auditor's refused queue)."""
    env.log.record_alone(
        session,
        actor,
        action,
        Outcome.REFUSED,
        object_type="client",
        object_id=str(client_id),
        client_id=str(client_id),
    )


def visible_or_refused(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client_id: uuid.UUID,
    view: rules.View,
    action: Action,
    *,
    missing: str = NOT_FOUND,
) -> models.Client:
    """Return the client as `visible` does; a refusal is logged as `action`, then NotFound(`missing`)."""
    try:
        return visible(session, actor, client_id, view, now=env.clock())
    except NotFound:
        refuse(session, env, actor, client_id, action)
        raise NotFound(missing) from None


def get(session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID) -> ClientView:
    """Read a client's demographics: log the read, commit, then decrypt."""
    client = visible_or_refused(
        session, env, actor, client_id, rules.View.DEMOGRAPHICS, Action.CLIENT_RECORD_READ
    )
    key = vault.key_of(session, env, actor, client)
    receipt = env.log.reveal(
        session,
        actor,
        Action.CLIENT_RECORD_READ,
        object_type="client",
        object_id=str(client.id),
        client_id=str(client.id),
    )
    details = vault.open_demographics(session, env, actor, key, client, receipt)
    return view_of(session, client, details)


def view_of(session: Session, client: models.Client, details: rules.Demographics) -> ClientView:
    """Assemble the view of a client whose details were just decrypted."""
    clinicians = _usernames(session, caseload_of(session, client.id))
    return ClientView(
        client.id,
        client.reference,
        client.status,
        details,
        clinicians,
        client.created_at,
        client.updated_at,
        client.discharged_at,
    )


def update(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client_id: uuid.UUID,
    details: rules.Demographics,
    clinicians: list[str] | None = None,
) -> ClientView:
    """Replace a client's demographics (and, when given, their clinicians); logged with the change.

    The Part 2 flag is not changed here, whatever `details` says: that is the clinician's own act with a
    reason (part2.change). A caseload change is the clinician's too, and each is logged as its own action.
    """
    client = visible_or_refused(
        session, env, actor, client_id, rules.View.DEMOGRAPHICS, Action.CLIENT_RECORD_WRITTEN
    )
    details = rules.check(details, today=env.today())
    key = vault.key_of(session, env, actor, client)
    kept_part2 = client.part2
    vault.seal_demographics(key, client, details)
    client.part2 = kept_part2
    client.name_dob_index = vault.name_dob_index(env.keyring, details.family_name, details.date_of_birth)
    search_terms.write(session, env.keyring, client.id, details)
    client.updated_at = client.last_activity_at = env.clock()
    if clinicians is not None:
        _assign(session, env, actor, client, clinicians)
    _log_write(session, env, actor, client, "update")
    audit.commit(session)
    return view_of(session, client, details)


def _assign(
    session: Session, env: Env, actor: audit.Actor, client: models.Client, clinicians: list[str]
) -> None:
    ids = list(dict.fromkeys(_clinician_ids(session, clinicians)))
    if not ids:
        raise InvalidInput("assign at least one clinician", field="clinician")
    current = caseload_of(session, client.id)
    changes = [(u, "removed") for u in current if u not in ids] + [
        (u, "added") for u in ids if u not in current
    ]
    mine = uuid.UUID(actor.user_id) in current  # a clinician of the client, not one by emergency access
    if changes and not (mine and roles.is_granted(actor.role, Permission.CLIENT_CASELOAD_UPDATE)):
        refuse(session, env, actor, client.id, Action.CASELOAD_CHANGED)  # nothing of the edit is kept
        raise Forbidden("only a clinician of the client may change their caseload")
    for user_id, change in changes:
        if change == "removed":
            session.execute(
                delete(models.CaseloadAssignment).where(
                    models.CaseloadAssignment.client_id == client.id,
                    models.CaseloadAssignment.user_id == user_id,
                )
            )
        else:
            session.add(
                models.CaseloadAssignment(client_id=client.id, user_id=user_id, assigned_at=env.clock())
            )
        env.log.append(
            session,
            actor,
            Action.CASELOAD_CHANGED,
            Outcome.ALLOWED,
            object_type="user",
            object_id=str(user_id),
            client_id=str(client.id),
            basis=change,
        )


def discharge(session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID) -> None:
    """Discharge a client on the clinician's caseload."""
    client = visible_or_refused(
        session, env, actor, client_id, rules.View.CLINICAL, Action.CLIENT_RECORD_WRITTEN
    )
    if client.status == rules.Status.DISCHARGED:
        raise Conflict("this client is already discharged")
    if actor.role != "clinician":
        raise Forbidden("only the client's clinician may discharge them")
    client.status = rules.Status.DISCHARGED.value
    client.discharged_at = client.updated_at = client.last_activity_at = env.clock()
    _log_write(session, env, actor, client, "discharge")
    audit.commit(session)


def with_details(view: ClientView, **changes: object) -> rules.Demographics:
    """Return the view's demographics with some fields changed (edit forms)."""
    return replace(view.demographics, **changes)  # type: ignore[arg-type]
