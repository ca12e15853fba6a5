"""What a journey does on a page: look at it (screenshot, axe-core, labelled focusable controls), sign in."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.server import Person

BLOCKING = ("serious", "critical")
MAX_TABS = 80

# Every visible control of every form: focusable, and with a visible label (buttons: visible text).
CONTROLS_SCRIPT = """() => {
  const problems = [];
  const before = document.activeElement;
  const shown = (el) => el.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true});
  for (const form of document.forms) {
    for (const el of form.elements) {
      if (el.type === "hidden" || el.tagName === "FIELDSET" || !shown(el)) continue;
      const name = el.name || el.id || el.tagName.toLowerCase();
      el.focus();
      if (document.activeElement !== el) problems.push(name + ": cannot be focused");
      if (el.tagName === "BUTTON" || el.type === "submit") {
        if (!(el.innerText || el.value || "").trim()) problems.push(name + ": a button without visible text");
        continue;
      }
      const labels = [...(el.labels || [])].filter((l) => shown(l) && l.innerText.trim()
        && !l.classList.contains("visually-hidden"));
      if (!labels.length) problems.push(name + ": no visible label");
    }
  }
  // Put focus back where the page left it, so a keyboard journey goes on from there.
  const back = before && before !== document.body ? before : document.getElementById("main");
  if (back) back.focus();
  return problems;
}"""


@dataclass
class Camera:
    """Where a journey's screenshots go, numbered in the order they were taken."""

    folder: Path
    axe_source: str
    taken: int = 0

    def look(self, page: Page, name: str) -> None:
        """Screenshot the page, then fail on serious or critical axe findings or on unlabelled controls."""
        page.wait_for_load_state("load")
        self.taken += 1
        page.screenshot(path=self.folder / f"{self.taken:02d}-{name}.png", full_page=True)
        assert_accessible(page, self.axe_source, name)
        problems = page.evaluate(CONTROLS_SCRIPT)
        assert not problems, f"{name}: form controls that a keyboard user cannot use: {problems}"


def assert_accessible(page: Page, axe_source: str, name: str) -> None:
    """Run axe-core on the page (injected over the DevTools protocol, so the CSP stays as served)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{name}: axe-core found serious or critical problems: {blocking}"


class Mouse:
    """Hands that point and click: fill a control by its label, press a button or link by its name."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def fill(self, label: str, text: str) -> None:
        """Fill the control with this label."""
        self.page.get_by_label(label, exact=True).fill(text)

    def tick(self, label: str) -> None:
        """Tick the checkbox with this label."""
        self.page.get_by_label(label, exact=True).check()

    def press(self, name: str) -> None:
        """Click the button or link with this name."""
        page = self.page
        page.get_by_role("button", name=name, exact=True).or_(
            page.get_by_role("link", name=name, exact=True)
        ).first.click()


class Keyboard:
    """Hands on the keyboard only: Tab to a control, type into it, press Enter on a button or link."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def fill(self, label: str, text: str) -> None:
        """Tab to the control and type (in a list, typing picks the option that starts so)."""
        tab_to(self.page, label, control=True)
        self.page.keyboard.type(text)

    def tick(self, label: str) -> None:
        """Tab to the checkbox and press Space (a choice of several is a group of checkboxes)."""
        tab_to(self.page, label, control=True)
        self.page.keyboard.press("Space")

    def press(self, name: str) -> None:
        """Tab to the button or link and press Enter."""
        tab_to(self.page, name)
        self.page.keyboard.press("Enter")


def sign_in(hands: Mouse | Keyboard, camera: Camera, person: Person) -> None:
    """Sign in with password and authenticator code, enrolling the authenticator on the first sign-in."""
    page = hands.page
    page.goto("/signin")
    camera.look(page, f"{person.username}-signin")
    hands.fill("Username", person.username)
    hands.fill("Password", person.password)
    hands.press("Sign in")
    expect(page).to_have_url(re.compile(r"/signin/(enrol|code)$"))
    if page.url.endswith("/signin/enrol"):
        camera.look(page, f"{person.username}-enrol")
        person.secret = page.locator("code.secret").inner_text().strip()
        hands.fill("Code", person.next_code())
        hands.press("Confirm")
        expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
        camera.look(page, f"{person.username}-recovery-codes")
        hands.press("I have kept them: continue")
    else:
        camera.look(page, f"{person.username}-code")
        hands.fill("Code", person.next_code())
        hands.press("Continue")
    expect(page.locator(".who")).to_contain_text(person.display_name)


def focused_label(page: Page, *, control: bool = False) -> str:
    """Return the visible label (or text) of the focused control; empty when no control has focus.

    With `control`, only a form control counts: the error summary's link to a field reads as its label.
    """
    return str(
        page.evaluate(
            """(control) => { const el = document.activeElement;
            if (!el || el === document.body || el.id === "main") return "";
            if (control && !["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName)) return "";
            const label = el.labels && el.labels[0];
            return ((label || el).innerText || el.value || "").trim(); }""",
            control,
        )
    )


def tab_to(page: Page, label: str, *, control: bool = False) -> None:
    """Press Tab until the control labelled (or reading) `label` has focus, as a keyboard user would."""
    for _ in range(MAX_TABS):
        text = focused_label(page, control=control)
        if text == label or text.startswith(label + " "):
            outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{label!r} has focus but shows no focus outline"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {label!r}")


def pdf_text(content: bytes) -> str:
    """Return the text of every page of a PDF."""
    assert content.startswith(b"%PDF"), "not a PDF"
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
