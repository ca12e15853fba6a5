"""`roi-tracker users create` and `users reset-password` apply the password policy; a reset is logged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from roi_tracker.app import create_app
from roi_tracker.cli.common import open_runtime
from tests.cli.conftest import run

GOOD = "a long password!\n"
NEW = "another long passphrase\n"


def _logged_actions() -> list[str]:
    code, out, err = run("audit", "export", "--format", "jsonl")
    assert code == 0, err
    return [json.loads(line)["action"] for line in out.strip().splitlines()]


def _must_change(database_url: str, username: str) -> bool:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            query = sa.text("SELECT must_change_password FROM users WHERE username = :u")
            return bool(conn.scalar(query, {"u": username}))
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("password", "message"),
    [("short pw\n", "at least 12 characters"), ("password1234\n", "commonly used passwords")],
)
@pytest.mark.parametrize("command", ["create", "reset-password"])
def test_refuses_a_short_or_common_password_with_one_line(
    cli_env: Path, command: str, password: str, message: str
) -> None:
    """Both commands that set a password refuse a short or a common one, in one line, exiting non-zero."""
    run("init")
    run("users", "create", "dana", "--role", "clinician", "--password-stdin", stdin=GOOD)
    args = ["users", command, "erin" if command == "create" else "dana", "--password-stdin"]
    if command == "create":
        args += ["--role", "clinician"]
    code, _, err = run(*args, stdin=password)
    assert code != 0
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_refuses_a_common_password_whatever_its_letter_case(cli_env: Path) -> None:
    """PASSWORD1234 is as common as password1234."""
    run("init")
    code, _, err = run(
        "users", "create", "erin", "--role", "clinician", "--password-stdin", stdin="PassWord1234\n"
    )
    assert code != 0
    assert "commonly used passwords" in err


def test_reset_password_forces_a_change_at_next_sign_in_and_is_logged(
    cli_env: Path, database_url: str
) -> None:
    """reset-password sets the new password, marks it to be changed, and writes user:password:reset."""
    run("init")
    run("users", "create", "dana", "--role", "clinician", "--password-stdin", stdin=GOOD)
    assert not _must_change(database_url, "dana")
    code, out, err = run("users", "reset-password", "dana", "--password-stdin", stdin=NEW)
    assert code == 0, err
    assert "must change it at their next sign-in" in out
    assert _must_change(database_url, "dana")
    assert "user:password:reset" in _logged_actions()


def test_reset_password_revokes_the_persons_api_tokens(cli_env: Path, database_url: str) -> None:
    """A reset answers a lost or stolen password: the API tokens issued before it no longer act."""
    run("init")
    run("users", "create", "dana", "--role", "clinician", "--password-stdin", stdin=GOOD)
    code, token, err = run("users", "token", "dana")
    assert code == 0, err
    bearer = {"Authorization": f"Bearer {token.strip()}"}
    search = {"reference": "C-0000"}
    rt = open_runtime()
    try:
        browser = create_app(rt).test_client()
        assert browser.post("/api/v1/clients/search", json=search, headers=bearer).status_code == 200
        assert run("users", "reset-password", "dana", "--password-stdin", stdin=NEW)[0] == 0
        answer = browser.post("/api/v1/clients/search", json=search, headers=bearer)
    finally:
        rt.close()
    assert answer.status_code == 401


def test_reset_password_of_nobody_fails_with_one_line(cli_env: Path) -> None:
    """An unknown name is named in a one-line error."""
    run("init")
    code, _, err = run("users", "reset-password", "nobody", "--password-stdin", stdin=NEW)
    assert code != 0
    assert "no user named 'nobody'" in err
    assert len(err.strip().splitlines()) == 1


def test_reset_password_asks_twice_without_stdin(cli_env: Path, database_url: str) -> None:
    """Without --password-stdin the new password is prompted for, with a confirmation."""
    run("init")
    run("users", "create", "dana", "--role", "clinician", "--password-stdin", stdin=GOOD)
    code, _, err = run("users", "reset-password", "dana", stdin=NEW + NEW)
    assert code == 0, err
    assert _must_change(database_url, "dana")
