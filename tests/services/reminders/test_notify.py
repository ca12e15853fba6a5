"""Reminders by e-mail: one message per person, counts and references only, never twice a day, logged."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.config import ConfigError
from roi_tracker.domain import reminders
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.runtime import Runtime
from roi_tracker.services.people import users
from roi_tracker.services.reminders import notify
from roi_tracker.services.reminders import preferences
from tests import smtp
from tests.helpers import SYSTEM
from tests.helpers import call
from tests.helpers import count
from tests.helpers import entries_after
from tests.helpers import head_seq
from tests.services.reminders.conftest import BORN
from tests.services.reminders.conftest import CANARY
from tests.services.reminders.conftest import break_glass
from tests.services.reminders.conftest import failed_verification
from tests.services.reminders.conftest import reference_of
from tests.web.conftest import FakeClock

SENDER = "roi@practice.example"


def configure(runtime: Runtime, url: str) -> None:
    """Point the instance at the test server, with a sender and a base URL."""
    settings = replace(
        runtime.env.settings, smtp_url=url, notify_from=SENDER, base_url="https://roi.practice.example"
    )
    object.__setattr__(runtime.env, "settings", settings)


def send(runtime: Runtime, *, dry_run: bool = False) -> notify.Report:
    """Run `notify` once."""
    return call(runtime, notify.run, SYSTEM, dry_run=dry_run)


def assert_no_client_identity(raw: bytes) -> None:
    """The canary's name (any case), date of birth and record categories are nowhere in the message."""
    text = raw.decode("utf-8", "replace").lower()
    for needle in (CANARY.lower(), BORN.isoformat(), "1971", "diagnosis", "treatment_plan", "treatment plan"):
        assert needle not in text, f"{needle!r} found in a reminder"


def test_the_clinician_is_told_of_an_expiring_authorization_by_reference_only(
    runtime: Runtime, alice: audit.Actor, canary: uuid.UUID, mail_server: tuple[str, smtp.Inbox]
) -> None:
    """One message over STARTTLS to alice: the authorization, the canary's C-reference, a link, no PHI."""
    url, inbox = mail_server
    configure(runtime, url)
    report = send(runtime)
    assert report.sent == 1
    [message] = inbox.messages
    assert message["To"] == "alice@practice.example"
    assert message["From"] == SENDER
    body = message.get_payload(decode=True).decode()
    assert f"authorizations on your caseload expiring soon: 1 ({reference_of(runtime, canary)})" in body
    assert "https://roi.practice.example/signin" in body
    assert_no_client_identity(inbox.raw[0])


def test_the_privacy_officer_hears_of_waiting_reviews_and_a_failed_verification_and_the_admin_of_the_latter(
    runtime: Runtime,
    alice: audit.Actor,
    olga: audit.Actor,
    root: audit.Actor,
    canary: uuid.UUID,
    mail_server: tuple[str, smtp.Inbox],
) -> None:
    """olga: emergency access waiting and the broken log; root: the broken log only; no client identity."""
    break_glass(runtime, canary)
    failed_verification(runtime)
    url, inbox = mail_server
    configure(runtime, url)
    send(runtime)
    by_address = {m["To"]: m.get_payload(decode=True).decode() for m in inbox.messages}
    assert set(by_address) == {"alice@practice.example", "olga@practice.example", "root@practice.example"}
    ref = reference_of(runtime, canary)
    assert (
        f"exceptions or emergency access waiting for review: 1 ({ref})" in by_address["olga@practice.example"]
    )
    assert "access-log verification failed: 1 (entry 7)" in by_address["olga@practice.example"]
    assert "access-log verification failed: 1 (entry 7)" in by_address["root@practice.example"]
    assert "waiting for review" not in by_address["root@practice.example"]
    for raw in inbox.raw:
        assert_no_client_identity(raw)


