"""The JSON API for the accounting of disclosures and the FHIR Consent export."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask import json

from roi_tracker.api import answer
from roi_tracker.api import bp
from roi_tracker.api import query_of
from roi_tracker.api.registry import operation
from roi_tracker.api.schemas import accounting as accounting_schemas
from roi_tracker.domain import accounting as rules
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http import files
from roi_tracker.services.accounting import accounting
from roi_tracker.services.records import clients
from roi_tracker.services.releases import fhir


def _entry(e: rules.Entry) -> accounting_schemas.AccountingEntry:
    return accounting_schemas.AccountingEntry(
        date=e.on,
        recipient=e.recipient,
        address=e.address,
        description=e.description,
        purpose=e.purpose,
        basis=e.basis,
    )


@operation(
    bp,
    "/clients/<client_id>/accounting",
    "GET",
    summary="The accounting of disclosures",
    need=Permission.ACCOUNTING_PRODUCE,
    query=accounting_schemas.AccountingQuery,
    responses={200: accounting_schemas.AccountingOut},
    media=("application/pdf", "text/csv"),
)
def client_accounting(client_id: str) -> Any:
    """Produce (log and keep) the client's accounting as JSON, PDF or CSV."""
    q = query_of(accounting_schemas.AccountingQuery)
    produced = accounting.produce(
        context.db_session(),
        context.env(),
        context.actor(),
        clients.parse_client_id(client_id),
        since=q.since,
    )
    if q.format != "json":
        return files.send_accounting(produced, q.format)
    a = produced.accounting
    out = accounting_schemas.AccountingOut(
        client_id=str(produced.client_id),
        from_=a.since,
        to=a.until,
        entries=[_entry(e) for e in a.entries],
        summaries=[
            accounting_schemas.AccountingSummary(
                first=_entry(s.first), count=s.count, last_date=s.last_on, description=s.description
            )
            for s in a.summaries
        ],
        not_listed=rules.EXPLANATION,
    )
    return answer(out)


@operation(
    bp,
    "/clients/<client_id>/fhir/consents",
    "GET",
    summary="FHIR R4 Bundle of Consent resources",
    need=Permission.FHIR_EXPORT,
    responses={200: None},
)
def fhir_consents(client_id: str) -> Any:
    """The client's authorizations as FHIR R4 Consent resources (application/fhir+json)."""
    bundle = fhir.consents(
        context.db_session(), context.env(), context.actor(), clients.parse_client_id(client_id)
    )
    return Response(json.dumps(bundle), mimetype="application/fhir+json")


@operation(
    bp,
    "/clients/<client_id>/fhir/audit-events",
    "GET",
    summary="Disclosures as FHIR R4 AuditEvent resources",
    need=Permission.FHIR_EXPORT,
    responses={200: None},
)
def fhir_audit_events(client_id: str) -> Any:
    """The client's disclosures as FHIR R4 AuditEvent resources (application/fhir+json)."""
    bundle = fhir.disclosure_events(
        context.db_session(), context.env(), context.actor(), clients.parse_client_id(client_id)
    )
    return Response(json.dumps(bundle), mimetype="application/fhir+json")
