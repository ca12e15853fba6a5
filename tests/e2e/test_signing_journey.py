"""Signing in the office, in a real browser: a release prepared from a template is signed on the device.

Carol (clinician) registers Robin, prepares a HIPAA release from the practice's template and hands the device
over; Robin draws a signature with the pointer, confirms intent and consent, and downloads a copy; Carol takes
the device back with her password; Frank (front desk) then sends the diagnosis the signed release permits.
A second release is signed by keyboard alone, with a typed name. Every page passes axe-core.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.pages import Camera
from tests.e2e.pages import Keyboard
from tests.e2e.pages import Mouse
from tests.e2e.pages import pdf_text
from tests.e2e.pages import sign_in
from tests.e2e.pages import tab_to
from tests.e2e.server import Person
from tests.e2e.server import Server
from tests.e2e.steps import RECIPIENT
from tests.e2e.steps import add_recipient
from tests.e2e.steps import answer
from tests.e2e.steps import ask
from tests.e2e.steps import register_client
from tests.e2e.steps import signed_pdf
from tests.e2e.steps import today
from tests.e2e.steps import upload_document

CAROL = Person("carol", "clinician", "Carol Clinician")
FRANK = Person("frank", "front_desk", "Frank Frontdesk")


def prepare_release(page: Page, camera: Camera, category: str) -> None:
    """On the client's page, fill the HIPAA template (to Dr Rivera, continuity of care) and hand over."""
    page.get_by_role("link", name="Prepare a release to sign").click()
    camera.look(page, f"prepare-{category}")
    page.locator("#template_id").select_option(
        label="Permission to share health information (hipaa, version 1)"
    )
    recipient = page.locator("#recipient_id option", has_text=RECIPIENT).get_attribute("value")
    page.locator("#recipient_id").select_option(recipient)
    page.locator(f"#categories-{category}").check()  # groups of checkboxes (issue 17, item 7)
    page.locator("#purposes-continuity_of_care").check()
    page.locator("#expires_on").fill(today(100))
    page.locator("#signed_by").select_option("client")
    page.get_by_role("button", name="Hand the device to the client").click()
    expect(page.get_by_role("heading", name="Sign this form")).to_be_visible()


def draw_signature(page: Page) -> None:
    """Draw a stroke across the signature pad with the pointer."""
    box = page.locator("#signature-pad").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 35, box["y"] + box["height"] * (0.7 - 0.4 * (step % 2)))
    page.mouse.up()


def take_back(page: Page, person: Person) -> None:
    """The staff person ends the signing with their password and is back on the client's page."""
    Mouse(page).fill("Staff password", person.password)
    page.get_by_role("button", name="End signing").click()
    expect(page.get_by_role("link", name="Prepare a release to sign")).to_be_visible()


def test_a_client_signs_a_release_prepared_from_a_template_and_the_front_desk_sends_under_it(
    serve: Callable[..., AbstractContextManager[Server]],
    new_context: Callable[[Server], BrowserContext],
    camera: Callable[[str], Camera],
    tmp_path: Path,
) -> None:
    """Drawn by pointer, then typed by keyboard: each becomes an active release; Frank's send is permitted."""
    shots = camera("7-signing-in-the-office")
    with serve("signing", [Person(CAROL.username, CAROL.role, CAROL.display_name), FRANK]) as server:
        carol = server.people["carol"]
        page = new_context(server).new_page()
        sign_in(Mouse(page), shots, carol)
        client_id, reference = register_client(page, shots)
        upload_document(page, signed_pdf(tmp_path, "Diagnosis summary"))
        add_recipient(page, shots)
        page.goto(f"/clients/{client_id}")
        prepare_release(page, shots, "diagnosis")
        expect(page.get_by_role("navigation")).to_have_count(0)  # nothing but the form
        expect(page.locator("article.release-form")).to_contain_text(RECIPIENT)
        shots.look(page, "signing-page")
        page.get_by_label("Draw my signature").check()
        draw_signature(page)
        Mouse(page).fill("Your full name", "Robin Quill-Example")
        page.get_by_label("I have read this form and I choose to sign it.").check()
        page.get_by_label("I agree to sign this form electronically, on this screen.").check()
        page.get_by_role("button", name="Sign the form").click()
        expect(page.get_by_role("heading", name="Thank you: your form is signed")).to_be_visible()
        shots.look(page, "signed")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download your copy (PDF)").click()
        copy = pdf_text(Path(download.value.path()).read_bytes())
        assert "Signed by Robin Quill-Example (the client), drawn on screen" in copy
        assert "Witnessed by Carol Clinician" in copy
        page.goto("/clients")  # the device stays on the signing page until staff take it back
        expect(page.get_by_role("heading", name="Thank you: your form is signed")).to_be_visible()
        take_back(page, carol)
        expect(page.locator("article.release .badge").first).to_have_text("active")
        shots.look(page, "client-with-signed-release")

        prepare_release(page, shots, "treatment_plan")
        keys = Keyboard(page)
        keys.fill("Your full name", "Robin Quill-Example")
        for agreement in (
            "I have read this form and I choose to sign it.",
            "I agree to sign this form electronically, on this screen.",
        ):
            tab_to(page, agreement)
            page.keyboard.press("Space")  # Enter would submit the form; Space ticks the box
        keys.press("Sign the form")
        expect(page.get_by_role("heading", name="Thank you: your form is signed")).to_be_visible()
        take_back(page, carol)

        desk = new_context(server).new_page()
        sign_in(Keyboard(desk), shots, server.people["frank"])
        desk.goto(f"/clients/{client_id}")
        ask(Keyboard(desk), "Diagnosis")
        assert answer(desk).startswith("Yes")
        shots.look(desk, "front-desk-may-send")
        frank_keys = Keyboard(desk)
        frank_keys.fill("Sent by", "Fax")
        frank_keys.tick("Diagnosis summary")  # a group of checkboxes (issue 17, item 7)
        frank_keys.fill(
            "How the requester's identity and authority were verified", "Called the directory number"
        )
        frank_keys.press("Record the disclosure and make the packet")
        expect(desk.get_by_role("heading", name="Disclosure recorded")).to_be_visible()
        assert reference
