"""Uploads are accepted only when the whole file parses as the type its first bytes declare (issue 15, 5).

A file that starts with `%PDF` but is broken further on, or is encrypted, used to be stored and then broke
every packet it was put in. Through the web form and the API alike it is now refused with a plain message
naming what is wrong, and nothing is stored.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable

import pypdf
import pytest
from flask import Flask
from flask.testing import FlaskClient

from roi_tracker.runtime import Runtime
from roi_tracker.services.people import users
from tests.helpers import image
from tests.helpers import pdf
from tests.web.conftest import page_token
from tests.web.conftest import sign_in
from tests.web.test_clients_web import World
from tests.web.test_clients_web import bearer
from tests.web.test_clients_web import documents_stored
from tests.web.test_clients_web import make_world
from tests.web.test_clients_web import multipart


def _encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.append(pypdf.PdfReader(io.BytesIO(pdf("a letter"))))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


BROKEN = {
    "PDF that is only its first bytes": (b"%PDF-1.4\n" + b"not a pdf at all\n" * 8, 422, "damaged"),
    "PDF cut off halfway": (pdf("a letter")[:200], 422, "damaged"),
    "encrypted PDF": (_encrypted_pdf(), 415, "encrypted"),
    "PNG signature then zeros": (b"\x89PNG\r\n\x1a\n" + bytes(64), 422, "damaged"),
    "PNG cut off": (image("PNG")[:-20], 422, "damaged"),
    "JPEG signature then zeros": (b"\xff\xd8\xff\xe0" + bytes(32), 422, "damaged"),
}


@pytest.fixture
def carol(
    app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]
) -> tuple[FlaskClient, World]:
    """Carol, a clinician, signed in, with her client Pat Example."""
    browser = app.test_client()
    world = make_world(runtime, make_user)
    assert sign_in(browser, "carol").status_code == 302
    return browser, world


def _upload(runtime: Runtime, browser: FlaskClient, world: World, surface: str, content: bytes):  # noqa: ANN202
    fields = {"category": "attendance", "title": "Letter"}
    if surface == "web":
        fields["csrf_token"] = page_token(browser)
        body = multipart(fields, (content, "letter.pdf", "application/pdf"))
        return browser.post(f"/clients/{world.client_id}/documents", **body)
    body = multipart(fields, (content, "letter.pdf", "application/pdf"))
    path = f"/api/v1/clients/{world.client_id}/documents"
    return browser.post(path, headers=bearer(runtime, "carol"), **body)


@pytest.mark.parametrize(("content", "status", "word"), BROKEN.values(), ids=BROKEN.keys())
@pytest.mark.parametrize("surface", ["web", "api"])
def test_a_file_that_does_not_parse_in_full_is_refused_with_a_plain_message_and_not_stored(
    runtime: Runtime,
    carol: tuple[FlaskClient, World],
    surface: str,
    content: bytes,
    status: int,
    word: str,
) -> None:
    """Broken: 422 saying the file is damaged; encrypted: 415 saying so; no traceback, no new document."""
    browser, world = carol
    before = documents_stored(runtime)
    response = _upload(runtime, browser, world, surface, content)
    assert response.status_code == status, response.text
    message = response.json["error"]["message"] if surface == "api" else html.unescape(response.text)
    assert word in message
    assert "Traceback" not in response.text
    assert documents_stored(runtime) == before


@pytest.mark.parametrize(
    "content", [pdf("a letter"), image("PNG"), image("JPEG")], ids=["pdf", "png", "jpeg"]
)
def test_a_well_formed_pdf_png_or_jpeg_is_still_accepted(
    runtime: Runtime, carol: tuple[FlaskClient, World], content: bytes
) -> None:
    """The full parse refuses nothing that is well formed."""
    browser, world = carol
    before = documents_stored(runtime)
    response = _upload(runtime, browser, world, "api", content)
    assert response.status_code == 201, response.text
    assert documents_stored(runtime) == before + 1
