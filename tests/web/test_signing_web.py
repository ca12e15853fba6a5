"""Signing in the office through the API and the pages: the `signature` part, the device handed over."""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from PIL import ImageDraw
from pypdf import PdfReader

from roi_tracker import models
from roi_tracker.runtime import Runtime
from roi_tracker.services.people import users
from tests.conftest import csrf_from
from tests.web.conftest import PASSWORD
from tests.web.conftest import FakeClock
from tests.web.conftest import sign_in
from tests.web.test_releases_web import World
from tests.web.test_releases_web import bearer
from tests.web.test_releases_web import count
from tests.web.test_releases_web import make_world
from tests.web.test_releases_web import multipart


@pytest.fixture
def world(runtime: Runtime, make_user: Callable[..., users.UserView], clock: FakeClock) -> World:
    """Carol's client Pat with a recipient (see test_releases_web.make_world)."""
    return make_world(runtime, make_user, clock.now.date())


@pytest.fixture
def carol(app: Flask, world: World) -> FlaskClient:
    """Carol, the client's clinician, signed in."""
    browser = app.test_client()
    assert sign_in(browser, "carol").status_code == 302
    return browser


def terms(w: World, **changes: object) -> dict[str, Any]:
    """What Carol fills in on the HIPAA template: the diagnosis to Dr Rivera until 100 days from now."""
    out: dict[str, Any] = {
        "kind": "hipaa",
        "recipient_id": w.recipient_id,
        "categories": ["billing"],
        "purposes": ["insurance"],
        "expires_on": (w.today.replace(year=w.today.year + 1)).isoformat(),
        "copy_given_on": w.today.isoformat(),
        "copy_method": "printed in the office",
    }
    out.update(changes)
    return out


def signature(**changes: object) -> dict[str, Any]:
    """Pat's typed signature with intent and consent, witnessed by Carol."""
    out: dict[str, Any] = {
        "method": "typed",
        "signer_name": "Pat Example",
        "intent": True,
        "electronic_consent": True,
        "witnessed_by": "carol",
    }
    out.update(changes)
    return out


def post_signed(browser: FlaskClient, runtime: Runtime, w: World, sig: dict[str, Any], **files: bytes) -> Any:
    """Send an authorization with a `signature` part through the API."""
    parts = {"data": json.dumps(terms(w)), "signature": json.dumps(sig)}
    return browser.post(
        f"/api/v1/clients/{w.client_id}/authorizations",
        **multipart(parts, files),
        headers=bearer(runtime, "carol"),
    )


# -- the API -------------------------------------------------------------------------------------------------


