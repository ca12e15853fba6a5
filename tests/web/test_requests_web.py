"""The Requests page: the front desk logs a mailed request, sees its clock, extends and fulfils it.

Days left show as text as well as colour; every form carries its CSRF token; the auditor sees the history.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from roi_tracker import models
from roi_tracker.runtime import Runtime
from tests.helpers import pdf
from tests.web.conftest import PASSWORD
from tests.web.conftest import FakeClock
from tests.web.conftest import page_token
from tests.web.conftest import sign_in
from tests.web.test_releases_web import World
from tests.web.test_releases_web import make_world


@pytest.fixture
def world(runtime: Runtime, make_user: Callable, clock: FakeClock) -> World:
    """Carol's client Pat Example."""
    return make_world(runtime, make_user, clock.now.date())


@pytest.fixture
def frank(world: World, signed_in: Callable[[str, str], FlaskClient]) -> FlaskClient:
    """Frank at the front desk, signed in."""
    return signed_in("frank", "front_desk")


def intake_form(browser: FlaskClient, world: World, **changes: object) -> dict[str, object]:
    """The intake form of a mailed access request for Pat's diagnosis, with `changes`."""
    form: dict[str, object] = {
        "csrf_token": page_token(browser),
        "reference": world.reference,
        "kind": "access",
        "channel": "mail",
        "requester_name": "Pat Example",
        "requester_is": "client",
        "categories": "diagnosis",
        "format": "paper",
    }
    return {**form, **changes}


def log_request(browser: FlaskClient, world: World, **changes: object) -> str:
    """Log a mailed access request for Pat's diagnosis; return the request page's path."""
    answer = browser.post("/requests", data=intake_form(browser, world, **changes))
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def test_the_front_desk_logs_a_request_and_sees_it_first_in_the_queue_with_days_left_as_text(
    frank: FlaskClient, world: World
) -> None:
    path = log_request(frank, world)
    page = frank.get("/requests").text
    assert "30 days left" in page
    assert "badge-active" in page
    detail = frank.get(path).text
    assert "Pat Example" in detail
    assert "acknowledgement" in detail
    # The page acts on the client, so it names them (issue 17, item 2).
    assert (
        f'Client: <strong>Pat Example</strong> <span class="reference">({world.reference})</span>' in detail
    )


def test_a_late_request_says_late_in_words(frank: FlaskClient, world: World) -> None:
    log_request(frank, world, received_on=(world.today - timedelta(days=32)).isoformat())
    page = frank.get("/requests").text
    assert "Late by 2 days" in page


def test_a_request_received_tomorrow_is_refused_by_rule(frank: FlaskClient, world: World) -> None:
    tomorrow = (world.today + timedelta(days=1)).isoformat()
    answer = frank.post("/requests", data=intake_form(frank, world, received_on=tomorrow))
    assert answer.status_code == 422


def test_the_desk_extends_and_fulfils_a_request_and_the_auditor_reads_the_history(
    app: Flask, frank: FlaskClient, world: World, signed_in: Callable[[str, str], FlaskClient]
) -> None:
    path = log_request(frank, world)
    assert (
        frank.post(f"{path}/extend", data={"csrf_token": page_token(frank), "reason": "Archive"}).status_code
        == 302
    )
    detail = frank.get(path).text
    assert "extended once" in detail
    assert world.document_id in detail  # the diagnosis summary is offered to enclose
    done = frank.post(
        f"{path}/fulfil",
        data={
            "csrf_token": page_token(frank),
            "categories": "diagnosis",
            "document_ids": world.document_id,
            "channel": "mail",
            "requester_verification": "Signature matched the file",
        },
    )
    assert done.status_code == 302
    assert "Release packet" in frank.get(path).text
    auditor = signed_in("audrey", "auditor")
    history = auditor.get(path).text
    assert [m for m in re.findall(r"request\.[a-z.]+", history)] == [
        "request.received",
        "request.extended",
        "request.fulfilled",
    ]
    assert "Pat Example" not in history
    assert f"Client: <strong>{world.reference}</strong>" in history


def test_a_form_without_its_csrf_token_is_refused(frank: FlaskClient, world: World) -> None:
    path = log_request(frank, world)
    assert frank.post(f"{path}/withdraw", data={"reason": "x"}).status_code == 400


