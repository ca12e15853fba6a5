"""The JSON API for recipients, authorizations, disclosure checks, disclosures and packets."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request
from pydantic import ValidationError

from roi_tracker.api import RequestError
from roi_tracker.api import answer
from roi_tracker.api import body_of
from roi_tracker.api import bp
from roi_tracker.api import form_of
from roi_tracker.api import query_of
from roi_tracker.api.registry import operation
from roi_tracker.api.schemas import disclosures as disclosures_schemas
from roi_tracker.api.schemas import releases as releases_schemas
from roi_tracker.api.schemas import signature as signature_schemas
from roi_tracker.domain import disclosure
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http.files import send_packet
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.records import clients
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import recipients
from roi_tracker.services.signing import sign


def _recipient(view: recipients.RecipientView) -> releases_schemas.RecipientOut:
    return releases_schemas.RecipientOut(
        id=str(view.id),
        kind=view.kind,
        type=view.type,
        name=view.name,
        organization=view.organization,
        address=view.address,
        fax=view.fax,
        email=view.email,
        phone=view.phone,
    )


def _authorization(view: authorizations.AuthorizationView) -> releases_schemas.AuthorizationOut:
    return releases_schemas.AuthorizationOut(
        id=str(view.id),
        label=view.label,
        kind=view.kind,
        recipient_id=str(view.recipient_id) if view.recipient_id else None,
        recipient=view.recipient,
        categories=list(view.categories),
        purposes=list(view.purposes),
        effective_on=view.effective_on,
        expires_on=view.expires_on,
        expiry_event=view.expiry_event,
        expiry_event_kind=view.expiry_event_kind,
        expiry_event_on=view.expiry_event_on,
        revoked_on=view.revoked_on,
        signed_on=view.signed_on,
        status=view.status,
        warnings=[
            releases_schemas.AcknowledgedWarning(rule=w["rule"], message=w["message"]) for w in view.warnings
        ],
    )


def _decision(d: disclosure.Decision) -> disclosures_schemas.DecisionOut:
    return disclosures_schemas.DecisionOut(
        decision=d.answer.value,
        permitted=[
            disclosures_schemas.PermittedOut(
                category=p.category.value, authorization_id=p.authorization_id, label=p.label, until=p.until
            )
            for p in d.permitted
        ],
        refused=[
            disclosures_schemas.RefusedOut(
                category=r.category.value,
                reasons=[disclosures_schemas.ReasonOut(rule=x.rule, message=x.message) for x in r.reasons],
            )
            for r in d.refused
        ],
    )


def question_of(client_id: str, data: Any, on: date | None) -> disclosures.Question:
    """The question a disclosure request asks (recipient, categories, purpose) about this client."""
    today = context.env().today()
    return disclosures.question(
        clients.parse_client_id(client_id), data.recipient_id, data.categories, data.purpose, on, today
    )


def _json_part(raw: str, model: type[Any], part: str = "data") -> Any:
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        prefix = "" if part == "data" else f"{part}."
        problems = [
            {"field": prefix + (".".join(str(p) for p in err["loc"]) or part), "message": err["msg"]}
            for err in exc.errors(include_url=False, include_input=False)
        ]
        status = 400 if any(err["type"] == "json_invalid" for err in exc.errors()) else 422
        raise RequestError(status, f"the `{part}` part is invalid", problems) from None


@operation(
    bp,
    "/recipients",
    "POST",
    summary="Add a recipient to the directory",
    need=Permission.RECIPIENT_CREATE,
    body=releases_schemas.RecipientCreate,
    responses={201: releases_schemas.RecipientOut},
)
def create_recipient() -> Any:
    """Add a recipient (name required)."""
    data = body_of(releases_schemas.RecipientCreate)
    view = recipients.create(context.db_session(), context.env(), context.actor(), **data.model_dump())
    return answer(_recipient(view), 201)


@operation(
    bp,
    "/recipients",
    "GET",
    summary="Search the recipients directory",
    need=Permission.RECIPIENT_READ,
    query=releases_schemas.RecipientQuery,
    responses={200: releases_schemas.RecipientList},
)
def list_recipients() -> Any:
    """Find recipients by any part of their details."""
    q = query_of(releases_schemas.RecipientQuery)
    found = recipients.search(context.db_session(), context.env(), q.q)
    return answer(releases_schemas.RecipientList(items=[_recipient(v) for v in found]))


def signed(client_id: str, fields: dict[str, Any], raw: str, upload: Any, acknowledge: bool) -> Any:
    """Record an authorization signed on screen from its `signature` part (interface.md)."""
    if upload is not None:
        raise InvalidInput("send either the signed_form or a signature, not both", field="signature")
    sig = _json_part(raw, signature_schemas.SignatureData, "signature")
    return sign.record_signed(
        context.db_session(),
        context.env(),
        context.actor(),
        clients.parse_client_id(client_id),
        fields,
        sign.SignatureInput(**sig.model_dump()),
        acknowledge_warnings=acknowledge,
    )


@operation(
    bp,
    "/clients/<client_id>/authorizations",
    "POST",
    summary="Record a signed authorization (an uploaded signed_form, or a signature made on screen)",
    need=Permission.AUTHORIZATION_RECORD,
    form=releases_schemas.AuthorizationUpload,
    file="signed_form",
    file_required=False,  # a `signature` part instead has the product render and sign the form
    responses={201: releases_schemas.AuthorizationOut},
)
def record_authorization(client_id: str) -> Any:
    """Validate and record an authorization; 422 lists every problem with its rule id."""
    data = _json_part(form_of(releases_schemas.AuthorizationUpload).data, releases_schemas.AuthorizationData)
    upload = request.files.get("signed_form")
    fields = data.model_dump(exclude={"acknowledge_warnings"})
    signature = form_of(releases_schemas.AuthorizationUpload).signature
    if signature is not None:
        return answer(
            _authorization(signed(client_id, fields, signature, upload, data.acknowledge_warnings)), 201
        )
    view = authorizations.record(
        context.db_session(),
        context.env(),
        context.actor(),
        clients.parse_client_id(client_id),
        fields,
        upload.read() if upload else None,
        acknowledge_warnings=data.acknowledge_warnings,
    )
    return answer(_authorization(view), 201)


@operation(
    bp,
    "/clients/<client_id>/authorizations",
    "GET",
    summary="A client's authorizations and their status",
    need=Permission.AUTHORIZATION_READ,
    responses={200: releases_schemas.AuthorizationList},
)
def list_authorizations(client_id: str) -> Any:
    """List a client's authorizations, newest first."""
    views = authorizations.list_for(
        context.db_session(), context.env(), context.actor(), clients.parse_client_id(client_id)
    )
    return answer(releases_schemas.AuthorizationList(items=[_authorization(v) for v in views]))


