"""Release form templates: the shipped defaults, the current version of each kind, and new versions.

Version 1 of every kind ships with the product (migration 0014 stores it, under the same id everywhere). An
instance whose rows are missing still reads the shipped wording; it is stored, under that id, in the logged
transaction that first needs a row (a signature naming it, or the next version), never by a read.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import consent
from roi_tracker.domain import form_templates as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env

_EPOCH = datetime(2026, 12, 4, tzinfo=UTC)  # the day the defaults shipped (migration 0014)


@dataclass(frozen=True)
class TemplateView:
    """One template version as staff see it."""

    id: uuid.UUID
    kind: consent.Kind
    version: int
    wording: rules.Wording
    created_at: datetime
    shipped: bool


def _view(row: models.FormTemplate) -> TemplateView:
    raw = json.loads(row.wording)
    wording = rules.Wording(str(raw["title"]), {str(k): str(v) for k, v in raw["sections"].items()})
    return TemplateView(
        row.id, consent.Kind(row.kind), row.version, wording, row.created_at, row.created_by is None
    )


def _shipped(kind: consent.Kind) -> TemplateView:
    return TemplateView(rules.shipped_id(kind), kind, 1, rules.DEFAULTS[kind], _EPOCH, True)


def _encode(wording: rules.Wording) -> str:
    return json.dumps({"title": wording.title, "sections": wording.sections}, sort_keys=True)


def parse_kind(raw: str) -> consent.Kind:
    """Parse a template kind, naming the kinds there are."""
    try:
        return consent.Kind(raw)
    except ValueError:
        known = ", ".join(k.value for k in consent.Kind)
        raise InvalidInput(f"unknown kind {raw!r}; one of {known}", field="kind") from None


def _rows(session: Session, kind: consent.Kind | None = None) -> list[models.FormTemplate]:
    stmt = select(models.FormTemplate).order_by(models.FormTemplate.kind, models.FormTemplate.version.desc())
    if kind is not None:
        stmt = stmt.where(models.FormTemplate.kind == kind.value)
    return list(session.execute(stmt).scalars())


def every_version(session: Session) -> list[TemplateView]:
    """Every version of every kind, newest first within a kind (the shipped one included)."""
    views = [_view(row) for row in _rows(session)]
    stored = {(v.kind, v.version) for v in views}
    views += [_shipped(k) for k in consent.Kind if (k, 1) not in stored]
    return sorted(views, key=lambda v: (v.kind.value, -v.version))


def current(session: Session, kind: consent.Kind) -> TemplateView:
    """The newest version of a kind: the one new forms are printed from."""
    rows = _rows(session, kind)
    return _view(rows[0]) if rows else _shipped(kind)


def get(session: Session, raw_id: str | uuid.UUID) -> TemplateView:
    """One template version by id; a malformed id answers like a missing one."""
    try:
        template_id = raw_id if isinstance(raw_id, uuid.UUID) else uuid.UUID(str(raw_id))
    except ValueError:
        raise NotFound("no such form template") from None
    row = session.get(models.FormTemplate, template_id)
    if row is not None:
        return _view(row)
    for kind in consent.Kind:
        if rules.shipped_id(kind) == template_id:
            return _shipped(kind)
    raise NotFound("no such form template")


def keep(session: Session, view: TemplateView) -> None:
    """Store a shipped version not stored yet, in the caller's (logged) transaction."""
    if view.shipped and session.get(models.FormTemplate, view.id) is None:
        session.add(
            models.FormTemplate(id=view.id, kind=view.kind.value, version=1, wording=_encode(view.wording))
        )
        session.flush()


def create_version(
    session: Session, env: Env, actor: audit.Actor, kind: consent.Kind, wording: rules.Wording
) -> TemplateView:
    """Add the next version of a kind's wording; an old version is never changed (H-P1)."""
    problems = rules.check(kind, wording)
    if problems:
        raise Defective(
            "the wording cannot be used",
            [
                {"rule": p.rule, "severity": p.severity.value, "field": p.field, "message": p.message}
                for p in problems
            ],
        )
    keep(session, _shipped(kind))
    latest = session.execute(
        select(func.max(models.FormTemplate.version)).where(models.FormTemplate.kind == kind.value)
    ).scalar_one()
    cleaned = rules.Wording(
        wording.title.strip(), {k: v.strip() for k, v in wording.sections.items() if v.strip()}
    )
    row = models.FormTemplate(
        kind=kind.value,
        version=(latest or 0) + 1,
        wording=_encode(cleaned),
        created_by=uuid.UUID(actor.user_id),
    )
    session.add(row)
    session.flush()
    env.log.append(
        session,
        actor,
        Action.FORM_TEMPLATE_CREATED,
        Outcome.ALLOWED,
        object_type="form_template",
        object_id=str(row.id),
        basis=f"{kind.value} v{row.version}",
    )
    audit.commit(session)
    return _view(row)
