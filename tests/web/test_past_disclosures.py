"""Back-dating: a disclosure made now is judged now; one made earlier is its own act, judged at its date, with
no packet, and flagged impermissible (accountable, listed for the privacy officer) when a revocation had been
received by then, including a revocation entered after the disclosure was recorded (issue 15, item 1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from roi_tracker import models
from roi_tracker.runtime import Runtime
from tests.conftest import csrf_from
from tests.web.conftest import FakeClock
from tests.web.conftest import page_token
from tests.web.test_releases_web import PDF
from tests.web.test_releases_web import VERIFIED
from tests.web.test_releases_web import World
from tests.web.test_releases_web import bearer
from tests.web.test_releases_web import count
from tests.web.test_releases_web import make_world
from tests.web.test_releases_web import multipart

PLAN = {"categories": ["treatment_plan"], "purpose": "continuity_of_care"}


@pytest.fixture
def world(runtime: Runtime, make_user: Callable, clock: FakeClock) -> World:
    """Carol's client: a diagnosis release in force, a treatment-plan release revoked today."""
    return make_world(runtime, make_user, clock.now.date())


def _api(
    runtime: Runtime, make_user: Callable, who: str = "frank", role: str = "front_desk"
) -> dict[str, str]:
    make_user(who, role)
    return bearer(runtime, who)


def _past(world: World, on: object, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "recipient_id": world.recipient_id,
        **PLAN,
        "on": str(on),
        "channel": "mail",
        "requester_verification": VERIFIED,
    }
    body.update(changes)
    return body


def _flagged(runtime: Runtime) -> list[models.ImpermissibleDisclosure]:
    with runtime.sessions() as session:
        return list(session.execute(select(models.ImpermissibleDisclosure)).scalars())


def test_the_api_refuses_a_back_dated_send_under_a_release_revoked_today(
    app: Flask, runtime: Runtime, make_user: Callable, world: World
) -> None:
    """`on` yesterday, when the release was in force, is refused (422 naming `on`); sent now it is H-D3."""
    headers = _api(runtime, make_user)
    url = f"/api/v1/clients/{world.client_id}/disclosures"
    body = {"recipient_id": world.recipient_id, **PLAN, "channel": "fax", "requester_verification": VERIFIED}
    before = count(runtime, models.Disclosure)
    yesterday = (world.today - timedelta(days=1)).isoformat()
    back_dated = app.test_client().post(url, json={**body, "on": yesterday}, headers=headers)
    assert back_dated.status_code == 422
    assert back_dated.json["error"]["problems"][0]["field"] == "on"
    assert "past-disclosures" in back_dated.json["error"]["message"]
    now = app.test_client().post(url, json=body, headers=headers)
    assert now.status_code == 403
    assert "H-D3" in {p["rule"] for p in now.json["error"]["problems"]}
    assert count(runtime, models.Disclosure) == before


def test_the_web_send_form_judges_today_whatever_date_it_carries(
    app: Flask, runtime: Runtime, world: World, signed_in: Callable[[str, str], FlaskClient]
) -> None:
    """A hand-made POST with `on` yesterday is judged today: refused H-D3, nothing stored, no packet."""
    frank = signed_in("frank", "front_desk")
    before = count(runtime, models.Disclosure)
    response = frank.post(
        f"/clients/{world.client_id}/disclosures",
        data={
            "csrf_token": page_token(frank),
            "recipient_id": world.recipient_id,
            **PLAN,
            "on": (world.today - timedelta(days=1)).isoformat(),
            "channel": "fax",
            "requester_verification": VERIFIED,
        },
        follow_redirects=True,
    )
    assert "H-D3" in response.text
    assert "release packet" not in response.text.lower()
    assert count(runtime, models.Disclosure) == before


def test_a_what_if_check_at_another_date_offers_nothing_to_send(
    world: World, signed_in: Callable[[str, str], FlaskClient]
) -> None:
    """Asked about yesterday the answer is Yes, but no send form is offered, only the past-disclosure way."""
    frank = signed_in("frank", "front_desk")
    page = frank.get(f"/clients/{world.client_id}/check")
    yesterday = (world.today - timedelta(days=1)).isoformat()
    data = {"csrf_token": csrf_from(page.text), "recipient_id": world.recipient_id, **PLAN, "on": yesterday}
    answer = frank.post(f"/clients/{world.client_id}/check", data=data)
    assert "Yes" in answer.text
    assert "Record the disclosure and make the packet" not in answer.text
    assert "Record a disclosure made earlier" in answer.text


