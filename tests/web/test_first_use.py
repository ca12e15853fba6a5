"""What a new user trips over (issue 17): forms that come back as typed, the client named, plain words."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from roi_tracker import models
from roi_tracker.domain import accounting as accounting_rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.runtime import Runtime
from roi_tracker.services.people import users
from roi_tracker.web import filters
from roi_tracker.web import plain
from tests.conftest import csrf_from
from tests.web.conftest import FakeClock
from tests.web.conftest import sign_in
from tests.web.test_audit_pages import _append
from tests.web.test_releases_web import PDF
from tests.web.test_releases_web import World
from tests.web.test_releases_web import authorization_terms
from tests.web.test_releases_web import check_page
from tests.web.test_releases_web import count
from tests.web.test_releases_web import make_world
from tests.web.test_releases_web import multipart


@pytest.fixture
def world(runtime: Runtime, make_user: Callable[..., users.UserView], clock: FakeClock) -> World:
    """Carol's client Pat Example with a release to Dr Rivera (see test_releases_web.make_world)."""
    return make_world(runtime, make_user, clock.now.date())


@pytest.fixture
def carol(app: Flask, world: World) -> FlaskClient:
    """Carol, the client's clinician, signed in."""
    browser = app.test_client()
    assert sign_in(browser, "carol").status_code == 302
    return browser


@pytest.fixture
def frank(world: World, signed_in: Callable[[str, str], FlaskClient]) -> FlaskClient:
    """Frank at the front desk, signed in."""
    return signed_in("frank", "front_desk")


@pytest.fixture
def olive(world: World, signed_in: Callable[[str, str], FlaskClient]) -> FlaskClient:
    """Olive, the privacy officer (auditor), signed in."""
    return signed_in("olive", "auditor")


def error_at(page: str, field: str) -> str:
    """Return the text of the error under a field, failing when there is none."""
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    assert found, f"no error shown at {field}"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


# -- item 1: a form comes back with what was typed -----------------------------------------------------------


def test_a_non_pdf_signed_form_brings_the_authorization_form_back_as_typed(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """415: the message at the file field and in the summary, the terms kept, the file to choose again."""
    before = count(runtime, models.Authorization)
    page = carol.get(f"/clients/{world.client_id}/authorizations/new")
    fields = {**authorization_terms(world.recipient_id, world.today), "csrf_token": csrf_from(page.text)}
    fields["copy_method"] = "handed over in the office"
    response = carol.post(
        f"/clients/{world.client_id}/authorizations/new",
        **multipart(fields, {"signed_form": b"just some text, not a scan"}),
    )
    assert response.status_code == 415
    assert "PDF" in error_at(response.text, "signed_form")
    assert 'class="problems" role="alert"' in response.text
    assert '<a href="#signed_form">' in response.text
    assert "choose the file again" in response.text
    assert 'value="handed over in the office"' in response.text
    assert 'id="categories-diagnosis" value="diagnosis" checked' in response.text
    assert count(runtime, models.Authorization) == before


def test_a_send_form_without_the_identity_check_comes_back_with_the_answer_and_what_was_chosen(
    frank: FlaskClient, world: World, runtime: Runtime
) -> None:
    """422: the answer again, the send form with the channel and documents kept, the message at its field."""
    before = count(runtime, models.Disclosure)
    answer = check_page(frank, world, "diagnosis")
    data = {
        "csrf_token": csrf_from(answer.text),
        "recipient_id": world.recipient_id,
        "purpose": "continuity_of_care",
        "categories": ["diagnosis"],
        "channel": "secure_email",
        "document_ids": [world.document_id],
        "requester_verification": "",
    }
    response = frank.post(f"/clients/{world.client_id}/disclosures", data=data)
    assert response.status_code == 422
    assert '<p class="verdict-big yes">Yes</p>' in response.text
    assert "verified" in error_at(response.text, "requester_verification")
    assert '<option selected value="secure_email">' in response.text
    assert f'value="{world.document_id}" checked' in response.text
    assert count(runtime, models.Disclosure) == before


def test_a_copy_with_a_document_of_another_category_comes_back_at_the_categories(
    carol: FlaskClient, world: World
) -> None:
    """422 on the client page, the copy form open, its words plain, the verification kept."""
    page = carol.get(f"/clients/{world.client_id}")
    response = carol.post(
        f"/clients/{world.client_id}/copies",
        data={
            "csrf_token": csrf_from(page.text),
            "categories": ["billing"],
            "channel": "in_person",
            "document_ids": [world.document_id],
            "identity_verification": "Photo ID checked at the desk",
        },
    )
    assert response.status_code == 422
    assert "A diagnosis document is ticked" in error_at(response.text, "categories")
    assert "<details open><summary>Record a copy given to the client" in response.text
    assert 'value="Photo ID checked at the desk"' in response.text
    assert f'value="{world.document_id}" checked' in response.text


def test_an_unknown_client_reference_brings_the_accounting_request_back_as_typed(
    olive: FlaskClient, world: World
) -> None:
    """422 with the reference's message at its field and the date received kept."""
    token = csrf_from(olive.get("/accounting").text)
    response = olive.post(
        "/accounting/requests",
        data={"csrf_token": token, "reference": "C-ZZZZ", "received_on": str(world.today)},
    )
    assert response.status_code == 422
    assert "no client has that reference" in error_at(response.text, "reference")
    assert f'value="{world.today}"' in response.text


def test_a_log_filter_date_typed_the_american_way_comes_back_at_its_field(olive: FlaskClient) -> None:
    """12/01/2026 could be either month: 422 asking for YYYY-MM-DD, the text kept, no entries shown."""
    response = olive.get("/audit/log?since=12/01/2026")
    assert response.status_code == 422
    assert "YYYY-MM-DD" in error_at(response.text, "since")
    assert 'value="12/01/2026"' in response.text
    assert "<tr class=" not in response.text


# -- item 2: the client is named on every page that acts on them ---------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/check", "/authorizations/new", "/exceptions/new", "/exceptions/new?kind=danger_to_others"],
    ids=["may we send this", "authorization", "exception chooser", "exception form"],
)
def test_a_page_that_acts_on_a_client_names_them(carol: FlaskClient, world: World, path: str) -> None:
    """Name and reference at the top."""
    page = carol.get(f"/clients/{world.client_id}{path}")
    assert page.status_code == 200
    named = re.search(r'<p class="client-named">(.*?)</p>', page.text, re.S)
    assert named, page.text
    assert "Pat Example" in named.group(1)
    assert world.reference in named.group(1)


