"""The incidents API: anyone signed in reports, the auditor assesses, produces notices and the HHS log;
bad input is a 422 naming its rule (H-B3, H-B4, H-B7), never a 500."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from roi_tracker.runtime import Runtime
from tests.services.incidents.conftest import add_rivera
from tests.services.incidents.conftest import fax_to_rivera
from tests.services.incidents.conftest import register_sam
from tests.web.conftest import FakeClock
from tests.web.test_accounting_web import actor_of
from tests.web.test_clients_web import bearer

WRITTEN = {
    "phi_nature": "Name and diagnosis.",
    "unauthorized_person": "Unknown fax owner.",
    "acquired_or_viewed": "Unknown.",
    "mitigation": "We asked the number's owner to destroy it.",
}
BREACH = {"exclusion": "none", "secured": False, "factors": WRITTEN, "low_probability": False}


@dataclass(frozen=True)
class World:
    """Carol's client Sam, faxed to Dr Rivera today; dee at the front desk, abe the privacy officer."""

    client_id: str
    disclosure_id: str
    today: str


@pytest.fixture
def world(runtime: Runtime, make_user: Callable, clock: FakeClock) -> World:
    """Carol (clinician), dee (front desk), abe (auditor), ada (admin) and Sam's faxed diagnosis."""
    for name, role in (("carol", "clinician"), ("dee", "front_desk"), ("abe", "auditor"), ("ada", "admin")):
        make_user(name, role)
    carol = actor_of(runtime, "carol")
    sam = register_sam(runtime, carol)
    sent = fax_to_rivera(runtime, carol, sam, add_rivera(runtime, carol))
    return World(str(sam), str(sent.id), clock.now.date().isoformat())


@pytest.fixture
def api(app: Flask) -> FlaskClient:
    """A client for the JSON API."""
    return app.test_client()


def report(api: FlaskClient, runtime: Runtime, world: World, who: str = "dee", **changes: object) -> object:
    """Report the misdirected fax as `who`."""
    body = {
        "kind": "misdirected_disclosure",
        "discovered_on": world.today,
        "occurred_on": world.today,
        "description": "Faxed to 555-0199 instead of Northside Clinic",
        "disclosure_id": world.disclosure_id,
    }
    body.update(changes)
    return api.post("/api/v1/incidents", json=body, headers=bearer(runtime, who))


