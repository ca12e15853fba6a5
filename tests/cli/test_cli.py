"""The `roi-tracker` command: init, users, tokens, audit, db; one-line errors and honest exit codes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from roi_tracker import migrate
from roi_tracker.cli import instance as instance_cli
from roi_tracker.services.operations.setup import DemoSignIn
from tests.cli.conftest import run
from tests.conftest import ON_POSTGRES


def test_init_creates_a_private_key_file_and_refuses_to_overwrite_it(cli_env: Path) -> None:
    """init writes keys.json with mode 0600 once; a second init fails with one line and leaves it alone."""
    code, out, _ = run("init")
    assert code == 0, out
    key_file = cli_env / "keys.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    before = key_file.read_bytes()
    code, _, err = run("init")
    assert code == 1
    assert "refusing to overwrite" in err
    assert len(err.strip().splitlines()) == 1
    assert key_file.read_bytes() == before


def test_plain_init_creates_no_accounts(cli_env: Path) -> None:
    """No default accounts exist unless --demo asked for them (ASVS 6.3.2)."""
    run("init")
    code, out, _ = run("users", "list")
    assert code == 0
    assert out.strip() == ""


def test_demo_init_creates_one_account_per_role_and_prints_them(cli_env: Path) -> None:
    """--demo creates a clinician, front desk, auditor and admin and prints their sign-ins."""
    code, out, _ = run("init", "--demo")
    assert code == 0
    for role in ("clinician", "front desk", "auditor", "admin"):
        assert role in out
    listed = run("users", "list")[1]
    roles = {line.split("\t")[1] for line in listed.strip().splitlines()}
    assert roles == {"admin", "auditor", "clinician", "front_desk"}


def test_demo_init_leaves_the_passwords_to_serve_so_make_run_prints_them_once(cli_env: Path) -> None:
    """init --demo names the accounts (the covering clinician too) and says serve prints the sign-ins."""
    code, out, _ = run("init", "--demo")
    assert code == 0
    assert "covering (clinician)" in out
    assert "printed when `roi-tracker serve` starts" in out
    assert "password " not in out


def test_the_demo_sign_ins_say_what_the_covering_clinician_is_for(capsys: pytest.CaptureFixture[str]) -> None:
    """One line per account; the covering clinician's says it is there to try emergency access."""
    instance_cli._print_sign_ins(
        [DemoSignIn("clinician", "clinician", "pw-one"), DemoSignIn("covering", "clinician", "pw-two")]
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert "emergency access" in lines[2]
    assert "emergency access" not in lines[1]


def test_users_create_token_and_disable(cli_env: Path) -> None:
    """A user is created from stdin, gets a token printed once, and can be disabled."""
    run("init")
    code, out, err = run(
        "users", "create", "dana", "--role", "clinician", "--password-stdin", stdin="a long password!\n"
    )
    assert code == 0, err
    code, token, _ = run("users", "token", "dana")
    assert code == 0
    assert token.startswith("roi_")
    code, out, _ = run("users", "disable", "dana")
    assert code == 0
    assert "dana\tclinician\tdisabled" in run("users", "list")[1]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ("users", "create", "x1", "--role", "wizard", "--password-stdin"),
            "a long password!\n",
            "unknown role",
        ),
        (("users", "create", "x1", "--role", "clinician", "--password-stdin"), "short\n", "at least 12"),
        (("users", "token", "nobody"), None, "no user named"),
        (("audit", "export", "--since", "yesterday"), None, "--since must be a date"),
        (("db", "downgrade", "nonsense"), None, "cannot downgrade"),
    ],
)
def test_foreseeable_errors_print_one_line_and_exit_non_zero(
    cli_env: Path, args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    """Bad input ends with one line naming the problem, never a traceback."""
    run("init")
    code, _, err = run(*args, stdin=stdin)
    assert code != 0
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_commands_refuse_to_run_without_the_key_file(cli_env: Path) -> None:
    """A missing key file is refused with a message saying how to fix it (fail closed)."""
    run("init")
    (cli_env / "keys.json").unlink()
    code, _, err = run("users", "list")
    assert code == 1
    assert "no key file" in err


def test_commands_refuse_a_key_file_from_another_instance(
    cli_env: Path, tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database remembers its keys: another instance's key file is refused."""
    run("init")
    other = tmp_path / "other"
    monkeypatch.setenv("ROI_INSTANCE_PATH", str(other))
    monkeypatch.setenv("ROI_DATABASE_URL", f"sqlite:///{other / 'x.sqlite3'}")
    run("init")
    monkeypatch.setenv("ROI_INSTANCE_PATH", str(cli_env))
    monkeypatch.setenv("ROI_DATABASE_URL", database_url)
    monkeypatch.setenv("ROI_KEY_FILE", str(other / "keys.json"))
    code, _, err = run("users", "list")
    assert code == 1
    assert "does not hold" in err


def test_audit_verify_checkpoint_and_export(cli_env: Path) -> None:
    """verify exits 0 on an intact log; checkpoint writes the file; export emits JSON lines and is logged."""
    run("init", "--demo")
    code, out, _ = run("audit", "verify", "--full")
    assert code == 0
    assert out.startswith("intact")
    code, out, _ = run("audit", "checkpoint")
    assert code == 0
    lines = (cli_env / "checkpoints" / "checkpoints.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["head_seq"] >= 4
    code, out, _ = run("audit", "export", "--format", "jsonl")
    assert code == 0
    actions = [json.loads(line)["action"] for line in out.splitlines()]
    assert actions.count("user:created") == 5  # one per role, and a covering clinician
    assert actions[-1] == "audit:exported"


def test_audit_verify_exits_one_and_names_the_break(cli_env: Path) -> None:
    """A tampered log makes verify exit 1 and print the first broken entry."""
    if ON_POSTGRES:
        pytest.skip("the append-only trigger blocks this edit on PostgreSQL; the tamper tests cover it there")
    run("init", "--demo")
    import sqlalchemy as sa

    engine = sa.create_engine(os.environ["ROI_DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_log SET action = 'user:disabled' WHERE seq = 2"))
    engine.dispose()
    code, out, _ = run("audit", "verify", "--full")
    assert code == 1
    assert out.startswith("broken at entry 2")


def test_db_current_names_the_newest_revision(cli_env: Path, database_url: str) -> None:
    """db current prints the newest revision after init."""
    run("init")
    code, out, _ = run("db", "current")
    assert code == 0
    assert out.strip() == migrate.newest(database_url)


def test_maintenance_reports_on_a_fresh_instance_and_deletes_nothing(cli_env: Path) -> None:
    """Safe from cron: exit 0, a summary line, and the promise that nothing was deleted."""
    assert run("init")[0] == 0
    code, out, _ = run("maintenance")
    assert code == 0
    assert "0 authorization(s) at the end of retention (within 30 days), 0 client(s) may be purged" in out
    assert "nothing was deleted" in out
    code, _, err = run("maintenance", "--ahead", "-1")
    assert code == 2
    assert "--ahead" in err
