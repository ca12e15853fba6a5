"""Deny by default: every route declares its permission, and one matrix pins who gets what (ASVS 8.2.1).

The expectations are written out here by hand, not derived from `roles.GRANTS`, so a change to the grant
table that opens or closes a route fails this test until the table below is changed on purpose.
Every POST carries a valid CSRF token for the caller's own session, so CSRF is never what answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.app import create_app
from roi_tracker.domain import clients as client_rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.roles import Access
from roi_tracker.domain.roles import Permission
from roi_tracker.http.security import requires
from roi_tracker.runtime import Runtime
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from tests.helpers import image
from tests.web.conftest import logged
from tests.web.conftest import page_token
from tests.web.conftest import sign_in
from tests.web.conftest import token_for

ANONYMOUS = "anonymous"
ADMIN = "admin"
AUDITOR = "auditor"
CLINICIAN = "clinician"
FRONT_DESK = "front_desk"
ROLES = (CLINICIAN, FRONT_DESK, AUDITOR, ADMIN)
CALLERS = (ANONYMOUS, *ROLES)
EVERYONE = frozenset(ROLES)
STAFF = frozenset({CLINICIAN, FRONT_DESK})  # who works with client records
PUBLIC = None  # no sign-in needed
NOWHERE = "00000000-0000-4000-8000-000000000000"  # an id no row has
CLINICIANS = frozenset({CLINICIAN})
AUDITORS = frozenset({AUDITOR})
PRODUCERS = frozenset({CLINICIAN, AUDITOR})
READERS = frozenset(
    {CLINICIAN, FRONT_DESK, AUDITOR}
)  # who may read the request queue  # who may produce an accounting or export consents


@dataclass(frozen=True)
class Route:
    """How one route answers: the roles it admits, their status, and (when public) the anonymous status."""

    path: str
    allowed: frozenset[str] | None
    ok: int
    anonymous: int | None = None


# (method, endpoint) -> expectation. A POST sent with only its CSRF token (no other form data) answers
# 400/422 where a field is required, 302 where the action needs no field.
ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "static"): Route("/static/app.css", PUBLIC, ok=200, anonymous=200),
    ("GET", "auth.signin_page"): Route("/signin", PUBLIC, ok=302, anonymous=200),
    ("POST", "auth.signin_page"): Route("/signin", PUBLIC, ok=302, anonymous=400),
    ("GET", "auth.challenge"): Route("/signin/code", PUBLIC, ok=302, anonymous=302),
    ("POST", "auth.challenge"): Route("/signin/code", PUBLIC, ok=302, anonymous=302),
    ("GET", "auth.enrol"): Route("/signin/enrol", PUBLIC, ok=302, anonymous=302),
    ("POST", "auth.enrol"): Route("/signin/enrol", PUBLIC, ok=302, anonymous=302),
    ("POST", "auth.signout"): Route("/signout", PUBLIC, ok=302, anonymous=302),
    ("GET", "auth.account_mfa"): Route("/account/mfa", EVERYONE, ok=200),
    ("POST", "auth.account_mfa"): Route("/account/mfa", EVERYONE, ok=400),
    ("GET", "auth.change_password"): Route("/account/password", EVERYONE, ok=200),
    ("POST", "auth.change_password"): Route("/account/password", EVERYONE, ok=422),
    ("POST", "auth.keepalive"): Route("/session/keepalive", EVERYONE, ok=200),
    ("GET", "home.index"): Route("/", EVERYONE, ok=200),
    ("GET", "home.account"): Route("/account", EVERYONE, ok=200),
    ("POST", "reminders.account_reminders"): Route("/account/reminders", EVERYONE, ok=302),
    ("GET", "admin.user_list"): Route("/admin/users", frozenset({ADMIN}), ok=200),
    ("GET", "admin.user_new"): Route("/admin/users/new", frozenset({ADMIN}), ok=200),
    ("POST", "admin.user_new"): Route("/admin/users/new", frozenset({ADMIN}), ok=422),
    ("GET", "admin.user_detail"): Route("/admin/users/{user_id}", frozenset({ADMIN}), ok=200),
    ("POST", "admin.user_role"): Route("/admin/users/{user_id}/role", frozenset({ADMIN}), ok=422),
    ("POST", "admin.user_disable"): Route("/admin/users/{user_id}/disable", frozenset({ADMIN}), ok=302),
    ("POST", "admin.user_enable"): Route("/admin/users/{user_id}/enable", frozenset({ADMIN}), ok=302),
    ("POST", "admin.user_reset_mfa"): Route("/admin/users/{user_id}/reset-mfa", frozenset({ADMIN}), ok=302),
    ("GET", "audit.log_page"): Route("/audit/log", frozenset({AUDITOR}), ok=200),
    ("GET", "audit.log_csv"): Route("/audit/log.csv", frozenset({AUDITOR}), ok=200),
    ("GET", "audit.verification"): Route("/audit/verification", frozenset({AUDITOR}), ok=200),
    ("POST", "audit.verify_now"): Route("/audit/verification", frozenset({AUDITOR}), ok=302),
    ("GET", "audit.queue_page"): Route("/audit/queues/{name}", frozenset({AUDITOR}), ok=200),
    ("POST", "audit.review"): Route("/audit/queues/{name}/{seq}/review", frozenset({AUDITOR}), ok=422),
    ("GET", "clients.search_page"): Route("/clients", STAFF, ok=200),
    ("POST", "clients.search_page"): Route("/clients", STAFF, ok=422),
    ("GET", "clients.register"): Route("/clients/new", STAFF, ok=200),
    ("POST", "clients.register"): Route("/clients/new", STAFF, ok=422),
    ("GET", "clients.page"): Route("/clients/{client_id}", STAFF, ok=200),
    ("GET", "clients.edit"): Route("/clients/{client_id}/edit", STAFF, ok=200),
    ("POST", "clients.edit"): Route("/clients/{client_id}/edit", STAFF, ok=422),
    ("POST", "clients.discharge"): Route("/clients/{client_id}/discharge", frozenset({CLINICIAN}), ok=302),
    ("POST", "clients.upload"): Route("/clients/{client_id}/documents", frozenset({CLINICIAN}), ok=422),
    ("POST", "clients.give_copy"): Route("/clients/{client_id}/copies", CLINICIANS, ok=422),
    ("POST", "clients.change_part2"): Route("/clients/{client_id}/part2", CLINICIANS, ok=422),
    ("POST", "minors.record"): Route("/clients/{client_id}/minor-consent", CLINICIANS, ok=422),
    ("GET", "clients.download"): Route("/documents/{document_id}", frozenset({CLINICIAN}), ok=200),
    ("GET", "api.health"): Route("/api/v1/health", PUBLIC, ok=200, anonymous=200),
    ("GET", "api.openapi_document"): Route("/api/v1/openapi.json", PUBLIC, ok=200, anonymous=200),
    ("GET", "api.me"): Route("/api/v1/me", EVERYONE, ok=200),
    ("GET", "api.audit_events"): Route("/api/v1/audit-events", frozenset({AUDITOR}), ok=200),
    ("GET", "api.audit_verification"): Route("/api/v1/audit/verification", frozenset({AUDITOR}), ok=200),
    # API POSTs are sent with no body at all: 400 where JSON is expected, 422 where form fields are.
    ("POST", "api.create_client"): Route("/api/v1/clients", STAFF, ok=400),
    ("POST", "api.search_clients"): Route("/api/v1/clients/search", STAFF, ok=400),
    ("GET", "api.get_client"): Route("/api/v1/clients/{client_id}", STAFF, ok=200),
    ("POST", "api.change_part2"): Route("/api/v1/clients/{client_id}/part2", CLINICIANS, ok=400),
    ("POST", "api.upload_document"): Route(
        "/api/v1/clients/{client_id}/documents", frozenset({CLINICIAN}), ok=422
    ),
    ("GET", "api.get_document"): Route("/api/v1/documents/{document_id}", frozenset({CLINICIAN}), ok=200),
    # Releases. Authorization, disclosure and recipient ids below are unknown: an admitted role gets 404.
    ("GET", "releases.record"): Route(
        "/clients/{client_id}/authorizations/new", frozenset({CLINICIAN}), ok=200
    ),
    ("POST", "releases.record"): Route(
        "/clients/{client_id}/authorizations/new", frozenset({CLINICIAN}), ok=422
    ),
    ("POST", "releases.revoke"): Route(
        f"/clients/{{client_id}}/authorizations/{NOWHERE}/revoke", frozenset({CLINICIAN}), ok=422
    ),
    ("POST", "releases.expiry_event"): Route(
        f"/clients/{{client_id}}/authorizations/{NOWHERE}/expiry-event", frozenset({CLINICIAN}), ok=422
    ),
    ("GET", "authorization.page"): Route(f"/clients/{{client_id}}/authorizations/{NOWHERE}", STAFF, ok=404),
    ("GET", "releases.check"): Route("/clients/{client_id}/check", STAFF, ok=200),
    ("POST", "releases.check"): Route("/clients/{client_id}/check", STAFF, ok=422),
    ("POST", "releases.disclose"): Route("/clients/{client_id}/disclosures", STAFF, ok=422),
    ("GET", "releases.packet"): Route(f"/disclosures/{NOWHERE}/packet", STAFF, ok=404),
    ("GET", "releases.record_past"): Route("/clients/{client_id}/disclosures/past", STAFF, ok=200),
    ("POST", "releases.record_past"): Route("/clients/{client_id}/disclosures/past", STAFF, ok=422),
    ("GET", "releases.revocation_notice"): Route(
        f"/authorizations/{NOWHERE}/revocation-notice/{NOWHERE}", STAFF, ok=404
    ),
    ("GET", "releases.directory"): Route("/recipients", STAFF, ok=200),
    ("POST", "releases.directory"): Route("/recipients", STAFF, ok=422),
    ("GET", "recipients.edit"): Route(f"/recipients/{NOWHERE}/edit", STAFF, ok=404),
    ("POST", "recipients.edit"): Route(f"/recipients/{NOWHERE}/edit", STAFF, ok=404),
    ("POST", "recipients.merge"): Route(f"/recipients/{NOWHERE}/merge", STAFF, ok=404),
    ("POST", "recipients.archive"): Route(f"/recipients/{NOWHERE}/archive", STAFF, ok=404),
    ("POST", "api.create_recipient"): Route("/api/v1/recipients", STAFF, ok=400),
    ("GET", "api.list_recipients"): Route("/api/v1/recipients", STAFF, ok=200),
    ("POST", "api.record_authorization"): Route(
        "/api/v1/clients/{client_id}/authorizations", frozenset({CLINICIAN}), ok=422
    ),
    ("POST", "api.discharge_client"): Route(
        f"/api/v1/clients/{NOWHERE}/discharge", frozenset({CLINICIAN}), ok=400
    ),
    ("GET", "api.list_authorizations"): Route("/api/v1/clients/{client_id}/authorizations", STAFF, ok=200),
    ("POST", "api.revoke_authorization"): Route(
        f"/api/v1/authorizations/{NOWHERE}/revoke", frozenset({CLINICIAN}), ok=422
    ),
    ("POST", "api.authorization_expiry_event"): Route(
        f"/api/v1/authorizations/{NOWHERE}/expiry-event", frozenset({CLINICIAN}), ok=400
    ),
    ("POST", "api.disclosure_check"): Route("/api/v1/disclosure-checks", STAFF, ok=400),
    ("POST", "api.record_disclosure"): Route("/api/v1/clients/{client_id}/disclosures", STAFF, ok=400),
    ("GET", "api.disclosure_packet"): Route(f"/api/v1/disclosures/{NOWHERE}/packet", STAFF, ok=404),
    ("POST", "api.record_past_disclosure"): Route(
        "/api/v1/clients/{client_id}/past-disclosures", STAFF, ok=400
    ),
    ("GET", "exceptions.record"): Route("/clients/{client_id}/exceptions/new", CLINICIANS, ok=200),
    ("POST", "exceptions.record"): Route("/clients/{client_id}/exceptions/new", CLINICIANS, ok=200),
    ("GET", "exceptions.queue"): Route("/exceptions", AUDITORS, ok=200),
    ("POST", "exceptions.review"): Route(f"/exceptions/{NOWHERE}/review", AUDITORS, ok=422),
    ("GET", "exceptions.emergency_access"): Route("/emergency-access", CLINICIANS, ok=200),
    ("POST", "exceptions.emergency_access"): Route("/emergency-access", CLINICIANS, ok=422),
    ("POST", "exceptions.end_emergency"): Route(f"/emergency-access/{NOWHERE}/end", CLINICIANS, ok=404),
    ("POST", "api.record_exception"): Route("/api/v1/clients/{client_id}/exceptions", CLINICIANS, ok=400),
    ("GET", "api.list_exceptions"): Route("/api/v1/exceptions", AUDITORS, ok=200),
    ("POST", "api.review_exception"): Route(f"/api/v1/exceptions/{NOWHERE}/review", AUDITORS, ok=400),
    ("POST", "api.start_emergency_access"): Route(
        "/api/v1/clients/{client_id}/emergency-access", CLINICIANS, ok=400
    ),
    # Accounting of disclosures: auditors manage requests; the caseload clinician and auditors produce it.
    ("GET", "accounting.requests_page"): Route("/accounting", AUDITORS, ok=200),
    ("POST", "accounting.new_request"): Route("/accounting/requests", AUDITORS, ok=422),
    ("POST", "accounting.extend"): Route(f"/accounting/requests/{NOWHERE}/extend", AUDITORS, ok=422),
    ("POST", "accounting.deliver"): Route(f"/accounting/requests/{NOWHERE}/deliver", AUDITORS, ok=422),
    ("POST", "accounting.suspend"): Route("/accounting/suspensions", AUDITORS, ok=422),
    ("GET", "accounting.client_accounting"): Route("/clients/{client_id}/accounting", PRODUCERS, ok=200),
    ("GET", "api.client_accounting"): Route("/api/v1/clients/{client_id}/accounting", PRODUCERS, ok=200),
    ("GET", "api.fhir_consents"): Route("/api/v1/clients/{client_id}/fhir/consents", PRODUCERS, ok=200),
    ("GET", "api.fhir_audit_events"): Route(
        "/api/v1/clients/{client_id}/fhir/audit-events", PRODUCERS, ok=200
    ),
    # Signing in the office (issue 20): clinicians and administrators read templates, administrators write.
    ("GET", "signing.prepare"): Route("/clients/{client_id}/releases/prepare", CLINICIANS, ok=200),
    ("POST", "signing.prepare"): Route("/clients/{client_id}/releases/prepare", CLINICIANS, ok=422),
    ("GET", "signing.sign_page"): Route("/signing", CLINICIANS, ok=302),
    ("POST", "signing.sign_page"): Route("/signing", CLINICIANS, ok=302),
    ("GET", "signing.copy"): Route("/signing/copy", CLINICIANS, ok=302),
    ("POST", "signing.leave"): Route("/signing/leave", CLINICIANS, ok=302),
    ("GET", "form_templates.index"): Route("/admin/form-templates", frozenset({CLINICIAN, ADMIN}), ok=200),
    ("GET", "form_templates.new_version"): Route(
        "/admin/form-templates/hipaa/new", frozenset({ADMIN}), ok=200
    ),
    ("POST", "form_templates.new_version"): Route(
        "/admin/form-templates/hipaa/new", frozenset({ADMIN}), ok=422
    ),
    ("GET", "api.list_form_templates"): Route(
        "/api/v1/form-templates", frozenset({CLINICIAN, ADMIN}), ok=200
    ),
    ("POST", "api.create_form_template"): Route("/api/v1/form-templates", frozenset({ADMIN}), ok=400),
    ("POST", "api.release_form"): Route("/api/v1/clients/{client_id}/release-forms", CLINICIANS, ok=400),
    # Incidents: anyone signed in reports one; the privacy officer reads, assesses and notifies (H-B1..H-B9).
    ("GET", "incidents.report"): Route("/incidents/new", EVERYONE, ok=200),
    ("POST", "incidents.report"): Route("/incidents/new", EVERYONE, ok=422),
    ("GET", "incidents.register_page"): Route("/incidents", AUDITORS, ok=200),
    ("GET", "incidents.hhs_log"): Route("/incidents/hhs-log.csv", AUDITORS, ok=200),
    ("GET", "incidents.detail"): Route(f"/incidents/{NOWHERE}", AUDITORS, ok=404),
    ("POST", "incidents.assess"): Route(f"/incidents/{NOWHERE}/assessment", AUDITORS, ok=404),
    ("GET", "incidents.notice"): Route(f"/incidents/{NOWHERE}/notices/{{client_id}}", AUDITORS, ok=404),
    ("POST", "incidents.record_notice"): Route(f"/incidents/{NOWHERE}/notices", AUDITORS, ok=404),
    ("POST", "api.report_incident"): Route("/api/v1/incidents", EVERYONE, ok=400),
    ("GET", "api.list_incidents"): Route("/api/v1/incidents", AUDITORS, ok=200),
    ("GET", "api.hhs_log"): Route("/api/v1/incidents/hhs-log", AUDITORS, ok=422),
    ("POST", "api.assess_incident"): Route(f"/api/v1/incidents/{NOWHERE}/assessment", AUDITORS, ok=400),
    ("GET", "api.incident_notice"): Route(
        f"/api/v1/incidents/{NOWHERE}/notices/{{client_id}}", AUDITORS, ok=404
    ),
    ("POST", "api.record_incident_notice"): Route(f"/api/v1/incidents/{NOWHERE}/notices", AUDITORS, ok=400),
    # The request desk (issue 18): staff take and answer requests, auditors read them, clinicians review.
    ("POST", "api.create_request"): Route("/api/v1/requests", STAFF, ok=400),
    ("GET", "api.list_requests"): Route("/api/v1/requests", READERS, ok=200),
    ("GET", "api.get_request"): Route(f"/api/v1/requests/{NOWHERE}", READERS, ok=404),
    ("POST", "api.extend_request"): Route(f"/api/v1/requests/{NOWHERE}/extend", STAFF, ok=400),
    ("POST", "api.fulfil_request"): Route(f"/api/v1/requests/{NOWHERE}/fulfil", STAFF, ok=400),
    ("POST", "api.confirm_request_packet"): Route(f"/api/v1/requests/{NOWHERE}/qa", STAFF, ok=400),
    ("POST", "api.deny_request"): Route(f"/api/v1/requests/{NOWHERE}/deny", STAFF, ok=400),
    ("POST", "api.review_request"): Route(f"/api/v1/requests/{NOWHERE}/review", CLINICIANS, ok=400),
    ("POST", "api.withdraw_request"): Route(f"/api/v1/requests/{NOWHERE}/withdraw", STAFF, ok=400),
    ("POST", "api.record_request_fee"): Route(f"/api/v1/requests/{NOWHERE}/fee", STAFF, ok=400),
    ("GET", "api.request_letter"): Route(f"/api/v1/requests/{NOWHERE}/letters/{NOWHERE}", READERS, ok=404),
    ("GET", "requests.queue_page"): Route("/requests", READERS, ok=200),
    ("POST", "requests.receive"): Route("/requests", STAFF, ok=422),
    ("GET", "requests.detail"): Route(f"/requests/{NOWHERE}", READERS, ok=404),
    ("POST", "requests.extend"): Route(f"/requests/{NOWHERE}/extend", STAFF, ok=422),
    ("POST", "requests.fulfil_request"): Route(f"/requests/{NOWHERE}/fulfil", STAFF, ok=422),
    ("POST", "requests.confirm_packet"): Route(f"/requests/{NOWHERE}/qa", STAFF, ok=422),
    ("POST", "requests.deny"): Route(f"/requests/{NOWHERE}/deny", STAFF, ok=422),
    ("POST", "requests.review"): Route(f"/requests/{NOWHERE}/review", CLINICIANS, ok=422),
    ("POST", "requests.record_fee"): Route(f"/requests/{NOWHERE}/fee", STAFF, ok=422),
    ("POST", "requests.withdraw"): Route(f"/requests/{NOWHERE}/withdraw", STAFF, ok=422),
    ("GET", "requests.letter"): Route(f"/requests/{NOWHERE}/letters/{NOWHERE}", READERS, ok=404),
}
QUEUE = "signin_failures"
PNG = image("PNG")
METHODS = {"GET", "POST"}
IMPLICIT = {"HEAD", "OPTIONS"}


def expected(route: Route, caller: str) -> int:
    """Return the status `caller` must get from `route`."""
    if route.allowed is PUBLIC:
        assert route.anonymous is not None
        return route.anonymous if caller == ANONYMOUS else route.ok
    if caller == ANONYMOUS:
        return 401 if route.path.startswith("/api/") else 302
    return route.ok if caller in route.allowed else 403


def undeclared(app: Flask) -> list[str]:
    """Return the rules whose view declares no permission, as 'rule -> endpoint'."""
    return sorted(
        f"{rule.rule} -> {rule.endpoint}"
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "roi_access", None) is None
    )


def _client_with_document(runtime: Runtime, clinicians: list[str]) -> tuple[str, str]:
    """Register a client on `clinicians`' caseload with one PNG document; return both ids."""
    with runtime.sessions() as session:
        first = session.scalar(select(models.User).filter_by(username=clinicians[0]))
        actor = audit.Actor(str(first.id), CLINICIAN)
        details = client_rules.Demographics(
            given_name="Pat", family_name="Example", date_of_birth=date(1980, 1, 2)
        )
        client = clients.register(session, runtime.env, actor, details, clinicians)
        document = documents.upload(
            session, runtime.env, actor, client.id, content=PNG, category="attendance", title="Letter"
        )
    return str(client.id), str(document.id)


