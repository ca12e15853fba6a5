"""One practice, five journeys in a real browser against `roi-tracker serve`, each building on the one before.

Carol (clinician) registers Robin and records Robin's signed release; Frank (front desk, keyboard only)
sends what it permits and is refused what it does not; Carol revokes it and Frank's same question is refused;
Carol records a danger-to-others exception; Olive (auditor) reviews it, reads Robin's log, verifies the log
and produces Robin's accounting.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from fpdf import FPDF
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.pages import Camera
from tests.e2e.pages import Keyboard
from tests.e2e.pages import Mouse
from tests.e2e.pages import pdf_text
from tests.e2e.pages import sign_in
from tests.e2e.server import Person
from tests.e2e.server import Server

PEOPLE = [
    Person("carol", "clinician", "Carol Clinician"),
    Person("frank", "front_desk", "Frank Frontdesk"),
    Person("olive", "auditor", "Olive Auditor"),
]
FAMILY, DOB = "Quill-Example", "1984-03-07"
RECIPIENT = "Dr Ana Rivera"
POLICE = "Springfield Police"


def signed_pdf(folder: Path, title: str) -> Path:
    """Write a one-page PDF standing in for a signed paper form."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=f"{title} - signed by the client (synthetic, e2e)")
    path = folder / f"{title.lower().replace(' ', '-')}.pdf"
    pdf.output(str(path))
    return path


@dataclass
class Practice:
    """The served instance, a browser page per person, and what the journeys learn along the way."""

    server: Server
    open_context: Callable[[Server], BrowserContext]
    folder: Path
    pages: dict[str, Page] = field(default_factory=dict)
    client_id: str = ""
    reference: str = ""

    def page_of(self, username: str, *, fresh: bool = False) -> Page:
        """Return the person's page, in a new browser profile the first time (or when `fresh`)."""
        if fresh or username not in self.pages:
            self.pages[username] = self.open_context(self.server).new_page()
        return self.pages[username]

    def person(self, username: str) -> Person:
        """Return a member of staff of this practice."""
        return self.server.people[username]

    def require_client(self) -> None:
        """Stop a journey whose client an earlier journey failed to register."""
        if not self.client_id:
            pytest.fail("journey 1 did not register the client; this journey builds on it")


@pytest.fixture(scope="module")
def practice(
    serve: Callable[..., AbstractContextManager[Server]],
    new_context: Callable[[Server], BrowserContext],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Practice]:
    """A fresh practice with a clinician, a front desk and an auditor, all required to use a second factor."""
    people = [Person(p.username, p.role, p.display_name) for p in PEOPLE]
    with serve("journeys", people) as server:
        yield Practice(server, new_context, tmp_path_factory.mktemp("forms"))


def today(days: int = 0) -> str:
    """Return the server's date (UTC) `days` from now, as YYYY-MM-DD."""
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def register_client(page: Page, camera: Camera) -> tuple[str, str]:
    """Register Robin from the home page; return Robin's id and reference."""
    page.get_by_role("link", name="Register a client").click()
    camera.look(page, "register-client")
    hands = Mouse(page)
    hands.fill("Given name", "Robin")
    hands.fill("Family name", FAMILY)
    hands.fill("Date of birth", DOB)
    hands.press("Save")
    expect(page.locator(".flash")).to_contain_text("Registered C-")
    return page.url.rsplit("/", 1)[1], page.locator("h1 small").inner_text().strip()


def upload_document(page: Page, path: Path) -> None:
    """Upload a diagnosis summary on the client's page."""
    page.get_by_label("File (PDF, PNG or JPEG)").set_input_files(path)
    page.get_by_label("Category", exact=True).select_option("diagnosis")
    page.get_by_label("Title", exact=True).fill("Diagnosis summary")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("link", name="Diagnosis summary")).to_be_visible()


def add_recipient(page: Page, camera: Camera) -> None:
    """Add Dr Rivera to the recipients directory."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Recipients").click()
    camera.look(page, "recipients")
    Mouse(page).fill("Name", RECIPIENT)
    Mouse(page).fill("Organization", "Northside Clinic")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".directory")).to_contain_text(RECIPIENT)


def record_release(page: Page, camera: Camera, signed_form: Path) -> None:
    """Record Robin's signed HIPAA authorization: diagnosis to Dr Rivera for continuity of care."""
    page.get_by_role("link", name="Record an authorization").click()
    camera.look(page, "authorization-form")
    recipient = page.locator("#recipient_id option", has_text=RECIPIENT).get_attribute("value")
    page.locator("#kind").select_option("hipaa")
    page.locator("#recipient_id").select_option(recipient)
    page.locator("#categories").select_option(["diagnosis"])
    page.locator("#purposes").select_option(["continuity_of_care"])
    for name, value in (("effective_on", today()), ("expires_on", today(100)), ("signed_on", today())):
        page.locator(f"#{name}").fill(value)
    page.locator("#signed_by").select_option("client")
    page.locator("#statements").select_option(["right_to_revoke", "no_conditioning", "redisclosure"])
    page.locator("#copy_given_on").fill(today())
    page.locator("#copy_method").fill("in person")
    page.locator("#signed_form").set_input_files(signed_form)
    page.get_by_role("button", name="Record authorization").click()
    expect(page.locator(".flash")).to_contain_text("recorded: active")


