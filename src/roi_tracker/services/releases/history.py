"""One authorization's page: its terms, why it stands as it does today, and its history from the rows kept.

The history is built from what the product already stores: the authorization's row (recorded, revoked,
expiry event, each with who entered it), its on-screen signature if it was signed in the office, the
disclosures made under it, and the access-log entries that recorded its revocation or expiry event (for the
moment each was entered, which may be later than the day it counts from).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import clock as calendar
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain import consent
from roi_tracker.domain import disclosure
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.records import clients
from roi_tracker.services.records import page
from roi_tracker.services.records import vault
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import recipients

NOT_FOUND = "no such authorization for this client"
_ENTERED = (Action.AUTHORIZATION_REVOKED, Action.AUTHORIZATION_EXPIRY_EVENT)


@dataclass(frozen=True)
class Terms:
    """What the form says beyond the list's columns: Part 2 elements, the signer, statements, the copy."""

    recipient_class: str
    intermediary_participants: str
    disclosing_party: str
    records_from: date | None
    records_to: date | None
    representative_name: str
    representative_relationship: str
    representative_authority: str
    minor_may_consent: bool
    statements: tuple[str, ...]
    copy_given_on: date | None
    copy_method: str


@dataclass(frozen=True)
class Step:
    """One event of the history: `on` is the day it counts from, `at` the moment it was entered, if known."""

    kind: str  # signed, signed_on_screen, recorded, revoked, expiry_event, disclosed
    on: date
    at: datetime | None
    by: str
    note: str = ""
    document_id: uuid.UUID | None = None  # the written revocation
    disclosure: page.DisclosureLine | None = None


@dataclass(frozen=True)
class AuthorizationPage:
    """What one authorization's page shows; `clinical`: whether its documents and actions are open."""

    client: clients.ClientView
    authorization: authorizations.AuthorizationView
    terms: Terms
    reasons: tuple[disclosure.Reason, ...]  # why it permits nothing today; empty while active
    history: tuple[Step, ...]  # oldest first
    clinical: bool
    part2: bool


def open_authorization(
    session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID, auth_id: uuid.UUID
) -> AuthorizationPage:
    """Read one authorization of a client for its page: logged reads first, then decrypt what it shows."""
    client = clients.visible_or_refused(
        session, env, actor, client_id, rules.View.DEMOGRAPHICS, Action.AUTHORIZATION_READ
    )
    row = session.get(models.Authorization, auth_id)
    if row is None or row.client_id != client.id:
        # Another client's id in the path reads as missing, and the attempt reaches the refused queue.
        env.log.record_alone(
            session,
            actor,
            Action.AUTHORIZATION_READ,
            Outcome.REFUSED,
            object_type="authorization",
            object_id=str(auth_id),
            client_id=str(client.id),
        )
        raise NotFound(NOT_FOUND)
    named = clients.get(session, env, actor, client.id)
    key = vault.key_of(session, env, actor, client)
    clinical = page.sees_clinical(session, env, actor, client)
    receipt = env.log.reveal(
        session,
        actor,
        Action.AUTHORIZATION_READ,
        object_type="authorization",
        object_id=str(row.id),
        client_id=str(client.id),
        basis="authorization-page",
    )
    t = authorizations.terms_of(session, env, actor, key, row)
    names = recipients.get_many(session, env, {row.recipient_id} if row.recipient_id else set())
    today = env.today()
    under = [d for d in disclosures.history(session, client.id) if _made_under(d, row)]
    lines = page.disclosure_lines(session, env, actor, client, key, receipt, under)
    return AuthorizationPage(
        named,
        authorizations.view_of(row, t, names, today),
        _terms(t),
        tuple(disclosure.standing_reasons(row.label, authorizations.standing_of(row), today)),
        _history(session, env, row, t, list(zip(under, lines, strict=True))),
        clinical,
        consent.Kind(t["kind"]) in consent.PART2_KINDS,
    )


def _made_under(d: models.Disclosure, row: models.Authorization) -> bool:
    # A disclosure covered by several authorizations points at the first; its basis names them all.
    return d.authorization_id == row.id or row.label in d.basis.split(",")