def _call(
    app: Flask, runtime: Runtime, make_user: Callable, caller: str, method: str, route: Route
) -> TestResponse:
    target = make_user("target", CLINICIAN)
    sign_in(app.test_client(), "target", "a wrong password, to fill the queue")
    seq = logged(runtime, Action.SIGNIN_FAILED)[-1].seq
    username = caller.replace("_", "") + "1"
    if caller != ANONYMOUS:
        make_user(username, caller)
    # A clinician caller has the client on their caseload: refusals off the caseload are another test's job.
    caseload = ["target", username] if caller == CLINICIAN else ["target"]
    client_id, document_id = _client_with_document(runtime, caseload)
    path = route.path.format(
        user_id=target.id, name=QUEUE, seq=seq, client_id=client_id, document_id=document_id
    )
    is_api = path.startswith("/api/")
    browser = app.test_client()
    headers = {}
    if caller != ANONYMOUS and is_api:
        headers["Authorization"] = f"Bearer {token_for(runtime, username)}"
    elif caller != ANONYMOUS:
        assert sign_in(browser, username).status_code == 302
    if method == "GET":
        response = browser.get(path, headers=headers)
    elif is_api:
        response = browser.post(path, headers=headers)
    else:
        response = browser.post(path, data={"csrf_token": page_token(browser)}, headers=headers)
    response.get_data()  # read the body to the end, as a browser does
    response.close()
    return response


