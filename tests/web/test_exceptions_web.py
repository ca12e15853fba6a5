"""Exception and emergency-access pages and their API: the guided form per kind, problems at their fields,
the flag on the client page, the auditor's queue and review, and breaking the glass by reference."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.test import TestResponse

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain.exceptions import Kind
from roi_tracker.runtime import Runtime
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.exceptions import exceptions
from roi_tracker.services.people import users
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from tests.conftest import csrf_from
from tests.web.conftest import PASSWORD
from tests.web.conftest import FakeClock
from tests.web.conftest import sign_in
from tests.web.conftest import token_for

NOTES = "Session notes: the client spoke about a recurring dream"
BASES = json.loads(resources.files("roi_tracker").joinpath("data", "exceptions.json").read_text("utf-8"))
# The inputs every exception page carries, whatever the kind.
COMMON = {
    "csrf_token",
    "recipient_name",
    "recipient_organization",
    "recipient_address",
    "recipient_type",
    "disclosed_categories",
    "occurred_at",
    "channel",
    "justification",
    "password",
}
# Exactly the kind's own inputs: its required facts (interface.md) and the facts its guards read.
OWN = {
    Kind.DANGER_TO_OTHERS: {
        "basis_of_belief",
        "belief_source",
        "threat",
        "target",
        "imminence",
        "recipient_can_lessen",
        "imminent",
        "recipient_able_to_lessen",
        "learned_as_admission_of_past_violent_crime",
        "statute",
    },
    Kind.DANGER_TO_SELF: {
        "basis_of_belief",
        "belief_source",
        "threat",
        "imminence",
        "recipient_can_lessen",
        "imminent",
        "recipient_able_to_lessen",
    },
    Kind.CHILD_ABUSE_REPORT: {"report_number", "reported_at", "parent_suspected"},
    Kind.ELDER_ABUSE_REPORT: {
        "report_number",
        "reported_at",
        "condition",
        "client_informed_on",
        "not_informed_reason",
    },
    Kind.COURT_ORDER: {
        "court",
        "judge",
        "order_reference",
        "order_date",
        "order_document_id",
        "order_categories",
        "part2_order",
    },
    Kind.PART2_MEDICAL_EMERGENCY: {"medical_personnel_name", "facility", "emergency_nature"},
}


@dataclass(frozen=True)
class World:
    """Carol's clients Pat (HIPAA only, with notes and a court order on file) and Jo (Part 2 records)."""

    pat: str
    reference: str
    jo: str
    order_id: str


def actor_of(runtime: Runtime, username: str) -> audit.Actor:
    """Return the actor a user acts as."""
    with runtime.sessions() as session:
        user = users.by_username(session, username)
        return audit.Actor(str(user.id), user.role)


@pytest.fixture
def world(runtime: Runtime, make_user: Callable[..., users.UserView], clock: FakeClock) -> World:
    """Carol, her two clients, and two auditors (abe and ada)."""
    make_user("carol", "clinician")
    make_user("abe", "auditor")
    make_user("ada", "auditor")
    carol = actor_of(runtime, "carol")
    env = runtime.env
    with runtime.sessions() as session:
        pat = clients.register(
            session, env, carol, rules.Demographics("Pat", "Example", date(1980, 1, 2)), ["carol"]
        )
        jo = clients.register(
            session,
            env,
            carol,
            rules.Demographics("Jo", "Lindqvist", date(1975, 5, 6), part2=True),
            ["carol"],
        )
        documents.upload(
            session, env, carol, pat.id, content=tiny_pdf([NOTES]), category="progress_summary", title=NOTES
        )
        order = documents.upload(
            session,
            env,
            carol,
            pat.id,
            content=tiny_pdf(["ORDER"]),
            category="court_order",
            title="Order 117",
        )
    return World(str(pat.id), pat.reference, str(jo.id), str(order.id))


@pytest.fixture
def carol(app: Flask, world: World) -> FlaskClient:
    """Carol, signed in."""
    browser = app.test_client()
    assert sign_in(browser, "carol").status_code == 302
    return browser


@pytest.fixture
def abe(app: Flask, world: World) -> FlaskClient:
    """Abe the auditor, signed in."""
    browser = app.test_client()
    assert sign_in(browser, "abe").status_code == 302
    return browser


