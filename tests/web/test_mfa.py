"""The second factor through the browser: enrolment, single-use codes, hashed recovery codes (ASVS 6.5)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from roi_tracker import models
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.runtime import Runtime
from roi_tracker.services.people import users
from tests.conftest import csrf_from
from tests.web.conftest import PASSWORD
from tests.web.conftest import FakeClock
from tests.web.conftest import logged
from tests.web.conftest import sign_in

SECRET = re.compile(r'<code class="secret">([A-Z2-7]+)</code>')
RECOVERY = re.compile(r"<li><code>([a-z0-9-]+)</code></li>")


@pytest.fixture
def mfa_required(with_settings: Callable) -> None:
    """Require a second factor, as production instances do."""
    with_settings(require_mfa=True)


@pytest.fixture
def alice(make_user: Callable, mfa_required: None) -> users.UserView:
    """A clinician who has not set up an authenticator yet."""
    return make_user("alice", "clinician")


def _send_code(browser: FlaskClient, path: str, code: str) -> TestResponse:
    page = browser.get(path)
    assert page.status_code == 200, page.status_code
    return browser.post(path, data={"code": code, "csrf_token": csrf_from(page.text)})


def _enrol(browser: FlaskClient, code_for: Callable[[str], str]) -> tuple[str, list[str]]:
    """Sign in, read the secret off the enrolment page, confirm it; return the secret and recovery codes."""
    assert sign_in(browser, "alice").headers["Location"] == "/signin/enrol"
    page = browser.get("/signin/enrol")
    match = SECRET.search(page.text)
    assert match, "the enrolment page shows no secret"
    secret = match.group(1)
    done = browser.post("/signin/enrol", data={"code": code_for(secret), "csrf_token": csrf_from(page.text)})
    assert done.status_code == 200
    return secret, RECOVERY.findall(done.text)


def _code_at(clock: FakeClock) -> Callable[[str], str]:
    return lambda secret: pyotp.TOTP(secret).at(clock.now)


def _wrong_code(secret: str, clock: FakeClock) -> str:
    totp = pyotp.TOTP(secret)
    valid = {totp.at(clock.now.timestamp() + offset) for offset in (-30, 0, 30)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def _challenge(app: Flask) -> FlaskClient:
    """A fresh browser that has given the right password and now faces the code page."""
    browser = app.test_client()
    response = sign_in(browser, "alice")
    assert response.status_code == 302
    assert response.headers["Location"] == "/signin/code"
    return browser


def test_sends_a_person_without_an_authenticator_to_enrolment(
    client: FlaskClient, alice: users.UserView
) -> None:
    """When MFA is required, a correct password alone leads to enrolment, not into the app."""
    response = sign_in(client, "alice")
    assert response.status_code == 302
    assert response.headers["Location"] == "/signin/enrol"
    home = client.get("/")
    assert home.status_code == 302
    assert home.headers["Location"].startswith("/signin")
    page = client.get("/signin/enrol")
    assert page.status_code == 200
    assert SECRET.search(page.text)


def test_refuses_a_wrong_enrolment_code(
    client: FlaskClient, alice: users.UserView, runtime: Runtime, clock: FakeClock
) -> None:
    """A code that does not match the shown secret stores nothing and keeps the person out."""
    sign_in(client, "alice")
    page = client.get("/signin/enrol")
    secret = SECRET.search(page.text).group(1)
    response = client.post(
        "/signin/enrol", data={"code": _wrong_code(secret, clock), "csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 422
    assert "does not match" in response.text
    with runtime.sessions() as session:
        assert session.get(models.User, alice.id).totp_secret is None
    assert client.get("/").status_code == 302


def test_refuses_an_enrolment_form_without_a_code(client: FlaskClient, alice: users.UserView) -> None:
    """Sending the enrolment form empty is a bad request, not a success."""
    sign_in(client, "alice")
    page = client.get("/signin/enrol")
    assert client.post("/signin/enrol", data={"csrf_token": csrf_from(page.text)}).status_code == 400


def test_enrols_with_a_valid_code_and_shows_recovery_codes(
    client: FlaskClient, alice: users.UserView, runtime: Runtime
) -> None:
    """The app's current code confirms enrolment, shows ten recovery codes and finishes the sign-in."""
    secret, codes = _enrol(client, lambda s: pyotp.TOTP(s).now())
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert secret
    assert client.get("/").status_code == 200
    assert [e.actor for e in logged(runtime, Action.MFA_ENROLLED)] == [str(alice.id)]
    assert [e.actor for e in logged(runtime, Action.SIGNIN_SUCCEEDED)] == [str(alice.id)]


