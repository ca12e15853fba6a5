"""The idle timeout in a real browser: a warning first, then the person is signed out on both sides.

Ivy's page was left alone at the start of the run (the `idle_page` fixture) on a server with
ROI_SESSION_IDLE_MINUTES=1, and this journey runs last, so the server's minute passes during the others. The
page's own clock was paused; moving it forward shows what Ivy would have seen.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.e2e.conftest import IdlePage

IDLE_SECONDS = 60


def test_an_idle_person_is_warned_then_signed_out(idle_page: IdlePage) -> None:
    """Half a minute in, the page warns with "Stay signed in" focused; after the minute Ivy is signed out."""
    page, shots = idle_page.page, idle_page.camera
    time.sleep(max(0.0, idle_page.left_at + IDLE_SECONDS + 2 - time.monotonic()))
    page.clock.fast_forward("00:31")
    expect(page.get_by_role("alertdialog", name="Still there?")).to_be_visible()
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    page.clock.resume()  # axe-core needs timers that run
    shots.look(page, "idle-warning")
    page.clock.fast_forward("00:30")
    expect(page).to_have_url(re.compile(r"/signin\?notice=idle$"))
    expect(page.get_by_text("signed out after a period without activity")).to_have_count(1)
    shots.look(page, "signed-out")
    page.goto("/clients")
    expect(page).to_have_url(re.compile(r"/signin"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
