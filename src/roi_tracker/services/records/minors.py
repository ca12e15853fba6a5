"""A minor client's consent to their own care, recorded by their clinician (164.502(g)(3); 42 CFR 2.14).

Whether a minor may consent to care alone is state law; the clinician records that this minor did. From
then on the minor, not a parent, signs authorizations and Part 2 consents (H-C7, P2-8). Minor status
itself is derived from the date of birth on the day a form is signed, never stored.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker.domain import clients as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.records import clients
from roi_tracker.services.records import vault


def record_consent(
    session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID, *, consented: bool
) -> bool:
    """Record whether the minor client consented to their own care (sealed, logged)."""
    try:
        client = clients.visible(session, actor, client_id, rules.View.CLINICAL, now=env.clock())
    except NotFound:
        clients.refuse(session, env, actor, client_id, Action.CLIENT_RECORD_WRITTEN)
        raise
    key = vault.key_of(session, env, actor, client)
    client.minor_consent = key.encrypt(
        b"1" if consented else b"0", table="clients", column="minor_consent", row_id=str(client.id)
    )
    client.updated_at = client.last_activity_at = env.clock()
    env.log.append(
        session,
        actor,
        Action.CLIENT_RECORD_WRITTEN,
        Outcome.ALLOWED,
        object_type="client",
        object_id=str(client.id),
        client_id=str(client.id),
        basis="minor-consent:yes" if consented else "minor-consent:no",
    )
    audit.commit(session)
    return consented