# -- item 4: the log by client reference, person and action; the caseload one list read ----------------------


def test_the_log_filters_by_client_reference_and_shows_it_in_each_row(
    olive: FlaskClient, world: World
) -> None:
    """Every row is the client's and shows the reference; actions are chosen from plain names."""
    page = olive.get(f"/audit/log?client_id={world.reference.lower()}").text
    cells = re.findall(r"<td>([^<]*)</td><td>[a-z_ ]+</td><td>[^<]*</td>\s*</tr>", page)
    assert cells
    assert set(cells) == {world.reference}
    assert '<option value="authorization:recorded">Authorization recorded</option>' in page
    assert "Carol" in page  # the person filter lists people by name


def test_the_log_shows_times_and_filters_days_in_the_practice_zone(
    olive: FlaskClient, runtime: Runtime, with_settings: Callable[..., None]
) -> None:
    """03:00 UTC on 1 June is still 31 May in Los Angeles: shown so, and found on that day."""
    with_settings(timezone="America/Los_Angeles")
    _append(runtime, Action.ACCESS_DENIED, Outcome.REFUSED, at=datetime(2026, 6, 1, 3, 0, tzinfo=UTC))
    may = olive.get("/audit/log?action=access:denied&since=2026-05-31&until=2026-05-31").text
    assert "2026-05-31 20:00 PDT" in may
    june = olive.get("/audit/log?action=access:denied&since=2026-06-01&until=2026-06-01").text
    assert "No entries match." in june


def test_an_unknown_client_reference_in_the_log_filter_is_named(olive: FlaskClient) -> None:
    """422 at the client field."""
    response = olive.get("/audit/log?client_id=C-ZZZZ")
    assert response.status_code == 422
    assert "C-ZZZZ" in error_at(response.text, "client_id")


def test_a_clinicians_home_logs_one_list_read_not_one_read_per_client(
    carol: FlaskClient, runtime: Runtime
) -> None:
    """The caseload is still a logged access, once."""
    with runtime.engine.connect() as conn:
        before = conn.execute(models.AuditEntry.__table__.select()).fetchall()
    assert carol.get("/").status_code == 200
    with runtime.engine.connect() as conn:
        after = conn.execute(models.AuditEntry.__table__.select()).fetchall()
    new = [(row.action, row.object_type) for row in after[len(before) :]]
    assert new == [("client:search", "caseload")]


# -- item 3 is in test_exceptions_web; item 5: plain words, one date format ----------------------------------


def test_a_moment_reads_in_the_practice_zone_to_the_minute(app: Flask) -> None:
    """No seconds, no microseconds, the zone named; a naive moment is UTC."""
    with app.app_context():
        shown = filters.when(datetime(2026, 12, 4, 9, 15, 42, 123456, tzinfo=UTC))
        naive = filters.when(datetime(2026, 12, 4, 9, 15, 42, 123456))
    zone = app.extensions["roi_runtime"].env.settings.timezone
    assert shown == naive
    assert ":42" not in shown
    assert "123456" not in shown
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d \S+", shown), shown
    if zone == "UTC":
        assert shown == "2026-12-04 09:15 UTC"


