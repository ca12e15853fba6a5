"""Response headers, cookies and CSRF: the passive checks a scanner would make, as assertions (ASVS 3.x)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.routing import IntegerConverter
from werkzeug.test import TestResponse

from roi_tracker import models
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.runtime import Runtime
from tests.conftest import csrf_from
from tests.web.conftest import COOKIE
from tests.web.conftest import PASSWORD
from tests.web.conftest import logged
from tests.web.conftest import page_token
from tests.web.conftest import session_id
from tests.web.conftest import token_for

# Policies under which a browser sends only the origin, even to the same site (W3C Referrer Policy).
ORIGIN_ONLY = {"origin", "strict-origin"}
PLACEHOLDER = "00000000-0000-0000-0000-000000000000"
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]{16,})'")


def _policy(response: TestResponse) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {d[0]: d[1:] for d in directives}


def _fetch(kind: str, app: Flask, runtime: Runtime, signed_in: Callable) -> TestResponse:
    if kind == "signed-in page":
        return signed_in("alice", "clinician").get("/account")
    if kind == "sign-in page":
        return app.test_client().get("/signin")
    if kind == "API JSON":
        signed_in("alice", "clinician")
        token = token_for(runtime, "alice")
        return app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    if kind == "API error":
        return app.test_client().get("/api/v1/me")
    if kind == "404 page":
        return app.test_client().get("/no/such/page")
    if kind == "static file":
        response = app.test_client().get("/static/app.css")
        response.close()
        return response
    raise AssertionError(kind)


KINDS = ["signed-in page", "sign-in page", "API JSON", "API error", "404 page", "static file"]


@pytest.mark.parametrize("kind", KINDS)
def test_sends_the_security_headers_on_every_response(
    kind: str, app: Flask, runtime: Runtime, signed_in: Callable
) -> None:
    """CSP with a nonce and locked-down directives, nosniff and Referrer-Policy on every kind of answer."""
    response = _fetch(kind, app, runtime, signed_in)
    policy = _policy(response)
    assert any(NONCE.fullmatch(v) for v in policy["script-src"]), policy["script-src"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_uses_a_fresh_nonce_for_every_response(client: FlaskClient) -> None:
    """Two responses never share a CSP nonce."""
    nonces = {
        NONCE.search(client.get("/signin").headers["Content-Security-Policy"]).group(1) for _ in range(3)
    }
    assert len(nonces) == 3


@pytest.mark.parametrize("path", ["/", "/account", "/admin/users", "/admin/users/new"])
def test_forbids_caching_of_signed_in_pages(path: str, signed_in: Callable) -> None:
    """Pages behind sign-in carry Cache-Control: no-store."""
    response = signed_in("root", "admin").get(path)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_forbids_caching_of_api_answers(app: Flask, runtime: Runtime, signed_in: Callable) -> None:
    """Token-authenticated API answers carry Cache-Control: no-store too."""
    signed_in("alice", "clinician")
    token = token_for(runtime, "alice")
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_sets_a_host_only_http_only_same_site_cookie(client: FlaskClient) -> None:
    """Without HTTPS settings the cookie is still HttpOnly, SameSite=Lax, path / and bound to the host."""
    response = client.get("/signin")
    (cookie,) = response.headers.getlist("Set-Cookie")
    attributes = [a.strip().lower() for a in cookie.split(";")]
    assert cookie.startswith(f"{COOKIE}=")
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes
    assert not any(a.startswith("domain=") for a in attributes)
    assert "Strict-Transport-Security" not in response.headers


def _referrer_sent_to_self(policy: str, page: str) -> str | None:
    """Return the Referer a browser sends with a same-origin form post from `page` under `policy`."""
    if policy == "no-referrer":
        return None
    if policy in ORIGIN_ONLY:
        parts = urlsplit(page)
        return f"{parts.scheme}://{parts.netloc}/"
    return page


def test_uses_a_host_prefixed_secure_cookie_and_hsts_over_https(
    app: Flask, make_user: Callable, with_settings: Callable
) -> None:
    """With secure cookies the session cookie is __Host-roi_session, Secure, and HSTS is sent."""
    with_settings(secure_cookies=True)
    app.config["ROI_SECURE_COOKIES"] = True
    make_user("alice", "clinician")
    browser = app.test_client()
    page = browser.get("/signin", base_url="https://localhost")
    (cookie,) = page.headers.getlist("Set-Cookie")
    attributes = [a.strip().lower() for a in cookie.split(";")]
    assert cookie.startswith("__Host-roi_session=")
    assert "secure" in attributes
    assert "httponly" in attributes
    assert "path=/" in attributes
    assert not any(a.startswith("domain=") for a in attributes)
    hsts = page.headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31_536_000
    assert browser.get_cookie(COOKIE) is None


def test_signs_in_over_https_with_what_a_browser_sends(
    app: Flask, make_user: Callable, with_settings: Callable
) -> None:
    """Over HTTPS the CSRF check wants a same-site Referer; the Referrer-Policy must let browsers send it."""
    with_settings(secure_cookies=True)
    app.config["ROI_SECURE_COOKIES"] = True
    make_user("alice", "clinician")
    browser = app.test_client()
    page = browser.get("/signin", base_url="https://localhost")
    referer = _referrer_sent_to_self(page.headers["Referrer-Policy"], "https://localhost/signin")
    signed = browser.post(
        "/signin",
        data={"username": "alice", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
        base_url="https://localhost",
        headers={"Referer": referer} if referer else {},
    )
    assert signed.status_code == 302, signed.text
    home = browser.get("/", base_url="https://localhost")
    assert home.status_code == 200
    assert "Strict-Transport-Security" in home.headers


def test_refuses_an_https_post_referred_by_another_site(
    app: Flask, make_user: Callable, with_settings: Callable
) -> None:
    """Over HTTPS a form post whose Referer names another site is refused, even with a valid token."""
    with_settings(secure_cookies=True)
    app.config["ROI_SECURE_COOKIES"] = True
    make_user("alice", "clinician")
    browser = app.test_client()
    page = browser.get("/signin", base_url="https://localhost")
    response = browser.post(
        "/signin",
        data={"username": "alice", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
        base_url="https://localhost",
        headers={"Referer": "https://evil.example/login"},
    )
    assert response.status_code == 400


def test_sends_no_referrer_to_other_sites(client: FlaskClient) -> None:
    """The Referrer-Policy keeps page addresses from other sites."""
    assert client.get("/signin").headers["Referrer-Policy"] in {"no-referrer", "same-origin"}


def test_refuses_a_post_without_a_csrf_token_and_changes_nothing(
    runtime: Runtime, signed_in: Callable
) -> None:
    """An admin's create-user form sent without its token gets 400 and creates no account."""
    admin = signed_in("root", "admin")
    form = {"username": "forged", "display_name": "Forged", "role": "admin", "password": PASSWORD}
    response = admin.post("/admin/users/new", data=form)
    assert response.status_code == 400
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(models.User).filter_by(username="forged")) == 0
    assert len(logged(runtime, Action.USER_CREATED)) == 1  # root's own account, nothing since


