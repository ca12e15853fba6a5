"""Bad input is a clear 422 naming the field, and nothing is stored (issue 15, item 8): control characters in
any text field of clients, recipients, authorizations, exceptions and disclosures; implausible dates on
authorizations."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select

from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.runtime import Runtime
from roi_tracker.services.records import clients
from roi_tracker.services.releases import recipients
from tests.conftest import csrf_from
from tests.web.conftest import PASSWORD
from tests.web.conftest import sign_in
from tests.web.test_releases_web import actor_of
from tests.web.test_releases_web import bearer
from tests.web.test_releases_web import multipart
from tests.web.test_releases_web import tiny_pdf

PDF = tiny_pdf(["Signed form"])
NUL = "\x00"
ESC = "\x1b"


@pytest.fixture
def world(runtime: Runtime, make_user: Callable) -> dict[str, str]:
    """Carol, her client and a recipient; ids as strings."""
    make_user("carol", "clinician")
    carol = actor_of(runtime, "carol")
    with runtime.sessions() as session:
        client = clients.register(
            session, runtime.env, carol, rules.Demographics("Pat", "Example", date(1980, 1, 2)), ["carol"]
        )
        rivera = recipients.create(session, runtime.env, carol, name="Dr Ana Rivera")
    return {"client": str(client.id), "recipient": str(rivera.id)}


def _rows(runtime: Runtime, model: type[models.Base]) -> int:
    with runtime.sessions() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _refused(response: Any, field: str, words: str = "control characters") -> None:
    assert response.status_code == 422, response.text
    error = response.json["error"]
    assert field in {p.get("field") for p in error.get("problems") or []} | {error.get("field")}, error
    assert words in error["message"] or any(words in p["message"] for p in error.get("problems") or [])


@pytest.mark.parametrize("bad", [NUL, ESC, "\x07"])
def test_a_client_name_with_a_control_character_is_refused(
    app: Flask, runtime: Runtime, world: dict[str, str], bad: str
) -> None:
    """POST /clients with NUL, escape or bell in the family name: 422 naming family_name, no client added."""
    before = _rows(runtime, models.Client)
    body = {"given_name": "Ada", "family_name": f"Love{bad}lace", "date_of_birth": "1980-01-02"}
    response = app.test_client().post("/api/v1/clients", json=body, headers=bearer(runtime, "carol"))
    _refused(response, "family_name")
    assert _rows(runtime, models.Client) == before


@pytest.mark.parametrize("field", ["reference", "family_name"])
def test_a_client_search_with_a_nul_byte_is_refused_not_a_server_error(
    app: Flask, runtime: Runtime, world: dict[str, str], field: str
) -> None:
    """POST /clients/search with a NUL in the reference or name: 422 naming it (PostgreSQL holds no NUL)."""
    body = {"reference": None, "family_name": None, "date_of_birth": "1980-01-02"}
    body[field] = f"C-{NUL}R"
    response = app.test_client().post("/api/v1/clients/search", json=body, headers=bearer(runtime, "carol"))
    _refused(response, field)


def test_the_web_register_form_names_the_field_holding_an_escape(
    app: Flask, runtime: Runtime, world: dict[str, str]
) -> None:
    """The page answers 422 with the message beside the field."""
    browser = app.test_client()
    assert sign_in(browser, "carol").status_code == 302
    page = browser.get("/clients/new")
    data = {
        "csrf_token": csrf_from(page.text),
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": "1980-01-02",
        "address": f"1 Main St{ESC}[2J",
        "clinicians": "carol",
    }
    response = browser.post("/clients/new", data=data)
    assert response.status_code == 422
    # Under its label ("Address") the message reads "This must not ..." (issue 17, item 5).
    assert '<p class="error" id="address-error">This must not contain control characters' in response.text


def test_a_recipient_with_a_control_character_is_refused(
    app: Flask, runtime: Runtime, world: dict[str, str]
) -> None:
    """The directory refuses a bell in the organization, naming it."""
    before = _rows(runtime, models.Recipient)
    body = {"name": "Dr New", "organization": "North\x07side"}
    response = app.test_client().post("/api/v1/recipients", json=body, headers=bearer(runtime, "carol"))
    _refused(response, "organization")
    assert _rows(runtime, models.Recipient) == before


def _authorization(runtime: Runtime, app: Flask, world: dict[str, str], **changes: Any) -> Any:
    fields = {
        "kind": "hipaa",
        "recipient_id": world["recipient"],
        "categories": ["diagnosis"],
        "purposes": ["continuity_of_care"],
        "effective_on": "2026-01-01",
        "expires_on": "2027-01-01",
        "signed_on": "2026-01-01",
        "signed_by": "client",
        "copy_given_on": "2026-01-01",
        "statements": ["right_to_revoke", "no_conditioning", "redisclosure"],
        **changes,
    }
    return app.test_client().post(
        f"/api/v1/clients/{world['client']}/authorizations",
        headers=bearer(runtime, "carol"),
        **multipart({"data": json.dumps(fields)}, {"signed_form": PDF}),
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("expires_on", "9999-12-31"), ("effective_on", "0001-01-01"), ("records_from", "1899-12-31")],
)
def test_an_authorization_dated_outside_1900_to_2200_is_refused_with_the_range(
    app: Flask, runtime: Runtime, world: dict[str, str], field: str, value: str
) -> None:
    """Year 1 or 9999: 422 naming the field and the accepted range; nothing recorded."""
    before = _rows(runtime, models.Authorization)
    _refused(
        _authorization(runtime, app, world, **{field: value}), field, "between 1900-01-01 and 2200-12-31"
    )
    assert _rows(runtime, models.Authorization) == before


def test_an_authorization_with_a_nul_in_a_text_field_is_refused(
    app: Flask, runtime: Runtime, world: dict[str, str]
) -> None:
    """The purpose in the form's words, with a NUL: 422 naming purpose_text."""
    _refused(_authorization(runtime, app, world, purpose_text=f"care{NUL}"), "purpose_text")
    assert _rows(runtime, models.Authorization) == 0


