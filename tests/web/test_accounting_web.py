"""Accounting pages and API: the privacy officer's request flow, the accounting as page, PDF, CSV and JSON,
who may see it, and bad input named by field."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.test import TestResponse

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import accounting as rules
from roi_tracker.domain import clients as client_rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.runtime import Runtime
from roi_tracker.services.accounting import pdf as accounting_pdf
from roi_tracker.services.exceptions import exceptions
from roi_tracker.services.people import users
from roi_tracker.services.records import clients
from roi_tracker.services.releases import recipients
from tests.conftest import csrf_from
from tests.web.conftest import PASSWORD
from tests.web.conftest import FakeClock
from tests.web.conftest import logged
from tests.web.conftest import sign_in
from tests.web.conftest import token_for

POLICE = "Officer J. Lee (Springfield Police)"


@dataclass(frozen=True)
class World:
    """Carol's client Pat, with one warning to the police ten days ago; today's date."""

    pat: str
    reference: str
    warned_on: date
    today: date
    police: str


def actor_of(runtime: Runtime, username: str) -> audit.Actor:
    """Return the actor a user acts as."""
    with runtime.sessions() as session:
        user = users.by_username(session, username)
        return audit.Actor(str(user.id), user.role)


@pytest.fixture
def world(runtime: Runtime, make_user: Callable[..., users.UserView], clock: FakeClock) -> World:
    """Carol (clinician) with Pat on her caseload, abe (auditor), dee (front desk), ada (admin)."""
    for name, role in (("carol", "clinician"), ("abe", "auditor"), ("dee", "front_desk"), ("ada", "admin")):
        make_user(name, role)
    carol = actor_of(runtime, "carol")
    warned = clock.now - timedelta(days=10)
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
        "occurred_at": warned.replace(tzinfo=None).isoformat(timespec="minutes"),
    }
    with runtime.sessions() as session:
        pat = clients.register(
            session,
            runtime.env,
            carol,
            client_rules.Demographics("Pat", "Example", date(1980, 1, 2)),
            ["carol"],
        )
    with runtime.sessions() as session:
        exceptions.record(session, runtime.env, carol, pat.id, fields, PASSWORD)
    # The warning's recipient stays with the exception; the agency that asks to suspend is in the directory.
    with runtime.sessions() as session:
        police_id = str(
            recipients.create(
                session,
                runtime.env,
                carol,
                kind="organization",
                type="authority",
                name="Officer J. Lee",
                organization="Springfield Police",
            ).id
        )
    return World(str(pat.id), pat.reference, warned.date(), clock.now.date(), police_id)


def browser_of(app: Flask, username: str) -> FlaskClient:
    """A browser signed in as `username`."""
    browser = app.test_client()
    assert sign_in(browser, username).status_code == 302
    return browser


@pytest.fixture
def abe(app: Flask, world: World) -> FlaskClient:
    """Abe the auditor, signed in."""
    return browser_of(app, "abe")


@pytest.fixture
def carol(app: Flask, world: World) -> FlaskClient:
    """Carol the clinician, signed in."""
    return browser_of(app, "carol")


def post(browser: FlaskClient, url: str, **data: str) -> TestResponse:
    """Send a form from the requests page, with that page's CSRF token."""
    token = csrf_from(browser.get("/accounting").text)
    return browser.post(url, data={"csrf_token": token, **data})


def request_ids(page: str) -> list[str]:
    """Return the ids of the open requests on the requests page, in the order shown."""
    return re.findall(r'action="/accounting/requests/([0-9a-f-]{36})/deliver"', page)


def six_years_before(day: date) -> date:
    """The first day of the longest accounting period."""
    return rules.period(day, None)[0]


# -- the privacy officer's request flow ----------------------------------------------------------------------


def test_a_request_taken_by_reference_is_listed_with_its_due_date_here_and_on_the_home_page(
    abe: FlaskClient, world: World
) -> None:
    """Recorded as received today, due in 60 days, free; both pages show the due date, this one the client."""
    response = post(abe, "/accounting/requests", reference=world.reference, received_on=str(world.today))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/accounting")
    due = world.today + timedelta(days=60)
    page = abe.get("/accounting").text
    assert f"Request recorded for {world.reference}; due {due} (free)." in page
    assert f"<strong>{world.reference}</strong> · <strong>Due {due}</strong>" in page
    assert len(request_ids(page)) == 1
    assert f"{world.reference}: due {due}" in abe.get("/").text