def test_refuses_a_csrf_token_from_another_session(app: Flask, runtime: Runtime, signed_in: Callable) -> None:
    """A token lifted from someone else's session (here an attacker's own) is refused."""
    admin = signed_in("root", "admin")
    attacker_token = csrf_from(app.test_client().get("/signin").text)
    form = {
        "username": "forged",
        "display_name": "Forged",
        "role": "admin",
        "password": PASSWORD,
        "csrf_token": attacker_token,
    }
    assert admin.post("/admin/users/new", data=form).status_code == 400
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(models.User).filter_by(username="forged")) == 0


def test_creates_the_account_when_the_token_is_right(runtime: Runtime, signed_in: Callable) -> None:
    """The same form with the session's own token does create the account (the refusal above is CSRF)."""
    admin = signed_in("root", "admin")
    form = {
        "username": "welcome",
        "display_name": "Welcome",
        "role": "clinician",
        "password": PASSWORD,
        "csrf_token": page_token(admin),
    }
    assert admin.post("/admin/users/new", data=form).status_code == 302
    with runtime.sessions() as session:
        assert (
            session.scalar(select(func.count()).select_from(models.User).filter_by(username="welcome")) == 1
        )


def test_refuses_a_forged_sign_out(runtime: Runtime, signed_in: Callable) -> None:
    """A sign-out POST without the token is refused and the session lives on."""
    browser = signed_in("alice", "clinician")
    sid = session_id(browser)
    assert browser.post("/signout").status_code == 400
    assert session_id(browser) == sid
    assert browser.get("/").status_code == 200


def test_refuses_a_sign_in_without_a_csrf_token(client: FlaskClient, make_user: Callable) -> None:
    """The sign-in form needs its token too, so a site cannot sign a browser into an account (login CSRF)."""
    make_user("alice", "clinician")
    response = client.post("/signin", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_refuses_sign_out_by_get(signed_in: Callable) -> None:
    """Signing out is POST-only: GET /signout answers 405 and the session lives on."""
    browser = signed_in("alice", "clinician")
    assert browser.get("/signout").status_code == 405
    assert browser.get("/").status_code == 200


def _post_only_paths(app: Flask) -> list[str]:
    """Return a concrete path for every POST rule that no GET route answers (arguments get a placeholder)."""
    adapter = app.url_map.bind("localhost")
    paths = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()):
            continue
        values = {
            name: 1 if isinstance(converter, IntegerConverter) else PLACEHOLDER
            for name, converter in rule._converters.items()
        }
        path = rule.build(values)[1]
        try:
            adapter.match(path, method="GET")
        except MethodNotAllowed:
            paths.append(path)
    return sorted(paths)


def test_answers_405_to_get_on_every_state_changing_route(
    app: Flask, runtime: Runtime, make_user: Callable, signed_in: Callable
) -> None:
    """No POST-only action can be triggered by GET (a link or an image), even for an administrator."""
    target = make_user("target", "clinician")
    admin = signed_in("root", "admin")
    paths = _post_only_paths(app)
    assert "/signout" in paths
    for path in paths:
        real = path.replace(PLACEHOLDER, str(target.id))
        assert admin.get(real).status_code == 405, real
    with runtime.sessions() as session:
        assert session.get(models.User, target.id).active
    assert logged(runtime, Action.USER_DISABLED) == []
    assert logged(runtime, Action.USER_MFA_RESET) == []
