"""Incidents in the browser: the front desk reports a misdirected fax from the disclosure's page; the privacy
officer sees it on her home with days left, assesses it, downloads the notice and records it sent."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from html import unescape

import pytest
from flask.testing import FlaskClient

from roi_tracker import models
from roi_tracker.runtime import Runtime
from tests.conftest import csrf_from
from tests.helpers import count
from tests.services.incidents.conftest import add_rivera
from tests.services.incidents.conftest import fax_to_rivera
from tests.services.incidents.conftest import register_sam
from tests.web.conftest import FakeClock
from tests.web.test_accounting_web import actor_of

Open = Callable[[str, str], FlaskClient]


@pytest.fixture
def faxed(runtime: Runtime, signed_in: Open, clock: FakeClock) -> tuple[str, str]:
    """Carol's client Sam with a fax to Dr Rivera today; returns the client and disclosure ids."""
    signed_in("carol", "clinician")
    carol = actor_of(runtime, "carol")
    sam = register_sam(runtime, carol)
    sent = fax_to_rivera(runtime, carol, sam, add_rivera(runtime, carol))
    return str(sam), str(sent.id)


def _report_from_the_disclosure(desk: FlaskClient, client_id: str, **changes: str) -> object:
    page = desk.get(f"/clients/{client_id}")
    link = re.search(r'href="([^"]+)">This went to the wrong place', page.text)
    assert link is not None, "the disclosure offers no way to report it"
    form = desk.get(unescape(link.group(1)))
    assert form.status_code == 200
    hidden = dict(re.findall(r'name="(disclosure_id|discovered_on)"[^>]*value="([^"]*)"', form.text))
    data = {
        "csrf_token": csrf_from(form.text),
        "kind": "misdirected_disclosure",
        "discovered_on": hidden["discovered_on"],
        "description": "Faxed to 555-0199, a dry cleaner, instead of Northside Clinic",
        "disclosure_id": hidden["disclosure_id"],
    }
    data.update(changes)
    return desk.post("/incidents/new", data=data)


def test_the_front_desk_reports_a_misdirected_fax_from_the_disclosures_page(
    runtime: Runtime, signed_in: Open, faxed: tuple[str, str]
) -> None:
    desk = signed_in("dee", "front_desk")
    answer = _report_from_the_disclosure(desk, faxed[0])
    assert answer.status_code == 302
    with runtime.sessions() as session:
        [incident] = session.query(models.Incident).all()
        assert str(incident.disclosure_id) == faxed[1]
    assert "reported" in desk.get("/").text


def test_a_discovery_date_in_the_future_is_refused_on_the_form_with_h_b7(
    runtime: Runtime, signed_in: Open, faxed: tuple[str, str], clock: FakeClock
) -> None:
    desk = signed_in("dee", "front_desk")
    tomorrow = (clock.now.date() + timedelta(days=1)).isoformat()
    answer = _report_from_the_disclosure(desk, faxed[0], discovered_on=tomorrow)
    assert answer.status_code == 422
    # The sentence at its field, the rule id after it in small type (issue 17, item 5).
    assert "the discovery date cannot be in the future" in answer.text
    assert '<small class="rule">H-B7</small>' in answer.text
    assert count(runtime, models.Incident) == 0


def _incident_page(abe: FlaskClient) -> tuple[str, str]:
    home = abe.get("/")
    assert "60 days left" in home.text
    link = re.search(r'href="(/incidents/[0-9a-f-]{36})"', home.text)
    assert link is not None
    return link.group(1), csrf_from(abe.get(link.group(1)).text)


def test_the_privacy_officer_assesses_it_a_breach_produces_the_notice_and_records_it_sent(
    runtime: Runtime, signed_in: Open, faxed: tuple[str, str], clock: FakeClock
) -> None:
    _report_from_the_disclosure(signed_in("dee", "front_desk"), faxed[0])
    abe = signed_in("abe", "auditor")
    path, token = _incident_page(abe)
    assessed = abe.post(
        f"{path}/assessment",
        data={
            "csrf_token": token,
            "exclusion": "none",
            "phi_nature": "Name and diagnosis",
            "unauthorized_person": "A dry cleaner",
            "acquired_or_viewed": "Unknown",
            "mitigation": "Asked them to shred it",
        },
        follow_redirects=True,
    )
    assert assessed.status_code == 200
    assert ">breach</strong>" in assessed.text
    assert "H-B3" in assessed.text
    assert "H-B4" in assessed.text
    assert '<option value="first_class_mail">' in assessed.text  # the notice form offers each method
    letter = abe.get(f"{path}/notices/{faxed[0]}")
    assert (letter.status_code, letter.mimetype) == (200, "application/pdf")
    sent = abe.post(
        f"{path}/notices",
        data={
            "csrf_token": token,
            "audience": "individual",
            "client_id": faxed[0],
            "sent_on": clock.now.date().isoformat(),
            "method": "first_class_mail",
        },
        follow_redirects=True,
    )
    assert "Notice recorded as sent." in sent.text
    assert count(runtime, models.IncidentNotice) == 1


def test_low_probability_with_a_factor_left_blank_is_refused_with_h_b3(
    runtime: Runtime, signed_in: Open, faxed: tuple[str, str]
) -> None:
    _report_from_the_disclosure(signed_in("dee", "front_desk"), faxed[0])
    abe = signed_in("abe", "auditor")
    path, token = _incident_page(abe)
    answer = abe.post(
        f"{path}/assessment",
        data={"csrf_token": token, "exclusion": "none", "low_probability": "y", "phi_nature": "Name only"},
    )
    assert answer.status_code == 422
    assert "a low probability of compromise needs every factor written" in unescape(answer.text)
    assert '<small class="rule">H-B3</small>' in answer.text
    assert count(runtime, models.IncidentAssessment) == 0


def test_a_notice_dated_before_the_discovery_is_refused_with_h_b4(
    runtime: Runtime, signed_in: Open, faxed: tuple[str, str], clock: FakeClock
) -> None:
    _report_from_the_disclosure(signed_in("dee", "front_desk"), faxed[0])
    abe = signed_in("abe", "auditor")
    path, token = _incident_page(abe)
    abe.post(f"{path}/assessment", data={"csrf_token": token, "exclusion": "none"})
    answer = abe.post(
        f"{path}/notices",
        data={
            "csrf_token": token,
            "audience": "individual",
            "client_id": faxed[0],
            "sent_on": (clock.now.date() - timedelta(days=1)).isoformat(),
            "method": "email",
        },
    )
    assert answer.status_code == 422
    assert "H-B4: a notice cannot go out before the discovery" in answer.text
    assert count(runtime, models.IncidentNotice) == 0


def test_the_register_and_hhs_log_are_the_privacy_officers_alone(
    signed_in: Open, faxed: tuple[str, str], clock: FakeClock
) -> None:
    desk = signed_in("dee", "front_desk")
    _report_from_the_disclosure(desk, faxed[0])
    assert desk.get("/incidents").status_code == 403
    abe = signed_in("abe", "auditor")
    assert "misdirected disclosure" in abe.get("/incidents").text
    log = abe.get(f"/incidents/hhs-log.csv?year={clock.now.year}")
    assert (log.status_code, log.mimetype) == (200, "text/csv")
