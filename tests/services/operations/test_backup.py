"""`roi-tracker backup` and `restore`: a consistent copy while writers run, the keys apart, each logged, bad
input refused with one line, and a restored older copy reported by `audit verify` as a rollback."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from roi_tracker import audit
from roi_tracker import config
from roi_tracker import migrate
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.runtime import open_instance
from roi_tracker.services.operations import backup
from roi_tracker.services.people import users
from tests.cli.conftest import run
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite backups; PostgreSQL's pg_dump is tested apart")


@pytest.fixture
def inst(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An initialized SQLite instance the command points at, with a folder for backups and one for keys."""
    inst = tmp_path / "inst"
    monkeypatch.setenv("ROI_INSTANCE_PATH", str(inst))
    for name in ("ROI_DATABASE_URL", "ROI_KEY_FILE", "ROI_CHECKPOINT_DIR", "ROI_REQUIRE_MFA"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "backups").mkdir()
    (tmp_path / "vault").mkdir()
    assert run("init")[0] == 0
    return inst


def add_user(name: str) -> None:
    """Create a clinician through the command (one logged change)."""
    code, _, err = run(
        "users", "create", name, "--role", "clinician", "--password-stdin", stdin="a long password!\n"
    )
    assert code == 0, err


def actions() -> list[str]:
    """Return the actions of the instance's access log, oldest first."""
    code, out, _ = run("audit", "export")
    assert code == 0
    return [json.loads(line)["action"] for line in out.splitlines()]


def db_file(inst: Path) -> Path:
    """Return the instance's SQLite file."""
    return inst / "roi-tracker.sqlite3"


def backup_then_add(tmp_path: Path, *names: str) -> Path:
    """Back the instance up, then add users the backup does not hold; return the backup."""
    target = tmp_path / "backups" / "b.sqlite3"
    assert run("backup", str(target))[0] == 0
    for name in names:
        add_user(name)
    return target


def one_line_error(code: int, err: str, words: str) -> None:
    """Assert a failure with a single line naming the problem."""
    assert code == 1
    assert words in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_a_backup_taken_while_writers_run_restores_to_a_log_that_verifies(inst: Path, tmp_path: Path) -> None:
    """A writer appends during the backup; the restored copy is one consistent snapshot that verifies."""
    rt = open_instance(config.load())
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        actor = audit.Actor("test", "system")
        with rt.sessions() as session:
            while not stop.is_set():
                view = users.create_user(
                    session, rt.env, actor, username=f"w{len(written)}", display_name="", role="clinician",
                    password="a long password!",
                )  # fmt: skip
                written.append(1 if view else 0)
                stop.wait(
                    0.02
                )  # SQLite's busy handler polls: a writer that never pauses starves other writers

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 3:
            stop.wait(0.05)
        code, out, err = run("backup", str(tmp_path / "backups" / "b.sqlite3"))
    finally:
        stop.set()
        thread.join()
        rt.close()
    assert code == 0, err
    assert "holds no keys" in out
    copy = tmp_path / "backups" / "b.sqlite3"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert not Path(f"{copy}-wal").exists()
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    code, out, err = run("restore", str(copy), "--force")
    assert code == 0, out + err
    assert "audit verify: intact" in out
    assert run("audit", "verify", "--full")[0] == 0


def test_backup_and_restore_are_each_logged_and_the_backup_holds_its_own_entry(
    inst: Path, tmp_path: Path
) -> None:
    """The backup entry is written before the copy, so the restored log names the backup it came from."""
    target = tmp_path / "backups" / "b.sqlite3"
    code, out, _ = run("backup", str(target))
    assert code == 0
    backup_id = out.split()[1]
    assert run("restore", str(target), "--force")[0] == 0
    with sqlite3.connect(db_file(inst)) as conn:
        rows = conn.execute("SELECT action, object_id FROM audit_log ORDER BY seq").fetchall()
    assert (Action.BACKUP_CREATED.value, backup_id) in rows
    assert rows[-2] == (Action.BACKUP_RESTORED.value, backup_id)
    assert rows[-1][0] == Action.AUDIT_VERIFIED.value