def test_the_extension_moves_the_due_date_and_delivery_shows_the_accounting(
    abe: FlaskClient, world: World, runtime: Runtime
) -> None:
    """Extend once (+30 days), then deliver: the accounting page, and no open request left."""
    post(abe, "/accounting/requests", reference=world.reference[2:], received_on=str(world.today))
    [request_id] = request_ids(abe.get("/accounting").text)
    extended = post(abe, f"/accounting/requests/{request_id}/extend", reason="Archive retrieval.")
    assert extended.status_code == 302
    due = world.today + timedelta(days=90)
    page = abe.get("/accounting").text
    assert f"Extended; now due {due}." in page
    assert "extended once" in page
    assert f"due {due} (extended)" in abe.get("/").text
    delivered = post(abe, f"/accounting/requests/{request_id}/deliver", method="secure_email")
    assert delivered.status_code == 200
    assert "Accounting of disclosures" in delivered.text
    assert f"covering {six_years_before(world.today)} to {world.today}" in delivered.text
    assert escape(POLICE) in delivered.text
    assert "No open requests." in abe.get("/accounting").text
    with runtime.sessions() as session:
        row = session.get_one(models.AccountingRequest, uuid.UUID(request_id))
        assert (row.delivered_on, row.delivery_method) == (world.today, "secure_email")
        assert row.accounting_id is not None
    assert [e.action for e in logged(runtime, Action.ACCOUNTING_DELIVERED)] == ["accounting:delivered"]


def test_a_second_extension_is_refused_as_a_conflict(abe: FlaskClient, world: World) -> None:
    """164.528(c)(2) allows one."""
    post(abe, "/accounting/requests", reference=world.reference, received_on=str(world.today))
    [request_id] = request_ids(abe.get("/accounting").text)
    post(abe, f"/accounting/requests/{request_id}/extend", reason="Archive retrieval.")
    again = post(abe, f"/accounting/requests/{request_id}/extend", reason="Still waiting.")
    assert again.status_code == 409


def test_a_suspension_recorded_on_the_page_hides_the_disclosure_from_the_accounting(
    abe: FlaskClient, world: World
) -> None:
    """Written, covering the day of the warning: the accounting lists nothing and says one is suspended."""
    response = post(
        abe,
        "/accounting/suspensions",
        reference=world.reference,
        agency_id=world.police,
        starts_on=str(world.warned_on),
        ends_on=str(world.today + timedelta(days=90)),
        written="y",
    )
    assert response.status_code == 302
    page = abe.get(f"/clients/{world.pat}/accounting").text
    assert "There are no disclosures to list for this period." in page
    assert "1 disclosure" in page
    assert "not shown during a suspension requested by a government agency" in page


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"reference": "C-NOPE", "received_on": "2026-01-01"}, "no client has that reference"),
        ({"received_on": "2099-01-01"}, "the date received cannot be in the future"),
        ({"received_on": "01/02/2026"}, "This must be a date"),
        (
            {"received_on": "2026-01-01", "since": "2010-01-01"},
            "the period (since) can reach back at most 6 years",
        ),
        ({"received_on": "2026-01-01", "since": "2026-01-02"}, "the period (since) cannot start after"),
    ],
)
def test_a_bad_request_is_refused_naming_the_problem(
    abe: FlaskClient, world: World, data: dict[str, str], words: str
) -> None:
    """422: the form comes back as typed, the problem in words at the top and at its field; none listed."""
    typed = {"reference": world.reference, **data}
    response = post(abe, "/accounting/requests", **typed)
    assert response.status_code == 422
    assert escape(words) in response.text
    assert 'class="problems" role="alert"' in response.text
    assert f'value="{typed["received_on"]}"' in response.text
    assert request_ids(abe.get("/accounting").text) == []