def test_the_api_records_an_authorization_signed_on_screen(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """A `signature` part instead of a signed_form: 201, and the product rendered the signed form."""
    before = count(runtime, models.Authorization)
    response = post_signed(carol, runtime, world, signature())
    assert response.status_code == 201, response.text
    assert response.json["status"] == "active"
    assert count(runtime, models.Authorization) == before + 1
    assert count(runtime, models.AuthorizationSignature) == 1


@pytest.mark.parametrize(
    ("changes", "rule"),
    [({"intent": False}, "E-S1"), ({"electronic_consent": False}, "E-S2"), ({"method": "drawn"}, "E-S3")],
    ids=["no-intent", "no-consent", "empty-drawing"],
)
def test_the_api_refuses_a_signature_without_intent_consent_or_drawing_with_422_and_stores_nothing(
    carol: FlaskClient, world: World, runtime: Runtime, changes: dict[str, Any], rule: str
) -> None:
    """Each missing need is named by its rule; no authorization is recorded."""
    before = count(runtime, models.Authorization)
    response = post_signed(carol, runtime, world, signature(**changes))
    assert response.status_code == 422, response.text
    assert rule in [p["rule"] for p in response.json["error"]["problems"]]
    assert count(runtime, models.Authorization) == before


def test_the_api_takes_a_drawn_signature_as_a_png_data_url(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """A drawing sent as a PNG data URL is printed on the signed form."""
    image = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 40), (190, 40)], fill=(0, 0, 0, 255), width=5)
    out = io.BytesIO()
    image.save(out, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")
    response = post_signed(carol, runtime, world, signature(method="drawn", image=url))
    assert response.status_code == 201, response.text


def test_the_api_refuses_a_drawing_that_is_not_a_png_data_url(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """Anything but data:image/png;base64 is a 422 naming signature.image, nothing stored."""
    before = count(runtime, models.Authorization)
    response = post_signed(
        carol, runtime, world, signature(method="drawn", image="data:text/html;base64,PGI+")
    )
    assert response.status_code == 422
    assert response.json["error"]["problems"][0]["field"] == "signature.image"
    assert count(runtime, models.Authorization) == before


def test_an_overlong_signature_part_is_refused_by_its_limit_not_by_the_servers_form_size(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """450,001 two-byte characters (900 kB) get past the form-size limit to the schema's refusal."""
    before = count(runtime, models.Authorization)
    parts = {"data": json.dumps(terms(world)), "signature": "\u00ae" * 450_001}
    response = carol.post(
        f"/api/v1/clients/{world.client_id}/authorizations",
        **multipart(parts, {}),
        headers=bearer(runtime, "carol"),
    )
    assert response.status_code in (400, 422), response.text
    assert count(runtime, models.Authorization) == before


def test_the_api_refuses_a_form_changed_after_it_was_shown_with_e_s4(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """The hash of the form shown does not match the form recorded: 422, nothing stored."""
    response = post_signed(carol, runtime, world, signature(form_sha256="ab" * 32))
    assert response.status_code == 422
    assert [p["rule"] for p in response.json["error"]["problems"]] == ["E-S4"]
    assert count(runtime, models.AuthorizationSignature) == 0


def test_the_api_refuses_a_signature_and_a_signed_form_together(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """One or the other: both at once is a 422 naming the signature."""
    response = post_signed(carol, runtime, world, signature(), signed_form=b"%PDF-1.4")
    assert response.status_code == 422
    assert "either" in response.text


def test_the_api_refuses_a_signature_part_that_is_not_the_documented_shape(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """An unknown method is named as signature.method."""
    response = post_signed(carol, runtime, world, signature(method="stamped"))
    assert response.status_code == 422
    assert response.json["error"]["problems"][0]["field"] == "signature.method"


def test_the_api_renders_the_form_and_its_wet_signature_version(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """POST /clients/{id}/release-forms answers the PDF; `wet` adds blank signature lines."""
    url = f"/api/v1/clients/{world.client_id}/release-forms"
    response = carol.post(url, json={**terms(world), "wet": True}, headers=bearer(runtime, "carol"))
    assert response.status_code == 200, response.text
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "Signature: ____" in text
    assert "Pat Example" in text


def test_an_administrator_writes_a_new_template_version_and_a_refusal_names_the_rule(
    app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]
) -> None:
    """POST /form-templates: 201 for complete wording; 422 with H-S1 when the right to revoke is missing."""
    make_user("ada", "admin")
    browser = app.test_client()
    headers = bearer(runtime, "ada")
    listed = browser.get("/api/v1/form-templates", headers=headers).json["items"]
    hipaa = next(t for t in listed if t["kind"] == "hipaa")
    body = {"kind": "hipaa", "title": "Our form", "sections": hipaa["sections"]}
    created = browser.post("/api/v1/form-templates", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json["version"] == 2
    sections = {k: v for k, v in hipaa["sections"].items() if k != "right_to_revoke"}
    refused = browser.post("/api/v1/form-templates", json={**body, "sections": sections}, headers=headers)
    assert refused.status_code == 422
    assert [p["rule"] for p in refused.json["error"]["problems"]] == ["H-S1"]


def test_the_openapi_document_describes_the_signature_part(app: Flask) -> None:
    """The served document lists the signature field and the template operations."""
    doc = app.test_client().get("/api/v1/openapi.json").json
    upload = doc["paths"]["/api/v1/clients/{client_id}/authorizations"]["post"]["requestBody"]
    part = upload["content"]["multipart/form-data"]["schema"]["properties"]["signature"]
    assert set(part["contentSchema"]["properties"]) >= {"method", "image", "intent", "electronic_consent"}
    assert "/api/v1/form-templates" in doc["paths"]
    assert "/api/v1/clients/{client_id}/release-forms" in doc["paths"]


# -- the pages -----------------------------------------------------------------------------------------------


def prepare_and_hand_over(carol: FlaskClient, w: World, **changes: str) -> str:
    """Carol fills in the HIPAA template and hands the device over; return the signing page."""
    page = carol.get(f"/clients/{w.client_id}/releases/prepare")
    assert page.status_code == 200
    template = re.search(r'<option value="([^"]+)">Permission to share health information', page.text)
    assert template is not None
    fields = {
        "csrf_token": csrf_from(page.text),
        "template_id": template.group(1),
        "recipient_id": w.recipient_id,
        "categories": "billing",
        "purposes": "insurance",
        "expires_on": w.today.replace(year=w.today.year + 1).isoformat(),
        "signed_by": "client",
        "action": "sign",
        **changes,
    }
    handed = carol.post(f"/clients/{w.client_id}/releases/prepare", data=fields)
    assert handed.status_code == 302, handed.text
    signing = carol.get(handed.headers["Location"])
    assert signing.status_code == 200
    return signing.text


def test_the_signing_page_shows_only_the_form_and_keeps_the_device_on_it(
    carol: FlaskClient, world: World
) -> None:
    """No navigation on the page; any other page leads back to it until staff take the device back."""
    page = prepare_and_hand_over(carol, world)
    assert 'aria-label="Main"' not in page
    assert "Permission to share health information" in page
    assert world.reference in page
    for away in (carol.get("/clients"), carol.post("/signout", data={"csrf_token": csrf_from(page)})):
        assert away.status_code == 302
        assert away.headers["Location"].endswith("/signing")


def test_leaving_the_signing_page_needs_the_staff_persons_password(carol: FlaskClient, world: World) -> None:
    """A wrong password keeps the device on the form (403); Carol's own ends the signing."""
    page = prepare_and_hand_over(carol, world)
    token = csrf_from(page)
    wrong = carol.post("/signing/leave", data={"csrf_token": token, "password": "not it at all"})
    assert wrong.status_code == 403
    assert carol.get("/clients").status_code == 302
    right = carol.post("/signing/leave", data={"csrf_token": token, "password": PASSWORD})
    assert right.status_code == 302
    assert carol.get("/clients").status_code == 200


def test_the_client_signs_by_typing_and_takes_a_copy(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """A typed signature with intent and consent records the authorization; the copy is a PDF download."""
    before = count(runtime, models.Authorization)
    page = prepare_and_hand_over(carol, world)
    sha = re.search(r'name="form_sha256" type="hidden" value="([0-9a-f]{64})"', page)
    assert sha is not None
    data = {
        "csrf_token": csrf_from(page),
        "form_sha256": sha.group(1),
        "method": "typed",
        "signer_name": "Pat Example",
        "intent": "y",
        "electronic_consent": "y",
    }
    signed = carol.post("/signing", data=data)
    assert signed.status_code == 302, signed.text
    done = carol.get("/signing")
    assert "your form is signed" in done.text
    copy = carol.get("/signing/copy")
    assert copy.status_code == 200
    assert copy.mimetype == "application/pdf"
    assert "Signed by Pat Example" in " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(copy.data)).pages
    )
    assert count(runtime, models.Authorization) == before + 1


def test_signing_without_consent_to_sign_electronically_is_refused_on_the_page(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """The page answers 422 naming E-S2 next to the checkbox; nothing is recorded."""
    before = count(runtime, models.Authorization)
    page = prepare_and_hand_over(carol, world)
    data = {"csrf_token": csrf_from(page), "method": "typed", "signer_name": "Pat Example", "intent": "y"}
    refused = carol.post("/signing", data=data)
    assert refused.status_code == 422
    assert "E-S2" in refused.text
    assert count(runtime, models.Authorization) == before


def test_the_prepare_page_downloads_the_form_for_a_wet_signature(carol: FlaskClient, world: World) -> None:
    """The printable button answers the PDF with blank signature lines."""
    page = carol.get(f"/clients/{world.client_id}/releases/prepare")
    template = re.search(r'<option value="([^"]+)">Permission to share health information', page.text)
    assert template is not None
    fields = {
        "csrf_token": csrf_from(page.text),
        "template_id": template.group(1),
        "recipient_id": world.recipient_id,
        "categories": "billing",
        "purposes": "insurance",
        "signed_by": "client",
        "action": "wet",
    }
    printed = carol.post(f"/clients/{world.client_id}/releases/prepare", data=fields)
    assert printed.status_code == 200
    assert printed.mimetype == "application/pdf"
    assert "Printed name: ____" in " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(printed.data)).pages
    )


def test_a_representative_release_needs_their_authority_before_the_device_is_handed_over(
    carol: FlaskClient, world: World
) -> None:
    """The prepare page answers 422 naming H-C7 and stays off the signing page."""
    page = carol.get(f"/clients/{world.client_id}/releases/prepare")
    template = re.search(r'<option value="([^"]+)">Permission to share health information', page.text)
    assert template is not None
    fields = {
        "csrf_token": csrf_from(page.text),
        "template_id": template.group(1),
        "recipient_id": world.recipient_id,
        "categories": "billing",
        "purposes": "insurance",
        "signed_by": "representative",
        "representative_name": "Lee Example",
        "action": "sign",
    }
    refused = carol.post(f"/clients/{world.client_id}/releases/prepare", data=fields)
    assert refused.status_code == 422
    assert "H-C7" in refused.text
    assert carol.get("/clients").status_code == 200  # the device was not locked to a signing page


def test_an_administrator_writes_a_new_version_on_the_templates_page(
    app: Flask, make_user: Callable[..., users.UserView]
) -> None:
    """The form starts from the current wording; saving makes version 2; leaving out H-S3 is refused."""
    make_user("ada", "admin")
    browser = app.test_client()
    assert sign_in(browser, "ada").status_code == 302
    page = browser.get("/admin/form-templates/hipaa/new")
    assert "Save as version 2" in page.text
    words = {
        "csrf_token": csrf_from(page.text),
        "title": "Our release form",
        "intro": "You let us share.",
        "right_to_revoke": "You may cancel this in writing.",
        "no_conditioning": "Signing is your choice.",
    }
    refused = browser.post("/admin/form-templates/hipaa/new", data=words)
    assert refused.status_code == 422
    assert "H-S3" in refused.text
    saved = browser.post(
        "/admin/form-templates/hipaa/new", data={**words, "redisclosure": "They may share it."}
    )
    assert saved.status_code == 302
    listing = browser.get("/admin/form-templates").text
    assert "Our release form" in listing
    assert "Permission to share health information" in listing  # version 1 stays


def test_terms_the_validator_would_refuse_are_named_before_the_device_is_handed_over(
    carol: FlaskClient, world: World
) -> None:
    """No purpose given: the prepare page answers 422 naming H-C4, and the device is not locked."""
    page = carol.get(f"/clients/{world.client_id}/releases/prepare")
    template = re.search(r'<option value="([^"]+)">Permission to share health information', page.text)
    assert template is not None
    fields = {
        "csrf_token": csrf_from(page.text),
        "template_id": template.group(1),
        "recipient_id": world.recipient_id,
        "categories": "billing",
        "expires_on": world.today.replace(year=world.today.year + 1).isoformat(),
        "signed_by": "client",
        "action": "sign",
    }
    refused = carol.post(f"/clients/{world.client_id}/releases/prepare", data=fields)
    assert refused.status_code == 422
    assert "H-C4" in refused.text
    assert carol.get("/clients").status_code == 200


def test_an_unknown_template_named_in_the_body_is_bad_input_naming_template_id(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """A template id in the body that names nothing: 422 at `template_id`, not a 404 for the address."""
    url = f"/api/v1/clients/{world.client_id}/release-forms"
    body = {**terms(world), "template_id": "00000000-0000-0000-0000-000000000000"}
    response = carol.post(url, json=body, headers=bearer(runtime, "carol"))
    assert response.status_code == 422, response.text
    assert [p["field"] for p in response.json["error"]["problems"]] == ["template_id"]
