"""The checks every journey page passes would catch a broken page: axe-core findings, unlabelled controls."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import AXE
from tests.e2e.pages import CONTROLS_SCRIPT
from tests.e2e.pages import assert_accessible

BROKEN = """<!doctype html><html lang="en"><head><title>Broken</title></head><body><main id="main">
<h1>Broken</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<form><input name="nameless"><button type="submit"></button></form></main></body></html>"""


def test_axe_core_fails_a_page_with_an_image_without_a_text_alternative(browser: Browser) -> None:
    """A critical finding (image-alt) fails the look at a page."""
    page = browser.new_page()
    page.set_content(BROKEN)
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page, AXE.read_text(), "broken")
    page.close()


def test_a_control_without_a_visible_label_and_a_button_without_text_are_named(browser: Browser) -> None:
    """The keyboard check names the unlabelled input and the empty button."""
    page = browser.new_page()
    page.set_content(BROKEN)
    assert page.evaluate(CONTROLS_SCRIPT) == [
        "nameless: no visible label",
        "button: a button without visible text",
    ]
    page.close()
