"""Fulfilment: the release goes out through the existing gate and packet, and the request closes.

`access` needs no authorization but never releases psychotherapy notes (H-A1, H-A10); `authorized` goes
through the disclosure gate (section 3); `legal` needs a court order (L-1) or a subpoena's satisfactory
assurance (L-2), a 2.64 order for Part 2 records (L-3), and never psychotherapy notes (DT-5). A refused
part gets a denial letter (a partial grant); a fulfilled `legal` request is accountable (L-4).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import clients as client_rules
from roi_tracker.domain import request_answers as answers
from roi_tracker.domain import requests as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import DisclosureRefused
from roi_tracker.domain.errors import DomainError
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import RuleConflict
from roi_tracker.services.context import Env
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.releases import authorizations
from roi_tracker.services.requests import answers as steps
from roi_tracker.services.requests import desk
from roi_tracker.services.requests import paperwork
from roi_tracker.services.requests import qa

# The ground a refused part's letter gives, by the rule that refused it.
_GROUND = {
    "H-A1": rules.Ground.PSYCHOTHERAPY_NOTES,
    "DT-5": rules.Ground.PSYCHOTHERAPY_NOTES,
    "L-2": rules.Ground.INSUFFICIENT_ASSURANCE,
    "L-3": rules.Ground.NO_COURT_ORDER,
}


@dataclass(frozen=True)
class Release:
    """How a request is fulfilled."""

    categories: list[str]
    channel: str
    document_ids: list[str]
    requester_verification: str
    authorization_id: str | None = None
    purpose: str | None = None
    order_document_id: str | None = None
    part2_order: bool = False
    assurance_kind: str | None = None
    assurance_document_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fulfilled:
    """A fulfilled request and the disclosure it made."""

    id: uuid.UUID
    disclosure_id: uuid.UUID
    late: bool
    refused: list[dict[str, Any]]


def _refused(verdict: answers.Verdict) -> list[dict[str, Any]]:
    return [{"category": c, "reasons": [dict(r) for r in reasons]} for c, reasons in verdict.refused]


def _problems(verdict: answers.Verdict) -> list[dict[str, str]]:
    return [dict(r) | {"category": c} for c, reasons in verdict.refused for r in reasons]


def _legal(session: Session, client: models.Client, r: Release) -> answers.Legal | None:
    order = disclosures.documents_of(session, client, [r.order_document_id] if r.order_document_id else [])
    if order and order[0].category != "court_order":
        # A court order is a court's order, uploaded as one (164.512(e)(1)(i), L-1).
        raise Defective(
            "the order document is not a court order",
            [
                {
                    "rule": "L-1",
                    "field": "order_document_id",
                    "message": "Upload the court's order as a court order.",
                }
            ],
        )
    proof = disclosures.documents_of(
        session, client, [r.assurance_document_id] if r.assurance_document_id else []
    )
    return answers.check_legal(bool(order), r.assurance_kind, bool(proof), part2_order=r.part2_order)


def _direct(
    session: Session,
    env: Env,
    actor: audit.Actor,
    row: models.RecordRequest,
    client: models.Client,
    key: crypto.DataKey,
    r: Release,
) -> tuple[dict[str, Any], dict[str, Any], answers.Verdict]:
    """Judge an access or legal request by section 8's rules; return what `add` stores and the verdict."""
    kind = rules.Kind(row.kind)
    legal = _legal(session, client, r) if kind is rules.Kind.LEGAL else None
    part2 = authorizations.client_part2(session, env, actor, client, key)
    verdict = answers.release(kind, r.categories, part2=part2, legal=legal)
    docs = disclosures.documents_of(session, client, r.document_ids)
    problems = [] if verdict.released else _problems(verdict)
    for doc in docs:
        if doc.category not in verdict.released:
            problems.append(
                {"rule": "DT-2", "message": f"A document of category {doc.category} is not released."}
            )
    if problems:
        # The reasons go in the message too: the web's error page shows the message (rule ids, no PHI).
        why = "; ".join(dict.fromkeys(f"{p['rule']}: {p['message']}" for p in problems))
        raise DisclosureRefused(f"the release is not permitted ({why})", problems)
    access = kind is rules.Kind.ACCESS
    basis = (
        "client_access" if access else ("legal:court_order" if legal and legal.court_order else "legal:L-2")
    )
    details = {
        "categories": list(verdict.released),
        "purpose": "client_access" if access else "legal",
        "on": env.today().isoformat(),
        "document_ids": [str(d.id) for d in docs],
        "requester_verification": disclosures.verified(r.requester_verification),
        "authorizations": [],
        "part2": part2,
        # An access copy is a disclosure to the client, never in the accounting (164.528(a)(1)(ii));
        # legal process always is (L-4).
        "to_client": access,
        "request_id": str(row.id),
    }
    fields = {
        "recipient_id": row.deliver_to_recipient_id,
        "authorization_id": None,
        "basis": basis,
        "channel": r.channel,
    }
    return details, fields, verdict