def test_an_exception_with_a_control_character_is_refused_before_anything_is_recorded(
    app: Flask, runtime: Runtime, world: dict[str, str]
) -> None:
    """A NUL in the justification, or in the recipient's name (named by its path): 422, no exception."""
    body = {
        "kind": "danger_to_others",
        "recipient": {"name": "Springfield Police"},
        "disclosed_categories": ["demographics"],
        "justification": f"Specific plan{NUL}",
        "password": PASSWORD,
    }
    url = f"/api/v1/clients/{world['client']}/exceptions"
    _refused(app.test_client().post(url, json=body, headers=bearer(runtime, "carol")), "justification")
    body = {**body, "justification": "Specific plan", "recipient": {"name": f"Police{ESC}"}}
    _refused(app.test_client().post(url, json=body, headers=bearer(runtime, "carol")), "recipient.name")
    assert _rows(runtime, models.ConfidentialityException) == 0


@pytest.mark.parametrize("path", ["disclosures", "past-disclosures"])
def test_a_disclosure_with_a_control_character_in_the_verification_is_refused(
    app: Flask,
    runtime: Runtime,
    world: dict[str, str],
    signed_in: Callable[[str, str], FlaskClient],
    path: str,
) -> None:
    """How the requester was verified, with a NUL: 422 naming requester_verification, nothing recorded."""
    body: dict[str, Any] = {
        "recipient_id": world["recipient"],
        "categories": ["diagnosis"],
        "purpose": "continuity_of_care",
        "channel": "fax",
        "requester_verification": f"called back{NUL}",
    }
    if path == "past-disclosures":
        body["on"] = "2026-06-01"
    url = f"/api/v1/clients/{world['client']}/{path}"
    _refused(
        app.test_client().post(url, json=body, headers=bearer(runtime, "carol")), "requester_verification"
    )
    assert _rows(runtime, models.Disclosure) == 0


def test_a_document_title_with_a_control_character_is_refused(
    app: Flask, runtime: Runtime, world: dict[str, str]
) -> None:
    """The upload's title, with an escape: 422 naming title, no document."""
    response = app.test_client().post(
        f"/api/v1/clients/{world['client']}/documents",
        headers=bearer(runtime, "carol"),
        **multipart({"category": "diagnosis", "title": f"Scan{ESC}"}, {"file": PDF}),
    )
    _refused(response, "title")
    assert _rows(runtime, models.Document) == 0
