"""`roi-tracker notify` and the reminder settings of `users`: addresses, opt-outs, dry runs, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from roi_tracker import db
from roi_tracker import models
from tests.cli.conftest import run
from tests.smtp import Inbox
from tests.smtp import make_certificate
from tests.smtp import serving

PASSWORD = "a long password!\n"


def broken_log(database_url: str) -> None:
    """Record an `audit verify` that found the log broken at entry 3 (what admins are told of)."""
    engine = db.make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.insert(models.AuditVerification),
                [
                    {
                        "id": db.new_id(),
                        "at": datetime.now(UTC),
                        "intact": False,
                        "full": True,
                        "verified": 2,
                        "head_seq": 5,
                        "first_break_seq": 3,
                        "reason": "MAC mismatch",
                    }
                ],
            )
    finally:
        engine.dispose()


@pytest.fixture
def mail_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Inbox]]:
    """A STARTTLS server needing a login, its certificate trusted: its smtp:// URL and its inbox."""
    cert, key = make_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    with serving(cert, key) as served:
        yield served


@pytest.fixture
def practice(cli_env: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An instance with an admin who has an address, a broken log, and the reminder settings but the URL."""
    assert run("init")[0] == 0
    code, _, err = run(
        "users", "create", "root", "--role", "admin", "--email", "root@practice.example", "--password-stdin",
        stdin=PASSWORD,
    )  # fmt: skip
    assert code == 0, err
    broken_log(database_url)
    monkeypatch.setenv("ROI_NOTIFY_FROM", "roi@practice.example")
    monkeypatch.setenv("ROI_BASE_URL", "https://roi.practice.example/")
    return cli_env


def test_notify_sends_one_message_and_a_second_run_the_same_day_none(
    practice: Path, mail_server: tuple[str, Inbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The admin hears of the broken log once; the rerun sends nothing."""
    url, inbox = mail_server
    monkeypatch.setenv("ROI_SMTP_URL", url)
    code, out, err = run("notify")
    assert code == 0, err
    assert out.splitlines() == ["sent root: roi-tracker: 1 thing needs you", "1 messages sent."]
    body = inbox.messages[0].get_payload(decode=True).decode()
    assert "access-log verification failed: 1 (entry 3)" in body
    assert "https://roi.practice.example/signin" in body
    assert run("notify")[1].splitlines() == ["0 messages sent."]
    assert len(inbox.messages) == 1


def test_a_dry_run_says_who_would_get_what_and_sends_nothing(
    practice: Path, mail_server: tuple[str, Inbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--dry-run needs no server and leaves the day's message to the real run."""
    url, inbox = mail_server
    code, out, _ = run("notify", "--dry-run")
    assert code == 0
    assert out.splitlines() == ["would send root: roi-tracker: 1 thing needs you"]
    assert inbox.messages == []
    monkeypatch.setenv("ROI_SMTP_URL", url)
    assert run("notify")[0] == 0
    assert len(inbox.messages) == 1


def test_a_refusing_server_is_one_line_and_exit_1(
    practice: Path, mail_server: tuple[str, Inbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    """550 for the recipient: one line on stderr, status 1."""
    url, inbox = mail_server
    inbox.refuse = True
    monkeypatch.setenv("ROI_SMTP_URL", url)
    code, _, err = run("notify")
    assert code == 1
    assert err.splitlines() == ["roi-tracker: the mail server refused the recipient (SMTP 550)"]


def test_an_unreachable_server_is_one_line_and_exit_1(
    practice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing listening: one line, status 1, no password echoed."""
    monkeypatch.setenv("ROI_SMTP_URL", "smtp://roi:s3cret@127.0.0.1:1")
    code, _, err = run("notify")
    assert code == 1
    assert err.splitlines() == ["roi-tracker: could not talk to the mail server (ConnectionRefusedError)"]


def test_notify_without_a_server_url_fails_closed_in_one_line(practice: Path) -> None:
    """No ROI_SMTP_URL: one line naming it, status 1."""
    code, _, err = run("notify")
    assert code == 1
    assert len(err.splitlines()) == 1
    assert "ROI_SMTP_URL must be set" in err


def test_a_url_of_another_scheme_is_refused_at_start(practice: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ROI_SMTP_URL=http://... is refused naming the setting, without quoting the rest of the URL."""
    monkeypatch.setenv("ROI_SMTP_URL", "http://user:s3cret@mail.example")
    code, _, err = run("notify")
    assert code == 1
    assert "ROI_SMTP_URL must start with smtp:// or smtps://" in err
    assert "s3cret" not in err


def test_set_email_and_opting_out_of_a_kind(practice: Path) -> None:
    """set-email changes the address; `users reminders --off` stops one kind; a bad address is one line."""
    code, out, _ = run("users", "set-email", "root", "Root@Practice.Example")
    assert (code, out.strip()) == (0, "Reminders for root go to Root@practice.example.")
    code, out, _ = run("users", "reminders", "root", "--off", "log_verification_failed")
    assert code == 0
    assert out.splitlines() == ["address\tRoot@practice.example", "log_verification_failed\toff"]
    assert run("notify", "--dry-run")[1] == ""
    code, _, err = run("users", "set-email", "root", "not an address")
    assert code == 1
    assert err.splitlines() == ["roi-tracker: email must be one address such as dana@practice.example"]


def test_an_unknown_kind_is_refused_naming_the_kinds(practice: Path) -> None:
    """--off birthdays lists the kinds there are."""
    code, _, err = run("users", "reminders", "root", "--off", "birthdays")
    assert code == 1
    assert "kinds: authorization_expiring, review_waiting, log_verification_failed" in err