CASES = [
    pytest.param(method, endpoint, caller, id=f"{method} {endpoint} as {caller}")
    for (method, endpoint) in ROUTES
    for caller in CALLERS
]


@pytest.mark.parametrize(("method", "endpoint", "caller"), CASES)
def test_answers_each_caller_as_the_route_table_says(
    app: Flask, runtime: Runtime, make_user: Callable, method: str, endpoint: str, caller: str
) -> None:
    """Anonymous web callers go to sign-in, anonymous API callers get 401, wrong roles 403, right ones in."""
    route = ROUTES[(method, endpoint)]
    response = _call(app, runtime, make_user, caller, method, route)
    assert response.status_code == expected(route, caller), response.text
    if caller == ANONYMOUS and route.allowed is not PUBLIC and not route.path.startswith("/api/"):
        assert response.headers["Location"].startswith("/signin")
    if response.status_code in {401, 403} and route.path.startswith("/api/"):
        assert set(response.json["error"]) >= {"code", "message"}


def test_declares_a_permission_on_every_route(app: Flask) -> None:
    """Every view in the url_map carries a `requires(...)` declaration (deny by default)."""
    assert undeclared(app) == []


def test_names_a_route_that_declares_nothing(runtime: Runtime) -> None:
    """The declaration check names an undeclared route, and the guard closes it even to an administrator."""
    app = create_app(runtime)
    app.add_url_rule("/forgotten", "forgotten", lambda: "open to all")
    assert undeclared(app) == ["/forgotten -> forgotten"]
    assert app.test_client().get("/forgotten").status_code == 403


