"""The request desk over the JSON API (interface.md, requests for records): the contract's routes and shapes.

Intake to answer with rule ids on refusals; the authorized kind goes through the disclosure gate; requests are
never deleted (405) and a closed one is read-only (409); every route is in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from roi_tracker import models
from roi_tracker.runtime import Runtime
from tests.web.conftest import FakeClock
from tests.web.test_releases_web import VERIFIED
from tests.web.test_releases_web import World
from tests.web.test_releases_web import bearer
from tests.web.test_releases_web import count
from tests.web.test_releases_web import make_world


@pytest.fixture
def world(runtime: Runtime, make_user: Callable, clock: FakeClock) -> World:
    """Carol's client with a diagnosis release in force to Dr Rivera."""
    return make_world(runtime, make_user, clock.now.date())


@pytest.fixture
def api(app: Flask, runtime: Runtime, make_user: Callable, world: World) -> Callable[..., Any]:
    """Call the API as Frank at the front desk (or as another user)."""
    make_user("frank", "front_desk")
    headers = {"frank": bearer(runtime, "frank"), "carol": bearer(runtime, "carol")}

    def send(method: str, path: str, who: str = "frank", **kwargs: Any) -> Any:
        browser: FlaskClient = app.test_client()
        return browser.open(f"/api/v1{path}", method=method, headers=headers[who], **kwargs)

    return send


def body(world: World, **changes: Any) -> dict[str, Any]:
    """A mailed access request from the client for their diagnosis, electronic."""
    out: dict[str, Any] = {
        "client_id": world.client_id,
        "kind": "access",
        "channel": "mail",
        "requester": {"name": "Pat Example", "address": "2 Oak Ave"},
        "requester_is": "client",
        "categories": ["diagnosis"],
        "format": "electronic",
    }
    out.update(changes)
    return out


def test_intake_answers_201_with_the_clock_and_the_fee_h_a2_h_a5(api: Callable, world: World) -> None:
    made = api("POST", "/requests", json=body(world))
    assert made.status_code == 201
    got = made.json
    assert got["due_on"] == (world.today + timedelta(days=30)).isoformat()
    assert got["days_left"] == 30
    assert got["overdue"] is False
    assert got["extended"] is False
    assert got["fee"]["amount"] == 6.5
    assert got["fee"]["currency"] == "USD"
    assert set(got) >= {"id", "reference", "client_id", "kind", "status", "received_on", "fee"}


def test_a_received_date_in_the_future_is_422_with_h_a2_and_nothing_stored(
    api: Callable, world: World, runtime: Runtime
) -> None:
    tomorrow = (world.today + timedelta(days=1)).isoformat()
    answer = api("POST", "/requests", json=body(world, received_on=tomorrow))
    assert answer.status_code == 422
    assert answer.json["error"]["problems"][0]["rule"] == "H-A2"
    assert count(runtime, models.RecordRequest) == 0


def test_a_second_extension_is_409_citing_h_a3(api: Callable, world: World) -> None:
    rid = api("POST", "/requests", json=body(world)).json["id"]
    first = api("POST", f"/requests/{rid}/extend", json={"reason": "Records are off site."})
    assert first.status_code == 200
    assert first.json["extended"] is True
    second = api("POST", f"/requests/{rid}/extend", json={"reason": "Again."})
    assert second.status_code == 409
    assert second.json["error"]["problems"][0]["rule"] == "H-A3"


def test_an_authorized_request_is_fulfilled_through_the_gate_with_its_packet(
    api: Callable, world: World
) -> None:
    made = api(
        "POST",
        "/requests",
        json=body(
            world, kind="authorized", requester_is="third_party", deliver_to_recipient_id=world.recipient_id
        ),
    ).json
    release = {
        "categories": ["diagnosis"],
        "channel": "fax",
        "document_ids": [world.document_id],
        "requester_verification": VERIFIED,
        "authorization_id": world.authorization_id,
        "purpose": "continuity_of_care",
    }
    done = api("POST", f"/requests/{made['id']}/fulfil", json=release)
    assert done.status_code == 201, done.json
    assert done.json["status"] == "fulfilled"
    assert api("GET", done.json["packet"].removeprefix("/api/v1")).status_code == 200
    again = api("POST", f"/requests/{made['id']}/fulfil", json=release)
    assert again.status_code == 409