def test_nothing_is_sent_twice_for_the_same_item_on_the_same_day_but_again_the_next_day(
    runtime: Runtime,
    alice: audit.Actor,
    canary: uuid.UUID,
    mail_server: tuple[str, smtp.Inbox],
    clock: FakeClock,
) -> None:
    """A second run the same day sends nothing; the next day the item is told again."""
    url, inbox = mail_server
    configure(runtime, url)
    assert send(runtime).sent == 1
    assert send(runtime).sent == 0
    assert len(inbox.messages) == 1
    assert count(runtime, models.ReminderSent) == 1
    clock.advance(days=1)
    assert send(runtime).sent == 1
    assert len(inbox.messages) == 2


def test_each_message_sent_is_one_access_log_entry_naming_the_person_only(
    runtime: Runtime, alice: audit.Actor, canary: uuid.UUID, mail_server: tuple[str, smtp.Inbox]
) -> None:
    """reminder:sent, object the user, no client id, basis a count."""
    url, _ = mail_server
    configure(runtime, url)
    seq = head_seq(runtime)
    send(runtime)
    [entry] = entries_after(runtime, seq, Action.REMINDER_SENT)
    assert (entry.object_type, entry.object_id, entry.client_id) == ("user", alice.user_id, "")
    assert (entry.outcome, entry.basis) == ("allowed", "1 items")


def test_a_dry_run_sends_and_records_nothing_but_says_who_would_get_what(
    runtime: Runtime, alice: audit.Actor, canary: uuid.UUID, mail_server: tuple[str, smtp.Inbox]
) -> None:
    """--dry-run plans alice's message and leaves the inbox, the sent marks and the log alone."""
    url, inbox = mail_server
    configure(runtime, url)
    seq = head_seq(runtime)
    report = send(runtime, dry_run=True)
    assert [p.username for p in report.planned] == ["alice"]
    assert report.sent == 0
    assert inbox.messages == []
    assert count(runtime, models.ReminderSent) == 0
    assert entries_after(runtime, seq) == []


def test_a_refusing_server_stops_the_run_with_one_line_and_the_item_is_tried_again(
    runtime: Runtime, alice: audit.Actor, canary: uuid.UUID, mail_server: tuple[str, smtp.Inbox]
) -> None:
    """550 for the recipient: MailRefused naming the code only, no mark kept, the failure logged."""
    url, inbox = mail_server
    configure(runtime, url)
    inbox.refuse = True
    seq = head_seq(runtime)
    with pytest.raises(reminders.MailRefused) as refused:
        send(runtime)
    assert str(refused.value) == "the mail server refused the recipient (SMTP 550)"
    assert count(runtime, models.ReminderSent) == 0
    outcomes = [e.outcome for e in entries_after(runtime, seq, Action.REMINDER_SENT)]
    assert outcomes == ["allowed", "error"]
    inbox.refuse = False
    assert send(runtime).sent == 1


def test_a_wrong_password_is_a_refusal_before_anything_is_recorded(
    runtime: Runtime, alice: audit.Actor, canary: uuid.UUID, mail_server: tuple[str, smtp.Inbox]
) -> None:
    """The login fails (535, then the server hangs up): nothing marked, nothing logged, no password shown."""
    url, _ = mail_server
    configure(runtime, url.replace(smtp.SECRET, "wrong"))
    seq = head_seq(runtime)
    with pytest.raises(reminders.MailRefused) as refused:
        send(runtime)
    assert "mail server" in str(refused.value)
    assert "wrong" not in str(refused.value)
    assert entries_after(runtime, seq) == []


def test_smtps_sends_over_implicit_tls(
    runtime: Runtime, alice: audit.Actor, canary: uuid.UUID, trusted: tuple[object, object]
) -> None:
    """An smtps:// URL connects with TLS from the first byte."""
    with smtp.serving(*trusted, implicit_tls=True) as (url, inbox):  # type: ignore[arg-type]
        configure(runtime, url)
        assert send(runtime).sent == 1
    assert len(inbox.messages) == 1


