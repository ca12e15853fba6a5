"""Sign-in, sessions and throttling through the browser (security.md C; ASVS 6.1, 6.3, 7.2-7.4)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select

from roi_tracker import cli
from roi_tracker import models
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.runtime import Runtime
from roi_tracker.services.people import signin
from roi_tracker.services.people import users
from tests.web.conftest import COOKIE
from tests.web.conftest import PASSWORD
from tests.web.conftest import SYSTEM
from tests.web.conftest import FakeClock
from tests.web.conftest import logged
from tests.web.conftest import page_token
from tests.web.conftest import session_id
from tests.web.conftest import session_row_exists
from tests.web.conftest import sign_in
from tests.web.conftest import token_for

WRONG = "not the password at all"
REFUSED = "The username or password is incorrect"


def _browser_with(app: Flask, sid: str) -> FlaskClient:
    browser = app.test_client()
    browser.set_cookie(COOKIE, sid)
    return browser


def _all_logged_text(runtime: Runtime) -> str:
    with runtime.sessions() as session:
        rows = session.execute(select(models.AuditEntry)).scalars()
        return " ".join(
            f"{r.actor} {r.role} {r.action} {r.object_type} {r.object_id} {r.client_id} {r.basis}"
            for r in rows
        )


def test_signs_in_and_logs_the_success(client: FlaskClient, make_user: Callable, runtime: Runtime) -> None:
    """A correct password signs in, lands on the home page and is logged as auth:signin:succeeded."""
    user = make_user("alice", "clinician")
    response = sign_in(client, "alice")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    entries = logged(runtime, Action.SIGNIN_SUCCEEDED)
    assert [(e.actor, e.outcome) for e in entries] == [(str(user.id), Outcome.ALLOWED.value)]


def test_refuses_a_wrong_password_and_logs_the_user_but_never_the_password(
    client: FlaskClient, make_user: Callable, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """A wrong password gets 401 with a plain message; the log names the account, never the password."""
    user = make_user("alice", "clinician")
    response = sign_in(client, "alice", WRONG)
    assert response.status_code == 401
    assert REFUSED in response.text
    assert WRONG not in response.text
    failures = logged(runtime, Action.SIGNIN_FAILED)
    assert [(e.actor, e.object_id, e.outcome) for e in failures] == [
        (str(user.id), str(user.id), Outcome.REFUSED.value)
    ]
    assert WRONG not in _all_logged_text(runtime)
    assert WRONG not in caplog.text
    assert client.get("/").status_code == 302


def test_refuses_an_unknown_username_the_same_way(
    client: FlaskClient, make_user: Callable, runtime: Runtime
) -> None:
    """An unknown username gets the same status and message as a wrong password, and is logged."""
    make_user("alice", "clinician")
    unknown = sign_in(client, "mallory", WRONG)
    wrong = sign_in(client, "alice", WRONG)
    assert unknown.status_code == wrong.status_code == 401
    assert REFUSED in unknown.text
    assert REFUSED in wrong.text
    failures = logged(runtime, Action.SIGNIN_FAILED)
    assert failures[0].actor == signin.UNKNOWN_ACTOR
    assert "mallory" not in _all_logged_text(runtime)


def test_refuses_a_disabled_account_even_with_the_right_password(
    client: FlaskClient, make_user: Callable, runtime: Runtime
) -> None:
    """A disabled account cannot sign in, and the refusal reads like any other."""
    user = make_user("alice", "clinician")
    with runtime.sessions() as session:
        users.set_active(session, runtime.env, SYSTEM, user.id, active=False)
    response = sign_in(client, "alice")
    assert response.status_code == 401
    assert REFUSED in response.text
    assert client.get("/").status_code == 302
    assert logged(runtime, Action.SIGNIN_SUCCEEDED) == []


def test_gives_a_new_session_id_at_sign_in_and_forgets_the_old_one(
    app: Flask, client: FlaskClient, make_user: Callable, runtime: Runtime
) -> None:
    """The id held before sign-in is replaced, deleted server-side, and never becomes signed in."""
    make_user("alice", "clinician")
    client.get("/signin")
    before = session_id(client)
    assert before is not None
    assert session_row_exists(runtime, before)
    sign_in(client, "alice")
    after = session_id(client)
    assert after is not None
    assert after != before
    assert not session_row_exists(runtime, before)
    fixated = _browser_with(app, before).get("/")
    assert fixated.status_code == 302
    assert fixated.headers["Location"].startswith("/signin")


def test_uses_session_ids_with_128_random_bits(client: FlaskClient) -> None:
    """Session ids are 16 random bytes, URL-safe base64 (22 characters), different every time."""
    ids = set()
    for _ in range(5):
        client.delete_cookie(COOKIE)
        client.get("/signin")
        sid = session_id(client)
        assert sid is not None
        assert len(sid) == 22
        ids.add(sid)
    assert len(ids) == 5


def test_ends_the_session_at_sign_out(
    app: Flask, client: FlaskClient, make_user: Callable, runtime: Runtime
) -> None:
    """After sign-out the old cookie cannot reach the home page, and the sign-out is logged."""
    user = make_user("alice", "clinician")
    sign_in(client, "alice")
    sid = session_id(client)
    assert sid is not None
    response = client.post("/signout", data={"csrf_token": page_token(client)})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin")
    assert not session_row_exists(runtime, sid)
    assert client.get("/").status_code == 302
    replayed = _browser_with(app, sid).get("/")
    assert replayed.status_code == 302
    assert replayed.headers["Location"].startswith("/signin")
    assert [e.actor for e in logged(runtime, Action.SIGNOUT)] == [str(user.id)]


def test_ends_sessions_and_revokes_tokens_when_an_admin_disables_the_account(
    app: Flask, make_user: Callable, runtime: Runtime
) -> None:
    """Disabling an account through the admin page signs its browsers out and stops its API tokens."""
    make_user("root", "admin")
    alice = make_user("alice", "clinician")
    token = token_for(runtime, "alice")
    person = app.test_client()
    sign_in(person, "alice")
    assert person.get("/").status_code == 200
    assert (
        app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )
    admin = app.test_client()
    sign_in(admin, "root")
    response = admin.post(f"/admin/users/{alice.id}/disable", data={"csrf_token": page_token(admin)})
    assert response.status_code == 302
    home = person.get("/")
    assert home.status_code == 302
    assert home.headers["Location"].startswith("/signin")
    api = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401
    with runtime.sessions() as session:
        assert (
            session.scalar(select(func.count()).select_from(models.WebSession).filter_by(user_id=alice.id))
            == 0
        )
        revoked = session.execute(select(models.ApiToken.revoked_at).filter_by(user_id=alice.id)).scalars()
        assert all(at is not None for at in revoked)


def test_keeps_an_active_session_alive_past_the_idle_limit_in_total(
    client: FlaskClient, make_user: Callable, clock: FakeClock, with_settings: Callable
) -> None:
    """Requests inside the idle window keep the session going; idle is measured from the last request."""
    with_settings(session_idle_minutes=15)
    make_user("alice", "clinician")
    sign_in(client, "alice")
    for _ in range(4):
        clock.advance(minutes=10)
        assert client.get("/").status_code == 200


def test_signs_out_after_the_idle_limit_and_logs_the_expiry(
    client: FlaskClient, make_user: Callable, runtime: Runtime, clock: FakeClock, with_settings: Callable
) -> None:
    """Past session_idle_minutes without a request, the next one goes to sign-in and is logged."""
    with_settings(session_idle_minutes=15)
    user = make_user("alice", "clinician")
    sign_in(client, "alice")
    sid = session_id(client)
    assert sid is not None
    clock.advance(minutes=14)
    assert client.get("/").status_code == 200
    clock.advance(minutes=15, seconds=1)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin")
    assert not session_row_exists(runtime, sid)
    expired = logged(runtime, Action.SESSION_EXPIRED)
    assert [(e.actor, e.object_id) for e in expired] == [(str(user.id), str(user.id))]
    assert client.get("/").status_code == 302


def test_signs_out_at_the_absolute_lifetime_however_active(
    client: FlaskClient, make_user: Callable, runtime: Runtime, clock: FakeClock, with_settings: Callable
) -> None:
    """A session older than session_max_hours ends even when it was used every few minutes."""
    with_settings(session_idle_minutes=15, session_max_hours=1)
    make_user("alice", "clinician")
    sign_in(client, "alice")
    for _ in range(5):
        clock.advance(minutes=10)
        assert client.get("/").status_code == 200
    clock.advance(minutes=10, seconds=1)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin")
    assert len(logged(runtime, Action.SESSION_EXPIRED)) == 1


def test_throttles_an_account_after_five_failures_but_never_for_good(
    client: FlaskClient, make_user: Callable, runtime: Runtime, clock: FakeClock
) -> None:
    """After 5 failures even the right password gets 429 with Retry-After; after the wait it works."""
    make_user("alice", "clinician")
    for _ in range(5):
        assert sign_in(client, "alice", WRONG).status_code == 401
    throttled = sign_in(client, "alice")
    assert throttled.status_code == 429
    wait = int(throttled.headers["Retry-After"])
    assert 1 <= wait <= signin.MAX_DELAY_SECONDS
    assert "Try again in" in throttled.text
    entries = logged(runtime, Action.SIGNIN_THROTTLED)
    assert [e.outcome for e in entries] == [Outcome.REFUSED.value]
    assert client.get("/").status_code == 302
    clock.advance(seconds=wait)
    assert sign_in(client, "alice").status_code == 302
    assert client.get("/").status_code == 200


def test_throttles_the_account_from_any_address(app: Flask, make_user: Callable, clock: FakeClock) -> None:
    """Failures counted for an account slow attempts on it from another address too."""
    make_user("alice", "clinician")
    attacker = app.test_client()
    for _ in range(5):
        sign_in(attacker, "alice", WRONG, REMOTE_ADDR="203.0.113.9")
    assert sign_in(app.test_client(), "alice", REMOTE_ADDR="198.51.100.7").status_code == 429


def test_caps_the_wait_however_many_failures(
    client: FlaskClient, make_user: Callable, clock: FakeClock
) -> None:
    """Thirty failures in a row still leave a wait of at most 15 minutes, after which the password works."""
    make_user("alice", "clinician")
    waits = []
    for _ in range(30):
        response = sign_in(client, "alice", WRONG)
        if response.status_code == 429:
            wait = int(response.headers["Retry-After"])
            waits.append(wait)
            clock.advance(seconds=wait)
            response = sign_in(client, "alice", WRONG)
        assert response.status_code == 401
    assert max(waits) <= signin.MAX_DELAY_SECONDS
    clock.advance(seconds=signin.MAX_DELAY_SECONDS + 1)
    assert sign_in(client, "alice").status_code == 302


def test_does_not_count_attempts_made_while_throttled(
    client: FlaskClient, make_user: Callable, clock: FakeClock
) -> None:
    """Hammering a throttled account does not lengthen the wait: refused attempts are not counted."""
    make_user("alice", "clinician")
    for _ in range(5):
        sign_in(client, "alice", WRONG)
    first = int(sign_in(client, "alice", WRONG).headers["Retry-After"])
    for _ in range(20):
        assert sign_in(client, "alice", WRONG).status_code == 429
    assert int(sign_in(client, "alice", WRONG).headers["Retry-After"]) <= first
    clock.advance(seconds=first)
    assert sign_in(client, "alice").status_code == 302


def test_throttles_an_address_after_twenty_failures_across_usernames(
    app: Flask, make_user: Callable, runtime: Runtime, clock: FakeClock
) -> None:
    """Twenty failures from one address over many usernames slow that address, not other addresses."""
    make_user("alice", "clinician")
    spray = app.test_client()
    address = "203.0.113.20"
    for n in range(20):
        assert sign_in(spray, f"guess{n}", WRONG, REMOTE_ADDR=address).status_code == 401
    throttled = sign_in(spray, "alice", REMOTE_ADDR=address)
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    assert logged(runtime, Action.SIGNIN_THROTTLED)
    assert sign_in(app.test_client(), "alice", REMOTE_ADDR="198.51.100.7").status_code == 302
    clock.advance(seconds=int(throttled.headers["Retry-After"]))
    assert sign_in(spray, "alice", REMOTE_ADDR=address).status_code == 302


def test_refuses_a_username_holding_a_nul_character(client: FlaskClient) -> None:
    """A NUL in the username is refused as invalid input, not a server error (PostgreSQL cannot store it)."""
    response = sign_in(client, "al\x00ice")
    assert response.status_code == 422
    assert "username" in response.text


def test_has_no_accounts_in_a_fresh_instance(runtime: Runtime) -> None:
    """An initialized instance holds no users, so there is no default account to guess."""
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(models.User)) == 0


def test_creates_no_accounts_at_plain_init(tmp_path: Path, database_url: str) -> None:
    """`roi-tracker init` without --demo creates the instance and no user at all (ASVS 6.3.2)."""
    env = {"ROI_INSTANCE_PATH": str(tmp_path / "fresh"), "ROI_DATABASE_URL": database_url}
    result = CliRunner().invoke(cli.main, ["init"], env=env)
    assert result.exit_code == 0, result.output
    assert "Demo sign-ins" not in result.output
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM users")) == 0
    finally:
        engine.dispose()


def test_signs_in_whatever_the_letter_case_of_the_username(client: FlaskClient, make_user: Callable) -> None:
    """Usernames are stored lower-case; ALICE signs in as alice."""
    make_user("alice", "clinician")
    assert sign_in(client, "ALICE", PASSWORD).status_code == 302
