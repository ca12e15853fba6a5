"""Every page answers 503 with the plain page when the database cannot be written or reached (issue 15, 7).

The API already did; the pages answered 500 when the failure came from the server-side session store, which
writes after the view has returned (GET /signin saves a new session holding its CSRF token). The database is
made to fail under the app, at the driver, for writes only (a full disk, a read-only mount) or for everything
(the server gone).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from roi_tracker.runtime import Runtime
from roi_tracker.services.people import users
from tests.web.conftest import sign_in

WRITES = ("INSERT", "UPDATE", "DELETE")
EXECUTE_EVENTS = ("do_execute", "do_executemany", "do_execute_no_params")


@pytest.fixture
def outage(runtime: Runtime) -> Iterator[Callable[[str], None]]:
    """A switch: "writes" makes every write fail as on a full disk, "all" every statement, "none" neither."""
    state = {"mode": "none"}

    def fail(_cursor: Any, statement: str, *_args: Any) -> None:
        # Raised where the driver runs the statement, so SQLAlchemy wraps it as it would a real failure.
        writing = statement.lstrip().upper().startswith(WRITES)
        if state["mode"] == "all" or (state["mode"] == "writes" and writing):
            raise runtime.engine.dialect.loaded_dbapi.OperationalError("database or disk is full")

    for name in EXECUTE_EVENTS:
        sa.event.listen(runtime.engine, name, fail)

    def switch(mode: str) -> None:
        state["mode"] = mode

    yield switch
    for name in EXECUTE_EVENTS:
        sa.event.remove(runtime.engine, name, fail)


def _assert_plain_503(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert "Temporarily unavailable" in response.text
    assert "Traceback" not in response.text
    assert "OperationalError" not in response.text
    assert response.headers["Retry-After"] == "5"


@pytest.mark.parametrize("mode", ["writes", "all"])
def test_the_sign_in_page_answers_503_with_the_plain_page_when_the_database_fails(
    client: FlaskClient, outage: Callable[[str], None], mode: str
) -> None:
    """GET /signin stores a new session (its CSRF token): that failing is a 503, not a 500."""
    outage(mode)
    _assert_plain_503(client.get("/signin"))


@pytest.mark.parametrize("mode", ["writes", "all"])
def test_a_signed_in_page_answers_503_with_the_plain_page_when_the_database_fails(
    app: Flask, make_user: Callable[..., users.UserView], outage: Callable[[str], None], mode: str
) -> None:
    """A clinician's client search page, after sign-in, with the database failing under it."""
    make_user("carol", "clinician")
    browser = app.test_client()
    assert sign_in(browser, "carol").status_code == 302
    outage(mode)
    _assert_plain_503(browser.get("/clients"))


def test_pages_answer_normally_again_once_the_database_is_back(
    client: FlaskClient, outage: Callable[[str], None]
) -> None:
    """The outage passes: the same page answers 200."""
    outage("all")
    assert client.get("/signin").status_code == 503
    outage("none")
    assert client.get("/signin").status_code == 200
