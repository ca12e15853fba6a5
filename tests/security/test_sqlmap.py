"""sqlmap against a real `roi-tracker serve`: no form field and no JSON parameter is injectable.

The server runs on 127.0.0.1 and a free port, in a fresh demo instance made by `roi-tracker init --demo`.
Forms are attacked signed in (session cookie, CSRF token refreshed from the page that shows the form), JSON
operations with each role's bearer token; sign-in itself is attacked last, signed out, since failed attempts
throttle the address. It runs on the PostgreSQL pass only: that is the production database, sqlmap's payloads
are chosen for it, and one pass keeps the cost to a few minutes. Locally it skips without sqlmap; under
CI=true a missing sqlmap fails (.ci/run installs it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from roi_tracker import models
from tests.conftest import ON_POSTGRES
from tests.security.live_server import ACCOUNTS
from tests.security.live_server import Browser
from tests.security.live_server import Server
from tests.security.live_server import demo_server
from tests.security.sqlmap_targets import UUID
from tests.security.sqlmap_targets import Target
from tests.security.sqlmap_targets import forms_of
from tests.security.sqlmap_targets import json_targets

PER_TARGET_SECONDS = 90
TOTAL_SECONDS = 300
# Where text becomes a search or a filter, and sign-in: every BEUST test at level 1. Elsewhere `--smart`: the
# heuristic probe of quote-breaking characters per parameter (string-built SQL would answer it with a 500,
# which fails the test) and the full tests only if it shows a database error. All of it keeps under 5 min.
THOROUGH = {
    ("POST", "/signin"),
    ("POST", "/clients"),
    ("GET", "/recipients"),
    ("GET", "/audit/log"),
    ("POST", "/api/v1/clients/search"),
    ("GET", "/api/v1/recipients"),
    ("GET", "/api/v1/audit-events"),
}
# sqlmap's verdict after its own false-positive check (a throttled sign-in page differs from a refused one).
INJECTABLE = re.compile(r"identified the following injection point|is vulnerable")
TESTED = "all tested parameters do not appear to be injectable"
SERVER_ERROR = re.compile(r"^500 \(Internal Server Error\)", re.MULTILINE)


def _sqlmap() -> str:
    found = shutil.which("sqlmap")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("sqlmap is not installed; .ci/run installs it (apt-get install sqlmap)")
    pytest.skip("sqlmap is not installed (apt-get install sqlmap)")


def _ids(database_url: str) -> dict[str, str]:
    """Real rows of the demo practice, named as the API's parameters and fields name them."""
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        clinician = conn.execute(
            sa.select(models.User.id).where(models.User.username == "clinician")
        ).scalar_one()
        client = conn.execute(
            sa.select(models.CaseloadAssignment.client_id).where(
                models.CaseloadAssignment.user_id == clinician
            )
        ).scalar()

        def first(column: sa.ColumnElement[object]) -> str:
            return str(conn.execute(sa.select(column).limit(1)).scalar_one())

        ids = {
            "client_id": str(client),
            "recipient_id": first(models.Recipient.id),
            "auth_id": first(models.Authorization.id),
            "document_id": first(models.Document.id),
            "disclosure_id": first(models.Disclosure.id),
            "subject_id": first(models.ConfidentialityException.id),
            "incident_id": first(models.Incident.id),
            "request_id": first(models.RecordRequest.id),
            "letter_id": first(models.RequestLetter.id),
            "clinician": "clinician",
            "covering": str(
                conn.execute(sa.select(models.User.id).where(models.User.username == "covering")).scalar_one()
            ),
        }
    engine.dispose()
    return ids | {"authorization_id": ids["auth_id"], "order_document_id": ids["document_id"]}


def _command(sqlmap: str, server: Server, target: Target, who: dict[str, str], out: Path) -> list[str]:
    dbms = "PostgreSQL" if ON_POSTGRES else "SQLite"
    cmd = [sqlmap, "-u", server.base + target.url, "--batch", "--level", "1", "--risk", "1"]
    cmd += ["--technique", "BEUST", "--time-sec", "1", "--timeout", "10", "--retries", "1", "--dbms", dbms]
    cmd += ["--skip-waf", "--disable-coloring", "--output-dir", str(out)]  # POST exactly when there is data
    if (target.method, target.route) not in THOROUGH:
        cmd += ["--smart"]
    if target.data:
        cmd += ["--data", target.data]
    if target.kind == "json":
        cmd += ["-H", f"Authorization: Bearer {who[target.role]}", "-H", "Content-Type: application/json"]
    elif who.get(target.role):
        cmd += ["--cookie", who[target.role]]
    if target.page:
        cmd += ["--csrf-token", "csrf_token", "--csrf-url", server.base + target.page]
    if target.route == "/signin":
        cmd += [
            "--ignore-code",
            "401,429",
        ]  # a wrong password, then throttling: the answers sign-in must give
    return cmd