def test_an_untrusted_certificate_is_refused(
    runtime: Runtime,
    alice: audit.Actor,
    canary: uuid.UUID,
    mail_server: tuple[str, smtp.Inbox],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the test certificate trusted, STARTTLS fails closed: nothing is sent in the clear."""
    url, inbox = mail_server
    configure(runtime, url)
    monkeypatch.delenv("SSL_CERT_FILE")
    with pytest.raises(reminders.MailRefused, match="TLS with the mail server failed"):
        send(runtime)
    assert inbox.messages == []


def test_a_server_without_starttls_is_refused_and_nothing_goes_in_the_clear(
    runtime: Runtime, alice: audit.Actor, canary: uuid.UUID
) -> None:
    """smtp:// means STARTTLS or nothing: no fallback to plain text."""
    with smtp.serving_in_the_clear() as (url, inbox):
        configure(runtime, url)
        with pytest.raises(reminders.MailRefused, match="nothing is sent in the clear"):
            send(runtime)
    assert inbox.messages == []
    assert count(runtime, models.ReminderSent) == 0


def test_a_kind_opted_out_of_is_not_emailed(
    runtime: Runtime, alice: audit.Actor, canary: uuid.UUID, mail_server: tuple[str, smtp.Inbox]
) -> None:
    """alice turns off expiring authorizations: no message; the home list still has it."""
    url, inbox = mail_server
    configure(runtime, url)
    off = {"authorization_expiring": False}
    call(runtime, preferences.update, alice, uuid.UUID(alice.user_id), emailed=off)
    assert send(runtime).sent == 0
    assert inbox.messages == []


def test_people_without_an_address_or_disabled_get_nothing(
    runtime: Runtime, alice: audit.Actor, canary: uuid.UUID, mail_server: tuple[str, smtp.Inbox]
) -> None:
    """Removing the address ("") stops reminders, and so does disabling the account."""
    url, _ = mail_server
    configure(runtime, url)
    assert len(send(runtime, dry_run=True).planned) == 1
    call(runtime, users.set_active, SYSTEM, uuid.UUID(alice.user_id), active=False)
    assert send(runtime, dry_run=True).planned == ()
    call(runtime, users.set_active, SYSTEM, uuid.UUID(alice.user_id), active=True)
    call(runtime, preferences.update, alice, uuid.UUID(alice.user_id), email="")
    assert send(runtime).planned == ()
    with runtime.sessions() as session:
        assert session.execute(select(models.User.email)).scalars().all() == [None]


@pytest.mark.parametrize(
    ("missing", "named"),
    [("base_url", "ROI_BASE_URL"), ("smtp_url", "ROI_SMTP_URL"), ("notify_from", "ROI_NOTIFY_FROM")],
)
def test_a_missing_setting_fails_closed_naming_it(
    runtime: Runtime, alice: audit.Actor, missing: str, named: str
) -> None:
    """No sign-in base, server or sender: nothing is tried, the error names the setting."""
    configure(runtime, "smtp://127.0.0.1:1")
    object.__setattr__(runtime.env, "settings", replace(runtime.env.settings, **{missing: ""}))
    with pytest.raises(ConfigError, match=named):
        send(runtime)


def test_a_run_alongside_that_marked_the_items_first_keeps_this_one_from_sending_them(
    runtime: Runtime, alice: audit.Actor, canary: uuid.UUID, mail_server: tuple[str, smtp.Inbox]
) -> None:
    """Planned, then another run marks the same item: this run sends nothing and logs nothing for it."""
    url, inbox = mail_server
    configure(runtime, url)
    [planned] = call(runtime, notify.plan)
    with runtime.sessions() as session:
        [item] = planned.items
        today = runtime.env.today()
        session.add(
            models.ReminderSent(
                user_id=planned.user_id, kind=item.kind.value, item_key=item.key, sent_on=today
            )
        )
        session.commit()
    seq = head_seq(runtime)
    with runtime.sessions() as session:
        assert notify._record(session, runtime.env, SYSTEM, planned) is False
    assert inbox.messages == []
    assert entries_after(runtime, seq) == []