def test_a_suspension_ending_before_it_starts_is_refused(abe: FlaskClient, world: World) -> None:
    """Named by its end date."""
    response = post(
        abe,
        "/accounting/suspensions",
        reference=world.reference,
        agency_id=world.police,
        starts_on="2026-03-01",
        ends_on="2026-02-01",
    )
    assert response.status_code == 422
    assert "ends before it starts" in response.text


def test_the_suspension_form_offers_the_directory_and_refuses_a_missing_agency(
    abe: FlaskClient, world: World
) -> None:
    """The police are a choice; without one the form is refused naming the agency, and nothing is hidden."""
    assert (
        f'<option value="{world.police}">Officer J. Lee (Springfield Police)</option>'
        in abe.get("/accounting").text
    )
    response = post(
        abe,
        "/accounting/suspensions",
        reference=world.reference,
        agency_id="",
        starts_on=str(world.warned_on),
        ends_on=str(world.today),
        written="y",
    )
    assert response.status_code == 422
    assert "choose the agency that asked from the recipients directory" in response.text
    assert (
        "There are no disclosures to list for this period."
        not in abe.get(f"/clients/{world.pat}/accounting").text
    )


# -- the accounting for one client ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["carol", "abe"])
def test_the_caseload_clinician_and_the_auditor_get_the_page_pdf_and_csv(
    app: Flask, world: World, runtime: Runtime, username: str
) -> None:
    """Each format lists the warning; each one is logged as produced."""
    browser = browser_of(app, username)
    url = f"/clients/{world.pat}/accounting"
    page = browser.get(url)
    assert page.status_code == 200
    assert escape(POLICE) in page.text
    assert escape(rules.EXPLANATION) in page.text
    assert "Pat Example" in page.text
    pdf = browser.get(f"{url}?format=pdf")
    assert (pdf.status_code, pdf.mimetype) == (200, "application/pdf")
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="accounting-{world.reference}.pdf"'
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert f"{world.warned_on} - to {POLICE}" in text
    assert "Not listed:" in text
    sheet = browser.get(f"{url}?format=csv")
    assert (sheet.status_code, sheet.mimetype) == (200, "text/csv")
    rows = list(csv.reader(io.StringIO(sheet.text)))
    assert rows[0] == list(accounting_pdf.CSV_COLUMNS)
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == [(str(world.warned_on), "1", POLICE)]
    produced = logged(runtime, Action.ACCOUNTING_PRODUCED)
    assert [(e.outcome, e.client_id) for e in produced] == [("allowed", world.pat)] * 3


def test_a_shorter_period_is_taken_from_the_query_string(carol: FlaskClient, world: World) -> None:
    """since= starts the period; the warning before it is not listed."""
    since = world.warned_on + timedelta(days=1)
    page = carol.get(f"/clients/{world.pat}/accounting?since={since}").text
    assert f"covering {since} to {world.today}" in page
    assert "There are no disclosures to list for this period." in page


@pytest.mark.parametrize("username", ["dee", "ada"])
def test_the_front_desk_and_the_administrator_are_refused(
    app: Flask, world: World, runtime: Runtime, username: str
) -> None:
    """Neither role produces an accounting, manages requests or exports consents."""
    browser = browser_of(app, username)
    assert browser.get(f"/clients/{world.pat}/accounting").status_code == 403
    assert browser.get("/accounting").status_code == 403
    for url in (f"/api/v1/clients/{world.pat}/accounting", f"/api/v1/clients/{world.pat}/fhir/consents"):
        assert api_get(app, runtime, username, url).status_code == 403
    assert logged(runtime, Action.ACCOUNTING_PRODUCED) == []


