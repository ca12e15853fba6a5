"""Browser fixtures: Debian's chromium driven by Playwright, axe-core, screenshots, a served instance.

The journeys skip with a reason when chromium or axe-core is missing, except under CI=true, where a missing
tool fails the run (`.ci/run` installs both). Settings: ROI_E2E_CHROMIUM (default /usr/bin/chromium),
ROI_E2E_AXE (default node_modules/axe-core/axe.min.js, installed by `make e2e-deps`), ROI_E2E_SCREENSHOTS
(default tests/e2e/screenshots; one folder per database and journey).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import AbstractContextManager
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import sync_playwright

from tests.conftest import ON_POSTGRES
from tests.conftest import empty_database
from tests.e2e.pages import Camera
from tests.e2e.pages import Mouse
from tests.e2e.pages import sign_in
from tests.e2e.server import SERVER_ERROR
from tests.e2e.server import Person
from tests.e2e.server import Server
from tests.e2e.server import serving

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("ROI_E2E_CHROMIUM") or "/usr/bin/chromium")
AXE = Path(os.environ.get("ROI_E2E_AXE") or ROOT / "node_modules" / "axe-core" / "axe.min.js")
SCREENSHOTS = Path(os.environ.get("ROI_E2E_SCREENSHOTS") or ROOT / "tests" / "e2e" / "screenshots")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test here as e2e (`-m "not e2e"` leaves the browser out); the idle journey goes last."""
    here = Path(__file__).parent
    ours = [item for item in items if here in Path(item.path).parents]
    for item in ours:
        item.add_marker(pytest.mark.e2e)
    idle = [item for item in ours if item.path.name == "test_idle_timeout.py"]
    others = [item for item in ours if item not in idle]
    if idle and others:
        for item in idle:
            items.remove(item)
        at = items.index(others[-1]) + 1
        items[at:at] = idle


def _need(present: bool, what: str, how: str) -> None:
    if present:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {what} is missing ({how}); the browser journeys must run in CI")
    pytest.skip(f"{what} is missing ({how})")


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, with the background traffic switched off."""
    _need(CHROMIUM.is_file(), f"chromium at {CHROMIUM}", "apt-get install chromium, or set ROI_E2E_CHROMIUM")
    _need(AXE.is_file(), f"axe-core at {AXE}", "run `make e2e-deps` (npm ci), or set ROI_E2E_AXE")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="package")
def camera() -> Callable[[str], Camera]:
    """Return a camera for a journey, its folder emptied of the previous run's screenshots."""
    source = AXE.read_text() if AXE.is_file() else ""

    def for_journey(name: str) -> Camera:
        folder = SCREENSHOTS / ("postgresql" if ON_POSTGRES else "sqlite") / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return Camera(folder, source)

    return for_journey


@pytest.fixture(scope="package")
def new_context(browser: Browser) -> Iterator[Callable[[Server], BrowserContext]]:
    """Return a factory of fresh browser profiles (one per person) for a server; closed at the end."""
    opened: list[BrowserContext] = []

    def make(server: Server) -> BrowserContext:
        context = browser.new_context(base_url=server.base_url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


@pytest.fixture(scope="package")
def serve(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., AbstractContextManager[Server]]:
    """Return a context manager serving a fresh instance of this run's database with the given people."""

    @contextmanager
    def start(name: str, people: list[Person], **settings: str) -> Iterator[Server]:
        folder = tmp_path_factory.mktemp(name)
        with empty_database(folder) as url, serving(folder, url, people, **settings) as server:
            yield server
        log = server.log_text()
        assert "Traceback" not in log, f"the server raised an error:\n{log}"
        assert not SERVER_ERROR.search(log), f"the server answered a request with a 5xx:\n{log}"

    return start


@dataclass
class IdlePage:
    """A person's page left alone on a server that ends sessions after a minute, its browser clock paused."""

    person: Person
    page: Page
    camera: Camera
    left_at: float  # time.monotonic() of the page's last request


@pytest.fixture(scope="package", autouse=True)
def idle_page(
    serve: Callable[..., AbstractContextManager[Server]],
    new_context: Callable[[Server], BrowserContext],
    camera: Callable[[str], Camera],
) -> Iterator[IdlePage]:
    """Ivy signs in first and leaves her page; the idle journey, run last, comes back after the minute."""
    ivy = Person("ivy", "clinician", "Ivy Idle")
    shots = camera("6-idle-timeout")
    with serve("idle", [ivy], ROI_SESSION_IDLE_MINUTES="1") as server:
        page = new_context(server).new_page()
        page.clock.install()
        sign_in(Mouse(page), shots, ivy)
        page.wait_for_load_state("load")
        left_at = time.monotonic()
        # The page's own clock stands still until the journey moves it; the server's keeps going.
        page.clock.pause_at(page.evaluate("Date.now()") + 500)
        yield IdlePage(ivy, page, shots, left_at)
