"""The recipients directory: people and organizations information may go to, reused across clients.

Details are sealed: a recipient's name can reveal a relationship ("the client's sister"). The directory is
small, so search decrypts it and filters; matching at disclosure time uses the recipient's id, never text.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import inputs
from roi_tracker.domain import recipients as types
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
    type: str = types.DEFAULT.value
    scope: str = "directory"
    archived: bool = False

    @property
    def type_label(self) -> str:
        """The type in plain words."""
        return types.LABELS[types.of_row(self.type)]

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
    session: Session,
    env: Env,
    actor: audit.Actor,
    *,
    kind: str = "person",
    type: str = types.DEFAULT.value,
    **details: str,
) -> RecipientView:
    """Add a recipient to the directory (name required)."""
    view = create_in(session, env, actor, kind=kind, type=type, **details)
    audit.commit(session)
    return view


def parse_type(raw: str | None) -> str:
    """Return a recipient type by name (absent: `other`), naming the field when unknown."""
    if raw in (None, ""):
        return types.DEFAULT.value
    parsed = types.parse(raw)
    if parsed is None:
        raise InvalidInput("type must be one of " + ", ".join(types.TYPES), field="type")
    return parsed.value


def clean_details(details: dict[str, str]) -> dict[str, str]:
    """Check a recipient's details: a name, each field within its limit."""
    clean = {name: inputs.text(details.get(name) or "", name).strip() for name in LIMITS}
    if not clean["name"]:
        raise InvalidInput("a recipient needs a name", field="name")
    for name, limit in LIMITS.items():
        if len(clean[name]) > limit:
            raise InvalidInput(f"{name} must be at most {limit} characters", field=name)
    return clean


def seal(env: Env, recipient_id: uuid.UUID, clean: dict[str, str]) -> bytes:
    """Seal a recipient's details to its row."""
    return env.keyring.seal(
        json.dumps(clean).encode("utf-8"), purpose=_PURPOSE, context=_context(recipient_id)
    )


def create_in(
    session: Session,
    env: Env,
    actor: audit.Actor,
    *,
    kind: str = "person",
    type: str = types.DEFAULT.value,
    scope: str = "directory",
    **details: str,
) -> RecipientView:
    """Add a recipient within the caller's transaction (scope `exception`: kept out of the directory)."""
    if kind not in KINDS:
        raise InvalidInput("kind must be person or organization", field="kind")
    recipient_type = parse_type(type)
    clean = clean_details(details)
    rid = uuid.uuid4()
    session.add(
        models.Recipient(
            id=rid,
            kind=kind,
            type=recipient_type,
            scope=scope,
            details=seal(env, rid, clean),
            created_by=uuid.UUID(actor.user_id),
        )
    )
    session.flush()
    env.log.append(
        session, actor, Action.RECIPIENT_CREATED, Outcome.ALLOWED, object_type="recipient", object_id=str(rid)
    )
    return _view(rid, kind, clean, recipient_type, scope)


def _open(env: Env, row: models.Recipient) -> RecipientView:
    try:
        raw = env.keyring.open(bytes(row.details), purpose=_PURPOSE, context=_context(row.id))
    except crypto.IntegrityError:
        raise IntegrityFailure("a recipient record failed its integrity check") from None
    return _view(row.id, row.kind, json.loads(raw), types.of_row(row.type).value, row.scope, row.archived_at)


def _view(
    rid: uuid.UUID, kind: str, d: dict[str, str], type: str, scope: str, archived_at: datetime | None = None
) -> RecipientView:
    return RecipientView(
        rid,
        kind,
        d["name"],
        d.get("organization", ""),
        d.get("address", ""),
        d.get("fax", ""),
        d.get("email", ""),
        d.get("phone", ""),
        type=type,
        scope=scope,
        archived=archived_at is not None,
    )


def get(session: Session, env: Env, recipient_id: uuid.UUID) -> RecipientView:
    """Return one recipient."""
    row = session.get(models.Recipient, recipient_id)
    if row is None:
        raise NotFound("no such recipient")
    return _open(env, row)


def search(
    session: Session, env: Env, q: str = "", *, limit: int = 50, archived: bool = False
) -> list[RecipientView]:
    """Find directory entries whose details contain `q` (blind to case and accents).

    An exception's own recipient is never listed (issue 17 item 6); archived entries only when asked.
    """
    needle = crypto.normalize(q)
    out = []
    stmt = select(models.Recipient).where(models.Recipient.scope == "directory")
    if not archived:
        stmt = stmt.where(models.Recipient.archived_at.is_(None))
    for row in session.execute(stmt.order_by(models.Recipient.created_at)).scalars():
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