def test_the_key_file_is_exported_only_on_request_and_never_beside_the_backup(
    inst: Path, tmp_path: Path
) -> None:
    """--keyring writes a 0600 key file in another folder (logged); the backup's own folder is refused."""
    beside = run(
        "backup", str(tmp_path / "backups" / "a.sqlite3"), "--keyring", str(tmp_path / "backups" / "k.json")
    )
    one_line_error(beside[0], beside[2], "keep the key file apart from the backup")
    (tmp_path / "backups" / "keys").mkdir()
    below = run(
        "backup",
        str(tmp_path / "backups" / "a.sqlite3"),
        "--keyring",
        str(tmp_path / "backups" / "keys" / "k.json"),
    )
    one_line_error(below[0], below[2], "keep the key file apart from the backup")
    assert not (tmp_path / "backups" / "a.sqlite3").exists()
    keys = tmp_path / "vault" / "keys.json"
    code, out, err = run("backup", str(tmp_path / "backups" / "a.sqlite3"), "--keyring", str(keys))
    assert code == 0, err
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert keys.read_bytes() == (inst / "keys.json").read_bytes()
    assert Action.KEYS_EXPORTED.value in actions()
    assert sorted((tmp_path / "backups").iterdir()) == [
        tmp_path / "backups" / n for n in ("a.sqlite3", "keys")
    ]
    assert list((tmp_path / "backups" / "keys").iterdir()) == []


def test_backup_refuses_to_overwrite_a_file(inst: Path, tmp_path: Path) -> None:
    """An existing destination is left alone."""
    target = tmp_path / "backups" / "b.sqlite3"
    target.write_bytes(b"precious")
    code, _, err = run("backup", str(target))
    one_line_error(code, err, "refusing to overwrite")
    assert target.read_bytes() == b"precious"


def test_restore_refuses_a_database_holding_data_unless_forced_and_keeps_it_aside(
    inst: Path, tmp_path: Path
) -> None:
    """Without --force nothing is replaced; with it the old database is moved aside, not deleted."""
    target = backup_then_add(tmp_path, "later")
    code, _, err = run("restore", str(target))
    one_line_error(code, err, "already holds data; pass --force")
    assert "later" in run("users", "list")[1]
    code, out, _ = run("restore", str(target), "--force")
    assert code == 0
    # The entry creating "later" is lost with the restore: said, and the old head record kept aside.
    assert "are not in the backup (its head record is kept at" in out
    assert any(p.name.startswith("head.json.before-restore-") for p in (inst / "checkpoints").iterdir())
    assert "later" not in run("users", "list")[1]
    kept = [
        p for p in inst.iterdir() if ".before-restore-" in p.name and not p.name.endswith(("-wal", "-shm"))
    ]
    assert len(kept) == 1
    with sqlite3.connect(kept[0]) as conn:
        assert conn.execute("SELECT count(*) FROM users WHERE username = 'later'").fetchone()[0] == 1


def test_restore_refuses_while_a_server_runs_on_the_instance(inst: Path, tmp_path: Path) -> None:
    """The serving lock `serve` holds stops a restore, even with --force."""
    target = tmp_path / "backups" / "b.sqlite3"
    run("backup", str(target))
    with backup.serving(inst):
        code, _, err = run("restore", str(target), "--force")
    one_line_error(code, err, "a server is running")
    assert run("restore", str(target), "--force")[0] == 0


def _other_instance_backup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    here = os.environ["ROI_INSTANCE_PATH"]
    monkeypatch.setenv("ROI_INSTANCE_PATH", str(tmp_path / "other"))
    run("init")
    run("backup", str(tmp_path / "backups" / "other.sqlite3"))
    monkeypatch.setenv("ROI_INSTANCE_PATH", here)
    return tmp_path / "backups" / "other.sqlite3"


def _unknown_migration(tmp_path: Path) -> Path:
    target = tmp_path / "backups" / "future.sqlite3"
    run("backup", str(target))
    with sqlite3.connect(target) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    return target