def test_an_authorized_request_outside_the_release_is_403_disclosure_refused(
    api: Callable, world: World
) -> None:
    made = api(
        "POST",
        "/requests",
        json=body(
            world, kind="authorized", requester_is="third_party", deliver_to_recipient_id=world.recipient_id
        ),
    ).json
    release = {
        "categories": ["billing"],
        "channel": "fax",
        "requester_verification": VERIFIED,
        "authorization_id": world.authorization_id,
        "purpose": "continuity_of_care",
    }
    refused = api("POST", f"/requests/{made['id']}/fulfil", json=release)
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "disclosure_refused"


def test_a_subpoena_without_assurance_is_403_citing_l_2(api: Callable, world: World) -> None:
    respond_by = (world.today + timedelta(days=10)).isoformat()
    made = api(
        "POST", "/requests", json=body(world, kind="legal", requester_is="third_party", respond_by=respond_by)
    )
    assert made.json["due_on"] == respond_by
    release = {"categories": ["diagnosis"], "channel": "mail", "requester_verification": VERIFIED}
    unchecked = api("POST", f"/requests/{made.json['id']}/fulfil", json=release)
    assert unchecked.status_code == 409
    assert unchecked.json["error"]["problems"][0]["rule"] == "QA"
    checked = api("POST", f"/requests/{made.json['id']}/qa", "carol", json={"categories": ["diagnosis"]})
    assert checked.status_code == 200
    refused = api("POST", f"/requests/{made.json['id']}/fulfil", json=release)
    assert refused.status_code == 403
    assert refused.json["error"]["problems"][0]["rule"] == "L-2"


def test_the_queue_the_detail_and_the_letters(api: Callable, world: World) -> None:
    rid = api("POST", "/requests", json=body(world)).json["id"]
    denied = api("POST", f"/requests/{rid}/deny", json={"grounds": ["endangerment"], "explanation": "Risk."})
    assert denied.status_code == 200
    assert denied.json["reviewable"] is True
    listed = api("GET", "/requests?status=denied").json
    assert [i["id"] for i in listed["items"]] == [rid]
    detail = api("GET", f"/requests/{rid}").json
    assert [e["action"] for e in detail["events"]] == ["request.received", "request.denied"]
    assert [x["kind"] for x in detail["letters"]] == ["acknowledgement", "denial"]
    letter = api("GET", f"/requests/{rid}/letters/{detail['letters'][1]['id']}")
    assert letter.status_code == 200
    assert letter.mimetype == "application/pdf"


def test_a_review_by_the_clinician_who_denied_is_409_citing_h_a9(api: Callable, world: World) -> None:
    rid = api("POST", "/requests", json=body(world)).json["id"]
    api("POST", f"/requests/{rid}/deny", "carol", json={"grounds": ["endangerment"]})
    answer = api("POST", f"/requests/{rid}/review", "carol", json={"outcome": "upheld"})
    assert answer.status_code == 409
    assert answer.json["error"]["problems"][0]["rule"] == "H-A9"


def test_requests_are_never_deleted_and_closed_ones_are_read_only(api: Callable, world: World) -> None:
    rid = api("POST", "/requests", json=body(world)).json["id"]
    assert api("DELETE", f"/requests/{rid}").status_code == 405
    assert api("POST", f"/requests/{rid}/withdraw", json={"reason": "Cancelled by phone."}).status_code == 200
    assert api("POST", f"/requests/{rid}/extend", json={"reason": "x"}).status_code == 409


def test_every_request_route_is_in_the_openapi_document(app: Flask) -> None:
    paths = app.test_client().get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/requests",
        "/api/v1/requests/{request_id}",
        "/api/v1/requests/{request_id}/extend",
        "/api/v1/requests/{request_id}/fulfil",
        "/api/v1/requests/{request_id}/deny",
        "/api/v1/requests/{request_id}/review",
        "/api/v1/requests/{request_id}/withdraw",
        "/api/v1/requests/{request_id}/qa",
        "/api/v1/requests/{request_id}/letters/{letter_id}",
    ):
        assert path in paths
