"""Olive (privacy officer) finds the "Needs you" list on her home, then gives her work address on her account
page and stops e-mail about reviews, keeping e-mail about a failed log verification (issue 21)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from playwright.sync_api import BrowserContext
from playwright.sync_api import expect

from tests.e2e.pages import Camera
from tests.e2e.pages import Mouse
from tests.e2e.pages import sign_in
from tests.e2e.server import Person
from tests.e2e.server import Server

REVIEWS = "exceptions or emergency access waiting for review"
LOG = "access-log verification failed"


def test_the_privacy_officer_sees_what_needs_her_and_chooses_her_reminders(
    serve: Callable[..., AbstractContextManager[Server]],
    new_context: Callable[[Server], BrowserContext],
    camera: Callable[[str], Camera],
) -> None:
    """Home lists nothing needing her; the account form keeps her address and her one opt-out."""
    shots = camera("7-reminder-settings")
    olive = Person("olive", "auditor", "Olive Auditor")
    with serve("reminders", [olive]) as server:
        page = new_context(server).new_page()
        hands = Mouse(page)
        sign_in(hands, shots, olive)
        needs = page.locator("section.needs-you")
        expect(needs.get_by_role("heading", name="Needs you")).to_be_visible()
        expect(needs).to_contain_text("Nothing needs you now.")
        shots.look(page, "home-needs-you")
        page.goto("/account")
        hands.fill("Work e-mail address", "olive@practice.example")
        page.get_by_label(REVIEWS).uncheck()
        shots.look(page, "account-reminders")
        hands.press("Save reminder settings")
        expect(page.get_by_text("Reminder settings saved.")).to_be_visible()
        expect(page.get_by_label("Work e-mail address", exact=True)).to_have_value("olive@practice.example")
        expect(page.get_by_label(REVIEWS)).not_to_be_checked()
        expect(page.get_by_label(LOG)).to_be_checked()
        shots.look(page, "account-reminders-saved")