def test_codes_read_as_plain_words() -> None:
    """Actions, kinds and purposes a person reads have no colons or underscores."""
    assert plain.words("exception:recorded") == "Exception recorded"
    assert plain.words("danger_to_others") == "danger to others"
    assert plain.words("sud_counseling_notes") == "SUD counseling notes"
    why = accounting_rules.purpose_in_words("exception:danger to others")
    assert why == "to prevent or lessen a serious threat to someone's safety"
    assert accounting_rules.purpose_in_words("continuity_of_care") == "continuity of care"


# -- items 7 and 8: checkboxes, a kind's fields for that kind, warnings apart from errors ----------


def test_the_authorization_form_uses_checkboxes_and_marks_fields_that_belong_to_one_kind(
    carol: FlaskClient, world: World
) -> None:
    """No Ctrl-click list boxes; the class of recipients belongs to Part 2 TPO; all still in the page."""
    page = carol.get(f"/clients/{world.client_id}/authorizations/new").text
    assert "<select multiple" not in page
    assert 'multiple name="' not in page
    for group in ("categories", "purposes", "statements"):
        assert f'<fieldset class="field checkboxes" id="{group}"' in page
    assert re.search(r'<div data-show-when="kind" data-values="part2_tpo">\s*<div class="field">', page)
    assert 'name="recipient_class"' in page  # without JavaScript every field is shown
    assert 'data-show-when="signed_by" data-values="representative"' in page
    assert "progressive.js" in page


def test_warnings_stand_apart_from_errors_and_point_to_the_box_that_acknowledges_them(
    carol: FlaskClient, world: World, runtime: Runtime
) -> None:
    """No copy given yet (H-P2): a warnings box, not the problems box, naming and linking the checkbox."""
    before = count(runtime, models.Authorization)
    page = carol.get(f"/clients/{world.client_id}/authorizations/new")
    terms = authorization_terms(world.recipient_id, world.today, copy_given_on="", copy_method="")
    fields = {**terms, "csrf_token": csrf_from(page.text)}
    response = carol.post(
        f"/clients/{world.client_id}/authorizations/new", **multipart(fields, {"signed_form": PDF})
    )
    assert response.status_code == 422
    assert '<div class="warnings" role="alert"' in response.text
    assert 'class="problems"' not in response.text
    assert '<small class="rule">H-P2</small>' in response.text
    assert (
        '<a href="#acknowledge_warnings">“I have read the warnings and record it anyway”</a>' in response.text
    )
    assert "acknowledge-pointed" in response.text
    fields["acknowledge_warnings"] = "y"
    recorded = carol.post(
        f"/clients/{world.client_id}/authorizations/new", **multipart(fields, {"signed_form": PDF})
    )
    assert recorded.status_code == 302
    assert count(runtime, models.Authorization) == before + 1


# -- also expected: renew a release from the old one's terms -------------------------------------------------


def test_renewing_starts_a_new_authorization_from_the_old_ones_terms(
    carol: FlaskClient, world: World
) -> None:
    """Kind, recipient, information and purposes filled in; the dates and the signature left to enter."""
    url = f"/clients/{world.client_id}/authorizations/new?renew={world.authorization_id}"
    page = carol.get(url).text
    assert f"Renewing {world.label}" in page
    assert f'<option selected value="{world.recipient_id}">' in page
    assert 'id="categories-diagnosis" value="diagnosis" checked' in page
    assert 'id="purposes-continuity_of_care" value="continuity_of_care" checked' in page
    signed_on = re.search(r'<input[^>]*name="signed_on"[^>]*>', page)
    assert signed_on
    assert 'value=""' in signed_on.group(0)


def test_the_expiring_list_offers_a_clinician_the_renewal(app: Flask, world: World, clock: FakeClock) -> None:
    """A release ending within the expiring window links to its renewal."""
    clock.advance(days=80)
    carol = app.test_client()
    assert sign_in(carol, "carol").status_code == 302
    home = carol.get("/").text
    assert f"renew={world.authorization_id}" in home


def test_a_revocation_without_its_date_comes_back_on_the_client_page(
    carol: FlaskClient, world: World
) -> None:
    """422 on the client page: that release's form open, the problem said, the file to choose again."""
    page = carol.get(f"/clients/{world.client_id}")
    url = f"/clients/{world.client_id}/authorizations/{world.authorization_id}/revoke"
    body = multipart({"csrf_token": csrf_from(page.text), "received_on": "12/01/2026"}, {"document": PDF})
    response = carol.post(url, **body)
    assert response.status_code == 422
    assert "Nothing was recorded:" in response.text
    assert "choose the file again" in response.text
    assert 'value="12/01/2026"' in response.text
    assert "<details open><summary>Revoke or end" in response.text
