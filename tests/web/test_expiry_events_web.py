"""Expiry events in the API and the pages (H-C5): kinds only; discharge ends end-of-treatment releases."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from roi_tracker.runtime import Runtime
from roi_tracker.services.people import users
from tests.conftest import csrf_from
from tests.web.conftest import FakeClock
from tests.web.conftest import sign_in
from tests.web.test_releases_web import FIELD_ERROR
from tests.web.test_releases_web import PDF
from tests.web.test_releases_web import World
from tests.web.test_releases_web import authorization_terms
from tests.web.test_releases_web import bearer
from tests.web.test_releases_web import make_world
from tests.web.test_releases_web import multipart


@pytest.fixture
def world(runtime: Runtime, make_user: Callable[..., users.UserView], clock: FakeClock) -> World:
    """Carol's client with an end-of-treatment release to Dr Rivera (see test_releases_web.make_world)."""
    return make_world(runtime, make_user, clock.now.date())


@pytest.fixture
def carol(app: Flask, world: World) -> FlaskClient:
    """Carol, the client's clinician, signed in."""
    browser = app.test_client()
    assert sign_in(browser, "carol").status_code == 302
    return browser


def record_by_api(browser: FlaskClient, runtime: Runtime, w: World, **changes: object) -> tuple[int, Any]:
    """Send an authorization through the API; return the status and the answer."""
    fields = authorization_terms(w.recipient_id, w.today, **changes)
    response = browser.post(
        f"/api/v1/clients/{w.client_id}/authorizations",
        **multipart({"data": json.dumps(fields)}, {"signed_form": PDF}),
        headers=bearer(runtime, "carol"),
    )
    return response.status_code, response.json


def check_on(browser: FlaskClient, runtime: Runtime, w: World, on: str) -> str:
    """Ask the API whether the diagnosis may go to the recipient on a day."""
    body = {
        "client_id": w.client_id,
        "recipient_id": w.recipient_id,
        "categories": ["diagnosis"],
        "purpose": "continuity_of_care",
        "on": on,
    }
    response = browser.post("/api/v1/disclosure-checks", json=body, headers=bearer(runtime, "carol"))
    assert response.status_code == 200, response.text
    return str(response.json["decision"])


def test_h_c5_the_api_refuses_free_text_as_an_expiry_event_naming_the_rule_and_field(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """'until revoked' is no event: 422, the problem names expiry_event and H-C5; nothing is recorded."""
    status, answer = record_by_api(carol, runtime, world, expires_on=None, expiry_event="until revoked")
    assert status == 422, answer
    problems = [p for p in answer["error"]["problems"] if p["field"] == "expiry_event"]
    assert problems
    assert "H-C5" in problems[0]["message"]


def test_h_c5_the_api_takes_a_kind_or_a_described_event(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """A kind's name, or {"kind": "described", "description"}: 201, and the list says which kind."""
    described = {"kind": "described", "description": "The end of the custody proceedings"}
    for event in ("discharge", described):
        status, answer = record_by_api(carol, runtime, world, expires_on=None, expiry_event=event)
        assert status == 201, answer
    listed = carol.get(f"/api/v1/clients/{world.client_id}/authorizations", headers=bearer(runtime, "carol"))
    kinds = {(a["expiry_event_kind"], a["expiry_event"]) for a in listed.json["items"]}
    assert {("discharge", "discharge"), ("described", described["description"])} <= kinds


def test_h_c5_discharge_ends_an_end_of_treatment_release_and_leaves_a_dated_one(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """After discharge, a check on a later day is refused (H-D1) under the end-of-treatment release only."""
    yesterday = (world.today - timedelta(days=1)).isoformat()
    status, dated = record_by_api(carol, runtime, world, categories=["billing"])
    assert status == 201
    assert check_on(carol, runtime, world, world.today.isoformat()) == "permit"
    response = carol.post(
        f"/api/v1/clients/{world.client_id}/discharge",
        json={"discharged_on": yesterday},
        headers=bearer(runtime, "carol"),
    )
    assert response.status_code == 200, response.text
    assert response.json["status"] == "discharged"
    assert check_on(carol, runtime, world, world.today.isoformat()) == "refuse"
    listed = carol.get(f"/api/v1/clients/{world.client_id}/authorizations", headers=bearer(runtime, "carol"))
    by_id = {a["id"]: a for a in listed.json["items"]}
    assert by_id[world.authorization_id]["expiry_event_on"] == yesterday
    assert by_id[dated["id"]]["expiry_event_on"] is None
    assert by_id[dated["id"]]["status"] == "active"


def test_h_c5_a_discharge_in_the_future_or_implausible_is_refused(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """422 naming discharged_on; the client stays active and the release keeps working."""
    for day in ((world.today + timedelta(days=1)).isoformat(), "1850-01-01"):
        response = carol.post(
            f"/api/v1/clients/{world.client_id}/discharge",
            json={"discharged_on": day},
            headers=bearer(runtime, "carol"),
        )
        assert response.status_code == 422, response.text
        assert "discharged_on" in response.text
    assert check_on(carol, runtime, world, world.today.isoformat()) == "permit"


def test_h_c5_the_form_offers_the_events_and_describes_only_the_described_one(
    carol: FlaskClient, world: World
) -> None:
    """A select of the events and a text field beside it (no JavaScript); 'never' described is H-C5."""
    page = carol.get(f"/clients/{world.client_id}/authorizations/new")
    assert '<select id="expiry_event" name="expiry_event"' in page.text
    for kind in ("end_of_treatment", "discharge", "purpose_completed", "described"):
        assert f'value="{kind}"' in page.text
    assert 'name="expiry_event_description"' in page.text
    fields = authorization_terms(world.recipient_id, world.today, expires_on="", expiry_event="described")
    fields |= {"expiry_event_description": "never", "csrf_token": csrf_from(page.text)}
    response = carol.post(
        f"/clients/{world.client_id}/authorizations/new", **multipart(fields, {"signed_form": PDF})
    )
    assert response.status_code == 422
    shown = {(field, rule) for field, _text, rule in FIELD_ERROR.findall(response.text)}
    assert shown == {("expiry_event", "H-C5")}


def test_h_c5_the_form_records_a_described_event(carol: FlaskClient, world: World) -> None:
    """The described event's words are kept and shown on the client page."""
    page = carol.get(f"/clients/{world.client_id}/authorizations/new")
    fields = authorization_terms(world.recipient_id, world.today, expires_on="", expiry_event="described")
    fields |= {"expiry_event_description": "The end of my school year", "csrf_token": csrf_from(page.text)}
    response = carol.post(
        f"/clients/{world.client_id}/authorizations/new", **multipart(fields, {"signed_form": PDF})
    )
    assert response.status_code == 302, response.text
    assert "The end of my school year" in carol.get(f"/clients/{world.client_id}").text


def test_h_c5_the_discharge_button_ends_the_end_of_treatment_release(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """The page's discharge does what the API does: the release is ended on the day given."""
    page = carol.get(f"/clients/{world.client_id}")
    yesterday = (world.today - timedelta(days=1)).isoformat()
    response = carol.post(
        f"/clients/{world.client_id}/discharge",
        data={"csrf_token": csrf_from(page.text), "discharged_on": yesterday},
    )
    assert response.status_code == 302
    assert check_on(carol, runtime, world, world.today.isoformat()) == "refuse"
