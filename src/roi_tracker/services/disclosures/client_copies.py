"""Copies of records given to the client themselves (the right of access, 45 CFR 164.524).

No authorization is needed to give clients their own information (164.502(a)(1)(i)), and such a disclosure
is left out of the accounting (164.528(a)(1)(i)); it is still recorded, logged and kept in the history.
Only the client's own clinicians record it: they see what is given, and decide any denial (164.524(a)).
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker.domain import clients as rules
from roi_tracker.domain import inputs
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.records import clients
from roi_tracker.services.records import vault
from roi_tracker.services.releases import authorizations
from roi_tracker.services.requests import intake

BASIS = "client_access"


def record(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client_id: uuid.UUID,
    *,
    categories: list[str],
    channel: str,
    document_ids: list[str],
    identity_verification: str,
) -> disclosures.Recorded:
    """Record a copy given to the client, with how their identity was checked (164.514(h))."""
    try:
        client = clients.visible(session, actor, client_id, rules.View.CLINICAL, now=env.clock())
    except NotFound:
        clients.refuse(session, env, actor, client_id, Action.DISCLOSURE_RECORDED)
        raise
    try:
        cats = sorted({rules.parse_category(c).value for c in categories})
    except InvalidInput as bad:
        raise InvalidInput(str(bad), field="categories") from None
    if not cats:
        raise InvalidInput("name at least one category given", field="categories")
    if channel not in disclosures.CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(disclosures.CHANNELS)}", field="channel")
    verification = inputs.text(identity_verification, "identity_verification").strip()
    if not verification or len(verification) > 500:
        raise InvalidInput(
            "say how the client's identity was verified (at most 500 characters)",
            field="identity_verification",
        )
    docs = disclosures.documents_of(session, client, document_ids)
    for doc in docs:
        if doc.category not in cats:
            raise InvalidInput(
                f"A {doc.category.replace('_', ' ')} document is ticked: tick that category too, "
                "or leave the document out",
                field="categories",
            )
    key = vault.key_of(session, env, actor, client)
    details = {
        "categories": cats,
        "purpose": BASIS,
        "on": env.today().isoformat(),
        "document_ids": [str(d.id) for d in docs],
        "requester_verification": verification,
        "authorizations": [],
        "part2": authorizations.client_part2(session, env, actor, client, key),
        "to_client": True,
    }
    made = disclosures.add(
        session,
        env,
        actor,
        client,
        details,
        recipient_id=None,
        authorization_id=None,
        basis=BASIS,
        channel=channel,
    )
    # The copy is an access request answered on the spot: it joins the request desk's history (issue 18).
    intake.fulfilled_on_the_spot(session, env, actor, client, made, cats)
    audit.commit(session)
    return disclosures.Recorded(made.id, client.id, made.basis, made.disclosed_at)
