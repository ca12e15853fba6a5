"""The steps of the browser journeys, each what a person does on one or two pages of roi-tracker."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from fpdf import FPDF
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.pages import Camera
from tests.e2e.pages import Keyboard
from tests.e2e.pages import Mouse
from tests.e2e.pages import pdf_text

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


def record_release(page: Page, camera: Camera, signed_form: Path, not_a_pdf: Path) -> None:
    """Record Robin's signed HIPAA authorization: diagnosis to Dr Rivera for continuity of care.

    The first try attaches a text file: the form comes back with everything typed, the problem at the file
    field and in the summary, and says the file must be chosen again (issue 17, item 1).
    """
    page.get_by_role("link", name="Record an authorization").click()
    expect(page.locator(".client-named")).to_contain_text(FAMILY)
    camera.look(page, "authorization-form")
    recipient = page.locator("#recipient_id option", has_text=RECIPIENT).get_attribute("value")
    # A kind's own fields show for that kind only (issue 17, item 7).
    page.locator("#kind").select_option("part2_tpo")
    expect(page.locator("#recipient_class")).to_be_visible()
    page.locator("#kind").select_option("hipaa")
    expect(page.locator("#recipient_class")).to_be_hidden()
    expect(page.locator("#representative_name")).to_be_hidden()
    page.locator("#recipient_id").select_option(recipient)
    page.locator("#categories-diagnosis").check()
    page.locator("#purposes-continuity_of_care").check()
    for name, value in (("effective_on", today()), ("expires_on", today(100)), ("signed_on", today())):
        page.locator(f"#{name}").fill(value)
    page.locator("#signed_by").select_option("client")
    for statement in ("right_to_revoke", "no_conditioning", "redisclosure"):
        page.locator(f"#statements-{statement}").check()
    page.locator("#copy_given_on").fill(today())
    page.locator("#copy_method").fill("in person")
    page.locator("#signed_form").set_input_files(not_a_pdf)
    page.get_by_role("button", name="Record authorization").click()
    expect(page.locator(".problems")).to_contain_text("The signed form")
    expect(page.locator("#signed_form-error")).to_contain_text("PDF")
    expect(page.locator("#signed_form-again")).to_contain_text("choose the file again")
    expect(page.locator("#categories-diagnosis")).to_be_checked()
    expect(page.locator("#expires_on")).to_have_value(today(100))
    expect(page.locator("#copy_method")).to_have_value("in person")
    camera.look(page, "authorization-form-came-back")
    page.locator("#signed_form").set_input_files(signed_form)
    page.get_by_role("button", name="Record authorization").click()
    expect(page.locator(".flash")).to_contain_text("recorded: active")


def ask(keys: Keyboard, category: str) -> None:
    """On the client's page, ask whether `category` may go to Dr Rivera for continuity of care."""
    keys.press("May we send this?")
    expect(keys.page.get_by_role("heading", name="May we send this?")).to_be_visible()
    expect(keys.page.locator(".client-named")).to_contain_text(FAMILY)
    keys.fill("To", RECIPIENT)
    keys.fill("For", "Continuity")
    keys.tick(category)
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


def revoke_release(page: Page, camera: Camera, revocation: Path) -> None:
    """Open "Revoke or end" on Robin's release and record the written revocation, received today."""
    page.get_by_text("Revoke or end").click()
    camera.look(page, "revoke-form")
    page.get_by_label("Revocation received on (YYYY-MM-DD)").fill(today())
    page.get_by_label("The written revocation").set_input_files(revocation)
    page.get_by_role("button", name="Record revocation").click()
    expect(page.locator(".flash")).to_contain_text("is revoked from")


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
    page.locator("#recipient_type").select_option("authority")
    page.locator("#imminent").select_option("yes")
    page.locator("#recipient_able_to_lessen").select_option("yes")
    page.locator("#disclosed_categories-demographics").check()
    page.locator("#channel").select_option("phone")


