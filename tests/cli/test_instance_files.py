"""Instance files are private (issue 15 item 6): created 0600 whatever the umask, refused when exposed.

The command is run in-process under a umask of 0022 (a common shell default), which used to leave the SQLite
database and the checkpoint file 0644.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from roi_tracker import instance_files
from tests.cli.conftest import run
from tests.conftest import ON_POSTGRES

PASSWORD = "a long password!\n"


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """A umask of 0022 in this process, as a shell commonly has; the suite's 0077 afterwards."""
    os.umask(0o022)
    yield
    instance_files.keep_private()


@pytest.fixture
def instance(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, loose_umask: None) -> Path:
    """A throwaway instance folder; on SQLite its database is the default one inside it."""
    del loose_umask
    inst = tmp_path / "inst"
    monkeypatch.setenv("ROI_INSTANCE_PATH", str(inst))
    if ON_POSTGRES:
        monkeypatch.setenv("ROI_DATABASE_URL", database_url)
    else:
        monkeypatch.delenv("ROI_DATABASE_URL", raising=False)
    for name in ("ROI_KEY_FILE", "ROI_CHECKPOINT_DIR", "ROI_REQUIRE_MFA"):
        monkeypatch.delenv(name, raising=False)
    return inst


def modes_under(folder: Path) -> dict[str, int]:
    """Return the permission bits of every file under `folder`, by path relative to it."""
    return {
        str(p.relative_to(folder)): stat.S_IMODE(p.stat().st_mode) for p in folder.rglob("*") if p.is_file()
    }


def _created(inst: Path) -> None:
    code, out, err = run("init")
    assert code == 0, out + err
    code, _, err = run("users", "create", "dana", "--role", "clinician", "--password-stdin", stdin=PASSWORD)
    assert code == 0, err
    code, out, err = run("audit", "checkpoint")
    assert code == 0, out + err


def test_every_file_an_instance_creates_is_0600_under_a_umask_of_0022(instance: Path) -> None:
    """init, a new user and a checkpoint: the key file, the database and checkpoints.jsonl are all 0600."""
    _created(instance)
    modes = modes_under(instance)
    expected = {"keys.json", "checkpoints/checkpoints.jsonl"} | (
        set() if ON_POSTGRES else {"roi-tracker.sqlite3"}
    )
    assert expected <= set(modes), modes
    assert modes == dict.fromkeys(modes, 0o600)


EXPOSED = ["checkpoints/checkpoints.jsonl"] + (
    [] if ON_POSTGRES else ["roi-tracker.sqlite3", "roi-tracker.sqlite3-wal", "roi-tracker.sqlite3-shm"]
)


@pytest.mark.parametrize("name", EXPOSED)
def test_a_command_refuses_to_start_with_one_line_when_an_instance_file_is_0644(
    instance: Path, name: str
) -> None:
    """Like the key file: exit 1, one line naming the file and the chmod that fixes it; then it starts."""
    _created(instance)
    exposed = instance / name
    instance_files.create_private(exposed)  # the WAL and SHM exist only while a connection is open
    exposed.chmod(0o644)
    code, _, err = run("users", "list")
    assert code == 1
    assert len(err.strip().splitlines()) == 1, err
    assert f"the instance file {exposed} is readable by others; run `chmod 600 {exposed}`" in err
    exposed.chmod(0o600)
    assert run("users", "list")[0] == 0