def test_a_second_person_checks_the_packet_before_release_when_the_practice_asks(
    frank: FlaskClient,
    world: World,
    signed_in: Callable[[str, str], FlaskClient],
    with_settings,  # noqa: ANN001
) -> None:
    with_settings(request_qa_kinds=("access",))
    path = log_request(frank, world)
    assert "Second check of the packet" in frank.get(path).text
    release = {
        "categories": "diagnosis",
        "document_ids": world.document_id,
        "channel": "mail",
        "requester_verification": "Signature matched the file",
    }
    assert frank.post(f"{path}/fulfil", data={"csrf_token": page_token(frank), **release}).status_code == 409
    gina = signed_in("gina", "front_desk")
    checked = gina.post(
        f"{path}/qa",
        data={"csrf_token": page_token(gina), "categories": "diagnosis", "document_ids": world.document_id},
    )
    assert checked.status_code == 302
    assert frank.post(f"{path}/fulfil", data={"csrf_token": page_token(frank), **release}).status_code == 302


def test_a_subpoena_is_released_on_the_web_only_with_its_assurance_l_2(
    frank: FlaskClient, world: World, signed_in: Callable[[str, str], FlaskClient]
) -> None:
    respond_by = (world.today + timedelta(days=10)).isoformat()
    path = log_request(frank, world, kind="legal", requester_is="third_party", respond_by=respond_by)
    assert "satisfactory assurance" in frank.get(path).text
    gina = signed_in("gina", "front_desk")
    qa = {"csrf_token": page_token(gina), "categories": "diagnosis"}
    assert gina.post(f"{path}/qa", data=qa).status_code == 302
    release = {
        "categories": "diagnosis",
        "channel": "mail",
        "requester_verification": "Subpoena served on us",
    }
    refused = frank.post(f"{path}/fulfil", data={"csrf_token": page_token(frank), **release})
    assert refused.status_code == 403
    assert "L-2" in refused.text or "assurance" in refused.text
    assured = {**release, "assurance_kind": "notice_given", "assurance_document_id": world.document_id}
    done = frank.post(f"{path}/fulfil", data={"csrf_token": page_token(frank), **assured})
    assert done.status_code == 302


def test_the_desk_records_the_fee_as_paid_h_a5(frank: FlaskClient, world: World) -> None:
    path = log_request(frank, world, format="electronic")
    assert "$6.50 (due)" in frank.get(path).text
    assert (
        frank.post(f"{path}/fee", data={"csrf_token": page_token(frank), "status": "paid"}).status_code == 302
    )
    assert "$6.50 (paid)" in frank.get(path).text


def test_the_desk_uploads_the_request_as_it_arrived_and_it_is_stored_encrypted_with_the_request(
    app: Flask, frank: FlaskClient, world: World, runtime: Runtime
) -> None:
    """Issue 18 intake: the letter is uploaded with the request, kept as a `request` document."""
    letter = pdf()
    path = log_request(
        frank,
        world,
        requester_email="pat@example.org",
        records_from="2025-01-01",
        document=(io.BytesIO(letter), "letter.pdf"),
    )
    with runtime.sessions() as session:
        (row,) = session.execute(select(models.RecordRequest)).scalars()
        doc = session.get(models.Document, row.document_id)
        assert doc is not None
        assert (doc.client_id, doc.category) == (row.client_id, "request")
        blob = session.get(models.DocumentBlob, doc.id)
        assert blob is not None
        assert letter not in bytes(blob.content)
    assert "The request as it arrived is on file" in frank.get(path).text
    carol = app.test_client()
    sign_in(carol, "carol", PASSWORD)
    clinician_page = carol.get(path).text
    assert f'href="/documents/{row.document_id}"' in clinician_page


def test_an_upload_that_is_not_a_document_brings_the_form_back_as_typed_and_records_nothing(
    frank: FlaskClient, world: World, runtime: Runtime
) -> None:
    gif = (io.BytesIO(b"GIF89a" + bytes(64)), "letter.pdf")
    form = intake_form(frank, world, requester_name="Pat Whoever", document=gif)
    answer = frank.post("/requests", data=form, content_type="multipart/form-data")
    assert answer.status_code == 415
    assert 'value="Pat Whoever"' in answer.text
    assert "choose the file again" in answer.text
    with runtime.sessions() as session:
        assert session.execute(select(models.RecordRequest)).first() is None
        assert (
            session.execute(select(models.Document).where(models.Document.category == "request")).first()
            is None
        )


def test_an_unknown_client_reference_comes_back_at_its_field(frank: FlaskClient, world: World) -> None:
    answer = frank.post("/requests", data=intake_form(frank, world, reference="C-ZZZZ"))
    assert answer.status_code == 422
    assert re.search(r'<p class="error" id="reference-error">[^<]*no client has that reference', answer.text)
    assert 'value="C-ZZZZ"' in answer.text