def _gated(
    session: Session, env: Env, actor: audit.Actor, row: models.RecordRequest, r: Release
) -> tuple[dict[str, Any], dict[str, Any], answers.Verdict]:
    """Judge an authorized request through the disclosure gate of section 3."""
    if not r.authorization_id or not r.purpose:
        raise InvalidInput(
            "an authorized request names its authorization and purpose", field="authorization_id"
        )
    auth = session.get(models.Authorization, authorizations.parse_authorization_id(r.authorization_id))
    if auth is None or auth.client_id != row.client_id:
        raise InvalidInput("no such authorization of this client", field="authorization_id")
    recipient = row.deliver_to_recipient_id or auth.recipient_id
    if recipient is None:
        raise InvalidInput("the request names no recipient to send to", field="deliver_to_recipient_id")
    q = disclosures.question(row.client_id, str(recipient), r.categories, r.purpose, None, env.today())
    _client, details, fields = disclosures.admit(
        session,
        env,
        actor,
        q,
        channel=r.channel,
        document_ids=r.document_ids,
        requester_verification=r.requester_verification,
        authorization_id=r.authorization_id,
    )
    details["request_id"] = str(row.id)
    return details, fields, answers.Verdict(tuple(c.value for c in q.categories), ())


def fulfil(session: Session, env: Env, actor: audit.Actor, request_id: uuid.UUID, r: Release) -> Fulfilled:
    """Release what the request may have, record the disclosure and close the request, in one transaction."""
    disclosures.check_channel(r.channel)
    try:
        cats = sorted({client_rules.parse_category(c).value for c in r.categories})
    except InvalidInput as bad:
        raise InvalidInput(str(bad), field="categories") from None
    if not cats:
        raise InvalidInput("name at least one category released", field="categories")
    r = Release(**{**r.__dict__, "categories": cats})
    row, client, key, details = steps.open_request(session, env, actor, request_id, Action.REQUEST_FULFILLED)
    try:
        qa.check(session, env, actor, row, key, r.categories, r.document_ids)
    except RuleConflict:
        desk.refused(session, env, actor, row, Action.REQUEST_FULFILLED, "QA")
        raise
    try:
        if row.kind == rules.Kind.AUTHORIZED.value:
            sealed, fields, verdict = _gated(session, env, actor, row, r)
        else:
            sealed, fields, verdict = _direct(session, env, actor, row, client, key, r)
    except DisclosureRefused as exc:
        desk.refused(session, env, actor, row, Action.REQUEST_FULFILLED, exc.problems[0]["rule"])
        raise
    except DomainError:
        session.rollback()
        raise
    made = disclosures.add(session, env, actor, client, sealed, **fields)
    late = env.today() > row.due_on
    row.status = rules.Status.FULFILLED.value
    row.disclosure_id = made.id
    row.closed_at = env.clock()
    refused = _refused(verdict)
    desk.step(
        session,
        env,
        actor,
        row,
        key,
        Action.REQUEST_FULFILLED,
        {"refused": refused},
        basis="late" if late else "",
    )
    if refused:
        # A partial grant is a fulfilment with a denial letter for the rest (H-A8).
        grounds = tuple(
            dict.fromkeys(
                _GROUND.get(x["reasons"][0]["rule"], rules.Ground.NO_VALID_AUTHORIZATION).value
                for x in refused
            )
        )
        paperwork.write(session, env, actor, row, client, key, "denial", details, grounds=grounds)
    audit.commit(session)
    return Fulfilled(row.id, made.id, late, refused)
