"""Part 2 status and caseloads (issue 15, item 2): the front desk can change neither; the flag is the
clinician's act with a reason, logged as its own action and refused (clearing) while Part 2 documents exist;
and Part 2 protection follows the records: SUD documents make a client's records Part 2 records whatever the
flag says, for the gate (P2-3), the packet's 2.32 notice and the accounting."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.runtime import Runtime
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.records import part2
from roi_tracker.services.records import vault
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import packet
from roi_tracker.services.releases import recipients
from tests.services.releases.test_releases import page_texts
from tests.services.releases.test_releases import part2_terms
from tests.services.releases.test_releases import terms
from tests.web.conftest import PASSWORD
from tests.web.conftest import logged
from tests.web.conftest import page_token
from tests.web.conftest import sign_in
from tests.web.test_releases_web import actor_of
from tests.web.test_releases_web import bearer
from tests.web.test_releases_web import multipart

PDF = tiny_pdf(["Synthetic record"])
VERIFIED = "Known clinic; called back on the number in the directory"


def _dated(fields: dict[str, Any], today: date) -> dict[str, Any]:
    signed = (today - timedelta(days=10)).isoformat()
    expires = (today + timedelta(days=100)).isoformat()
    dates = {"effective_on": signed, "signed_on": signed, "copy_given_on": signed, "expires_on": expires}
    return {**fields, **dates}


@pytest.fixture
def client_id(runtime: Runtime, make_user: Callable) -> str:
    """Pat Example, flagged Part 2, on carol's caseload (mallory is another clinician)."""
    make_user("carol", "clinician")
    make_user("mallory", "clinician")
    with runtime.sessions() as session:
        details = rules.Demographics("Pat", "Example", date(1980, 1, 2), part2=True)
        view = clients.register(session, runtime.env, actor_of(runtime, "carol"), details, ["carol"])
    return str(view.id)


def _edit(browser: FlaskClient, client_id: str, **extra: str) -> Any:
    form = {"given_name": "Pat", "family_name": "Example", "date_of_birth": "1980-01-02", **extra}
    return browser.post(f"/clients/{client_id}/edit", data={"csrf_token": page_token(browser), **form})


def _flag(runtime: Runtime, client_id: str) -> bool:
    actor = actor_of(runtime, "carol")
    with runtime.sessions() as session:
        client = session.get_one(models.Client, uuid.UUID(client_id))
        key = vault.key_of(session, runtime.env, actor, client)
        return part2.flag_of(session, runtime.env, actor, client, key)


def _caseload(runtime: Runtime, client_id: str) -> set[str]:
    with runtime.sessions() as session:
        stmt = (
            select(models.User.username)
            .join(models.CaseloadAssignment, models.CaseloadAssignment.user_id == models.User.id)
            .where(models.CaseloadAssignment.client_id == uuid.UUID(client_id))
        )
        return set(session.execute(stmt).scalars())


def test_the_front_desk_editing_a_client_leaves_the_part2_flag_set(
    runtime: Runtime, client_id: str, signed_in: Callable[[str, str], FlaskClient]
) -> None:
    """The edit form without the box ticked (the reported attack) saves the details and keeps Part 2."""
    frank = signed_in("frank", "front_desk")
    assert "Substance-use treatment records" not in frank.get(f"/clients/{client_id}/edit").text
    assert _edit(frank, client_id, phone="555-0100").status_code == 302
    assert _flag(runtime, client_id) is True
    assert logged(runtime, Action.CLIENT_PART2_CHANGED) == []


def test_the_front_desk_cannot_add_a_clinician_to_a_caseload(
    runtime: Runtime, client_id: str, signed_in: Callable[[str, str], FlaskClient]
) -> None:
    """A hand-made edit naming mallory: 403, the caseload unchanged, the refusal logged as its action."""
    frank = signed_in("frank", "front_desk")
    response = _edit(frank, client_id, clinicians="mallory")
    assert response.status_code == 403
    assert _caseload(runtime, client_id) == {"carol"}
    assert [e.outcome for e in logged(runtime, Action.CASELOAD_CHANGED)] == ["refused"]


