"""The JSON API for clients and documents: POST search, so no identifying value sits in a URL."""

from __future__ import annotations

from typing import Any

from flask import request

from roi_tracker.api import answer
from roi_tracker.api import body_of
from roi_tracker.api import bp
from roi_tracker.api import form_of
from roi_tracker.api.registry import operation
from roi_tracker.api.schemas import records as records_schemas
from roi_tracker.api.schemas import releases as releases_schemas
from roi_tracker.domain import clients as rules
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http.files import send_document
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.records import part2
from roi_tracker.services.records import search as client_search
from roi_tracker.services.releases import discharge as releases_discharge


def _out(view: clients.ClientView) -> records_schemas.ClientOut:
    d = view.demographics
    return records_schemas.ClientOut(
        id=str(view.id),
        reference=view.reference,
        status=view.status,
        given_name=d.given_name,
        family_name=d.family_name,
        date_of_birth=d.date_of_birth,
        part2=d.part2,
        clinician=view.clinicians[0] if view.clinicians else None,
        clinicians=list(view.clinicians),
        pronouns=d.pronouns,
        phone=d.phone,
        email=d.email,
        address=d.address,
        emergency_contact=d.emergency_contact,
    )


@operation(
    bp,
    "/clients",
    "POST",
    summary="Register a client",
    need=Permission.CLIENT_CREATE,
    body=records_schemas.ClientCreate,
    responses={201: records_schemas.ClientOut},
)
def create_client() -> Any:
    """Register a client with their own data key."""
    data = body_of(records_schemas.ClientCreate)
    details = rules.Demographics(
        given_name=data.given_name,
        family_name=data.family_name,
        date_of_birth=data.date_of_birth,
        pronouns=data.pronouns,
        phone=data.phone,
        email=data.email,
        address=data.address,
        emergency_contact=data.emergency_contact,
        part2=data.part2,
    )
    chosen = [data.clinician] if data.clinician else []
    view = clients.register(context.db_session(), context.env(), context.actor(), details, chosen)
    return answer(_out(view), 201)


@operation(
    bp,
    "/clients/search",
    "POST",
    summary="Find clients by part of a name or phone, family name and date of birth, or reference",
    need=Permission.CLIENT_SEARCH,
    body=records_schemas.ClientSearch,
    responses={200: records_schemas.ClientList},
)
def search_clients() -> Any:
    """Search without decrypting everyone (blind index), answering the matches."""
    q = body_of(records_schemas.ClientSearch)
    session, env, actor = context.db_session(), context.env(), context.actor()
    if q.q and q.q.strip():
        found = client_search.by_text(session, env, actor, q.q)
    elif q.reference:
        found = client_search.by_reference(session, env, actor, q.reference)
    elif q.family_name and q.date_of_birth:
        found = client_search.by_name_and_birth(session, env, actor, q.family_name, q.date_of_birth)
    else:
        raise InvalidInput("send q, family_name and date_of_birth, or reference", field="family_name")
    items = [
        records_schemas.ClientSummary(
            id=str(f.id),
            reference=f.reference,
            status=f.status,
            given_name=f.given_name,
            family_name=f.family_name,
            date_of_birth=f.date_of_birth,
        )
        for f in found
    ]
    return answer(records_schemas.ClientList(items=items))


@operation(
    bp,
    "/clients/<client_id>",
    "GET",
    summary="Read a client",
    need=Permission.CLIENT_READ,
    responses={200: records_schemas.ClientOut},
)
def get_client(client_id: str) -> Any:
    """Read a client (clinicians: their caseload; front desk: any)."""
    view = clients.get(
        context.db_session(), context.env(), context.actor(), clients.parse_client_id(client_id)
    )
    return answer(_out(view))


@operation(
    bp,
    "/clients/<client_id>/part2",
    "POST",
    summary="Set or clear the client's Part 2 flag (their clinician, with a reason; 409 clearing it while "
    "Part 2 documents are on file)",
    need=Permission.CLIENT_PART2_UPDATE,
    body=records_schemas.Part2Change,
    responses={200: records_schemas.Part2Out},
)
def change_part2(client_id: str) -> Any:
    """Change the flag as the client's clinician; logged as client:part2:changed."""
    data = body_of(records_schemas.Part2Change)
    cid = clients.parse_client_id(client_id)
    session = context.db_session()
    now = part2.change(session, context.env(), context.actor(), cid, part2=data.part2, reason=data.reason)
    out = records_schemas.Part2Out(
        client_id=str(cid), part2=now, part2_documents=part2.part2_documents(session, cid)
    )
    return answer(out)


@operation(
    bp,
    "/clients/<client_id>/documents",
    "POST",
    summary="Upload a document (PDF, PNG or JPEG)",
    need=Permission.DOCUMENT_UPLOAD,
    form=records_schemas.DocumentUpload,
    responses={201: records_schemas.DocumentOut},
)
def upload_document(client_id: str) -> Any:
    """Store an encrypted document for a client on the clinician's caseload."""
    fields = form_of(records_schemas.DocumentUpload)
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("send the document as the multipart field `file`", field="file")
    view = documents.upload(
        context.db_session(),
        context.env(),
        context.actor(),
        clients.parse_client_id(client_id),
        content=upload.read(),
        category=fields.category,
        title=fields.title,
    )
    out = records_schemas.DocumentOut(
        id=str(view.id),
        category=view.category,
        title=view.title,
        sha256=view.sha256,
        size=view.size,
        media_type=view.media_type,
    )
    return answer(out, 201)


@operation(
    bp,
    "/documents/<document_id>",
    "GET",
    summary="Download a document",
    need=Permission.DOCUMENT_READ,
    responses={200: None},
)
def get_document(document_id: str) -> Any:
    """Send a document to a clinician of its client."""
    view, content = documents.download(
        context.db_session(), context.env(), context.actor(), documents.parse_document_id(document_id)
    )
    return send_document(view, content)


@operation(
    bp,
    "/clients/<client_id>/discharge",
    "POST",
    summary="Discharge a client",
    need=Permission.CLIENT_DISCHARGE,
    body=releases_schemas.Discharge,
    responses={200: records_schemas.ClientOut},
)
def discharge_client(client_id: str) -> Any:
    """Discharge the client; every release expiring at end of treatment or discharge ends that day (H-C5)."""
    data = body_of(releases_schemas.Discharge)
    view = releases_discharge.discharge_and_read(
        context.db_session(),
        context.env(),
        context.actor(),
        clients.parse_client_id(client_id),
        discharged_on=data.discharged_on,
    )
    return answer(_out(view))
