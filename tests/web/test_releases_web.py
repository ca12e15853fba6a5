"""Release pages and the release API: the front desk's journey, problems at their fields, the API agreeing
with the pages, and an IDOR matrix over every release route for six callers."""

from __future__ import annotations

import html
import io
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse
from werkzeug.test import encode_multipart

from roi_tracker import audit
from roi_tracker import db
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.runtime import Runtime
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.people import users
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import recipients
from tests.conftest import csrf_from
from tests.helpers import entries_after
from tests.helpers import head_seq
from tests.web.conftest import FakeClock
from tests.web.conftest import page_token
from tests.web.conftest import sign_in
from tests.web.conftest import token_for

PDF = tiny_pdf(["Synthetic document"])
VERIFIED = "Known clinic; called back on the number in the directory"
STATEMENTS = ["right_to_revoke", "no_conditioning", "redisclosure"]


@dataclass(frozen=True)
class World:
    """Carol's client with a diagnosis document, a recipient, two authorizations to them and two disclosures.

    The first authorization (diagnosis) is active and ends by event; the second (treatment plan) was revoked
    today, after a disclosure under it, so a notice of revocation is owed to the recipient.
    """

    client_id: str
    reference: str
    document_id: str
    recipient_id: str
    authorization_id: str
    label: str
    revoked_id: str
    disclosure_id: str
    today: date


def actor_of(runtime: Runtime, username: str) -> audit.Actor:
    """Return the actor a user acts as."""
    with runtime.sessions() as session:
        user = session.scalar(select(models.User).filter_by(username=username))
        assert user is not None
        return audit.Actor(str(user.id), user.role)


def authorization_terms(recipient_id: str, today: date, **changes: object) -> dict[str, Any]:
    """A complete HIPAA authorization: diagnosis and treatment plan, continuity of care, 10 days old."""
    signed = (today - timedelta(days=10)).isoformat()
    fields: dict[str, Any] = {
        "kind": "hipaa",
        "recipient_id": recipient_id,
        "categories": ["diagnosis", "treatment_plan"],
        "purposes": ["continuity_of_care"],
        "effective_on": signed,
        "expires_on": (today + timedelta(days=100)).isoformat(),
        "signed_on": signed,
        "signed_by": "client",
        "statements": STATEMENTS,
        "copy_given_on": signed,
        "copy_method": "in person",
    }
    fields.update(changes)
    return fields


def make_world(runtime: Runtime, make_user: Callable[..., users.UserView], today: date) -> World:
    """Create carol and her client Pat Example, with everything a release route needs."""
    make_user("carol", "clinician")
    carol = actor_of(runtime, "carol")
    env = runtime.env
    with runtime.sessions() as session:
        details = rules.Demographics(given_name="Pat", family_name="Example", date_of_birth=date(1980, 1, 2))
        client = clients.register(session, env, carol, details, ["carol"])
        doc = documents.upload(
            session, env, carol, client.id, content=PDF, category="diagnosis", title="Diagnosis summary"
        )
        documents.upload(session, env, carol, client.id, content=PDF, category="billing", title="Invoice")
        recipient = recipients.create(session, env, carol, name="Dr Ana Rivera", organization="Northside")
        terms = authorization_terms(
            str(recipient.id), today, categories=["diagnosis"], expiry_event="end_of_treatment"
        )
        auth = authorizations.record(session, env, carol, client.id, terms, PDF)
        plan = authorization_terms(str(recipient.id), today, categories=["treatment_plan"])
        revoked = authorizations.record(session, env, carol, client.id, plan, PDF)
        sent = disclose(session, runtime, carol, client.id, str(recipient.id), "diagnosis", [str(doc.id)])
        disclose(session, runtime, carol, client.id, str(recipient.id), "treatment_plan", [])
        authorizations.revoke(session, env, carol, revoked.id, received_on=today, document=PDF)
    return World(
        str(client.id),
        client.reference,
        str(doc.id),
        str(recipient.id),
        str(auth.id),
        auth.label,
        str(revoked.id),
        str(sent.id),
        today,
    )


def disclose(
    session: Any,
    runtime: Runtime,
    actor: audit.Actor,
    client_id: uuid.UUID,
    to: str,
    what: str,
    ids: list[str],
) -> disclosures.Recorded:
    """Record a disclosure of one category by fax, today."""
    today = runtime.env.clock().date()
    q = disclosures.question(client_id, to, [what], "continuity_of_care", None, today)
    return disclosures.record(
        session, runtime.env, actor, q, channel="fax", document_ids=ids, requester_verification=VERIFIED
    )