def test_a_clinician_signs_in_with_mfa_registers_a_client_and_records_a_signed_release(
    practice: Practice, camera: Callable[[str], Camera]
) -> None:
    """Carol enrols her authenticator, registers Robin, uploads a document and Robin's release: active."""
    shots = camera("1-clinician-records-a-release")
    page = practice.page_of("carol")
    sign_in(Mouse(page), shots, practice.person("carol"))
    shots.look(page, "home")
    client_id, reference = register_client(page, shots)
    upload_document(page, signed_pdf(practice.folder, "Diagnosis summary"))
    add_recipient(page, shots)
    page.goto(f"/clients/{client_id}")
    record_release(page, shots, signed_pdf(practice.folder, "Authorization"))
    release = page.locator("article.release")
    expect(release.locator(".badge")).to_have_text("active")
    expect(release).to_contain_text(RECIPIENT)
    shots.look(page, "release-active")
    practice.client_id, practice.reference = client_id, reference


def ask(keys: Keyboard, category: str) -> None:
    """On the client's page, ask whether `category` may go to Dr Rivera for continuity of care."""
    keys.press("May we send this?")
    expect(keys.page.get_by_role("heading", name="May we send this?")).to_be_visible()
    keys.fill("To", RECIPIENT)
    keys.fill("For", "Continuity")
    keys.fill("What", category)
    keys.press("Check")


def back_to_the_client(keys: Keyboard, reference: str) -> None:
    """Follow the link back to the client's page."""
    keys.press("Back to the client")
    expect(keys.page.get_by_role("heading", level=1)).to_contain_text(reference)


def answer(page: Page) -> str:
    """Return the big word of the answer and every reason under it."""
    card = page.locator("section.answer")
    expect(card).to_be_visible()
    return card.inner_text()


def test_the_front_desk_sends_a_permitted_disclosure_and_is_told_why_another_is_refused(
    practice: Practice, camera: Callable[[str], Camera]
) -> None:
    """By keyboard alone Frank finds Robin, sends the diagnosis with its packet; psychotherapy notes: No."""
    practice.require_client()
    shots = camera("2-front-desk-checks-and-sends")
    page = practice.page_of("frank")
    keys = Keyboard(page)
    sign_in(keys, shots, practice.person("frank"))
    shots.look(page, "home")
    keys.fill("Family name", FAMILY)
    keys.fill("Date of birth", DOB)
    keys.press("Find")
    expect(page.get_by_role("heading", name="1 match")).to_be_visible()
    shots.look(page, "search-results")
    keys.press(practice.reference)
    expect(page.get_by_role("heading", level=1)).to_contain_text(practice.reference)
    shots.look(page, "client")
    ask(keys, "Diagnosis")
    assert answer(page).startswith("Yes")
    shots.look(page, "answer-yes")
    keys.fill("Sent by", "Fax")
    keys.fill("Documents to enclose", "Diagnosis summary")
    keys.fill(
        "How the requester's identity and authority were verified", "Called back on the directory number"
    )
    keys.press("Record the disclosure and make the packet")
    expect(page.get_by_role("heading", name="Disclosure recorded")).to_be_visible()
    shots.look(page, "disclosure-recorded")
    with page.expect_download() as download:
        keys.press("Download the release packet (PDF)")
    packet = pdf_text(Path(download.value.path()).read_bytes())
    assert practice.reference in packet
    assert RECIPIENT in packet
    back_to_the_client(keys, practice.reference)
    ask(keys, "Psychotherapy")
    refused = answer(page)
    assert refused.startswith("No"), refused
    assert "DT-5" in refused
    shots.look(page, "answer-no")


def revoke_release(page: Page, camera: Camera, revocation: Path) -> None:
    """Open "Revoke or end" on Robin's release and record the written revocation, received today."""
    page.get_by_text("Revoke or end").click()
    camera.look(page, "revoke-form")
    page.get_by_label("Revocation received on (YYYY-MM-DD)").fill(today())
    page.get_by_label("The written revocation").set_input_files(revocation)
    page.get_by_role("button", name="Record revocation").click()
    expect(page.locator(".flash")).to_contain_text("is revoked from")


def test_after_the_clinician_revokes_the_release_the_same_question_is_refused(
    practice: Practice, camera: Callable[[str], Camera]
) -> None:
    """Carol signs in again (a code this time) and revokes; Frank asks again and hears No under H-D3."""
    practice.require_client()
    shots = camera("3-revocation")
    page = practice.page_of("carol", fresh=True)
    sign_in(Mouse(page), shots, practice.person("carol"))
    page.get_by_role("link", name=re.compile("Robin")).click()
    revoke_release(page, shots, signed_pdf(practice.folder, "Revocation"))
    expect(page.locator("article.release .badge")).to_have_text("revoked")
    shots.look(page, "release-revoked")
    front_desk = practice.page_of("frank")
    keys = Keyboard(front_desk)
    back_to_the_client(keys, practice.reference)
    ask(keys, "Diagnosis")
    refused = answer(front_desk)
    assert refused.startswith("No"), refused
    assert "H-D3" in refused
    shots.look(front_desk, "answer-no-after-revocation")