def test_asks_for_the_code_at_the_next_sign_in(
    app: Flask, client: FlaskClient, alice: users.UserView, runtime: Runtime, clock: FakeClock
) -> None:
    """Once enrolled, the password leads to the code page; the next code signs in and is logged."""
    secret, _ = _enrol(client, _code_at(clock))
    clock.advance(seconds=90)
    browser = _challenge(app)
    assert browser.get("/").status_code == 302
    response = _send_code(browser, "/signin/code", pyotp.TOTP(secret).at(clock.now))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert browser.get("/").status_code == 200
    assert [e.actor for e in logged(runtime, Action.MFA_SUCCEEDED)] == [str(alice.id)]


def test_refuses_and_logs_a_wrong_code(
    app: Flask, client: FlaskClient, alice: users.UserView, runtime: Runtime, clock: FakeClock
) -> None:
    """A wrong code gets 401, keeps the person out and is logged as auth:mfa:failed."""
    secret, _ = _enrol(client, _code_at(clock))
    clock.advance(seconds=90)
    browser = _challenge(app)
    response = _send_code(browser, "/signin/code", _wrong_code(secret, clock))
    assert response.status_code == 401
    assert "not valid" in response.text
    assert browser.get("/").status_code == 302
    failed = logged(runtime, Action.MFA_FAILED)
    assert [(e.actor, e.outcome) for e in failed] == [(str(alice.id), Outcome.REFUSED.value)]


def test_refuses_a_code_used_twice(
    app: Flask, client: FlaskClient, alice: users.UserView, runtime: Runtime, clock: FakeClock
) -> None:
    """A code that signed someone in cannot sign in again, even within its 30 seconds (replay)."""
    secret, _ = _enrol(client, _code_at(clock))
    clock.advance(seconds=90)
    code = pyotp.TOTP(secret).at(clock.now)
    assert _send_code(_challenge(app), "/signin/code", code).status_code == 302
    replay = _challenge(app)
    assert _send_code(replay, "/signin/code", code).status_code == 401
    assert replay.get("/").status_code == 302
    assert len(logged(runtime, Action.MFA_FAILED)) == 1


def test_refuses_the_enrolment_code_at_the_next_sign_in(
    app: Flask, client: FlaskClient, alice: users.UserView, clock: FakeClock
) -> None:
    """The code that confirmed enrolment is spent: it does not pass the next sign-in's challenge."""
    secret, _ = _enrol(client, _code_at(clock))
    assert _send_code(_challenge(app), "/signin/code", pyotp.TOTP(secret).at(clock.now)).status_code == 401


def test_accepts_a_recovery_code_once(
    app: Flask, client: FlaskClient, alice: users.UserView, runtime: Runtime, clock: FakeClock
) -> None:
    """A recovery code signs in once, is logged as used, and is refused the second time."""
    _, codes = _enrol(client, _code_at(clock))
    first = _challenge(app)
    response = _send_code(first, "/signin/code", codes[3])
    assert response.status_code == 302
    assert first.get("/").status_code == 200
    assert [e.actor for e in logged(runtime, Action.RECOVERY_CODE_USED)] == [str(alice.id)]
    again = _challenge(app)
    assert _send_code(again, "/signin/code", codes[3]).status_code == 401
    assert again.get("/").status_code == 302
    assert _send_code(again, "/signin/code", codes[4].upper()).status_code == 302


def test_stores_recovery_codes_hashed(
    client: FlaskClient, alice: users.UserView, runtime: Runtime, clock: FakeClock
) -> None:
    """The recovery_codes table holds SHA-256 digests; no code appears in it in any spelling."""
    _, codes = _enrol(client, _code_at(clock))
    with runtime.sessions() as session:
        stored = [bytes(h) for h in session.execute(select(models.RecoveryCode.code_hash)).scalars()]
    assert len(stored) == len(codes) == 10
    compact = [c.replace("-", "") for c in codes]
    for code in codes + compact:
        assert all(code.encode() not in value for value in stored)
        assert all(code.upper().encode() not in value for value in stored)
    assert sorted(stored) == sorted(hashlib.sha256(c.encode()).digest() for c in compact)


def test_does_not_store_the_totp_secret_in_plaintext(
    client: FlaskClient, alice: users.UserView, runtime: Runtime, clock: FakeClock
) -> None:
    """users.totp_secret holds ciphertext: neither the base32 secret nor its raw key bytes appear in it."""
    secret, _ = _enrol(client, _code_at(clock))
    with runtime.sessions() as session:
        sealed = bytes(session.get(models.User, alice.id).totp_secret)
    assert secret.encode() not in sealed
    assert secret.lower().encode() not in sealed
    assert base64.b32decode(secret) not in sealed