def form_page(browser: FlaskClient, client_id: str, kind: Kind) -> TestResponse:
    """Open the guided page for one kind."""
    return browser.get(f"/clients/{client_id}/exceptions/new?kind={kind.value}")


def inputs_of(page: str) -> set[str]:
    """The names of the inputs the page's exception form asks for."""
    form = page.split('<form method="post" novalidate>')[1].split("</form>")[0]
    return set(re.findall(r'name="([a-z0-9_]+)"', form))


def danger_to_others(**changes: object) -> dict[str, Any]:
    """A complete danger-to-others form."""
    data: dict[str, Any] = {
        "recipient_name": "Officer J. Lee",
        "recipient_organization": "Springfield Police",
        "recipient_type": "authority",
        "disclosed_categories": ["demographics"],
        "channel": "phone",
        "justification": "Specific plan against a named neighbour; police and neighbour warned.",
        "basis_of_belief": "actual_knowledge",
        "threat": "A stated plan to harm",
        "target": "A named neighbour",
        "imminence": "Within days",
        "recipient_can_lessen": "The police can intervene and warn the target.",
        "imminent": "yes",
        "recipient_able_to_lessen": "yes",
        "password": PASSWORD,
    }
    data.update(changes)
    return data


def post_exception(browser: FlaskClient, client_id: str, kind: Kind, data: dict[str, Any]) -> TestResponse:
    """Fill in and send the guided form for `kind`."""
    token = csrf_from(form_page(browser, client_id, kind).text)
    return browser.post(
        f"/clients/{client_id}/exceptions/new?kind={kind.value}", data={"csrf_token": token, **data}
    )


def record(runtime: Runtime, world: World) -> uuid.UUID:
    """Have carol record a danger-to-others exception for Pat through the service; return its id."""
    fields = {
        "kind": "danger_to_others",
        "recipient": {"name": "Officer J. Lee", "organization": "Springfield Police", "type": "authority"},
        "disclosed_categories": ["demographics"],
        "justification": "Specific plan against a named neighbour.",
        "basis_of_belief": "actual_knowledge",
        "threat": "A stated plan to harm",
        "target": "A named neighbour",
        "imminence": "Within days",
        "recipient_can_lessen": "The police can intervene.",
        "imminent": True,
        "recipient_able_to_lessen": True,
    }
    with runtime.sessions() as session:
        recorded = exceptions.record(
            session, runtime.env, actor_of(runtime, "carol"), uuid.UUID(world.pat), fields, PASSWORD
        )
    return recorded.id


def stored(runtime: Runtime) -> int:
    """How many exceptions are stored."""
    with runtime.sessions() as session:
        return int(
            session.execute(select(func.count()).select_from(models.ConfidentialityException)).scalar_one()
        )


# -- the guided page -----------------------------------------------------------------------------------------


def test_the_choice_page_lists_every_kind_with_its_title(carol: FlaskClient, world: World) -> None:
    """Without a kind, the clinician chooses one, each with its plain-language basis."""
    page = carol.get(f"/clients/{world.pat}/exceptions/new")
    assert page.status_code == 200
    for kind in Kind:
        assert escape(BASES["kinds"][kind.value]["title"]) in page.text
        assert f"kind={kind.value}" in page.text


@pytest.mark.parametrize("kind", list(Kind))
def test_the_page_for_each_kind_shows_its_legal_basis_and_exactly_its_fields(
    kind: Kind, carol: FlaskClient, world: World
) -> None:
    """The basis and conditions come from data/exceptions.json; the inputs are the kind's and no other's."""
    client_id = world.jo if kind is Kind.PART2_MEDICAL_EMERGENCY else world.pat
    page = form_page(carol, client_id, kind)
    assert page.status_code == 200
    entry = BASES["kinds"][kind.value]
    assert escape(entry["basis"]) in page.text
    for condition in entry["conditions"]:
        assert escape(condition) in page.text
    assert inputs_of(page.text) == COMMON | OWN[kind]


def test_the_danger_page_shows_the_duty_to_warn_of_the_practices_state(
    carol: FlaskClient, world: World, with_settings: Callable[..., None]
) -> None:
    """The configured state's entry, with its source and a note that counsel should confirm it."""
    with_settings(practice_state="CA")
    page = form_page(carol, world.pat, Kind.DANGER_TO_OTHERS).text
    assert "Duty to warn in CA: <strong>mandatory</strong>" in page
    assert "counsel must confirm" in page
    with_settings(practice_state="CA", duty_to_warn_override="permissive")
    page = form_page(carol, world.pat, Kind.DANGER_TO_OTHERS).text
    assert "Duty to warn in CA: <strong>permissive</strong>" in page
    assert "(set by the practice)" in page