def fill_danger_to_others(page: Page, password: str) -> None:
    """Fill the danger-to-others form: the police were warned by phone about a named neighbour."""
    for name, value in (
        ("recipient_name", "Officer J. Lee"),
        ("recipient_organization", POLICE),
        ("threat", "A stated plan to harm"),
        ("target", "A named neighbour"),
        ("imminence", "Within days"),
        ("recipient_can_lessen", "The police can intervene and warn the neighbour."),
        ("justification", "Specific plan against a named neighbour; police warned."),
        ("password", password),
    ):
        page.locator(f"#{name}").fill(value)
    page.locator("#basis_of_belief").select_option("actual_knowledge")
    page.locator("#disclosed_categories").select_option(["demographics"])
    page.locator("#channel").select_option("phone")


def test_the_clinician_records_a_danger_to_others_exception(
    practice: Practice, camera: Callable[[str], Camera]
) -> None:
    """Carol reads the legal basis, fills the guided form, re-enters her password; Robin's page flags it."""
    practice.require_client()
    shots = camera("4-exception")
    page = practice.page_of("carol")
    page.goto(f"/clients/{practice.client_id}")
    page.get_by_role("link", name="Record a confidentiality exception").click()
    shots.look(page, "choose-kind")
    page.get_by_role("link", name=re.compile("Record: .*danger to others", re.IGNORECASE)).click()
    shots.look(page, "danger-to-others-form")
    fill_danger_to_others(page, practice.person("carol").password)
    page.get_by_role("button", name="Record the exception").click()
    expect(page.locator(".flash")).to_contain_text("Exception recorded")
    expect(page.locator(".exception-flag")).to_contain_text("danger to others — under review")
    shots.look(page, "client-flagged")


def review_the_exception(page: Page, camera: Camera, reference: str) -> None:
    """Open the review queue from the home page and record the review as a second person."""
    expect(page.get_by_text("1 waiting for review")).to_be_visible()
    page.get_by_role("link", name="Open the review queue").click()
    item = page.locator("section.review", has_text=reference)
    expect(item).to_contain_text("By carol")
    camera.look(page, "review-queue")
    item.get_by_label("Outcome").select_option("appropriate")
    item.get_by_label("Notes").fill("Threat specific and imminent; the warning was proportionate.")
    item.get_by_role("button", name="Record review").click()
    expect(page.locator(".flash")).to_contain_text("Reviewed: appropriate")
    expect(page.get_by_text("Nothing here.")).to_be_visible()
    page.get_by_role("link", name="all", exact=True).click()
    expect(page.locator("section.review", has_text=reference).locator(".badge")).to_have_text("appropriate")


def read_the_clients_log(page: Page, camera: Camera, client_id: str) -> None:
    """Filter the access log to the client: every row is about them, the exception and its review included."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Access log").click()
    page.get_by_label("Client id").fill(client_id)
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.log tbody tr")
    expect(rows.first).to_be_visible()
    camera.look(page, "log-of-the-client")
    clients = {cell.strip() for cell in rows.locator("td:nth-child(7)").all_inner_texts()}
    assert clients == {client_id[:8]}
    actions = set(rows.locator("td:nth-child(5)").all_inner_texts())
    assert {"exception:recorded", "exception:reviewed"} <= actions


def produce_the_accounting(page: Page, camera: Camera, reference: str) -> str:
    """Record the client's request for an accounting, preview it and download the printable PDF."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accountings").click()
    page.get_by_label("Client reference").first.fill(reference)
    page.get_by_label("Received on (YYYY-MM-DD)").fill(today())
    page.get_by_role("button", name="Record request").click()
    camera.look(page, "accounting-requests")
    page.get_by_role("link", name="preview").click()
    expect(page.get_by_role("heading", name="Accounting of disclosures")).to_be_visible()
    expect(page.locator("table")).to_contain_text(POLICE)
    camera.look(page, "accounting")
    with page.expect_download() as download:
        page.get_by_role("link", name="Printable PDF").click()
    return pdf_text(Path(download.value.path()).read_bytes())


def test_an_auditor_reviews_the_exception_reads_the_log_verifies_it_and_produces_the_accounting(
    practice: Practice, camera: Callable[[str], Camera]
) -> None:
    """Olive reviews Carol's exception, filters the log to Robin, verifies it, produces the accounting."""
    practice.require_client()
    shots = camera("5-auditor")
    page = practice.page_of("olive")
    sign_in(Mouse(page), shots, practice.person("olive"))
    shots.look(page, "home")
    review_the_exception(page, shots, practice.reference)
    read_the_clients_log(page, shots, practice.client_id)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Verification").click()
    page.get_by_role("button", name="Verify now").click()
    expect(page.locator(".verdict")).to_contain_text("Intact")
    shots.look(page, "verified")
    accounting = produce_the_accounting(page, shots, practice.reference)
    assert practice.reference in accounting
    assert POLICE in accounting