def _plus(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


@pytest.mark.parametrize("who", ["dee", "carol", "abe", "ada"])
def test_anyone_signed_in_reports_an_incident_with_its_60_day_clock(
    api: FlaskClient, runtime: Runtime, world: World, who: str
) -> None:
    answer = report(api, runtime, world, who)
    assert answer.status_code == 201, answer.text
    assert answer.json["determination"] == "pending"
    assert answer.json["discovered_on"] == world.today
    assert answer.json["notify_by"] == _plus(world.today, 60)
    assert set(answer.json) == {"id", "reference", "kind", "determination", "discovered_on", "notify_by"}


def test_a_discovery_date_in_the_future_is_422_with_h_b7(
    api: FlaskClient, runtime: Runtime, world: World
) -> None:
    answer = report(api, runtime, world, discovered_on=_plus(world.today, 1))
    assert answer.status_code == 422
    assert answer.json["error"]["problems"][0]["rule"] == "H-B7"
    assert answer.json["error"]["problems"][0]["field"] == "discovered_on"


def test_an_unknown_kind_is_422_naming_the_kinds(api: FlaskClient, runtime: Runtime, world: World) -> None:
    answer = report(api, runtime, world, kind="oops")
    assert answer.status_code == 422
    assert "lost_or_stolen_device" in answer.json["error"]["message"]


def test_only_the_auditor_lists_incidents(api: FlaskClient, runtime: Runtime, world: World) -> None:
    report(api, runtime, world)
    assert api.get("/api/v1/incidents", headers=bearer(runtime, "dee")).status_code == 403
    listed = api.get("/api/v1/incidents?determination=pending&year=2026", headers=bearer(runtime, "abe"))
    assert listed.status_code == 200
    [item] = listed.json["items"]
    assert (item["open"], item["days_left"], item["client_ids"]) == (True, 60, [world.client_id])
    assert "description" not in item


def test_the_auditor_assesses_a_breach_and_the_answer_says_why_with_rule_ids(
    api: FlaskClient, runtime: Runtime, world: World
) -> None:
    incident = report(api, runtime, world).json["id"]
    answer = api.post(f"/api/v1/incidents/{incident}/assessment", json=BREACH, headers=bearer(runtime, "abe"))
    assert answer.status_code == 200, answer.text
    assert answer.json["determination"] == "breach"
    assert [b["rule"] for b in answer.json["basis"]] == ["H-B3", "H-B4", "H-B6"]
    assert answer.json["notify_by"] == _plus(world.today, 60)
    assert (answer.json["affected"], answer.json["media_required"]) == (1, False)
    accounting = api.get(f"/api/v1/clients/{world.client_id}/accounting", headers=bearer(runtime, "abe"))
    assert "impermissible (H-B9)" in {e["basis"] for e in accounting.json["entries"]}


def test_low_probability_with_a_blank_factor_is_422_with_h_b3(
    api: FlaskClient, runtime: Runtime, world: World
) -> None:
    incident = report(api, runtime, world).json["id"]
    body = {**BREACH, "low_probability": True, "factors": {**WRITTEN, "mitigation": ""}}
    answer = api.post(f"/api/v1/incidents/{incident}/assessment", json=body, headers=bearer(runtime, "abe"))
    assert answer.status_code == 422
    assert answer.json["error"]["problems"][0] == {
        "rule": "H-B3",
        "field": "factors.mitigation",
        "message": "a low probability of compromise needs every factor written: "
        "the extent to which the risk has been mitigated",
    }


def test_the_front_desk_cannot_assess(api: FlaskClient, runtime: Runtime, world: World) -> None:
    incident = report(api, runtime, world).json["id"]
    answer = api.post(f"/api/v1/incidents/{incident}/assessment", json=BREACH, headers=bearer(runtime, "dee"))
    assert answer.status_code == 403


def test_the_notice_is_a_pdf_and_a_notice_dated_before_discovery_is_422_with_h_b4(
    api: FlaskClient, runtime: Runtime, world: World
) -> None:
    incident = report(api, runtime, world).json["id"]
    api.post(f"/api/v1/incidents/{incident}/assessment", json=BREACH, headers=bearer(runtime, "abe"))
    letter = api.get(
        f"/api/v1/incidents/{incident}/notices/{world.client_id}", headers=bearer(runtime, "abe")
    )
    assert letter.status_code == 200
    assert letter.mimetype == "application/pdf"
    assert letter.headers["Cache-Control"] == "no-store"
    assert "Sam Okafor" in PdfReader(io.BytesIO(letter.data)).pages[0].extract_text()
    sent = {"audience": "individual", "client_id": world.client_id, "method": "first_class_mail"}
    early = api.post(
        f"/api/v1/incidents/{incident}/notices",
        json={**sent, "sent_on": _plus(world.today, -1)},
        headers=bearer(runtime, "abe"),
    )
    assert early.status_code == 422
    assert early.json["error"]["problems"][0]["rule"] == "H-B4"
    ok = api.post(
        f"/api/v1/incidents/{incident}/notices",
        json={**sent, "sent_on": world.today},
        headers=bearer(runtime, "abe"),
    )
    assert ok.status_code == 201, ok.text


def test_the_hhs_log_is_csv_for_the_year(api: FlaskClient, runtime: Runtime, world: World) -> None:
    incident = report(api, runtime, world).json["id"]
    api.post(f"/api/v1/incidents/{incident}/assessment", json=BREACH, headers=bearer(runtime, "abe"))
    year = world.today[:4]
    answer = api.get(f"/api/v1/incidents/hhs-log?year={year}", headers=bearer(runtime, "abe"))
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert answer.text.splitlines()[1].split(",")[1] == "misdirected_disclosure"
    assert api.get("/api/v1/incidents/hhs-log", headers=bearer(runtime, "abe")).status_code == 422


def test_an_unknown_incident_is_404(api: FlaskClient, runtime: Runtime, world: World) -> None:
    answer = api.post("/api/v1/incidents/not-an-id/assessment", json=BREACH, headers=bearer(runtime, "abe"))
    assert answer.status_code == 404


def test_the_openapi_document_lists_the_incident_operations(api: FlaskClient) -> None:
    paths = api.get("/api/v1/openapi.json").json["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/incidents"])
    assert "post" in paths["/api/v1/incidents/{incident_id}/assessment"]
    assert "text/csv" in paths["/api/v1/incidents/hhs-log"]["get"]["responses"]["200"]["content"]
    assert (
        "application/pdf"
        in (
            paths["/api/v1/incidents/{incident_id}/notices/{client_id}"]["get"]["responses"]["200"]["content"]
        )
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": "Faxed\x00"}, "description"),
        ({"description": "Faxed\x1b[31m"}, "description"),
        ({"discovered_on": "1899-12-31"}, "discovered_on"),
        ({"occurred_on": "1700-01-01"}, "occurred_on"),
        ({"discovered_on": 1767225600}, "discovered_on"),
        ({"description": ""}, "description"),
        ({"disclosure_id": None, "client_ids": ["x" * 64]}, None),
    ],
)
def test_bad_input_to_a_report_is_a_4xx_naming_what_is_wrong_and_stores_nothing(
    api: FlaskClient, runtime: Runtime, world: World, changes: dict[str, object], field: str | None
) -> None:
    answer = report(api, runtime, world, **changes)
    assert answer.status_code in {404, 422}, answer.text
    if field is not None:
        problems = answer.json["error"].get("problems") or [{"field": field}]
        assert any(field in (p.get("field") or "") for p in problems), answer.json
    assert api.get("/api/v1/incidents", headers=bearer(runtime, "abe")).json["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        {**BREACH, "secured": "yes"},
        {**BREACH, "exclusion": "vibes"},
        {**BREACH, "factors": {"mood": "fine"}},
        {**BREACH, "affected": -1},
        {**BREACH, "affected": 0},
        {**BREACH, "most_in_one_state": 5},
    ],
)
def test_bad_answers_to_an_assessment_are_a_422_and_store_nothing(
    api: FlaskClient, runtime: Runtime, world: World, body: dict[str, object]
) -> None:
    incident = report(api, runtime, world).json["id"]
    answer = api.post(f"/api/v1/incidents/{incident}/assessment", json=body, headers=bearer(runtime, "abe"))
    assert answer.status_code == 422, answer.text
    [item] = api.get("/api/v1/incidents", headers=bearer(runtime, "abe")).json["items"]
    assert item["determination"] == "pending"


def test_500_in_one_state_needs_the_media_and_hhs_by_the_individuals_date(
    api: FlaskClient, runtime: Runtime, world: World
) -> None:
    incident = report(api, runtime, world).json["id"]
    body = {**BREACH, "affected": 700, "most_in_one_state": 650}
    answer = api.post(f"/api/v1/incidents/{incident}/assessment", json=body, headers=bearer(runtime, "abe"))
    assert answer.json["media_required"] is True
    assert answer.json["hhs_by"] == answer.json["notify_by"]
    assert [b["rule"] for b in answer.json["basis"]] == ["H-B3", "H-B4", "H-B5", "H-B6"]
