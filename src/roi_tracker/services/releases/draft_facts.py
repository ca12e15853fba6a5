"""Facts a signed form does not carry but the rules need, filled in from the records before validating.

The named recipient's type (P2-4, 2.31(a)(4)(ii)); whether the client was a minor on the day signed and
consented to the care (164.502(g)(3), P2-8); whether a child abuse report names a parent or representative
as the suspected abuser (164.502(g)(5)). The rules stay pure; this module only reads.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import consent
from roi_tracker.domain import recipients as types
from roi_tracker.domain import representatives
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.services.context import Env
from roi_tracker.services.records import vault
from roi_tracker.services.releases import recipients


def complete(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client: models.Client,
    key: crypto.DataKey,
    draft: consent.Draft,
) -> consent.Draft:
    """Return the draft with what the records say (the caller logs the recording)."""
    if draft.recipient_id is not None:
        view = recipients.get(session, env, recipients.parse_recipient_id(draft.recipient_id))
        if view.archived or view.scope != "directory":
            raise InvalidInput("choose a current recipient from the directory", field="recipient_id")
        draft = replace(draft, recipient_type=types.of_row(view.type))
    signed = draft.signed_on or env.today()
    minor = representatives.is_minor(
        _date_of_birth(session, env, actor, client, key), signed, age_of_majority=env.settings.age_of_majority
    )
    consented = minor_consented(session, env, actor, client, key)
    return replace(
        draft,
        # Typed on the form or recorded on the client: either makes the minor the one who signs.
        minor_may_consent=draft.minor_may_consent
        or representatives.minor_may_consent(minor=minor, consented_to_care=consented),
        representative_suspected=parent_suspected(session, env, actor, client, key),
    )


def representative_problems(draft: consent.Draft) -> list[consent.Problem]:
    """H-C7 with 164.502(g): the problems with who signed, once the draft is complete."""
    return representatives.check(draft)


def _open(
    session: Session, env: Env, actor: audit.Actor, client: models.Client, key: crypto.DataKey, column: str
) -> bytes | None:
    raw = getattr(client, column)
    if raw is None:
        return None
    try:
        return key.decrypt(bytes(raw), table="clients", column=column, row_id=str(client.id))
    except crypto.IntegrityError:
        vault.integrity_failure(session, env, actor, client.id, "client")
        raise


def _date_of_birth(
    session: Session, env: Env, actor: audit.Actor, client: models.Client, key: crypto.DataKey
) -> date:
    raw = _open(session, env, actor, client, key, "date_of_birth")
    return date.fromisoformat((raw or b"").decode("ascii"))


def minor_consented(
    session: Session, env: Env, actor: audit.Actor, client: models.Client, key: crypto.DataKey
) -> bool:
    """Whether the client's record says the minor consented to their own care (not recorded: no)."""
    return _open(session, env, actor, client, key, "minor_consent") == b"1"


def parent_suspected(
    session: Session, env: Env, actor: audit.Actor, client: models.Client, key: crypto.DataKey
) -> bool:
    """Whether any child abuse report for the client names a parent or representative as suspected."""
    stmt = select(models.ConfidentialityException).where(
        models.ConfidentialityException.client_id == client.id
    )
    for row in session.execute(stmt).scalars():
        try:
            details = json.loads(
                key.decrypt(
                    bytes(row.details),
                    table="confidentiality_exceptions",
                    column="details",
                    row_id=str(row.id),
                )
            )
        except crypto.IntegrityError:
            vault.integrity_failure(session, env, actor, client.id, "exception")
            raise
        if details.get("kind") == "child_abuse_report" and details.get("parent_suspected") is True:
            return True
    return False