def multipart(fields: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
    """Encode a multipart body in memory (lists become repeated fields)."""
    values = MultiDict()
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            values.add(name, item)
    for name, content in files.items():
        values.add(
            name, FileStorage(io.BytesIO(content), filename=f"{name}.pdf", content_type="application/pdf")
        )
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def count(runtime: Runtime, model: type[models.Base]) -> int:
    """Count the rows of one table."""
    with runtime.sessions() as session:
        return int(session.scalar(select(sa.func.count()).select_from(model)) or 0)


def bearer(runtime: Runtime, username: str) -> dict[str, str]:
    """Return the Authorization header of a fresh API token for `username`."""
    return {"Authorization": f"Bearer {token_for(runtime, username)}"}


@pytest.fixture
def world(runtime: Runtime, make_user: Callable[..., users.UserView], clock: FakeClock) -> World:
    """The world, built on today's date as the instance's clock reads it."""
    return make_world(runtime, make_user, clock.now.date())


@pytest.fixture
def carol(app: Flask, world: World) -> FlaskClient:
    """Carol, the client's clinician, signed in."""
    browser = app.test_client()
    assert sign_in(browser, "carol").status_code == 302
    return browser


@pytest.fixture
def frank(app: Flask, world: World, signed_in: Callable[[str, str], FlaskClient]) -> FlaskClient:
    """Frank at the front desk, signed in."""
    return signed_in("frank", "front_desk")


# -- the front desk's journey --------------------------------------------------------------------------------


def check_page(
    browser: FlaskClient, world: World, *categories: str, purpose: str = "continuity_of_care"
) -> TestResponse:
    """Open the check page for the client and ask the question."""
    page = browser.get(f"/clients/{world.client_id}/check")
    assert page.status_code == 200
    data = {
        "csrf_token": csrf_from(page.text),
        "recipient_id": world.recipient_id,
        "categories": list(categories),
        "purpose": purpose,
        "on": "",
    }
    return browser.post(f"/clients/{world.client_id}/check", data=data)


def test_the_front_desk_finds_the_client_checks_records_and_downloads_the_packet(
    frank: FlaskClient, world: World
) -> None:
    """Search, client page, a big Yes naming the authorization, the disclosure recorded, the packet got."""
    search = frank.get("/clients")
    found = frank.post("/clients", data={"csrf_token": csrf_from(search.text), "reference": world.reference})
    assert found.status_code == 200
    assert f'href="/clients/{world.client_id}"' in found.text
    page = frank.get(f"/clients/{world.client_id}")
    assert page.status_code == 200
    assert f'href="/clients/{world.client_id}/check"' in page.text

    answer = check_page(frank, world, "diagnosis")
    assert answer.status_code == 200
    assert '<p class="verdict-big yes">Yes</p>' in answer.text
    assert f"diagnosis: yes, under authorization {world.label}" in answer.text
    assert "Diagnosis summary" in answer.text  # offered for enclosure
    assert "Invoice" not in answer.text  # billing is not permitted, so not offered
    # The send form carries the question back as a browser submits it (an empty hidden select did not).
    assert f'<input type="hidden" name="recipient_id" value="{world.recipient_id}">' in answer.text
    assert '<input type="hidden" name="purpose" value="continuity_of_care">' in answer.text

    recorded = frank.post(
        f"/clients/{world.client_id}/disclosures",
        data={
            "csrf_token": csrf_from(answer.text),
            "recipient_id": world.recipient_id,
            "categories": ["diagnosis"],
            "purpose": "continuity_of_care",
            "on": "",
            "channel": "fax",
            "document_ids": [world.document_id],
            "requester_verification": VERIFIED,
        },
    )
    assert recorded.status_code == 200, recorded.text
    assert f"Under {world.label}" in recorded.text
    link = re.search(r'href="(/disclosures/([0-9a-f-]{36})/packet)"', recorded.text)
    assert link, recorded.text
    assert link.group(2) != world.disclosure_id

    download = frank.get(link.group(1))
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert ".pdf" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "no-store"
    assert download.data.startswith(b"%PDF-")


def test_the_client_page_history_names_what_each_disclosure_enclosed_and_who_sent_it(
    carol: FlaskClient, world: World
) -> None:
    """Both disclosures to Dr Rivera, each with its categories, its enclosed documents and its sender."""
    page = carol.get(f"/clients/{world.client_id}").text
    assert "What: diagnosis · enclosed: Diagnosis summary" in page
    assert "What: treatment plan · no documents enclosed" in page
    assert page.count("sent by carol") == 2


def test_a_clinician_records_a_copy_given_to_the_client_from_the_client_page(
    carol: FlaskClient, world: World
) -> None:
    """The copy needs no authorization; the history shows it as the client's own access, with the document."""
    page = carol.get(f"/clients/{world.client_id}")
    assert "Record a copy given to the client" in page.text
    given = carol.post(
        f"/clients/{world.client_id}/copies",
        data={
            "csrf_token": csrf_from(page.text),
            "categories": ["diagnosis"],
            "channel": "in_person",
            "document_ids": [world.document_id],
            "identity_verification": "Photo ID checked at the desk",
        },
    )
    assert given.status_code == 302
    after = carol.get(f"/clients/{world.client_id}").text
    assert "to the client (the client's own access)" in after
    assert after.count("enclosed: Diagnosis summary") == 2


def test_a_copy_without_the_identity_check_is_refused_naming_it(carol: FlaskClient, world: World) -> None:
    """422 naming how the client's identity was verified."""
    page = carol.get(f"/clients/{world.client_id}")
    refused = carol.post(
        f"/clients/{world.client_id}/copies",
        data={"csrf_token": csrf_from(page.text), "categories": ["diagnosis"], "channel": "in_person"},
    )
    assert refused.status_code == 422
    assert "say how the client&#39;s identity was verified" in refused.text


def test_a_refused_check_shows_no_and_every_rule(frank: FlaskClient, world: World) -> None:
    """Billing and psychotherapy notes are not covered: a big No with DT-1 and DT-5, and nothing to send."""
    answer = check_page(frank, world, "billing", "psychotherapy_notes")
    assert answer.status_code == 200
    assert '<p class="verdict-big no">No</p>' in answer.text
    assert '<small class="rule">DT-1</small>' in answer.text
    assert '<small class="rule">DT-5</small>' in answer.text
    assert "Send what is permitted" not in answer.text


def test_a_partial_check_offers_only_the_permitted_categories(frank: FlaskClient, world: World) -> None:
    """Diagnosis yes, billing no: 'Only in part', and the send form carries diagnosis alone."""
    answer = check_page(frank, world, "diagnosis", "billing")
    assert '<p class="verdict-big partial">Only in part</p>' in answer.text
    assert "Only these categories can go: diagnosis." in answer.text


def test_a_disclosure_the_decision_refuses_is_sent_back_with_its_reasons(
    frank: FlaskClient, world: World, runtime: Runtime
) -> None:
    """Posting a disclosure of a category not covered answers 422 with the check's answer and its rule."""
    before = count(runtime, models.Disclosure)
    token = page_token(frank)
    data = {
        "csrf_token": token,
        "recipient_id": world.recipient_id,
        "categories": ["billing"],
        "purpose": "continuity_of_care",
        "channel": "fax",
        "requester_verification": VERIFIED,
    }
    response = frank.post(f"/clients/{world.client_id}/disclosures", data=data)
    assert response.status_code == 422
    assert '<p class="verdict-big no">No</p>' in response.text
    assert '<small class="rule">DT-1</small>' in response.text
    assert count(runtime, models.Disclosure) == before


# -- the authorization form ----------------------------------------------------------------------------------

# The sentence, then its rule id in small type.
FIELD_ERROR = re.compile(
    r'<p class="error" id="([a-z_]+)-error">([^<]*) <small class="rule">([^<]+)</small></p>'
)


def test_the_authorization_form_shows_each_problem_at_its_field_with_its_rule(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """422; every BLOCK problem sits under the field it concerns, its rule id after it; nothing stored."""
    before = count(runtime, models.Authorization)
    form = carol.get(f"/clients/{world.client_id}/authorizations/new")
    assert form.status_code == 200
    fields = authorization_terms(world.recipient_id, world.today, categories=[], expires_on="", signed_on="")
    fields["statements"] = ["right_to_revoke"]
    fields["csrf_token"] = csrf_from(form.text)
    response = carol.post(
        f"/clients/{world.client_id}/authorizations/new", **multipart(fields, {"signed_form": PDF})
    )
    assert response.status_code == 422
    shown = {(field, rule) for field, _text, rule in FIELD_ERROR.findall(response.text)}
    assert shown == {
        ("categories", "H-C1"),
        ("expires_on", "H-C5"),
        ("signed_on", "H-C6"),
        ("statements", "H-S2"),
        ("statements", "H-S3"),
    }
    assert "5 problems" in response.text
    assert count(runtime, models.Authorization) == before


def test_the_authorization_form_records_a_complete_authorization(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """A complete form with its signed form: 302 to the client page, which confirms it is active."""
    before = count(runtime, models.Authorization)
    token = csrf_from(carol.get(f"/clients/{world.client_id}/authorizations/new").text)
    fields = {**authorization_terms(world.recipient_id, world.today), "csrf_token": token}
    response = carol.post(
        f"/clients/{world.client_id}/authorizations/new", **multipart(fields, {"signed_form": PDF})
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/clients/{world.client_id}"
    assert re.search(
        r"Authorization A-[0-9A-Z]{4} recorded: active\.", carol.get(f"/clients/{world.client_id}").text
    )
    assert count(runtime, models.Authorization) == before + 1


# -- the API agrees with the pages ---------------------------------------------------------------------------

VERDICTS = {"Yes": "permit", "Only in part": "partial", "No": "refuse"}


def page_answer(text: str) -> tuple[str, set[tuple[str, str, str]], set[tuple[str, str]]]:
    """Read the check page: the answer, each refusal (category, rule, message) and each permit."""
    verdict = re.search(r'<p class="verdict-big [a-z]+">([^<]+)</p>', text)
    assert verdict, text
    refused = set()
    for category, reasons in re.findall(r'<li class="no">([^<:]+): no\s*<ul>(.*?)</ul>', text, re.S):
        for message, rule in re.findall(r'<li>([^<]*) <small class="rule">([^<]+)</small></li>', reasons):
            refused.add((category, rule, html.unescape(message)))
    permitted = set(re.findall(r'<li class="yes">([^<:]+): yes, under authorization (A-[0-9A-Z]+)', text))
    return VERDICTS[verdict.group(1)], refused, permitted


@pytest.mark.parametrize(
    ("categories", "purpose"),
    [
        (["diagnosis"], "continuity_of_care"),
        (["diagnosis", "psychotherapy_notes", "billing"], "continuity_of_care"),
        (["diagnosis", "treatment_plan"], "insurance"),
    ],
    ids=["permit", "partial", "refuse"],
)
def test_the_api_and_the_page_give_the_same_answer_and_reasons(
    frank: FlaskClient, world: World, runtime: Runtime, categories: list[str], purpose: str
) -> None:
    """The same question through /api/v1/disclosure-checks and through the page: same answer, same reasons."""
    body = {
        "client_id": world.client_id,
        "recipient_id": world.recipient_id,
        "categories": categories,
        "purpose": purpose,
    }
    api = frank.post("/api/v1/disclosure-checks", json=body, headers=bearer(runtime, "frank"))
    assert api.status_code == 200
    page = check_page(frank, world, *categories, purpose=purpose)
    answer, refused, permitted = page_answer(page.text)
    assert answer == api.json["decision"]
    assert refused == {
        (r["category"].replace("_", " "), reason["rule"], reason["message"])
        for r in api.json["refused"]
        for reason in r["reasons"]
    }
    assert permitted == {(p["category"].replace("_", " "), p["label"]) for p in api.json["permitted"]}


def test_the_api_lists_every_problem_of_a_defective_authorization(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """422 `defective` with problems that each carry a rule, a field, a severity and a message."""
    data = authorization_terms(world.recipient_id, world.today, purposes=[], statements=[])
    response = carol.post(
        f"/api/v1/clients/{world.client_id}/authorizations",
        headers=bearer(runtime, "carol"),
        **multipart({"data": json.dumps(data)}, {"signed_form": PDF}),
    )
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "defective"
    assert [(p["rule"], p["field"]) for p in error["problems"]] == [
        ("H-C4", "purposes"),
        ("H-S1", "statements"),
        ("H-S2", "statements"),
        ("H-S3", "statements"),
    ]
    assert all(p["severity"] == "BLOCK" and p["message"] for p in error["problems"])


def test_the_api_refuses_notes_on_a_signed_form_already_recorded_naming_h_x1(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """422 `defective` naming H-X1: the world's diagnosis authorization was recorded from this same form."""
    before = count(runtime, models.Authorization)
    data = authorization_terms(
        world.recipient_id, world.today, kind="psychotherapy_notes", categories=["psychotherapy_notes"]
    )
    response = carol.post(
        f"/api/v1/clients/{world.client_id}/authorizations",
        headers=bearer(runtime, "carol"),
        **multipart({"data": json.dumps(data)}, {"signed_form": PDF}),
    )
    assert response.status_code == 422
    assert response.json["error"]["code"] == "defective"
    assert [(p["rule"], p["field"]) for p in response.json["error"]["problems"]] == [("H-X1", "signed_form")]
    assert count(runtime, models.Authorization) == before


def test_the_authorization_form_shows_h_x1_at_the_signed_form(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """The page answers 422 with H-X1 under the signed form field when the form is already recorded."""
    token = csrf_from(carol.get(f"/clients/{world.client_id}/authorizations/new").text)
    fields = authorization_terms(
        world.recipient_id, world.today, kind="psychotherapy_notes", categories=["psychotherapy_notes"]
    )
    response = carol.post(
        f"/clients/{world.client_id}/authorizations/new",
        **multipart({**fields, "csrf_token": token}, {"signed_form": PDF}),
    )
    assert response.status_code == 422
    shown = {(field, rule) for field, _text, rule in FIELD_ERROR.findall(response.text)}
    assert shown == {("signed_form", "H-X1")}


def test_the_api_records_an_authorization_and_reports_its_warnings(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """201 with the new id and status; an acknowledged warning comes back in `warnings`."""
    data = authorization_terms(world.recipient_id, world.today, copy_given_on=None, acknowledge_warnings=True)
    response = carol.post(
        f"/api/v1/clients/{world.client_id}/authorizations",
        headers=bearer(runtime, "carol"),
        **multipart({"data": json.dumps(data)}, {"signed_form": PDF}),
    )
    assert response.status_code == 201, response.json
    assert response.json["status"] == "active"
    assert [w["rule"] for w in response.json["warnings"]] == ["H-P2"]
    listed = carol.get(f"/api/v1/clients/{world.client_id}/authorizations", headers=bearer(runtime, "carol"))
    assert response.json["id"] in [item["id"] for item in listed.json["items"]]


def test_the_api_refuses_a_disclosure_with_403_and_its_reasons(
    frank: FlaskClient, world: World, runtime: Runtime
) -> None:
    """403 `disclosure_refused`; each problem names the category and the rule."""
    body = {
        "recipient_id": world.recipient_id,
        "categories": ["diagnosis", "psychotherapy_notes"],
        "purpose": "continuity_of_care",
        "channel": "fax",
        "requester_verification": VERIFIED,
    }
    response = frank.post(
        f"/api/v1/clients/{world.client_id}/disclosures", json=body, headers=bearer(runtime, "frank")
    )
    assert response.status_code == 403
    error = response.json["error"]
    assert error["code"] == "disclosure_refused"
    # Newest first: the revoked treatment-plan authorization, then the active diagnosis one.
    assert [(p["category"], p["rule"]) for p in error["problems"]] == [
        ("psychotherapy_notes", "H-D3"),
        ("psychotherapy_notes", "DT-5"),
    ]


def test_the_api_records_a_disclosure_and_serves_its_packet(
    frank: FlaskClient, world: World, runtime: Runtime
) -> None:
    """201 pointing at the packet; the packet is a PDF download that no cache keeps."""
    headers = bearer(runtime, "frank")
    body = {
        "recipient_id": world.recipient_id,
        "categories": ["diagnosis"],
        "purpose": "continuity_of_care",
        "channel": "secure_email",
        "document_ids": [world.document_id],
        "requester_verification": VERIFIED,
    }
    response = frank.post(f"/api/v1/clients/{world.client_id}/disclosures", json=body, headers=headers)
    assert response.status_code == 201
    assert response.json["basis"] == world.label
    assert response.json["packet"] == f"/api/v1/disclosures/{response.json['id']}/packet"
    download = frank.get(response.json["packet"], headers=headers)
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "no-store"


# -- IDOR: every release route, six callers ------------------------------------------------------------------

ON = "clinician on caseload"
OFF = "clinician off caseload"
DESK = "front_desk"
AUDITOR = "auditor"
ADMIN = "admin"
ANONYMOUS = "anonymous"
CALLERS = {ON: ("carol", "clinician"), OFF: ("dave", "clinician"), DESK: ("frank", "front_desk")}
CALLERS |= {AUDITOR: ("audrey", "auditor"), ADMIN: ("adam", "admin"), ANONYMOUS: ("", "")}
BOOKKEEPING = {"audit_log", "audit_checkpoints", "audit_verifications", "web_sessions", "api_tokens"}
BOOKKEEPING |= {"signin_throttle"}


@dataclass(frozen=True)
class Route:
    """A release route, how to call it well-formed, and the status each caller gets."""

    path: str
    on: int
    off: int
    desk: int
    body: Callable[[World], dict[str, Any]] = lambda w: {}

    def status_for(self, caller: str) -> int:
        """Return the status `caller` must get: auditors and administrators never reach a release route."""
        if caller == ANONYMOUS:
            return 401 if self.path.startswith("/api/") else 302
        return {ON: self.on, OFF: self.off, DESK: self.desk}.get(caller, 403)


def _web_authorization(w: World) -> dict[str, Any]:
    return {"form": authorization_terms(w.recipient_id, w.today), "files": {"signed_form": PDF}}


def _api_authorization(w: World) -> dict[str, Any]:
    return {
        "form": {"data": json.dumps(authorization_terms(w.recipient_id, w.today))},
        "files": {"signed_form": PDF},
    }


def _question(w: World) -> dict[str, Any]:
    return {"recipient_id": w.recipient_id, "categories": ["diagnosis"], "purpose": "continuity_of_care"}


def _disclosure(w: World) -> dict[str, Any]:
    return {
        **_question(w),
        "channel": "fax",
        "document_ids": [w.document_id],
        "requester_verification": VERIFIED,
    }


def _past(w: World) -> dict[str, Any]:
    yesterday = (w.today - timedelta(days=1)).isoformat()
    return {**_question(w), "on": yesterday, "channel": "mail", "requester_verification": VERIFIED}


# (method, endpoint) -> route. Off the caseload is 404 wherever a client is named, like a missing id; the
# recipients directory names no client. The front desk may not record, revoke or end authorizations.
ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "releases.record"): Route("/clients/{client_id}/authorizations/new", 200, 404, 403),
    ("POST", "releases.record"): Route(
        "/clients/{client_id}/authorizations/new", 302, 404, 403, _web_authorization
    ),
    ("POST", "releases.revoke"): Route(
        "/clients/{client_id}/authorizations/{authorization_id}/revoke",
        302,
        404,
        403,
        lambda w: {"form": {"received_on": w.today.isoformat()}, "files": {"document": PDF}},
    ),
    ("POST", "releases.expiry_event"): Route(
        "/clients/{client_id}/authorizations/{authorization_id}/expiry-event",
        302,
        404,
        403,
        lambda w: {"form": {"occurred_on": w.today.isoformat()}},
    ),
    ("GET", "authorization.page"): Route(
        "/clients/{client_id}/authorizations/{authorization_id}", 200, 404, 200
    ),
    ("GET", "releases.check"): Route("/clients/{client_id}/check", 200, 404, 200),
    ("POST", "releases.check"): Route(
        "/clients/{client_id}/check", 200, 404, 200, lambda w: {"form": _question(w)}
    ),
    ("POST", "releases.disclose"): Route(
        "/clients/{client_id}/disclosures", 200, 404, 200, lambda w: {"form": _disclosure(w)}
    ),
    ("GET", "releases.packet"): Route("/disclosures/{disclosure_id}/packet", 200, 404, 200),
    ("GET", "releases.directory"): Route("/recipients", 200, 200, 200),
    ("POST", "releases.directory"): Route(
        "/recipients", 302, 302, 302, lambda w: {"form": {"kind": "person", "name": "Dr New"}}
    ),
    ("POST", "api.create_recipient"): Route(
        "/api/v1/recipients", 201, 201, 201, lambda w: {"json": {"name": "Dr New"}}
    ),
    ("GET", "api.list_recipients"): Route("/api/v1/recipients", 200, 200, 200),
    ("GET", "releases.revocation_notice"): Route(
        "/authorizations/{revoked_id}/revocation-notice/{recipient_id}", 200, 404, 200
    ),
    ("POST", "api.record_authorization"): Route(
        "/api/v1/clients/{client_id}/authorizations", 201, 404, 403, _api_authorization
    ),
    ("GET", "api.list_authorizations"): Route("/api/v1/clients/{client_id}/authorizations", 200, 404, 200),
    ("POST", "api.revoke_authorization"): Route(
        "/api/v1/authorizations/{authorization_id}/revoke",
        200,
        404,
        403,
        lambda w: {
            "form": {"data": json.dumps({"received_on": w.today.isoformat()})},
            "files": {"document": PDF},
        },
    ),
    ("POST", "api.authorization_expiry_event"): Route(
        "/api/v1/authorizations/{authorization_id}/expiry-event",
        200,
        404,
        403,
        lambda w: {"json": {"occurred_on": w.today.isoformat()}},
    ),
    ("POST", "api.disclosure_check"): Route(
        "/api/v1/disclosure-checks",
        200,
        404,
        200,
        lambda w: {"json": {**_question(w), "client_id": w.client_id}},
    ),
    ("POST", "api.record_disclosure"): Route(
        "/api/v1/clients/{client_id}/disclosures", 201, 404, 201, lambda w: {"json": _disclosure(w)}
    ),
    ("GET", "api.disclosure_packet"): Route("/api/v1/disclosures/{disclosure_id}/packet", 200, 404, 200),
    ("GET", "releases.record_past"): Route("/clients/{client_id}/disclosures/past", 200, 404, 200),
    ("POST", "releases.record_past"): Route(
        "/clients/{client_id}/disclosures/past", 302, 404, 302, lambda w: {"form": _past(w)}
    ),
    ("POST", "api.record_past_disclosure"): Route(
        "/api/v1/clients/{client_id}/past-disclosures", 201, 404, 201, lambda w: {"json": _past(w)}
    ),
}
RELEASE_API = {
    "api.create_recipient",
    "api.list_recipients",
    "api.record_authorization",
    "api.list_authorizations",
    "api.revoke_authorization",
    "api.authorization_expiry_event",
    "api.disclosure_check",
    "api.record_disclosure",
    "api.disclosure_packet",
    "api.record_past_disclosure",
}


def release_routes(app: Flask) -> set[tuple[str, str]]:
    """Return (method, endpoint) of every route of the release blueprints and the release API."""
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("releases.", "authorization.")) or rule.endpoint in RELEASE_API:
            out |= {(method, rule.endpoint) for method in set(rule.methods or ()) - {"HEAD", "OPTIONS"}}
    return out


def client_data(runtime: Runtime) -> dict[str, list[tuple[str, ...]]]:
    """Return every row of every table that holds client data (to prove a refusal changed nothing)."""
    with runtime.engine.connect() as conn:
        return {
            table.name: sorted(tuple(map(repr, row)) for row in conn.execute(sa.select(table)))
            for table in db.Base.metadata.sorted_tables
            if table.name not in BOOKKEEPING
        }


def send(app: Flask, runtime: Runtime, caller: str, method: str, route: Route, world: World) -> TestResponse:
    """Send one well-formed request as `caller` (web: signed in, with a CSRF token; API: a bearer token)."""
    username, _ = CALLERS[caller]
    path = route.path.format(**vars(world))
    is_api = path.startswith("/api/")
    browser = app.test_client()
    headers: dict[str, str] = {}
    if username and is_api:
        headers = bearer(runtime, username)
    elif username:
        assert sign_in(browser, username).status_code == 302
    body = route.body(world)
    kwargs: dict[str, Any] = {}
    if "json" in body:
        kwargs["json"] = body["json"]
    elif method == "POST":
        form = dict(body.get("form", {}))
        if not is_api:
            form["csrf_token"] = page_token(browser)
        kwargs = multipart(form, body.get("files", {})) if "files" in body else {"data": form}
    response = browser.open(path, method=method, headers=headers, **kwargs)
    response.get_data()
    response.close()
    return response


def test_the_matrix_lists_every_release_route(app: Flask) -> None:
    """A new release route fails here until its row is written into ROUTES."""
    assert sorted(release_routes(app) - set(ROUTES)) == [], "release routes missing from the matrix"
    assert sorted(set(ROUTES) - release_routes(app)) == [], "ROUTES lists routes the app no longer has"


CASES = [
    pytest.param(method, endpoint, caller, id=f"{method} {endpoint} as {caller}")
    for (method, endpoint) in ROUTES
    for caller in CALLERS
]


@pytest.mark.parametrize(("method", "endpoint", "caller"), CASES)
def test_each_caller_gets_exactly_the_expected_status_on_release_routes(
    app: Flask,
    runtime: Runtime,
    make_user: Callable[..., users.UserView],
    world: World,
    method: str,
    endpoint: str,
    caller: str,
) -> None:
    """Another clinician gets 404, auditors and administrators 403, and a refused request changes nothing."""
    username, role = CALLERS[caller]
    if username and username != "carol":
        make_user(username, role)
    route = ROUTES[(method, endpoint)]
    before = client_data(runtime)
    response = send(app, runtime, caller, method, route, world)
    expected = route.status_for(caller)
    assert response.status_code == expected, response.text
    if expected == 302 and caller == ANONYMOUS:
        assert response.headers["Location"].startswith("/signin")
    if expected in {401, 403, 404} or caller == ANONYMOUS:
        assert client_data(runtime) == before, "a refused request changed client data"
        assert "Pat" not in response.text
        assert "Dr Ana Rivera" not in response.text


@pytest.mark.parametrize("action", ["revoke", "expiry-event"])
def test_ending_an_authorization_under_another_clients_id_is_not_found(
    carol: FlaskClient, world: World, runtime: Runtime, action: str
) -> None:
    """Carol's other client in the URL, the first client's authorization in the path: 404, nothing changes."""
    with runtime.sessions() as session:
        details = rules.Demographics(given_name="Lee", family_name="Other", date_of_birth=date(1990, 3, 4))
        other = clients.register(session, runtime.env, actor_of(runtime, "carol"), details, ["carol"])
    before = client_data(runtime)
    fields = {"csrf_token": page_token(carol), "received_on": world.today.isoformat()}
    fields["occurred_on"] = world.today.isoformat()
    response = carol.post(
        f"/clients/{other.id}/authorizations/{world.authorization_id}/{action}",
        **multipart(fields, {"document": PDF}),
    )
    assert response.status_code == 404
    assert client_data(runtime) == before


def test_a_malformed_or_unknown_id_answers_like_a_missing_one(carol: FlaskClient, world: World) -> None:
    """Packets and authorizations: a malformed id and an unknown id both answer 404."""
    for path in ("/disclosures/not-an-id/packet", f"/disclosures/{uuid.uuid4()}/packet"):
        assert carol.get(path).status_code == 404
    token = page_token(carol)
    for auth in ("not-an-id", str(uuid.uuid4())):
        url = f"/clients/{world.client_id}/authorizations/{auth}/expiry-event"
        assert (
            carol.post(url, data={"csrf_token": token, "occurred_on": world.today.isoformat()}).status_code
            == 404
        )


# -- one authorization's page: its terms and its history (issue 17) ------------------------------------------


def authorization_row(runtime: Runtime, auth_id: str) -> models.Authorization:
    """Return an authorization's row (its label and the id of its signed form)."""
    with runtime.sessions() as session:
        row = session.get(models.Authorization, uuid.UUID(auth_id))
        assert row is not None
        return row


def test_the_authorization_page_shows_its_terms_and_its_history_after_a_disclosure_and_a_revocation(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """The treatment-plan release: its client, terms and reason, recorded, disclosed under, then revoked."""
    row = authorization_row(runtime, world.revoked_id)
    response = carol.get(f"/clients/{world.client_id}/authorizations/{world.revoked_id}")
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert f"Authorization {row.label}" in page
    assert f'Client: <strong>Pat Example</strong> <span class="reference">({world.reference})</span>' in page
    assert "<dt>Kind</dt><dd>HIPAA</dd>" in page
    assert "<dt>Recipient</dt><dd>Dr Ana Rivera (Northside)</dd>" in page
    assert "<dt>Information</dt><dd>treatment plan</dd>" in page
    assert "<dt>Purposes</dt><dd>continuity of care</dd>" in page
    assert f"<dt>Expires</dt><dd>{world.today + timedelta(days=100)}</dd>" in page
    assert 'class="badge badge-revoked"' in page
    assert f'Authorization {row.label} was revoked on {world.today}. <small class="rule">H-D3</small>' in page
    assert f'href="/documents/{row.signed_form_id}">Download the signed form' in page
    assert "Recorded by carol" in page
    assert "Disclosed to Dr Ana Rivera (Northside): treatment plan (fax, sent by carol)" in page
    assert "Revoked: written revocation received, entered by carol" in page
    assert len(re.findall(r'href="/disclosures/[0-9a-f-]{36}/packet"', page)) == 1
    assert world.disclosure_id not in page  # the diagnosis went out under the other release
    assert "Record revocation" not in page  # nothing left to end
    assert "Nothing more: the client revoked it." in page


def test_reading_the_authorization_page_is_logged_as_reads_of_the_client_and_the_authorization(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """Two allowed reads, the second naming the authorization itself."""
    before = head_seq(runtime)
    assert carol.get(f"/clients/{world.client_id}/authorizations/{world.authorization_id}").status_code == 200
    entries = entries_after(runtime, before)
    assert [(e.action, e.outcome, e.object_type, e.object_id) for e in entries] == [
        ("client:record:read", "allowed", "client", world.client_id),
        ("authorization:read", "allowed", "authorization", world.authorization_id),
    ]


def test_an_active_authorizations_page_offers_its_clinician_renewal_revocation_and_its_event(
    carol: FlaskClient, world: World
) -> None:
    """The diagnosis release ends at the end of treatment: renew, revoke, or record that event."""
    page = carol.get(f"/clients/{world.client_id}/authorizations/{world.authorization_id}").text
    assert "Valid today" in page
    ends = world.today + timedelta(days=100)
    assert f"<dt>Expires</dt><dd>{ends}, or earlier at “end of treatment”</dd>" in page
    assert f'href="/clients/{world.client_id}/authorizations/new?renew={world.authorization_id}"' in page
    assert f'action="/clients/{world.client_id}/authorizations/{world.authorization_id}/revoke"' in page
    assert f'action="/clients/{world.client_id}/authorizations/{world.authorization_id}/expiry-event"' in page
    assert "Nothing has been disclosed under this authorization." not in page


def test_the_front_desk_sees_the_authorization_page_without_its_documents_or_actions(
    frank: FlaskClient, world: World
) -> None:
    """Release status is the front desk's to see; the signed form and the clinician's acts are not."""
    page = frank.get(f"/clients/{world.client_id}/authorizations/{world.authorization_id}").text
    assert world.label in page
    assert "Disclosed to Dr Ana Rivera (Northside): diagnosis (fax, sent by carol)" in page
    assert 'href="/documents/' not in page
    assert "/revoke" not in page
    assert "renew=" not in page


def test_an_unknown_or_malformed_authorization_id_answers_404_with_a_clear_message(
    carol: FlaskClient, world: World
) -> None:
    """An id no row has, and one that is not an id at all: 404 saying so, never a 500."""
    for auth in (str(uuid.uuid4()), "not-an-id"):
        response = carol.get(f"/clients/{world.client_id}/authorizations/{auth}")
        assert response.status_code == 404
        assert "no such authorization" in response.text


def test_another_clients_authorization_under_this_clients_id_is_not_found(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """Carol's other client in the path with the first client's authorization: 404, the refusal logged."""
    with runtime.sessions() as session:
        details = rules.Demographics(given_name="Lee", family_name="Other", date_of_birth=date(1990, 3, 4))
        other = clients.register(session, runtime.env, actor_of(runtime, "carol"), details, ["carol"])
    before = head_seq(runtime)
    response = carol.get(f"/clients/{other.id}/authorizations/{world.authorization_id}")
    assert response.status_code == 404
    assert "Dr Ana Rivera" not in response.text
    assert [(e.action, e.outcome) for e in entries_after(runtime, before)] == [
        ("authorization:read", "refused")
    ]


def test_a_clinician_without_the_client_on_their_caseload_gets_404_like_the_client_page(
    app: Flask, world: World, runtime: Runtime, signed_in: Callable[[str, str], FlaskClient]
) -> None:
    """Dave is not Pat's clinician: the same 404 as Pat's client page, and nothing of the release shown."""
    dave = signed_in("dave", "clinician")
    assert dave.get(f"/clients/{world.client_id}").status_code == 404
    response = dave.get(f"/clients/{world.client_id}/authorizations/{world.authorization_id}")
    assert response.status_code == 404
    assert "no such client" in response.text
    assert world.label not in response.text


def test_the_client_page_and_the_expiring_list_link_to_the_authorization_page(
    app: Flask, world: World, clock: FakeClock
) -> None:
    """Each release row on the client page, and a release ending soon on the home page, open its page."""
    clock.advance(days=80)
    carol = app.test_client()
    assert sign_in(carol, "carol").status_code == 302
    link = f'href="/clients/{world.client_id}/authorizations/{world.authorization_id}"'
    assert link in carol.get(f"/clients/{world.client_id}").text
    assert (
        f'href="/clients/{world.client_id}/authorizations/{world.revoked_id}"'
        in carol.get(f"/clients/{world.client_id}").text
    )
    assert link in carol.get("/").text