def test_a_past_disclosure_before_the_revocation_is_permissible_and_has_no_packet(
    app: Flask, runtime: Runtime, make_user: Callable, world: World
) -> None:
    """Made two days ago under the release then in force: recorded at its date, not flagged, no packet."""
    headers = _api(runtime, make_user)
    two_days_ago = world.today - timedelta(days=2)
    response = app.test_client().post(
        f"/api/v1/clients/{world.client_id}/past-disclosures",
        json=_past(world, two_days_ago),
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.json["permissible"] is True
    assert response.json["on"] == two_days_ago.isoformat()
    assert response.json["reasons"] == []
    assert _flagged(runtime) == []
    packet = app.test_client().get(f"/api/v1/disclosures/{response.json['id']}/packet", headers=headers)
    assert packet.status_code == 409


def test_a_past_disclosure_after_the_revocation_was_received_is_flagged_accountable_and_listed(
    app: Flask,
    runtime: Runtime,
    make_user: Callable,
    world: World,
    clock: FakeClock,
    signed_in: Callable[[str, str], FlaskClient],
) -> None:
    """A paper disclosure dated the day after receipt: recorded, H-D3, in the accounting, listed."""
    clock.advance(days=3)
    headers = _api(runtime, make_user)
    made = world.today + timedelta(days=1)
    response = app.test_client().post(
        f"/api/v1/clients/{world.client_id}/past-disclosures", json=_past(world, made), headers=headers
    )
    assert response.status_code == 201, response.text
    assert response.json["permissible"] is False
    assert "H-D3" in {r["rule"] for r in response.json["reasons"]}
    assert [f.rule for f in _flagged(runtime)] == ["H-D3"]
    carol = bearer(runtime, "carol")
    accounting = app.test_client().get(f"/api/v1/clients/{world.client_id}/accounting", headers=carol)
    listed = [e for e in accounting.json["entries"] if e["date"] == made.isoformat()]
    assert [e["basis"] for e in listed] == ["impermissible (H-D3)"]
    home = signed_in("audrey", "auditor").get("/")
    assert "Impermissible disclosures" in home.text
    assert world.reference in home.text
    assert "H-D3" in home.text


def test_a_past_disclosure_before_the_release_was_signed_is_flagged(
    app: Flask, runtime: Runtime, make_user: Callable, world: World
) -> None:
    """Judged against what was on file that day: a release signed later does not cover it (DT-1)."""
    headers = _api(runtime, make_user)
    before_signing = world.today - timedelta(days=30)
    response = app.test_client().post(
        f"/api/v1/clients/{world.client_id}/past-disclosures",
        json=_past(world, before_signing, categories=["diagnosis"]),
        headers=headers,
    )
    assert response.status_code == 201
    assert response.json["permissible"] is False
    assert "DT-1" in {r["rule"] for r in response.json["reasons"]}


@pytest.mark.parametrize(
    ("on", "field"),
    [("tomorrow", "on"), ("1899-12-31", "on")],
)
def test_a_past_disclosure_dated_in_the_future_or_implausibly_early_is_refused(
    app: Flask, runtime: Runtime, make_user: Callable, world: World, on: str, field: str
) -> None:
    """422 naming the date field, nothing stored."""
    headers = _api(runtime, make_user)
    day = (world.today + timedelta(days=1)).isoformat() if on == "tomorrow" else on
    before = count(runtime, models.Disclosure)
    response = app.test_client().post(
        f"/api/v1/clients/{world.client_id}/past-disclosures", json=_past(world, day), headers=headers
    )
    assert response.status_code == 422
    assert response.json["error"]["problems"][0]["field"] == field
    assert count(runtime, models.Disclosure) == before


def test_a_revocation_entered_late_flags_what_went_out_after_its_receipt(
    app: Flask,
    runtime: Runtime,
    make_user: Callable,
    world: World,
    clock: FakeClock,
) -> None:
    """Sent on day 5; a revocation received on day 2 is entered on day 6: the day-5 disclosure is flagged."""
    headers = _api(runtime, make_user)
    make_user("audrey", "auditor")
    clock.advance(days=5)
    body = {
        "recipient_id": world.recipient_id,
        "categories": ["diagnosis"],
        "purpose": "continuity_of_care",
        "channel": "fax",
        "requester_verification": VERIFIED,
    }
    sent = app.test_client().post(
        f"/api/v1/clients/{world.client_id}/disclosures", json=body, headers=headers
    )
    assert sent.status_code == 201
    clock.advance(days=1)
    received = (world.today + timedelta(days=2)).isoformat()
    revoked = app.test_client().post(
        f"/api/v1/authorizations/{world.authorization_id}/revoke",
        headers=bearer(runtime, "carol"),
        **multipart({"data": f'{{"received_on": "{received}"}}'}, {"document": PDF}),
    )
    assert revoked.status_code == 200, revoked.text
    flagged = _flagged(runtime)
    assert [(str(f.disclosure_id), f.rule, f.source) for f in flagged] == [
        (sent.json["id"], "H-D3", "late_revocation")
    ]
    accounting = app.test_client().get(
        f"/api/v1/clients/{world.client_id}/accounting", headers=bearer(runtime, "carol")
    )
    assert "impermissible (H-D3)" in {e["basis"] for e in accounting.json["entries"]}
    with runtime.sessions() as session:
        told = session.execute(select(models.Notification.kind)).scalars().all()
    assert told == ["impermissible_disclosure"]  # the one auditor is told at once


def test_the_web_form_records_a_past_disclosure_and_the_client_page_marks_it(
    runtime: Runtime, world: World, clock: FakeClock, signed_in: Callable[[str, str], FlaskClient]
) -> None:
    """The front desk enters a paper disclosure made after the revocation: told H-D3, marked on the page."""
    clock.advance(days=2)
    frank = signed_in("frank", "front_desk")
    form = frank.get(f"/clients/{world.client_id}/disclosures/past")
    assert form.status_code == 200
    made = (world.today + timedelta(days=1)).isoformat()
    data = {"csrf_token": csrf_from(form.text), **_past(world, made)}
    response = frank.post(f"/clients/{world.client_id}/disclosures/past", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert "H-D3" in response.text
    assert "flagged impermissible" in response.text
    assert "impermissible (H-D3)" in response.text
    assert "entered afterwards (no packet)" in response.text
    assert [f.source for f in _flagged(runtime)] == ["past_disclosure"]