def test_the_clients_clinician_changes_the_caseload_and_each_change_is_logged(
    app: Flask, runtime: Runtime, client_id: str
) -> None:
    """Carol adds mallory: one client:caseload:changed entry, basis added, naming mallory."""
    carol = app.test_client()
    assert sign_in(carol, "carol").status_code == 302
    assert _edit(carol, client_id, clinicians=["carol", "mallory"]).status_code == 302  # type: ignore[arg-type]
    assert _caseload(runtime, client_id) == {"carol", "mallory"}
    entries = logged(runtime, Action.CASELOAD_CHANGED)
    assert [(e.basis, e.object_id) for e in entries] == [("added", actor_of(runtime, "mallory").user_id)]


def test_the_front_desk_may_not_change_the_part2_flag_at_all(
    app: Flask, runtime: Runtime, client_id: str, make_user: Callable
) -> None:
    """The API answers 403 to the front desk and the flag stays set."""
    make_user("frank", "front_desk")
    response = app.test_client().post(
        f"/api/v1/clients/{client_id}/part2",
        json={"part2": False, "reason": "typo"},
        headers=bearer(runtime, "frank"),
    )
    assert response.status_code == 403
    assert _flag(runtime, client_id) is True


def test_clearing_the_flag_is_refused_while_part2_documents_exist_and_allowed_with_a_reason_after(
    app: Flask, runtime: Runtime, client_id: str
) -> None:
    """With an SUD document: 409 (logged refused). A client without one: cleared, logged as its own action."""
    headers = bearer(runtime, "carol")
    url = f"/api/v1/clients/{client_id}/part2"
    empty = app.test_client().post(url, json={"part2": False, "reason": ""}, headers=headers)
    assert empty.status_code == 422
    carol, cid = actor_of(runtime, "carol"), uuid.UUID(client_id)
    with runtime.sessions() as session:
        doc = documents.upload(
            session, runtime.env, carol, cid, content=PDF, category="sud_records", title="S"
        )
    refused = app.test_client().post(
        url, json={"part2": False, "reason": "registered by mistake"}, headers=headers
    )
    assert refused.status_code == 409
    assert "42 CFR 2.12(d)" in refused.json["error"]["message"]
    assert _flag(runtime, client_id) is True
    with runtime.sessions() as session:
        session.delete(session.get_one(models.DocumentBlob, doc.id))
        session.delete(session.get_one(models.Document, doc.id))
        session.commit()
    cleared = app.test_client().post(
        url, json={"part2": False, "reason": "registered by mistake"}, headers=headers
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json == {"client_id": client_id, "part2": False, "part2_documents": 0}
    assert _flag(runtime, client_id) is False
    entries = logged(runtime, Action.CLIENT_PART2_CHANGED)
    assert [(e.outcome, e.basis) for e in entries] == [("refused", ""), ("allowed", "cleared")]
    with runtime.sessions() as session:
        change = session.execute(select(models.Part2Change)).scalar_one()
    assert b"registered by mistake" not in bytes(change.reason)  # sealed under the client's key


def _unflagged_with_sud_document(runtime: Runtime, make_user: Callable, kind: str) -> tuple[str, str, str]:
    """An unflagged client with a release recorded first, then an SUD document: (client, recipient, doc)."""
    make_user("carol", "clinician")
    carol = actor_of(runtime, "carol")
    today = runtime.env.clock().date()
    with runtime.sessions() as session:
        details = rules.Demographics("Lee", "Other", date(1990, 3, 4))
        client = clients.register(session, runtime.env, carol, details, ["carol"])
        rivera = recipients.create(session, runtime.env, carol, name="Dr Ana Rivera")
        fields = part2_terms(rivera.id) if kind == "part2" else terms(rivera.id, categories=["diagnosis"])
        authorizations.record(session, runtime.env, carol, client.id, _dated(fields, today), PDF)
        doc = documents.upload(
            session,
            runtime.env,
            carol,
            client.id,
            content=tiny_pdf(["SUD summary"]),
            category="sud_records",
            title="S",
        )
    return str(client.id), str(rivera.id), str(doc.id)


def test_an_sud_document_makes_the_gate_apply_part2_rules_whatever_the_flag(
    app: Flask, runtime: Runtime, make_user: Callable
) -> None:
    """A HIPAA release recorded before the SUD document came in no longer covers the records: P2-3."""
    client_id, recipient_id, _ = _unflagged_with_sud_document(runtime, make_user, "hipaa")
    make_user("frank", "front_desk")
    body = {
        "client_id": client_id,
        "recipient_id": recipient_id,
        "categories": ["diagnosis"],
        "purpose": "continuity_of_care",
    }
    answer = app.test_client().post("/api/v1/disclosure-checks", json=body, headers=bearer(runtime, "frank"))
    assert answer.json["decision"] == "refuse"
    assert "P2-3" in {r["rule"] for r in answer.json["refused"][0]["reasons"]}


def test_an_sud_document_sent_for_an_unflagged_client_carries_the_notice_and_is_accounted(
    app: Flask, runtime: Runtime, make_user: Callable
) -> None:
    """The packet's cover has the 2.32 notice and the consent-based disclosure is in the accounting (2.25)."""
    client_id, recipient_id, doc_id = _unflagged_with_sud_document(runtime, make_user, "part2")
    make_user("frank", "front_desk")
    headers = bearer(runtime, "frank")
    body = {
        "recipient_id": recipient_id,
        "categories": ["sud_records"],
        "purpose": "continuity_of_care",
        "channel": "fax",
        "document_ids": [doc_id],
        "requester_verification": VERIFIED,
    }
    sent = app.test_client().post(f"/api/v1/clients/{client_id}/disclosures", json=body, headers=headers)
    assert sent.status_code == 201, sent.text
    pdf = app.test_client().get(sent.json["packet"], headers=headers).data
    assert packet.PART2_NOTICE in page_texts(pdf)[0]
    accounting = app.test_client().get(
        f"/api/v1/clients/{client_id}/accounting", headers=bearer(runtime, "carol")
    )
    assert [e["recipient"] for e in accounting.json["entries"]] == ["Dr Ana Rivera"]


def test_a_hipaa_authorization_naming_sud_records_is_refused_for_an_unflagged_client(
    app: Flask, runtime: Runtime, client_id: str
) -> None:
    """P2-3 on the categories: SUD records go out only under a Part 2 consent (issue 15, item 8)."""
    carol = actor_of(runtime, "carol")
    with runtime.sessions() as session:
        details = rules.Demographics("Sam", "Plain", date(1970, 5, 6))
        other = clients.register(session, runtime.env, carol, details, ["carol"])
        rivera = recipients.create(session, runtime.env, carol, name="Dr Ana Rivera")
    fields = _dated(terms(rivera.id, categories=["sud_records", "diagnosis"]), runtime.env.clock().date())
    response = app.test_client().post(
        f"/api/v1/clients/{other.id}/authorizations",
        headers=bearer(runtime, "carol"),
        **multipart({"data": json.dumps(fields)}, {"signed_form": PDF}),
    )
    assert response.status_code == 422
    assert ("P2-3", "categories") in {(p["rule"], p["field"]) for p in response.json["error"]["problems"]}


def test_a_clinician_in_by_emergency_access_may_not_change_the_part2_flag(
    app: Flask, runtime: Runtime, client_id: str
) -> None:
    """Mallory breaks the glass to read the record; changing its Part 2 status is still refused (403)."""
    headers = bearer(runtime, "mallory")
    glass = {"reason": "crisis_coverage", "justification": "Covering a crisis call", "password": PASSWORD}
    url = f"/api/v1/clients/{client_id}"
    assert app.test_client().post(f"{url}/emergency-access", json=glass, headers=headers).status_code == 201
    response = app.test_client().post(f"{url}/part2", json={"part2": False, "reason": "x"}, headers=headers)
    assert response.status_code == 403
    assert _flag(runtime, client_id) is True