def test_a_clinician_off_the_caseload_gets_not_found_and_the_attempt_is_logged(
    app: Flask, world: World, runtime: Runtime, make_user: Callable[..., users.UserView]
) -> None:
    """Not yours reads as missing."""
    make_user("bob", "clinician")
    response = browser_of(app, "bob").get(f"/clients/{world.pat}/accounting")
    assert response.status_code == 404
    assert [(e.outcome, e.client_id) for e in logged(runtime, Action.ACCOUNTING_PRODUCED)] == [
        ("refused", world.pat)
    ]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("format=xml", "format must be html, pdf or csv"),
        ("since=yesterday", "since must be a date as YYYY-MM-DD"),
        ("since=2099-01-01", "the period (since) cannot start after"),
        ("since=2001-01-01", "the period (since) can reach back at most 6 years"),
    ],
)
def test_bad_query_input_on_the_page_is_422_naming_the_field(
    carol: FlaskClient, world: World, runtime: Runtime, query: str, words: str
) -> None:
    """The format is a vocabulary and the period must make sense; nothing is produced."""
    response = carol.get(f"/clients/{world.pat}/accounting?{query}")
    assert response.status_code == 422
    assert escape(words) in response.text
    assert logged(runtime, Action.ACCOUNTING_PRODUCED) == []


# -- the API -------------------------------------------------------------------------------------------------


def api_get(app: Flask, runtime: Runtime, username: str, url: str) -> TestResponse:
    """GET an API URL with `username`'s token."""
    headers = {"Authorization": f"Bearer {token_for(runtime, username)}"}
    return app.test_client().get(url, headers=headers)


def test_the_api_answers_json_with_from_and_to(app: Flask, world: World, runtime: Runtime) -> None:
    """The interface's shape: client, period as from/to, entries, summaries and what is not listed."""
    response = api_get(app, runtime, "carol", f"/api/v1/clients/{world.pat}/accounting")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"client_id", "from", "to", "entries", "summaries", "not_listed"}
    assert (body["client_id"], body["from"], body["to"]) == (
        world.pat,
        str(six_years_before(world.today)),
        str(world.today),
    )
    assert body["entries"] == [
        {
            "date": str(world.warned_on),
            "recipient": POLICE,
            "address": "",
            "description": "demographics",
            "purpose": "exception:danger to others",
            "basis": "danger_to_others",
        }
    ]
    assert body["summaries"] == []
    assert body["not_listed"] == rules.EXPLANATION


def test_the_api_takes_a_shorter_period_and_other_formats(app: Flask, world: World, runtime: Runtime) -> None:
    """since= narrows the period; format=pdf and format=csv answer the files."""
    since = world.warned_on + timedelta(days=1)
    body = api_get(app, runtime, "abe", f"/api/v1/clients/{world.pat}/accounting?since={since}").get_json()
    assert (body["from"], body["entries"]) == (str(since), [])
    url = f"/api/v1/clients/{world.pat}/accounting"
    assert api_get(app, runtime, "abe", f"{url}?format=pdf").mimetype == "application/pdf"
    assert api_get(app, runtime, "abe", f"{url}?format=csv").mimetype == "text/csv"


@pytest.mark.parametrize(
    ("query", "field"),
    [("format=xml", "format"), ("since=2099-01-01", "since"), ("since=2001-01-01", "since")],
)
def test_bad_query_input_on_the_api_is_422_naming_the_field(
    app: Flask, world: World, runtime: Runtime, query: str, field: str
) -> None:
    """An unknown format or an impossible period, named in the problems."""
    response = api_get(app, runtime, "carol", f"/api/v1/clients/{world.pat}/accounting?{query}")
    assert response.status_code == 422
    problems = response.get_json()["error"]["problems"]
    assert [p["field"] for p in problems] == [field]


def test_the_api_answers_not_found_for_an_unknown_client(app: Flask, world: World, runtime: Runtime) -> None:
    """For an auditor too."""
    response = api_get(app, runtime, "abe", f"/api/v1/clients/{uuid.uuid4()}/accounting")
    assert response.status_code == 404


def test_the_fhir_export_answers_a_bundle_as_fhir_json(app: Flask, world: World, runtime: Runtime) -> None:
    """application/fhir+json, logged as an export."""
    response = api_get(app, runtime, "abe", f"/api/v1/clients/{world.pat}/fhir/consents")
    assert (response.status_code, response.mimetype) == (200, "application/fhir+json")
    assert response.get_json()["resourceType"] == "Bundle"
    with runtime.sessions() as session:
        stmt = select(models.AuditEntry.outcome).where(models.AuditEntry.action == Action.FHIR_EXPORTED.value)
        assert list(session.execute(stmt).scalars()) == ["allowed"]
