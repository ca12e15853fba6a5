"""The recipients directory: people and organizations information may go to, reused across clients.

Details are sealed: a recipient's name can reveal a relationship ("the client's sister"). The directory is
small, so search decrypts it and filters; matching at disclosure time uses the recipient's id, never text.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import inputs
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import IntegrityFailure
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env

_PURPOSE = "recipient-details"
KINDS = ("person", "organization")
LIMITS = {"name": 200, "organization": 200, "address": 500, "fax": 40, "email": 254, "phone": 40}


@dataclass(frozen=True)
class RecipientView:
    """A directory entry."""

    id: uuid.UUID
    kind: str
    name: str
    organization: str = ""
    address: str = ""
    fax: str = ""
    email: str = ""
    phone: str = ""

    @property
    def display(self) -> str:
        """Name and organization on one line."""
        return f"{self.name} ({self.organization})" if self.organization else self.name


def _context(recipient_id: uuid.UUID) -> bytes:
    return b"recipients|details|" + str(recipient_id).encode("ascii")


def parse_recipient_id(raw: str, *, field: str = "recipient_id") -> uuid.UUID:
    """Parse a recipient id, naming the field when malformed."""
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise InvalidInput(f"{field} must be a recipient's id", field=field) from None


def create(
    session: Session, env: Env, actor: audit.Actor, *, kind: str = "person", **details: str
) -> RecipientView:
    """Add a recipient to the directory (name required)."""
    view = create_in(session, env, actor, kind=kind, **details)
    audit.commit(session)
    return view


def create_in(
    session: Session, env: Env, actor: audit.Actor, *, kind: str = "person", **details: str
) -> RecipientView:
    """Add a recipient within the caller's transaction."""
    if kind not in KINDS:
        raise InvalidInput("kind must be person or organization", field="kind")
    clean = {name: inputs.text(details.get(name) or "", name).strip() for name in LIMITS}
    if not clean["name"]:
        raise InvalidInput("a recipient needs a name", field="name")
    for name, limit in LIMITS.items():
        if len(clean[name]) > limit:
            raise InvalidInput(f"{name} must be at most {limit} characters", field=name)
    rid = uuid.uuid4()
    sealed = env.keyring.seal(json.dumps(clean).encode("utf-8"), purpose=_PURPOSE, context=_context(rid))
    session.add(models.Recipient(id=rid, kind=kind, details=sealed, created_by=uuid.UUID(actor.user_id)))
    session.flush()
    env.log.append(
        session, actor, Action.RECIPIENT_CREATED, Outcome.ALLOWED, object_type="recipient", object_id=str(rid)
    )
    return RecipientView(rid, kind, **clean)


def _open(env: Env, row: models.Recipient) -> RecipientView:
    try:
        raw = env.keyring.open(bytes(row.details), purpose=_PURPOSE, context=_context(row.id))
    except crypto.IntegrityError:
        raise IntegrityFailure("a recipient record failed its integrity check") from None
    return RecipientView(row.id, row.kind, **json.loads(raw))


def get(session: Session, env: Env, recipient_id: uuid.UUID) -> RecipientView:
    """Return one recipient."""
    row = session.get(models.Recipient, recipient_id)
    if row is None:
        raise NotFound("no such recipient")
    return _open(env, row)


def search(session: Session, env: Env, q: str = "", *, limit: int = 50) -> list[RecipientView]:
    """Find recipients whose name, organization or contact details contain `q` (blind to case and accents)."""
    needle = crypto.normalize(q)
    out = []
    for row in session.execute(select(models.Recipient).order_by(models.Recipient.created_at)).scalars():
        view = _open(env, row)
        haystack = crypto.normalize(" ".join(asdict(view)[k] for k in LIMITS))
        if needle in haystack:
            out.append(view)
    return sorted(out, key=lambda v: crypto.normalize(v.display))[:limit]


def get_many(session: Session, env: Env, ids: set[uuid.UUID]) -> dict[uuid.UUID, RecipientView]:
    """Return the recipients with these ids."""
    if not ids:
        return {}
    rows = session.execute(select(models.Recipient).where(models.Recipient.id.in_(ids))).scalars()
    return {row.id: _open(env, row) for row in rows}
