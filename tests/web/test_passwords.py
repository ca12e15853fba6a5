"""Passwords through the browser: the policy, changing one's own, and the change forced after a reset."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.test import TestResponse

from roi_tracker import models
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.runtime import Runtime
from roi_tracker.services.people import password_change
from tests.conftest import csrf_from
from tests.web.conftest import PASSWORD
from tests.web.conftest import SYSTEM
from tests.web.conftest import logged
from tests.web.conftest import page_token
from tests.web.conftest import sign_in

NEW = "a brand new passphrase"
SHORT = ("short pw", "at least 12 characters")
COMMON = ("password1234", "commonly used passwords")


def _change(browser: FlaskClient, current: str, new: str, again: str | None = None) -> TestResponse:
    token = csrf_from(browser.get("/account/password").text)
    return browser.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm_password": new if again is None else again,
            "csrf_token": token,
        },
    )


def _reset(runtime: Runtime, username: str, new: str = NEW) -> None:
    with runtime.sessions() as session:
        password_change.reset(session, runtime.env, SYSTEM, username, new)


@pytest.mark.parametrize(("password", "message"), [SHORT, COMMON])
def test_an_admin_cannot_create_an_account_with_a_short_or_common_password(
    runtime: Runtime, signed_in: Callable, password: str, message: str
) -> None:
    """The new-user form answers 422 with the reason at the password field, and creates no account."""
    admin = signed_in("root", "admin")
    form = {"username": "weak", "display_name": "Weak", "role": "clinician", "password": password}
    response = admin.post("/admin/users/new", data={**form, "csrf_token": page_token(admin)})
    assert response.status_code == 422
    assert 'id="password-error"' in response.text
    assert message in response.text
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(models.User).filter_by(username="weak")) == 0


def test_changes_ones_own_password_and_logs_it(app: Flask, runtime: Runtime, signed_in: Callable) -> None:
    """With the current password and the new one twice, the new one signs in, the old does not; logged."""
    browser = signed_in("alice", "clinician")
    response = _change(browser, PASSWORD, NEW)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert browser.get("/account").status_code == 200  # this session goes on
    entries = logged(runtime, Action.PASSWORD_CHANGED)
    assert len(entries) == 1
    assert entries[0].object_id == entries[0].actor
    assert sign_in(app.test_client(), "alice", PASSWORD).status_code == 401
    assert sign_in(app.test_client(), "alice", NEW).status_code == 302


def test_refuses_to_change_without_the_current_password(
    app: Flask, runtime: Runtime, signed_in: Callable
) -> None:
    """A wrong current password is answered at its field, 422; the old password still signs in."""
    browser = signed_in("alice", "clinician")
    response = _change(browser, "not my password at all", NEW)
    assert response.status_code == 422
    assert 'id="current_password-error"' in response.text
    assert "current password is not correct" in response.text
    assert logged(runtime, Action.PASSWORD_CHANGED) == []
    assert len(logged(runtime, Action.STEP_UP_FAILED)) == 1
    assert sign_in(app.test_client(), "alice", PASSWORD).status_code == 302


@pytest.mark.parametrize(("password", "message"), [SHORT, COMMON])
def test_refuses_a_short_or_common_new_password_at_its_field(
    app: Flask, runtime: Runtime, signed_in: Callable, password: str, message: str
) -> None:
    """The policy applies to one's own change too: 422, the reason at the new-password field."""
    browser = signed_in("alice", "clinician")
    response = _change(browser, PASSWORD, password)
    assert response.status_code == 422
    assert 'id="new_password-error"' in response.text
    assert message in response.text
    assert logged(runtime, Action.PASSWORD_CHANGED) == []


def test_refuses_when_the_two_new_passwords_differ(runtime: Runtime, signed_in: Callable) -> None:
    """The new password is typed twice and must match."""
    browser = signed_in("alice", "clinician")
    response = _change(browser, PASSWORD, NEW, again=NEW + "x")
    assert response.status_code == 422
    assert "the two new passwords differ" in response.text
    assert logged(runtime, Action.PASSWORD_CHANGED) == []


def test_ends_the_other_sessions_of_the_person_who_changed_it(app: Flask, signed_in: Callable) -> None:
    """A browser signed in elsewhere with the old password is signed out by the change."""
    browser = signed_in("alice", "clinician")
    elsewhere = app.test_client()
    assert sign_in(elsewhere, "alice").status_code == 302
    assert elsewhere.get("/account").status_code == 200
    assert _change(browser, PASSWORD, NEW).status_code == 302
    assert elsewhere.get("/account").status_code == 302
    assert browser.get("/account").status_code == 200


def test_a_reset_forces_a_change_at_the_next_sign_in(
    app: Flask, runtime: Runtime, make_user: Callable
) -> None:
    """After an admin's reset, every page leads to the change-password page until the password is changed."""
    make_user("alice", "clinician")
    _reset(runtime, "alice")
    browser = app.test_client()
    assert sign_in(browser, "alice", NEW).status_code == 302
    for path in ("/", "/account", "/account/mfa", "/clients/search"):
        response = browser.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/account/password", path
    page = browser.get("/account/password")
    assert page.status_code == 200
    assert "An administrator reset your password" in page.text
    assert _change(browser, NEW, "my own chosen passphrase").status_code == 302
    assert browser.get("/").status_code == 200


def test_a_reset_ends_the_persons_sessions_and_is_logged(
    app: Flask, runtime: Runtime, signed_in: Callable
) -> None:
    """Whoever was signed in with the old password is signed out; the reset is its own log entry."""
    browser = signed_in("alice", "clinician")
    _reset(runtime, "alice")
    assert browser.get("/account").status_code == 302
    assert browser.get("/account").headers["Location"].startswith("/signin")
    assert len(logged(runtime, Action.PASSWORD_RESET)) == 1
