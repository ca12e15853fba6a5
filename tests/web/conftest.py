"""Web fixtures: the app around a fresh instance, people in each role, signing in, a clock tests can move."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.app import create_app
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.runtime import Runtime
from roi_tracker.services.people import users
from tests.conftest import csrf_from

PASSWORD = "correct horse battery staple"
SYSTEM = audit.Actor("test", "system")
COOKIE = "roi_session"


@dataclass
class FakeClock:
    """A clock that stands still until a test moves it."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward by a timedelta's worth of keywords."""
        self.now += timedelta(**delta)


@pytest.fixture
def clock(runtime: Runtime) -> FakeClock:
    """Replace the instance's clock with one that starts now and moves only when told."""
    fake = FakeClock(datetime.now(UTC))
    object.__setattr__(runtime.env, "clock", fake)
    return fake


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    """The web app serving the test instance."""
    return create_app(runtime)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser with its own cookie jar."""
    return app.test_client()


@pytest.fixture
def make_user(runtime: Runtime) -> Callable[..., users.UserView]:
    """Create accounts the way an administrator would, with a known password."""

    def make(username: str, role: str = "clinician", password: str = PASSWORD) -> users.UserView:
        with runtime.sessions() as session:
            return users.create_user(
                session,
                runtime.env,
                SYSTEM,
                username=username,
                display_name=username.title(),
                role=role,
                password=password,
            )

    return make


@pytest.fixture
def signed_in(app: Flask, make_user: Callable[..., users.UserView]) -> Callable[[str, str], FlaskClient]:
    """Return a fresh browser signed in as a new account with the given username and role."""

    def open_as(username: str, role: str) -> FlaskClient:
        make_user(username, role)
        browser = app.test_client()
        response = sign_in(browser, username)
        assert response.status_code == 302, response.text
        return browser

    return open_as


def sign_in(browser: FlaskClient, username: str, password: str = PASSWORD, **environ: str) -> TestResponse:
    """Fill in and send the sign-in form."""
    page = browser.get("/signin", environ_base=environ)
    return browser.post(
        "/signin",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
        environ_base=environ,
    )


def page_token(browser: FlaskClient) -> str:
    """Return a CSRF token valid for this browser's session (from any page that carries one)."""
    page = browser.get("/account")
    if page.status_code != 200:
        page = browser.get("/signin")
    return csrf_from(page.text)


def session_id(browser: FlaskClient) -> str | None:
    """Return the session id the browser holds, if any."""
    cookie = browser.get_cookie(COOKIE)
    return cookie.value if cookie is not None else None


def logged(runtime: Runtime, action: Action) -> list[models.AuditEntry]:
    """Return the access-log entries with `action`, oldest first."""
    with runtime.sessions() as session:
        stmt = select(models.AuditEntry).where(models.AuditEntry.action == action.value)
        return list(session.execute(stmt.order_by(models.AuditEntry.seq)).scalars())


def token_for(runtime: Runtime, username: str) -> str:
    """Issue an API token for `username`."""
    with runtime.sessions() as session:
        return users.issue_token(session, runtime.env, SYSTEM, username)


def session_row_exists(runtime: Runtime, sid: str) -> bool:
    """Tell whether the server still holds a session with this id."""
    with runtime.sessions() as session:
        return session.get(models.WebSession, hashlib.sha256(sid.encode()).digest()) is not None