def test_the_court_order_page_offers_the_clients_own_documents(carol: FlaskClient, world: World) -> None:
    """The order is chosen from what was uploaded to this client."""
    page = form_page(carol, world.pat, Kind.COURT_ORDER).text
    assert f'value="{world.order_id}"' in page


# -- recording through the page ------------------------------------------------------------------------------


def test_a_missing_kind_specific_field_answers_422_with_the_error_at_that_field(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """Under the threat, a plain sentence with its rule after it; the summary lists it; nothing is stored."""
    response = post_exception(carol, world.pat, Kind.DANGER_TO_OTHERS, danger_to_others(threat=""))
    assert response.status_code == 422
    error = (
        '<p class="error" id="threat-error">This is required for danger to others.'
        ' <small class="rule">X-FIELDS</small></p>'
    )
    assert error in response.text
    assert '<a href="#threat">The threat</a>' in response.text
    assert "danger_to_others" not in response.text.split('<form method="post"')[0]
    assert stored(runtime) == 0


def test_a_guard_answers_422_with_its_rule_at_its_field(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """An admission of a past violent crime is refused under 164.512(j)(2)."""
    data = danger_to_others(learned_as_admission_of_past_violent_crime="y")
    response = post_exception(carol, world.pat, Kind.DANGER_TO_OTHERS, data)
    assert response.status_code == 422
    assert "An admission of a past violent crime" in response.text
    assert '<small class="rule">164.512(j)(2)</small>' in response.text
    assert stored(runtime) == 0


def test_a_wrong_password_answers_422_at_the_password(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """The step-up names the password field."""
    data = danger_to_others(password="not my password at all")
    response = post_exception(carol, world.pat, Kind.DANGER_TO_OTHERS, data)
    assert response.status_code == 422
    assert '<p class="error" id="password-error">your password is not correct' in response.text
    assert stored(runtime) == 0


def test_a_recorded_exception_flags_the_client_page(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """Recorded, back to the client page, which shows the flag under review."""
    response = post_exception(carol, world.pat, Kind.DANGER_TO_OTHERS, danger_to_others())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/clients/{world.pat}")
    page = carol.get(f"/clients/{world.pat}").text
    assert f"Confidentiality exception recorded on {runtime.env.clock().date()}: danger to others" in page
    assert "under review" in page
    assert stored(runtime) == 1


def test_another_clinician_gets_404_on_the_exception_page(
    app: Flask, world: World, make_user: Callable[..., users.UserView]
) -> None:
    """Off the caseload, the client answers as missing."""
    make_user("bob", "clinician")
    bob = app.test_client()
    sign_in(bob, "bob")
    assert form_page(bob, world.pat, Kind.DANGER_TO_OTHERS).status_code == 404


# -- the auditor's queue and review --------------------------------------------------------------------------


def test_the_queue_lists_the_exception_with_the_client_identity_and_no_clinical_notes(
    abe: FlaskClient, world: World, runtime: Runtime
) -> None:
    """Who the client is and what was recorded; never the client's documents."""
    record(runtime, world)
    page = abe.get("/exceptions")
    assert page.status_code == 200
    assert f"Danger to others — Pat Example ({world.reference}, born 1980-01-02)" in page.text
    assert "By carol on" in page.text
    assert "A named neighbour" in page.text
    assert NOTES not in page.text


def test_the_queue_shows_only_what_was_recorded_and_never_raw_empty_values(
    abe: FlaskClient, world: World, runtime: Runtime
) -> None:
    """A warning recorded without the client informed: no "None", no "False", no field left blank."""
    record(runtime, world)
    page = abe.get("/exceptions").text
    listed = page[page.index("<dl") : page.rindex("</dl>")]
    assert ">None<" not in listed
    assert ">False<" not in listed
    assert "<dd></dd>" not in listed
    assert "client informed on" not in listed


def test_an_auditor_reviews_an_exception_from_the_queue(
    abe: FlaskClient, carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """Reviewed once: it leaves the pending list and the flag shows the outcome; a second review is 409."""
    exception_id = record(runtime, world)
    token = csrf_from(abe.get("/exceptions").text)
    data = {"csrf_token": token, "outcome": "appropriate", "notes": "Threat specific and imminent."}
    response = abe.post(f"/exceptions/{exception_id}/review", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/exceptions")
    assert "Nothing here." in abe.get("/exceptions").text
    assert "Pat Example" in abe.get("/exceptions?review_status=appropriate").text
    assert "reviewed: appropriate" in carol.get(f"/clients/{world.pat}").text
    assert abe.post(f"/exceptions/{exception_id}/review", data=data).status_code == 409


def test_the_review_form_chooses_no_outcome_for_the_reviewer(
    abe: FlaskClient, world: World, runtime: Runtime
) -> None:
    """The outcome starts at "choose"; sent unchosen it is 422 at the outcome and nothing is reviewed."""
    exception_id = record(runtime, world)
    page = abe.get("/exceptions").text
    assert '<option value="">— choose —</option>' in page
    assert '<option value="appropriate" selected' not in page
    response = abe.post(
        f"/exceptions/{exception_id}/review", data={"csrf_token": csrf_from(page), "notes": ""}
    )
    assert response.status_code == 422
    assert f'id="outcome-{exception_id}-error">Choose an outcome' in response.text
    assert "Pat Example" in abe.get("/exceptions?review_status=pending").text


def test_an_inappropriate_outcome_needs_notes_and_keeps_the_choice(
    abe: FlaskClient, world: World, runtime: Runtime
) -> None:
    """422 at the notes with "inappropriate" still chosen; with notes it is recorded."""
    exception_id = record(runtime, world)
    token = csrf_from(abe.get("/exceptions").text)
    data = {"csrf_token": token, "outcome": "inappropriate", "notes": "  "}
    response = abe.post(f"/exceptions/{exception_id}/review", data=data)
    assert response.status_code == 422
    assert f'id="notes-{exception_id}-error">' in response.text
    assert "why it was inappropriate" in response.text
    assert '<option value="inappropriate" selected>' in response.text
    data["notes"] = "Broader than the threat needed."
    assert abe.post(f"/exceptions/{exception_id}/review", data=data).status_code == 302


def test_a_reviewed_exception_shows_who_reviewed_it_when_and_the_notes(
    abe: FlaskClient, world: World, runtime: Runtime
) -> None:
    """The reviewed list names the reviewer, the time to the minute and the notes."""
    exception_id = record(runtime, world)
    token = csrf_from(abe.get("/exceptions").text)
    data = {"csrf_token": token, "outcome": "appropriate", "notes": "Threat specific and imminent."}
    assert abe.post(f"/exceptions/{exception_id}/review", data=data).status_code == 302
    page = abe.get("/exceptions?review_status=all").text
    reviewed = page[page.index('<div class="reviewed">') :]
    assert re.search(r"Reviewed <strong>appropriate</strong> by abe on \d{4}-\d\d-\d\d \d\d:\d\d ", reviewed)
    assert "Notes: Threat specific and imminent." in reviewed


def test_a_clinician_may_not_open_the_queue_or_review(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """The queue and the review belong to auditors."""
    exception_id = record(runtime, world)
    assert carol.get("/exceptions").status_code == 403
    token = csrf_from(carol.get(f"/clients/{world.pat}").text)
    response = carol.post(
        f"/exceptions/{exception_id}/review", data={"csrf_token": token, "outcome": "appropriate"}
    )
    assert response.status_code == 403


def test_an_overdue_review_is_highlighted_on_the_auditors_home_page(
    abe: FlaskClient, world: World, runtime: Runtime, clock: FakeClock
) -> None:
    """Older than review_overdue_days and still pending: counted overdue."""
    record(runtime, world)
    assert "1 waiting for review." in abe.get("/").text
    clock.advance(days=runtime.env.settings.review_overdue_days, minutes=1)
    assert sign_in(abe, "abe").status_code == 302  # the old session idled out as the clock moved
    home = abe.get("/").text
    assert '1 waiting for review, <strong class="overdue-text">1 overdue</strong>' in home


# -- the API -------------------------------------------------------------------------------------------------


def api_exception(**changes: object) -> dict[str, Any]:
    """A complete danger-to-others exception as the API takes it."""
    body: dict[str, Any] = {
        "kind": "danger_to_others",
        "recipient": {"name": "Officer J. Lee", "organization": "Springfield Police", "type": "authority"},
        "disclosed_categories": ["demographics"],
        "justification": "Specific plan against a named neighbour.",
        "basis_of_belief": "actual_knowledge",
        "threat": "A stated plan to harm",
        "target": "A named neighbour",
        "imminence": "Within days",
        "recipient_can_lessen": "The police can intervene.",
        "imminent": True,
        "recipient_able_to_lessen": True,
        "password": PASSWORD,
    }
    body.update(changes)
    return body


def bearer(runtime: Runtime, username: str) -> dict[str, str]:
    """An Authorization header for `username`."""
    return {"Authorization": f"Bearer {token_for(runtime, username)}"}


def test_the_api_records_an_exception_with_201(client: FlaskClient, world: World, runtime: Runtime) -> None:
    """The answer names the exception, its disclosure and its pending review."""
    response = client.post(
        f"/api/v1/clients/{world.pat}/exceptions", json=api_exception(), headers=bearer(runtime, "carol")
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["review_status"] == "pending"
    with runtime.sessions() as session:
        row = session.get_one(models.ConfidentialityException, uuid.UUID(body["id"]))
    assert str(row.disclosure_id) == body["disclosure_id"]


CHILD_ABUSE = {"kind": "child_abuse_report", "report_number": "CPS-1", "reported_at": "2026-03-01T10:00"}


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        ({"target": ""}, [("X-FIELDS", "target")]),
        (
            {"learned_as_admission_of_past_violent_crime": True},
            [("164.512(j)(2)", "learned_as_admission_of_past_violent_crime")],
        ),
        (
            {**CHILD_ABUSE, "disclosed_categories": ["demographics", "psychotherapy_notes"]},
            [("DT-5", "disclosed_categories")],
        ),
    ],
)
def test_the_api_answers_422_with_problems_that_carry_their_rule(
    changes: dict[str, object],
    problems: list[tuple[str, str]],
    client: FlaskClient,
    world: World,
    runtime: Runtime,
) -> None:
    """Each problem names its rule and field, and nothing is stored."""
    response = client.post(
        f"/api/v1/clients/{world.pat}/exceptions",
        json=api_exception(**changes),
        headers=bearer(runtime, "carol"),
    )
    assert response.status_code == 422
    answer = response.get_json()["error"]["problems"]
    assert [(p["rule"], p["field"]) for p in answer] == problems
    assert stored(runtime) == 0


def test_the_api_refuses_a_wrong_password_with_422_on_the_password(
    client: FlaskClient, world: World, runtime: Runtime
) -> None:
    """The step-up names the field."""
    response = client.post(
        f"/api/v1/clients/{world.pat}/exceptions",
        json=api_exception(password="not my password"),
        headers=bearer(runtime, "carol"),
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["problems"][0]["field"] == "password"


def test_the_api_queue_is_for_auditors_only(client: FlaskClient, world: World, runtime: Runtime) -> None:
    """Auditors see the exception with the client's identity; a clinician is refused."""
    exception_id = record(runtime, world)
    response = client.get("/api/v1/exceptions", headers=bearer(runtime, "abe"))
    assert response.status_code == 200
    [item] = response.get_json()["items"]
    assert (item["id"], item["kind"], item["client_reference"], item["client_name"], item["by"]) == (
        str(exception_id),
        "danger_to_others",
        world.reference,
        "Pat Example",
        "carol",
    )
    assert client.get("/api/v1/exceptions", headers=bearer(runtime, "carol")).status_code == 403


def test_the_api_refuses_an_inappropriate_review_without_notes(
    client: FlaskClient, world: World, runtime: Runtime
) -> None:
    """422 naming the notes; the exception stays pending."""
    exception_id = record(runtime, world)
    url = f"/api/v1/exceptions/{exception_id}/review"
    response = client.post(url, json={"outcome": "inappropriate"}, headers=bearer(runtime, "abe"))
    assert response.status_code == 422
    assert [p["field"] for p in response.json["error"]["problems"]] == ["notes"]
    pending = client.get("/api/v1/exceptions?review_status=pending", headers=bearer(runtime, "abe"))
    assert [i["id"] for i in pending.get_json()["items"]] == [str(exception_id)]


def test_the_api_reviews_once(client: FlaskClient, world: World, runtime: Runtime) -> None:
    """200 with the outcome, then 409; the queue filtered by status agrees."""
    exception_id = record(runtime, world)
    url = f"/api/v1/exceptions/{exception_id}/review"
    body = {"outcome": "inappropriate", "notes": "Broader than needed."}
    response = client.post(url, json=body, headers=bearer(runtime, "abe"))
    assert response.status_code == 200
    assert response.get_json() == {"id": str(exception_id), "review_status": "inappropriate"}
    assert client.post(url, json=body, headers=bearer(runtime, "ada")).status_code == 409
    listed = client.get("/api/v1/exceptions?review_status=inappropriate", headers=bearer(runtime, "abe"))
    assert [i["id"] for i in listed.get_json()["items"]] == [str(exception_id)]


def test_the_api_starts_emergency_access_for_a_clinician_off_the_caseload(
    client: FlaskClient, world: World, runtime: Runtime, make_user: Callable[..., users.UserView]
) -> None:
    """201 with the end time; the client then opens for that clinician."""
    make_user("bob", "clinician")
    headers = bearer(runtime, "bob")
    assert client.get(f"/api/v1/clients/{world.pat}", headers=headers).status_code == 404
    body = {"reason": "crisis_coverage", "justification": "Crisis call at night.", "password": PASSWORD}
    response = client.post(f"/api/v1/clients/{world.pat}/emergency-access", json=body, headers=headers)
    assert response.status_code == 201
    assert set(response.get_json()) == {"id", "expires_at"}
    assert client.get(f"/api/v1/clients/{world.pat}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/clients/{world.jo}", headers=headers).status_code == 404


# -- emergency access through the page -----------------------------------------------------------------------


def test_a_clinician_breaks_the_glass_by_reference_and_ends_it(
    app: Flask, world: World, runtime: Runtime, make_user: Callable[..., users.UserView]
) -> None:
    """404, then the form by reference opens the page with its banner; ending it closes the page again."""
    make_user("bob", "clinician")
    bob = app.test_client()
    sign_in(bob, "bob")
    assert bob.get(f"/clients/{world.pat}").status_code == 404
    form = bob.get("/emergency-access")
    assert form.status_code == 200
    data = {
        "csrf_token": csrf_from(form.text),
        "reference": world.reference.removeprefix("C-").lower(),
        "reason": "covering_clinician_absent",
        "justification": "Crisis call; Pat's clinician cannot be reached.",
        "password": PASSWORD,
    }
    response = bob.post("/emergency-access", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/clients/{world.pat}")
    page = bob.get(f"/clients/{world.pat}")
    assert page.status_code == 200
    assert "Emergency access: this record closes to you at" in page.text
    assert bob.get(f"/clients/{world.jo}").status_code == 404
    with runtime.sessions() as session:
        grant = session.execute(select(models.EmergencyAccess)).scalar_one()
    end = bob.post(f"/emergency-access/{grant.id}/end", data={"csrf_token": csrf_from(page.text)})
    assert end.status_code == 302
    assert bob.get(f"/clients/{world.pat}").status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reference": "C-ZZZZ"}, "no client has that reference"),
        ({"password": "not my password"}, "your password is not correct"),
    ],
)
def test_the_emergency_form_names_a_wrong_reference_or_password(
    changes: dict[str, str],
    message: str,
    app: Flask,
    world: World,
    runtime: Runtime,
    make_user: Callable[..., users.UserView],
) -> None:
    """422 with the problem at its field, and no access stored."""
    make_user("bob", "clinician")
    bob = app.test_client()
    sign_in(bob, "bob")
    data = {
        "csrf_token": csrf_from(bob.get("/emergency-access").text),
        "reference": world.reference,
        "reason": "crisis_coverage",
        "justification": "Crisis call.",
        "password": PASSWORD,
        **changes,
    }
    response = bob.post("/emergency-access", data=data)
    assert response.status_code == 422
    assert message in response.text
    with runtime.sessions() as session:
        assert session.execute(select(func.count()).select_from(models.EmergencyAccess)).scalar_one() == 0


def test_the_emergency_form_refuses_a_clinician_already_on_the_caseload(
    carol: FlaskClient, world: World
) -> None:
    """Carol needs no emergency access to her own client: 409."""
    data = {
        "csrf_token": csrf_from(carol.get("/emergency-access").text),
        "reference": world.reference,
        "reason": "crisis_coverage",
        "justification": "Crisis call.",
        "password": PASSWORD,
    }
    assert carol.post("/emergency-access", data=data).status_code == 409