def _attack(
    sqlmap: str, server: Server, targets: list[Target], who: dict[str, str], out: Path, deadline: float
) -> list[str]:
    """Run sqlmap on each target until `deadline` (time.monotonic()); return what went wrong."""
    problems: list[str] = []
    for target in targets:
        started = time.monotonic()
        left = deadline - started
        if left <= 0:
            problems.append(f"time cap reached before {target.method} {target.route} ({target.role})")
            continue
        name = f"{target.kind} {target.method} {target.route} as {target.role}"
        try:
            done = subprocess.run(
                _command(sqlmap, server, target, who, out),
                capture_output=True,
                text=True,
                timeout=min(PER_TARGET_SECONDS, left),
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            problems.append(f"{name}: sqlmap took longer than {min(PER_TARGET_SECONDS, left):.0f} s")
            continue
        print(f"{time.monotonic() - started:6.1f} s  {name}")  # shown when the test fails
        if INJECTABLE.search(done.stdout):
            problems.append(f"{name}: injectable\n{done.stdout[-3000:]}")
        elif SERVER_ERROR.search(done.stdout):
            problems.append(f"{name}: the server answered 500\n{done.stdout[-1500:]}")
        elif TESTED not in done.stdout:
            problems.append(f"{name}: sqlmap did not finish its tests\n{done.stdout[-1500:]}")
    return problems


def _never_reached(log: Path, targets: list[Target]) -> list[str]:
    """Targets whose every request was refused before its handler: CSRF (400) for forms, 401/403 for JSON."""
    answers: dict[tuple[str, str], set[str]] = {}
    for method, path, status in re.findall(r'"(GET|POST) ([^"? ]+)[^"]*" (\d{3})', log.read_text()):
        answers.setdefault((method, UUID.sub("{id}", path)), set()).add(status)
    refusals = {"form": {"400"}, "json": {"401", "403"}}
    return [
        f"{t.kind} {t.method} {t.route} as {t.role}: every request was refused before the handler"
        for t in targets
        if answers.get((t.method, t.route), set()) <= refusals[t.kind]
    ]


def _unique(targets: list[Target]) -> list[Target]:
    seen, out = set(), []
    for target in targets:
        key = (target.method, target.route, target.kind, re.sub(r"=[^&]*", "", target.data))
        if key not in seen:
            seen.add(key)
            out.append(target)
    return out


@pytest.mark.slow
@pytest.mark.skipif(
    not ON_POSTGRES, reason="sqlmap runs once, on the PostgreSQL pass (the production database)"
)
def test_no_form_field_or_json_parameter_is_injectable(tmp_path: Path, database_url: str) -> None:
    """Every form each role sees and every JSON operation's parameters resist sqlmap's tests."""
    sqlmap = _sqlmap()
    with demo_server(tmp_path, database_url) as server:
        browsers = {role: Browser(server.base) for role in ACCOUNTS}
        for role, browser in browsers.items():
            browser.sign_in(ACCOUNTS[role], server.passwords[ACCOUNTS[role]])
        ids = _ids(database_url)
        # Administrators change another person's account (changing a role ends that person's sessions), so
        # their forms are found on the covering clinician's page and attacked after everyone else's.
        staff = [t for role, b in browsers.items() if role != "admin" for t in forms_of(role, b)]
        admin = forms_of("admin", browsers["admin"], f"/admin/users/{ids['covering']}", "/")
        forms = _unique(staff + admin)
        apis = json_targets(json.loads(browsers["admin"].get("/api/v1/openapi.json")[2]), ids)
        routes = {t.route for t in forms}
        # The crawl found the forms that matter (a broken crawl would attack nothing and pass).
        assert {"/clients/new", "/clients/{id}/check", "/admin/users/new", "/accounting/requests"} <= routes
        assert len(apis) >= 15, [t.route for t in apis]
        who = {role: b.cookie() for role, b in browsers.items()}
        tokens = {role: server.token(ACCOUNTS[role]) for role in ACCOUNTS}
        out, deadline = tmp_path / "sqlmap", time.monotonic() + TOTAL_SECONDS
        problems = _attack(sqlmap, server, apis, tokens, out, deadline)
        problems += _attack(sqlmap, server, forms, who, out, deadline)
        visitor = Browser(server.base)  # the sign-in form's CSRF token belongs to this visitor's session
        signin = forms_of("signed_out", visitor, "/signin")
        problems += _attack(sqlmap, server, _unique(signin), {"signed_out": visitor.cookie()}, out, deadline)
        problems += _never_reached(server.log, apis + forms + signin)
    assert not problems, "\n\n".join(problems)
