"""The request desk in a real browser: a mailed access request logged, extended, fulfilled, and audited.

Carol (clinician) registers Robin and files Robin's diagnosis summary; Frank (front desk) logs Robin's mailed
request on the Requests page, sees its clock, extends it once and fulfils it with a packet; Olive (auditor)
opens the request and reads its whole history. Every page is checked with axe.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from playwright.sync_api import BrowserContext
from playwright.sync_api import expect

from tests.e2e.pages import Camera
from tests.e2e.pages import Mouse
from tests.e2e.pages import pdf_text
from tests.e2e.pages import sign_in
from tests.e2e.server import Person
from tests.e2e.server import Server
from tests.e2e.steps import register_client
from tests.e2e.steps import signed_pdf
from tests.e2e.steps import upload_document

PEOPLE = [
    Person("carol", "clinician", "Carol Clinician"),
    Person("frank", "front_desk", "Frank Frontdesk"),
    Person("olive", "auditor", "Olive Auditor"),
]


def test_a_mailed_access_request_is_logged_extended_fulfilled_and_audited(
    serve: Callable[..., AbstractContextManager[Server]],
    new_context: Callable[[Server], BrowserContext],
    camera: Callable[[str], Camera],
    tmp_path: Path,
) -> None:
    """H-A2 clock on intake, one H-A3 extension, fulfilment with a packet, the auditor's view of each step."""
    shots = camera("7-request-desk")
    people = [Person(p.username, p.role, p.display_name) for p in PEOPLE]
    with serve("request-desk", people) as server:
        carol = new_context(server).new_page()
        sign_in(Mouse(carol), shots, server.people["carol"])
        _client_id, reference = register_client(carol, shots)
        upload_document(carol, signed_pdf(tmp_path, "Diagnosis summary"))

        frank = new_context(server).new_page()
        hands = Mouse(frank)
        sign_in(hands, shots, server.people["frank"])
        frank.get_by_role("navigation", name="Main").get_by_role("link", name="Requests").click()
        shots.look(frank, "requests-empty")
        hands.fill("Client reference", reference)
        frank.get_by_label("Arrived by").select_option("mail")
        hands.fill("Requester's name", "Robin Quill-Example")
        frank.locator("#categories-diagnosis").check()  # a group of checkboxes (issue 17, item 7)
        hands.press("Log request")
        expect(frank.locator(".flash")).to_contain_text("recorded: due")
        expect(frank.locator(".badge")).to_have_text("30 days left")
        shots.look(frank, "request-logged")

        frank.get_by_label("Reason for the delay (sent in writing)").fill(
            "The paper file is in off-site storage."
        )
        hands.press("Extend")
        expect(frank.locator(".flash")).to_contain_text("Extended")
        expect(frank.locator(".badge")).to_have_text("60 days left")
        shots.look(frank, "request-extended")

        frank.get_by_label("Diagnosis summary (diagnosis)").check()
        hands.fill(
            "How the requester's identity and authority were verified (DT-3)", "Signature matches the file"
        )
        hands.press("Fulfil and record the disclosure")
        expect(frank.locator(".flash")).to_contain_text("Fulfilled")
        shots.look(frank, "request-fulfilled")
        with frank.expect_download() as download:
            frank.get_by_role("link", name="Release packet").click()
        assert reference in pdf_text(Path(download.value.path()).read_bytes())

        olive = new_context(server).new_page()
        sign_in(Mouse(olive), shots, server.people["olive"])
        olive.goto("/requests?status=all")
        shots.look(olive, "auditor-requests")
        olive.locator("table a").first.click()
        history = olive.locator("ol")
        for step in ("request.received", "request.extended", "request.fulfilled"):
            expect(history).to_contain_text(step)
        expect(olive.locator("main")).not_to_contain_text("Robin Quill-Example")
        shots.look(olive, "auditor-request-history")
