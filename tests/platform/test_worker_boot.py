"""A worker booting while the database is briefly out of reach waits for it; wrong keys never wait."""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from roi_tracker import config
from roi_tracker import crypto
from roi_tracker import keyfile
from roi_tracker import server
from roi_tracker.runtime import DatabaseUnreachable
from roi_tracker.runtime import Runtime
from roi_tracker.runtime import StartupError
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the database appears as a SQLite file")


def test_a_worker_waits_for_a_database_that_appears_and_then_opens_the_instance(
    runtime: Runtime, tmp_path: Path
) -> None:
    """The file is missing for a second (a volume mounting late); the worker opens it once it is there."""
    settings = runtime.env.settings
    source = Path(settings.database_url.removeprefix("sqlite:///"))
    runtime.close()
    later = tmp_path / "later" / "roi.sqlite3"
    moved = replace(settings, database_url=f"sqlite:///{later}")

    def mount() -> None:
        time.sleep(1.5)
        later.parent.mkdir()
        shutil.copyfile(source, later)

    thread = threading.Thread(target=mount)
    thread.start()
    started = time.monotonic()
    try:
        rt = server.open_for_worker(moved, wait_seconds=20)
    finally:
        thread.join()
    rt.close()
    assert time.monotonic() - started >= 1.5


def test_a_worker_gives_up_on_a_database_that_stays_away(runtime: Runtime, tmp_path: Path) -> None:
    """Past its wait the worker fails, with the same one-line reason the command gives."""
    gone = replace(runtime.env.settings, database_url=f"sqlite:///{tmp_path / 'nowhere' / 'roi.sqlite3'}")
    with pytest.raises(DatabaseUnreachable, match="cannot reach the database"):
        server.open_for_worker(gone, wait_seconds=1)


def test_a_worker_never_waits_on_a_key_file_from_another_instance(
    settings: config.Settings, runtime: Runtime, tmp_path: Path
) -> None:
    """Wrong keys fail at once, however long the worker would wait for the database (fail closed)."""
    other = tmp_path / "other-keys.json"
    keyfile.write_new(crypto.Keyring.generate(), other)
    started = time.monotonic()
    with pytest.raises(StartupError, match="does not hold") as caught:
        server.open_for_worker(replace(settings, key_file=other), wait_seconds=30)
    assert not isinstance(caught.value, DatabaseUnreachable)
    assert time.monotonic() - started < 10