def _not_ours(tmp_path: Path) -> Path:
    target = tmp_path / "backups" / "plain.sqlite3"
    with sqlite3.connect(target) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    return target


def _garbage(tmp_path: Path) -> Path:
    target = tmp_path / "backups" / "garbage.sqlite3"
    target.write_bytes(b"SQLite format 3\x00" + os.urandom(2000))
    return target


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda tmp, mp: tmp / "backups" / "missing.sqlite3", "no such file"),
        (lambda tmp, mp: tmp / "backups", "not a file"),
        (lambda tmp, mp: _garbage(tmp), "not a readable SQLite database"),
        (lambda tmp, mp: _not_ours(tmp), "lacks the tables"),
        (lambda tmp, mp: _unknown_migration(tmp), "migration 9999 is not one this version knows"),
        (_other_instance_backup, "does not belong to this key file"),
    ],
    ids=["missing", "folder", "garbage", "not-roi-tracker", "unknown-migration", "other-keys"],
)
def test_restore_fails_closed_on_a_bad_backup_and_touches_nothing(
    inst: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make: object, words: str
) -> None:
    """A file that is not this instance's roi-tracker database is refused with one line; nothing changes."""
    source = make(tmp_path, monkeypatch)  # type: ignore[operator]
    before = db_file(inst).read_bytes()
    code, _, err = run("restore", str(source), "--force")
    one_line_error(code, err, words)
    assert db_file(inst).read_bytes() == before
    assert not any(".before-restore-" in p.name or p.name.endswith(".restoring") for p in inst.iterdir())
    assert run("audit", "verify")[0] == 0


def test_restoring_an_older_copy_is_reported_as_a_rollback_until_the_file_is_archived(
    inst: Path, tmp_path: Path
) -> None:
    """Entries signed into the checkpoint file after the backup are missing: restore and verify exit 1."""
    target = backup_then_add(tmp_path, "lost1", "lost2")
    run("audit", "checkpoint")
    code, out, _ = run("restore", str(target), "--force")
    assert code == 1
    assert "audit verify: broken at entry" in out
    assert "a rollback: an older copy of the database was restored" in out
    for name in ("after1", "after2", "after3"):
        add_user(name)  # the log goes on from the older copy, past the head the checkpoint signed
    code, out, _ = run("audit", "verify")
    assert code == 1
    assert "rollback" in out
    # Signed anew from the older copy: the file now holds two checkpoints with one id.
    run("audit", "checkpoint")
    code, out, _ = run("audit", "verify", "--full")
    assert code == 1
    assert "rollback" in out
    code, _, err = run("audit", "checkpoint", "--new-file")
    one_line_error(code, err, "archive it first")


def test_after_a_deliberate_restore_a_new_checkpoint_file_lets_the_log_verify_again(
    inst: Path, tmp_path: Path
) -> None:
    """Archive the file that shows the rollback, begin a new one from the database's checkpoints: intact."""
    target = backup_then_add(tmp_path, "lost")
    run("audit", "checkpoint")
    assert run("restore", str(target), "--force")[0] == 1
    archived = tmp_path / "archived-checkpoints.jsonl"
    (inst / "checkpoints" / "checkpoints.jsonl").rename(archived)
    code, _, err = run("audit", "checkpoint", "--new-file")
    assert code == 0, err
    add_user("next")
    for mode in ((), ("--full",)):
        code, out, _ = run("audit", "verify", *mode)
        assert code == 0, out


def test_a_backup_at_an_older_migration_is_restored_and_migrated_up(inst: Path, tmp_path: Path) -> None:
    """A backup made by an earlier version (migration 0005) is accepted and brought to the newest revision."""
    target = tmp_path / "backups" / "b.sqlite3"
    run("backup", str(target))
    migrate.downgrade(f"sqlite:///{target}", "0005")
    code, out, err = run("restore", str(target), "--force")
    assert code == 0, out + err
    assert "migration 0005" in out
    assert run("db", "current")[1].strip() == migrate.newest(f"sqlite:///{target}")