@operation(
    bp,
    "/authorizations/<auth_id>/revoke",
    "POST",
    summary="Record a written revocation",
    need=Permission.AUTHORIZATION_REVOKE,
    form=releases_schemas.RevocationUpload,
    file="document",
    responses={200: releases_schemas.AuthorizationOut},
)
def revoke_authorization(auth_id: str) -> Any:
    """Revoke from the day the written revocation was received."""
    data = _json_part(form_of(releases_schemas.RevocationUpload).data, releases_schemas.RevocationData)
    upload = request.files.get("document")
    view = authorizations.revoke(
        context.db_session(),
        context.env(),
        context.actor(),
        authorizations.parse_authorization_id(auth_id),
        received_on=data.received_on,
        document=upload.read() if upload else None,
    )
    return answer(_authorization(view))


@operation(
    bp,
    "/authorizations/<auth_id>/expiry-event",
    "POST",
    summary="Record that the expiry event happened",
    need=Permission.AUTHORIZATION_REVOKE,
    body=releases_schemas.ExpiryEvent,
    responses={200: releases_schemas.AuthorizationOut},
)
def authorization_expiry_event(auth_id: str) -> Any:
    """From that day the authorization no longer permits."""
    data = body_of(releases_schemas.ExpiryEvent)
    view = authorizations.record_expiry_event(
        context.db_session(),
        context.env(),
        context.actor(),
        authorizations.parse_authorization_id(auth_id),
        occurred_on=data.occurred_on,
    )
    return answer(_authorization(view))


@operation(
    bp,
    "/disclosure-checks",
    "POST",
    summary="May we send this?",
    need=Permission.DISCLOSURE_CHECK,
    body=disclosures_schemas.DisclosureCheck,
    responses={200: disclosures_schemas.DecisionOut},
)
def disclosure_check() -> Any:
    """Answer permit, partial or refuse per category, with authorizations and reasons (logged)."""
    data = body_of(disclosures_schemas.DisclosureCheck)
    env = context.env()
    q = disclosures.question(
        clients.parse_client_id(data.client_id),
        data.recipient_id,
        data.categories,
        data.purpose,
        data.on,
        env.today(),
    )
    return answer(_decision(disclosures.check(context.db_session(), env, context.actor(), q)))


@operation(
    bp,
    "/clients/<client_id>/disclosures",
    "POST",
    summary="Record a disclosure made now, judged today (403 when not permitted; `on` is refused, 422)",
    need=Permission.DISCLOSURE_RECORD,
    body=disclosures_schemas.DisclosureCreate,
    responses={201: disclosures_schemas.DisclosureOut},
)
def record_disclosure(client_id: str) -> Any:
    """Record a permitted disclosure made now (judged today) and point at its packet."""
    data = body_of(disclosures_schemas.DisclosureCreate)
    if data.on is not None:
        # A disclosure made now is judged now; a past one is POST /clients/{id}/past-disclosures.
        raise InvalidInput(
            "a disclosure made now is judged today: leave out `on`, or POST it to "
            "/clients/{client_id}/past-disclosures if it was made earlier",
            field="on",
        )
    recorded = disclosures.record(
        context.db_session(),
        context.env(),
        context.actor(),
        question_of(client_id, data, None),
        channel=data.channel,
        document_ids=data.document_ids,
        requester_verification=data.requester_verification,
        authorization_id=data.authorization_id,
    )
    out = disclosures_schemas.DisclosureOut(
        id=str(recorded.id), basis=recorded.basis, packet=f"/api/v1/disclosures/{recorded.id}/packet"
    )
    return answer(out, 201)


@operation(
    bp,
    "/disclosures/<disclosure_id>/packet",
    "GET",
    summary="The release packet (PDF)",
    need=Permission.PACKET_READ,
    responses={200: None},
)
def disclosure_packet(disclosure_id: str) -> Any:
    """Cover sheet, then exactly the permitted documents (each download logged)."""
    name, pdf = disclosures.release_packet(
        context.db_session(), context.env(), context.actor(), disclosures.parse_disclosure_id(disclosure_id)
    )
    return send_packet(name, pdf)
