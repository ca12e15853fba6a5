"""Browser fixtures: Debian's chromium driven by Playwright, axe-core, screenshots, a served instance.

The journeys skip with a reason when chromium or axe-core is missing, except under CI=true, where a missing
tool fails the run (`.ci/run` installs both). Settings: ROI_E2E_CHROMIUM (default /usr/bin/chromium),
ROI_E2E_AXE (default node_modules/axe-core/axe.min.js, installed by `make e2e-deps`), ROI_E2E_SCREENSHOTS
(default tests/e2e/screenshots; one folder per database and journey).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import AbstractContextManager
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import sync_playwright

from tests.conftest import ON_POSTGRES
from tests.conftest import empty_database
from tests.e2e.pages import Camera
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
    """Mark every test here as e2e, so `-m "not e2e"` leaves the browser out."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


def _need(present: bool, what: str, how: str) -> None:
    if present:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {what} is missing ({how}); the browser journeys must run in CI")
    pytest.skip(f"{what} is missing ({how})")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, with the background traffic switched off."""
    _need(CHROMIUM.is_file(), f"chromium at {CHROMIUM}", "apt-get install chromium, or set ROI_E2E_CHROMIUM")
    _need(AXE.is_file(), f"axe-core at {AXE}", "run `make e2e-deps` (npm ci), or set ROI_E2E_AXE")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def camera() -> Callable[[str], Camera]:
    """Return a camera for a journey, its folder emptied of the previous run's screenshots."""
    source = AXE.read_text() if AXE.is_file() else ""

    def for_journey(name: str) -> Camera:
        folder = SCREENSHOTS / ("postgresql" if ON_POSTGRES else "sqlite") / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return Camera(folder, source)

    return for_journey


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
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
