"""A misdirected fax in a real browser: Frank (front desk) faxes Robin's diagnosis, learns it went to the
wrong number and reports it from the disclosure's page; Olive (privacy officer) sees it on her home with 60
days left, assesses it as a breach (H-B3), downloads Robin's notice (H-B4) and records it sent."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.pages import Camera
from tests.e2e.pages import Mouse
from tests.e2e.pages import pdf_text
from tests.e2e.pages import sign_in
from tests.e2e.server import Person
from tests.e2e.server import Server
from tests.e2e.steps import RECIPIENT
from tests.e2e.steps import add_recipient
from tests.e2e.steps import answer
from tests.e2e.steps import record_release
from tests.e2e.steps import register_client
from tests.e2e.steps import signed_pdf
from tests.e2e.steps import today

PEOPLE = [
    Person("carol", "clinician", "Carol Clinician"),
    Person("frank", "front_desk", "Frank Frontdesk"),
    Person("olive", "auditor", "Olive Auditor"),
]


@pytest.fixture(scope="module")
def server(serve: Callable[..., AbstractContextManager[Server]]) -> Iterator[Server]:
    """A fresh practice whose notices name how to reach it."""
    people = [Person(p.username, p.role, p.display_name) for p in PEOPLE]
    with serve("incidents", people, ROI_PRACTICE_CONTACT="Call 555-0100, 1 River Road") as served:
        yield served


def _fax_robins_diagnosis(page: Page, shots: Camera, client_id: str) -> None:
    hands = Mouse(page)
    page.goto(f"/clients/{client_id}")
    hands.press("May we send this?")
    rivera = page.locator("#recipient_id option", has_text=RECIPIENT).get_attribute("value")
    page.locator("#recipient_id").select_option(rivera)
    page.locator("#purpose").select_option("continuity_of_care")
    page.locator("#categories-diagnosis").check()  # a group of checkboxes (issue 17, item 7)
    hands.press("Check")
    assert answer(page).startswith("Yes")
    page.locator("#channel").select_option("fax")
    hands.fill(
        "How the requester's identity and authority were verified", "Called back on the directory number"
    )
    hands.press("Record the disclosure and make the packet")
    expect(page.get_by_role("heading", name="Disclosure recorded")).to_be_visible()
    shots.look(page, "disclosure-recorded")


def test_the_front_desk_reports_a_misdirected_fax_and_the_privacy_officer_assesses_and_notifies(
    server: Server,
    new_context: Callable[[Server], BrowserContext],
    camera: Callable[[str], Camera],
    tmp_path: Path,
) -> None:
    """From the disclosure to the notice recorded sent, every page accessible."""
    shots = camera("7-incident")
    carol = new_context(server).new_page()
    sign_in(Mouse(carol), shots, server.people["carol"])
    client_id, reference = register_client(carol, shots)
    add_recipient(carol, shots)
    carol.goto(f"/clients/{client_id}")
    not_a_pdf = tmp_path / "authorization.txt"
    not_a_pdf.write_text("a scan saved as text by mistake")
    record_release(carol, shots, signed_pdf(tmp_path, "Authorization"), not_a_pdf)

    frank = new_context(server).new_page()
    sign_in(Mouse(frank), shots, server.people["frank"])
    _fax_robins_diagnosis(frank, shots, client_id)
    Mouse(frank).press("This went to the wrong place")
    expect(frank.get_by_role("heading", name="Report an incident")).to_be_visible()
    shots.look(frank, "report-an-incident")
    Mouse(frank).fill("Describe it", "Faxed to 555-0199, a dry cleaner, instead of Northside Clinic")
    Mouse(frank).press("Report the incident")
    expect(frank.locator(".flash")).to_contain_text("reported")

    olive = new_context(server).new_page()
    sign_in(Mouse(olive), shots, server.people["olive"])
    listed = olive.locator("ol.incidents")
    expect(listed).to_contain_text("60 days left")
    shots.look(olive, "home-lists-the-open-incident")
    listed.get_by_role("link").first.click()
    expect(olive.locator(".description")).to_contain_text("dry cleaner")
    shots.look(olive, "incident")
    hands = Mouse(olive)
    olive.locator("#exclusion").select_option("none")
    olive.locator("#phi_nature").fill("Name, date of birth and diagnosis")
    olive.locator("#unauthorized_person").fill("A dry cleaner's shop")
    olive.locator("#acquired_or_viewed").fill("They read it before calling us")
    olive.locator("#mitigation").fill("They shredded it and confirmed in writing")
    hands.press("Record the assessment")
    expect(olive.locator("#determination")).to_have_text("breach")
    expect(olive.locator("ul.basis")).to_contain_text("H-B4")
    shots.look(olive, "assessed-a-breach")
    with olive.expect_download() as download:
        hands.press(f"Download the notice letter for {reference} (PDF)")
    letter = pdf_text(Path(download.value.path()).read_bytes())
    assert "Robin" in letter
    assert "Call 555-0100, 1 River Road" in letter
    olive.get_by_label(f"Sent to {reference} on (YYYY-MM-DD)").fill(today())
    hands.press(f"Record the notice to {reference} as sent")
    expect(olive.locator(".flash")).to_contain_text("Notice recorded as sent.")
    expect(olive.locator("ul.notices")).to_contain_text(reference)
    shots.look(olive, "notice-recorded")