def test_throttles_code_guessing(
    app: Flask, client: FlaskClient, alice: users.UserView, clock: FakeClock
) -> None:
    """After five wrong codes even the right one gets 429 with Retry-After; after the wait it works."""
    secret, _ = _enrol(client, _code_at(clock))
    clock.advance(seconds=90)
    browser = _challenge(app)
    for _ in range(5):
        assert _send_code(browser, "/signin/code", _wrong_code(secret, clock)).status_code == 401
    throttled = _send_code(browser, "/signin/code", pyotp.TOTP(secret).at(clock.now))
    assert throttled.status_code == 429
    wait = int(throttled.headers["Retry-After"])
    clock.advance(seconds=wait)
    assert _send_code(browser, "/signin/code", pyotp.TOTP(secret).at(clock.now)).status_code == 302


def test_sends_the_code_page_back_to_sign_in_without_a_password(
    client: FlaskClient, alice: users.UserView
) -> None:
    """The code and enrolment pages do nothing for a browser that has not given a correct password."""
    for path in ("/signin/code", "/signin/enrol"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == "/signin"


def _sealed_factor(runtime: Runtime, user: users.UserView) -> bytes | None:
    with runtime.sessions() as session:
        sealed = session.get(models.User, user.id).totp_secret
    return bytes(sealed) if sealed is not None else None


def _replace(browser: FlaskClient, code_for: Callable[[str], str], **fields: str) -> tuple[str, TestResponse]:
    """Open the account's authenticator page, read the new secret, send the form; return both."""
    page = browser.get("/account/mfa")
    assert page.status_code == 200, page.status_code
    new_secret = SECRET.search(page.text).group(1)
    data = {"code": code_for(new_secret), "csrf_token": csrf_from(page.text), **fields}
    return new_secret, browser.post("/account/mfa", data=data)


def _signs_in_with(app: Flask, secret: str, clock: FakeClock) -> bool:
    """Tell whether a fresh browser gets past the code page with the current code of `secret`."""
    browser = _challenge(app)
    return _send_code(browser, "/signin/code", pyotp.TOTP(secret).at(clock.now)).status_code == 302


def test_refuses_to_replace_the_factor_without_the_password(
    client: FlaskClient, alice: users.UserView, runtime: Runtime, clock: FakeClock
) -> None:
    """A signed-in browser cannot swap the authenticator with codes alone: no password, no new factor."""
    old_secret, _ = _enrol(client, _code_at(clock))
    before = _sealed_factor(runtime, alice)
    clock.advance(seconds=90)
    _, response = _replace(client, _code_at(clock), current_code=pyotp.TOTP(old_secret).at(clock.now))
    assert response.status_code == 400
    assert _sealed_factor(runtime, alice) == before
    assert [e.actor for e in logged(runtime, Action.MFA_ENROLLED)] == [str(alice.id)]


def test_refuses_to_replace_the_factor_with_a_wrong_password(
    client: FlaskClient, alice: users.UserView, runtime: Runtime, clock: FakeClock
) -> None:
    """A wrong password re-shows the form with its message, is logged as a failed step-up, changes nothing."""
    old_secret, _ = _enrol(client, _code_at(clock))
    before = _sealed_factor(runtime, alice)
    clock.advance(seconds=90)
    _, response = _replace(
        client,
        _code_at(clock),
        password="not my password at all",
        current_code=pyotp.TOTP(old_secret).at(clock.now),
    )
    assert response.status_code == 422
    assert '<p class="error" id="password-error">your password is not correct' in response.text
    assert _sealed_factor(runtime, alice) == before
    assert [e.actor for e in logged(runtime, Action.STEP_UP_FAILED)] == [str(alice.id)]


def test_refuses_to_replace_the_factor_with_the_password_but_a_wrong_current_code(
    client: FlaskClient, alice: users.UserView, runtime: Runtime, clock: FakeClock
) -> None:
    """The right password with a wrong code from the current authenticator gets 401; the old factor stays."""
    old_secret, _ = _enrol(client, _code_at(clock))
    before = _sealed_factor(runtime, alice)
    clock.advance(seconds=90)
    _, response = _replace(
        client, _code_at(clock), password=PASSWORD, current_code=_wrong_code(old_secret, clock)
    )
    assert response.status_code == 401
    assert (
        '<p class="error" id="current_code-error">That code from your current authenticator' in response.text
    )
    assert _sealed_factor(runtime, alice) == before
    failed = logged(runtime, Action.MFA_FAILED)
    assert [(e.actor, e.outcome) for e in failed] == [(str(alice.id), Outcome.REFUSED.value)]


def test_replaces_the_factor_with_the_password_and_a_current_code(
    app: Flask, client: FlaskClient, alice: users.UserView, runtime: Runtime, clock: FakeClock
) -> None:
    """Password and current code together let the new authenticator in and shut the old one out."""
    old_secret, old_codes = _enrol(client, _code_at(clock))
    form = client.get("/account/mfa").text
    assert 'type="password"' in form
    assert 'id="current_code"' in form
    clock.advance(seconds=90)
    new_secret, response = _replace(
        client, _code_at(clock), password=PASSWORD, current_code=pyotp.TOTP(old_secret).at(clock.now)
    )
    assert response.status_code == 200
    assert len(RECOVERY.findall(response.text)) == 10
    assert [e.actor for e in logged(runtime, Action.MFA_ENROLLED)] == [str(alice.id)] * 2
    clock.advance(seconds=90)
    assert not _signs_in_with(app, old_secret, clock)
    assert _signs_in_with(app, new_secret, clock)
    assert _send_code(_challenge(app), "/signin/code", old_codes[0]).status_code == 401


def test_keeps_the_current_code_unspent_when_the_new_code_is_wrong(
    client: FlaskClient, alice: users.UserView, runtime: Runtime, clock: FakeClock
) -> None:
    """A mistyped new code re-shows the form; the old factor stays and its code can be sent again."""
    old_secret, _ = _enrol(client, _code_at(clock))
    before = _sealed_factor(runtime, alice)
    clock.advance(seconds=90)
    current = pyotp.TOTP(old_secret).at(clock.now)
    _, response = _replace(client, lambda s: _wrong_code(s, clock), password=PASSWORD, current_code=current)
    assert response.status_code == 422
    assert "does not match" in response.text
    assert 'id="current_code"' in response.text
    assert _sealed_factor(runtime, alice) == before
    _, again = _replace(client, _code_at(clock), password=PASSWORD, current_code=current)
    assert again.status_code == 200


def test_throttles_current_code_guessing_on_the_replacement_form(
    client: FlaskClient, alice: users.UserView, runtime: Runtime, clock: FakeClock
) -> None:
    """Five wrong current codes make even the right one wait, with 429 and Retry-After, as at sign-in."""
    old_secret, _ = _enrol(client, _code_at(clock))
    before = _sealed_factor(runtime, alice)
    clock.advance(seconds=90)
    for _ in range(5):
        _, wrong = _replace(
            client, _code_at(clock), password=PASSWORD, current_code=_wrong_code(old_secret, clock)
        )
        assert wrong.status_code == 401
    _, throttled = _replace(
        client, _code_at(clock), password=PASSWORD, current_code=pyotp.TOTP(old_secret).at(clock.now)
    )
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    assert _sealed_factor(runtime, alice) == before


def test_enrols_a_first_factor_from_the_account_page_with_a_code_alone(
    signed_in: Callable, runtime: Runtime, clock: FakeClock
) -> None:
    """A person without an authenticator still sets one up from the account page with just its code."""
    browser = signed_in("bea", "clinician")
    _, response = _replace(browser, _code_at(clock))
    assert response.status_code == 200
    assert len(RECOVERY.findall(response.text)) == 10
    assert len(logged(runtime, Action.MFA_ENROLLED)) == 1


def test_logs_an_administrators_mfa_reset_as_its_own_action(
    app: Flask,
    client: FlaskClient,
    signed_in: Callable,
    make_user: Callable,
    with_settings: Callable,
    runtime: Runtime,
    clock: FakeClock,
) -> None:
    """An administrator's reset clears the factor and is logged as user:mfa:reset, by them, about the user."""
    admin = signed_in("root", "admin")
    with_settings(require_mfa=True)
    alice = make_user("alice", "clinician")
    _enrol(client, _code_at(clock))
    page = admin.get(f"/admin/users/{alice.id}")
    response = admin.post(f"/admin/users/{alice.id}/reset-mfa", data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 302
    assert _sealed_factor(runtime, alice) is None
    resets = logged(runtime, Action.USER_MFA_RESET)
    assert [(e.object_id, e.outcome) for e in resets] == [(str(alice.id), Outcome.ALLOWED.value)]
    assert resets[0].actor != str(alice.id)
    assert [e.object_id for e in logged(runtime, Action.MFA_ENROLLED)] == [str(alice.id)]
    assert sign_in(app.test_client(), "alice").headers["Location"] == "/signin/enrol"


def test_throttles_password_guessing_on_the_replacement_form(
    client: FlaskClient, alice: users.UserView, runtime: Runtime, clock: FakeClock
) -> None:
    """Five wrong passwords make even the right password and code wait, with 429, as at sign-in."""
    old_secret, _ = _enrol(client, _code_at(clock))
    before = _sealed_factor(runtime, alice)
    clock.advance(seconds=90)
    current = pyotp.TOTP(old_secret).at(clock.now)
    for _ in range(5):
        _, wrong = _replace(client, _code_at(clock), password="not my password at all", current_code=current)
        assert wrong.status_code == 422
    _, throttled = _replace(client, _code_at(clock), password=PASSWORD, current_code=current)
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    assert _sealed_factor(runtime, alice) == before
    assert len(logged(runtime, Action.STEP_UP_FAILED)) == 5