def review_the_exception(page: Page, camera: Camera, reference: str) -> None:
    """Open the review queue from the home page and record the review as a second person."""
    expect(page.get_by_text("1 waiting for review")).to_be_visible()
    page.get_by_role("link", name="Open the review queue").click()
    item = page.locator("section.review", has_text=reference)
    expect(item).to_contain_text("By carol")
    camera.look(page, "review-queue")
    # No outcome is chosen for the reviewer, and "inappropriate" needs its reasons (issue 17, item 3).
    expect(item.get_by_label("Outcome")).to_have_value("")
    item.get_by_role("button", name="Record review").click()
    item = page.locator("section.review", has_text=reference)
    expect(item.locator(".error")).to_contain_text("Choose an outcome")
    item.get_by_label("Outcome").select_option("inappropriate")
    item.get_by_role("button", name="Record review").click()
    item = page.locator("section.review", has_text=reference)
    expect(item.locator(".error")).to_contain_text("why it was inappropriate")
    expect(item.get_by_label("Outcome")).to_have_value("inappropriate")
    camera.look(page, "review-needs-notes")
    item.get_by_label("Outcome").select_option("appropriate")
    item.get_by_label("Notes").fill("Threat specific and imminent; the warning was proportionate.")
    item.get_by_role("button", name="Record review").click()
    expect(page.locator(".flash")).to_contain_text("Reviewed: appropriate")
    expect(page.get_by_text("Nothing here.")).to_be_visible()
    page.get_by_role("link", name="all", exact=True).click()
    reviewed = page.locator("section.review", has_text=reference)
    expect(reviewed.locator(".badge")).to_have_text("appropriate")
    expect(reviewed.locator(".reviewed")).to_contain_text("by olive")
    expect(reviewed.locator(".reviewed")).to_contain_text("the warning was proportionate")


def read_the_clients_log(page: Page, camera: Camera, reference: str) -> None:
    """Filter the log to the client by reference: every row is theirs, the exception and its review too.

    A date typed as 12/01/2026 first comes back at its field, as typed (issue 17, items 1 and 4).
    """
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Access log").click()
    page.get_by_label("From (YYYY-MM-DD)").fill("12/01/2026")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#since-error")).to_contain_text("YYYY-MM-DD")
    expect(page.get_by_label("From (YYYY-MM-DD)")).to_have_value("12/01/2026")
    camera.look(page, "log-filter-came-back")
    page.get_by_label("From (YYYY-MM-DD)").fill("")
    page.get_by_label("Client reference (C-XXXX)").fill(reference)
    page.get_by_label("Action").select_option(label="Exception recorded")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.log tbody tr")
    expect(rows.first).to_be_visible()
    assert {cell.strip() for cell in rows.locator("td:nth-child(7)").all_inner_texts()} == {reference}
    assert {cell.split("\n")[0] for cell in rows.locator("td:nth-child(5)").all_inner_texts()} == {
        "Exception recorded"
    }
    page.get_by_label("Action").select_option("")
    page.get_by_role("button", name="Filter").click()
    expect(rows.first).to_be_visible()
    camera.look(page, "log-of-the-client")
    clients = {cell.strip() for cell in rows.locator("td:nth-child(7)").all_inner_texts()}
    assert clients == {reference}
    actions = {cell.split("\n")[0] for cell in rows.locator("td:nth-child(5)").all_inner_texts()}
    assert {"Exception recorded", "Exception reviewed"} <= actions


def produce_the_accounting(page: Page, camera: Camera, reference: str) -> str:
    """Record the client's request for an accounting, preview it and download the printable PDF."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accountings").click()
    page.get_by_label("Client reference").first.fill("C-ZZZZ")
    page.get_by_label("Received on (YYYY-MM-DD)").fill(today())
    page.get_by_role("button", name="Record request").click()
    expect(page.locator("#reference-error")).to_contain_text("no client has that reference")
    expect(page.get_by_label("Received on (YYYY-MM-DD)")).to_have_value(today())
    camera.look(page, "accounting-unknown-reference")
    page.get_by_label("Client reference").first.fill(reference)
    page.get_by_role("button", name="Record request").click()
    expect(page.locator(".flash")).to_contain_text(f"Request recorded for {reference}")
    expect(page.locator("article.release").first).to_contain_text(reference)
    camera.look(page, "accounting-requests")
    page.get_by_role("link", name="preview").click()
    expect(page.get_by_role("heading", name="Accounting of disclosures")).to_be_visible()
    expect(page.locator("table")).to_contain_text(POLICE)
    camera.look(page, "accounting")
    with page.expect_download() as download:
        page.get_by_role("link", name="Printable PDF").click()
    return pdf_text(Path(download.value.path()).read_bytes())
