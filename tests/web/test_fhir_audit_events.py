"""Disclosures exported as FHIR R4 AuditEvent resources."""

from __future__ import annotations

from collections.abc import Callable

from fhir.resources.R4B.bundle import Bundle
from flask import Flask

from roi_tracker.domain.audit_vocab import Action
from roi_tracker.runtime import Runtime
from roi_tracker.services.people import users
from roi_tracker.services.releases import fhir
from tests.web.conftest import logged
from tests.web.conftest import token_for
from tests.web.test_fail_closed import _clinician_with_client


def test_disclosures_export_as_valid_fhir_audit_events(
    app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]
) -> None:
    """Each disclosure becomes one AuditEvent that validates against the R4B model; the export is logged."""
    _, ids, actor = _clinician_with_client(app, runtime, make_user)
    with runtime.sessions() as session:
        bundle = fhir.disclosure_events(session, runtime.env, actor, ids["client"])
    Bundle.model_validate(bundle)
    events = [e["resource"] for e in bundle["entry"]]
    assert [e["id"] for e in events] == [str(ids["disclosure"])]
    assert events[0]["agent"][1]["who"]["display"] == "Acme Health Plan"
    assert [e.object_type for e in logged(runtime, Action.FHIR_EXPORTED)] == ["audit_event_bundle"]


def test_the_api_serves_the_audit_events_as_fhir_json(
    app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]
) -> None:
    """GET /api/v1/clients/{id}/fhir/audit-events answers application/fhir+json for the client's clinician."""
    _, ids, _ = _clinician_with_client(app, runtime, make_user)
    headers = {"Authorization": f"Bearer {token_for(runtime, 'cleo')}"}
    response = app.test_client().get(f"/api/v1/clients/{ids['client']}/fhir/audit-events", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert response.json["entry"][0]["resource"]["resourceType"] == "AuditEvent"
