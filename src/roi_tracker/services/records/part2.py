"""A client's Part 2 status: set or cleared by their clinician with a reason; it also follows the records.

A document in sud_records or sud_counseling_notes makes the client's records Part 2 records whatever the
flag says (42 CFR 2.12(d), 2.32), so clearing the flag is refused while such a document exists.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain import inputs
from roi_tracker.domain import roles
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import Forbidden
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.records import clients
from roi_tracker.services.records import vault

REASON_LIMIT = 500


def part2_documents(session: Session, client_id: uuid.UUID) -> int:
    """Count the client's documents that are Part 2 records by their category."""
    stmt = select(func.count()).where(
        models.Document.client_id == client_id,
        models.Document.category.in_([c.value for c in rules.PART2_CATEGORIES]),
    )
    return int(session.execute(stmt).scalar_one())


def flag_of(
    session: Session, env: Env, actor: audit.Actor, client: models.Client, key: crypto.DataKey
) -> bool:
    """The client's Part 2 flag as recorded (the caller has logged the read)."""
    try:
        raw = key.decrypt(bytes(client.part2), table="clients", column="part2", row_id=str(client.id))
    except crypto.IntegrityError:
        vault.integrity_failure(session, env, actor, client.id, "client")
        raise
    return raw == b"1"


def is_part2(
    session: Session, env: Env, actor: audit.Actor, client: models.Client, key: crypto.DataKey
) -> bool:
    """Tell whether the client's records are Part 2 records: flagged, or holding a Part 2 document."""
    return flag_of(session, env, actor, client, key) or part2_documents(session, client.id) > 0


def change(
    session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID, *, part2: bool, reason: str
) -> bool:
    """Set or clear the flag as the client's clinician, with a reason; logged as its own action."""
    try:
        client = clients.visible(session, actor, client_id, rules.View.CLINICAL, now=env.clock())
    except NotFound:
        clients.refuse(session, env, actor, client_id, Action.CLIENT_PART2_CHANGED)
        raise
    mine = uuid.UUID(actor.user_id) in clients.caseload_of(session, client.id)  # not by emergency access
    if not mine or not roles.is_granted(actor.role, roles.Permission.CLIENT_PART2_UPDATE):
        clients.refuse(session, env, actor, client.id, Action.CLIENT_PART2_CHANGED)
        raise Forbidden("only a clinician on the client's caseload may change their Part 2 status")
    why = inputs.text(reason, "reason").strip()
    if not why or len(why) > REASON_LIMIT:
        raise InvalidInput(f"give the reason for the change (1 to {REASON_LIMIT} characters)", field="reason")
    key = vault.key_of(session, env, actor, client)
    if flag_of(session, env, actor, client, key) == part2:
        raise Conflict(f"the client is already {'' if part2 else 'not '}flagged as Part 2 records")
    held = part2_documents(session, client.id)
    if not part2 and held:
        clients.refuse(session, env, actor, client.id, Action.CLIENT_PART2_CHANGED)
        raise Conflict(
            f"the client has {held} Part 2 document(s) (SUD records or counseling notes): their records stay "
            "Part 2 records (42 CFR 2.12(d)) and the flag cannot be cleared"
        )
    client.part2 = key.encrypt(
        b"1" if part2 else b"0", table="clients", column="part2", row_id=str(client.id)
    )
    change_id = uuid.uuid4()
    session.add(
        models.Part2Change(
            id=change_id,
            client_id=client.id,
            part2=part2,
            reason=key.encrypt(why.encode(), table="part2_changes", column="reason", row_id=str(change_id)),
            changed_by=uuid.UUID(actor.user_id),
            changed_at=env.clock(),
        )
    )
    client.updated_at = client.last_activity_at = env.clock()
    env.log.append(
        session,
        actor,
        Action.CLIENT_PART2_CHANGED,
        Outcome.ALLOWED,
        object_type="client",
        object_id=str(client.id),
        client_id=str(client.id),
        basis="set" if part2 else "cleared",
    )
    audit.commit(session)
    return part2