def test_lists_every_route_of_the_url_map_in_the_table(app: Flask) -> None:
    """A new route (or method) fails here until its expectations are written into ROUTES."""
    registered = set()
    for rule in app.url_map.iter_rules():
        methods = set(rule.methods or ()) - IMPLICIT
        assert methods <= METHODS, f"{rule.rule} answers {sorted(methods - METHODS)}: add them to the matrix"
        registered |= {(method, rule.endpoint) for method in methods}
    assert sorted(registered - set(ROUTES)) == [], "routes missing from ROUTES"
    assert sorted(set(ROUTES) - registered) == [], "ROUTES lists routes the app no longer has"


def test_logs_a_refused_request_as_access_denied(runtime: Runtime, signed_in: Callable) -> None:
    """A wrong-role request is logged as access:denied, refused, naming the route and the permission."""
    browser = signed_in("carol", CLINICIAN)
    assert browser.get("/admin/users").status_code == 403
    denied = logged(runtime, Action.ACCESS_DENIED)
    assert len(denied) == 1
    entry = denied[0]
    assert entry.outcome == Outcome.REFUSED.value
    assert entry.role == CLINICIAN
    assert entry.object_type == "route"
    assert entry.object_id == "admin.user_list"
    assert entry.basis == Permission.USER_LIST.value
    assert entry.actor != "anonymous"


def test_closes_a_route_that_declares_nothing_before_any_role_check(runtime: Runtime) -> None:
    """A view declared PUBLIC opens; the same view undeclared stays closed: the declaration decides."""
    app = create_app(runtime)
    app.add_url_rule("/open", "open", requires(Access.PUBLIC)(lambda: "open"))
    app.add_url_rule("/closed", "closed", lambda: "closed")
    browser = app.test_client()
    assert browser.get("/open").status_code == 200
    assert browser.get("/closed").status_code == 403