def _day(raw: str | None) -> date | None:
    return date.fromisoformat(raw) if raw else None


def _terms(t: dict[str, Any]) -> Terms:
    return Terms(
        t.get("recipient_class", ""),
        t.get("intermediary_participants", ""),
        t.get("disclosing_party", ""),
        _day(t.get("records_from")),
        _day(t.get("records_to")),
        t.get("representative_name", ""),
        t.get("representative_relationship", ""),
        t.get("representative_authority", ""),
        bool(t.get("minor_may_consent")),
        tuple(t.get("statements", [])),
        _day(t.get("copy_given_on")),
        t.get("copy_method", ""),
    )


def _history(
    session: Session,
    env: Env,
    row: models.Authorization,
    t: dict[str, Any],
    sent: list[tuple[models.Disclosure, page.DisclosureLine]],
) -> tuple[Step, ...]:
    """Every step from the rows kept, oldest first (by the day each counts from, then when entered)."""
    signature = session.execute(
        select(models.AuthorizationSignature).where(models.AuthorizationSignature.authorization_id == row.id)
    ).scalar_one_or_none()
    who = {row.recorded_by, row.revocation_recorded_by, row.expiry_event_recorded_by}
    people = _usernames(session, who | ({signature.witnessed_by} if signature else set()))
    entered = _entered_at(session, row)
    zone = env.settings.timezone
    steps = [
        Step(
            "recorded",
            calendar.local_date(row.recorded_at, zone),
            row.recorded_at,
            people.get(row.recorded_by, ""),
        )
    ]
    signed_on = _day(t.get("signed_on"))
    if signed_on is not None:
        signer = t.get("representative_name") if t.get("signed_by") == "representative" else "the client"
        steps.append(_signed(signed_on, signer or "a representative", signature, people))
    if row.revoked_on is not None:
        by = people.get(row.revocation_recorded_by, "")
        at = entered.get(Action.AUTHORIZATION_REVOKED)
        steps.append(Step("revoked", row.revoked_on, at, by, document_id=row.revocation_document_id))
    if row.expiry_event_on is not None:
        by = people.get(row.expiry_event_recorded_by, "")
        at = entered.get(Action.AUTHORIZATION_EXPIRY_EVENT)
        steps.append(Step("expiry_event", row.expiry_event_on, at, by))
    for d, line in sent:
        # One entered afterwards is stamped at midnight UTC of the day it was made: that day, in any zone.
        on = d.disclosed_at.date() if d.entered_at is not None else calendar.local_date(d.disclosed_at, zone)
        steps.append(Step("disclosed", on, d.disclosed_at, line.by, disclosure=line))
    earliest = datetime.min.replace(tzinfo=UTC)
    return tuple(sorted(steps, key=lambda s: (s.on, s.at or earliest)))


def _signed(
    on: date, signer: str, signature: models.AuthorizationSignature | None, people: dict[Any, str]
) -> Step:
    """The signature: on paper (uploaded), or on screen in the office with its method, time and witness."""
    if signature is None:
        return Step("signed", on, None, "", note=signer)
    note = f"{signer}, on screen ({signature.method} signature)"
    return Step("signed", on, signature.signed_at, people.get(signature.witnessed_by, ""), note=note)


def _usernames(session: Session, ids: set[uuid.UUID | None]) -> dict[Any, str]:
    wanted = {i for i in ids if i is not None}
    stmt = select(models.User.id, models.User.username).where(models.User.id.in_(wanted))
    return {uid: name for uid, name in session.execute(stmt)}


def _entered_at(session: Session, row: models.Authorization) -> dict[Action, datetime]:
    """When the revocation and the expiry event were entered, from the log entries that recorded them."""
    e = models.AuditEntry
    stmt = select(e.action, e.at).where(
        e.client_id == str(row.client_id),  # ix_audit_log_client_id_seq: one client's entries, not the log's
        e.object_type == "authorization",
        e.object_id == str(row.id),
        e.outcome == Outcome.ALLOWED.value,
        e.action.in_([a.value for a in _ENTERED]),
    )
    return {Action(action): at for action, at in session.execute(stmt.order_by(e.seq))}
