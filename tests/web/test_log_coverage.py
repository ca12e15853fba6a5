"""Each state-changing or logged route writes exactly the entries it should, refusals included."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from roi_tracker.runtime import Runtime
from roi_tracker.services.people import users
from tests.web.conftest import sign_in
from tests.web.incident_cases import EXPECTED as INCIDENT_ENTRIES
from tests.web.test_fail_closed import ARRANGE

EXPECTED: dict[str, list[str]] = {
    # The request desk (issue 18): one `request.*` step each; a fulfilment is also the disclosure it makes.
    "requests.receive": ["request.received"],
    "requests.extend": ["request.extended"],
    "requests.fulfil_request": ["disclosure:recorded", "request.fulfilled"],
    "requests.confirm_packet": ["request.qa.confirmed"],
    "requests.deny": ["request.denied"],
    "requests.review": ["request.reviewed"],
    "requests.withdraw": ["request.withdrawn"],
    "requests.record_fee": ["request.fee.recorded"],
    "requests.queue_page": ["request.listed"],
    "requests.detail": ["request.read", "client:record:read"],
    "requests.letter": ["request.letter.read"],
    "api.create_request": ["request.received"],
    "api.extend_request": ["request.extended"],
    "api.fulfil_request": ["disclosure:recorded", "request.fulfilled"],
    "api.confirm_request_packet": ["request.qa.confirmed"],
    "api.deny_request": ["request.denied"],
    "api.review_request": ["request.reviewed"],
    "api.withdraw_request": ["request.withdrawn"],
    "api.record_request_fee": ["request.fee.recorded"],
    "api.list_requests": ["request.listed"],
    "api.get_request": ["request.read"],
    "api.request_letter": ["request.letter.read"],
    # A clinician's caseload on the home page is one logged list read, not a read per client (issue 17/4).
    "home.index": ["client:search"],
    "clients.search_page": ["client:search", "client:record:read"],
    "clients.register": ["client:record:written"],
    "clients.page": ["client:record:read", "authorization:read"],
    "clients.edit": ["client:record:written"],
    # Discharge reads the client's releases and ends, each logged, the arranged one that expires at the end of
    # treatment (H-C5).
    "clients.discharge": ["client:record:written", "authorization:read", "authorization:expiry_event"],
    "api.discharge_client": [
        "client:record:written",
        "authorization:read",
        "authorization:expiry_event",
        "client:record:read",
    ],
    "clients.upload": ["document:uploaded"],
    "clients.give_copy": ["disclosure:recorded", "request.fulfilled"],
    "clients.download": ["document:read"],
    "clients.change_part2": ["client:part2:changed"],
    "minors.record": ["client:record:written"],
    "api.change_part2": ["client:part2:changed"],
    "api.create_client": ["client:record:written"],
    "api.search_clients": ["client:search", "client:record:read"],
    "api.get_client": ["client:record:read"],
    "api.upload_document": ["document:uploaded"],
    "api.get_document": ["document:read"],
    "releases.record": ["document:uploaded", "authorization:recorded"],
    # The arranged disclosure went out after the revocation's receipt (entered later): it is flagged (H-D3)
    # and an incident is opened to assess (H-B7).
    "releases.revoke": [
        "document:uploaded",
        "authorization:revoked",
        "disclosure:flagged:impermissible",
        "incident:reported",
    ],
    "releases.expiry_event": ["authorization:expiry_event"],
    # One authorization's page: the client named at its top, then the authorization itself (issue 17).
    "authorization.page": ["client:record:read", "authorization:read"],
    # The answer, the documents it permits, and the client's name at the top of the page (issue 17/2).
    "releases.check": ["disclosure:check", "client:record:read", "client:record:read"],
    "releases.disclose": ["disclosure:recorded"],
    "releases.packet": ["disclosure:packet:downloaded"],
    "releases.record_past": ["disclosure:past:recorded"],
    "api.record_past_disclosure": ["disclosure:past:recorded"],
    "releases.directory": ["recipient:created"],
    "api.create_recipient": ["recipient:created"],
    "api.record_authorization": ["document:uploaded", "authorization:recorded"],
    "api.list_authorizations": ["authorization:read"],
    "api.revoke_authorization": [
        "document:uploaded",
        "authorization:revoked",
        "disclosure:flagged:impermissible",
        "incident:reported",
    ],
    "api.authorization_expiry_event": ["authorization:expiry_event"],
    "api.disclosure_check": ["disclosure:check"],
    "api.record_disclosure": ["disclosure:recorded"],
    "api.disclosure_packet": ["disclosure:packet:downloaded"],
    "exceptions.record": [
        "client:record:read",
        "authorization:read",
        "recipient:created",
        "exception:recorded",
    ],
    "exceptions.queue": ["exception:read"],
    "exceptions.review": ["exception:reviewed"],
    "exceptions.emergency_access": ["emergency:access:started"],
    "exceptions.end_emergency": ["emergency:access:ended"],
    "api.record_exception": ["recipient:created", "exception:recorded"],
    "api.list_exceptions": ["exception:read"],
    "api.review_exception": ["exception:reviewed"],
    "api.start_emergency_access": ["emergency:access:started"],
    "recipients.edit": ["recipient:updated"],
    "recipients.merge": ["recipient:merged", "recipient:merged"],
    "recipients.archive": ["recipient:archived"],
    "accounting.new_request": ["accounting:requested"],
    "accounting.extend": ["accounting:extended"],
    "accounting.deliver": ["accounting:produced", "accounting:delivered"],
    "accounting.suspend": ["accounting:suspended"],
    "accounting.client_accounting": ["accounting:produced"],
    "api.client_accounting": ["accounting:produced"],
    "api.fhir_consents": ["fhir:exported"],
    "api.fhir_audit_events": ["fhir:exported"],
    "auth.signin_page": ["auth:signin:failed"],
    "auth.challenge": ["auth:mfa:failed"],
    "auth.enrol": ["auth:mfa:enrolled", "auth:signin:succeeded"],
    "auth.account_mfa": ["auth:mfa:enrolled"],
    "auth.change_password": ["user:password:changed"],
    # The address given and, nothing ticked, each of the clinician's two kinds opted out of (issue 21):
    # requests for records due and authorizations expiring.
    "reminders.account_reminders": ["user:email:changed", "user:reminders:changed", "user:reminders:changed"],
    "auth.signout": ["auth:signout"],
    # Signing in the office (issue 20): a new template version, a form read, the signed form stored.
    "form_templates.new_version": ["form_template:created"],
    "api.create_form_template": ["form_template:created"],
    "api.release_form": ["authorization:form:read"],
    "signing.prepare": ["authorization:form:read"],
    "signing.sign_page": ["authorization:form:read", "document:uploaded", "authorization:recorded"],
    "signing.leave": ["authorization:signing:ended"],
    "admin.user_new": ["user:created"],
    "admin.user_role": ["user:role:changed"],
    "admin.user_disable": ["user:disabled"],
    "admin.user_enable": ["user:enabled"],
    "admin.user_reset_mfa": ["user:mfa:reset"],
    "audit.verify_now": ["audit:verified"],
    "audit.review": ["audit:reviewed"],
    "audit.log_page": ["audit:read"],
    "audit.log_csv": ["audit:exported"],
    "audit.queue_page": ["audit:read"],
    "api.audit_events": ["audit:read"],
    "api.audit_verification": ["audit:verified"],
    **INCIDENT_ENTRIES,
}


def _head(runtime: Runtime) -> int:
    with runtime.engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT coalesce(max(seq), 0) FROM audit_log")).scalar_one())


def _actions_after(runtime: Runtime, seq: int) -> list[tuple[str, str]]:
    with runtime.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT action, outcome FROM audit_log WHERE seq > :s ORDER BY seq"), {"s": seq}
        )
        return [(row[0], row[1]) for row in rows]


def test_every_guarded_route_has_expected_entries() -> None:
    """The expectations cover the same routes as the fail-closed test."""
    assert set(EXPECTED) == set(ARRANGE)


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
def test_route_writes_exactly_its_expected_entries(
    endpoint: str, app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]
) -> None:
    """The request leaves exactly the listed actions in the log, in order."""
    call = ARRANGE[endpoint](app, runtime, make_user)
    if "{seq}" in call.url:
        with runtime.engine.connect() as conn:
            seq = conn.execute(
                sa.text("SELECT max(seq) FROM audit_log WHERE action = 'auth:signin:failed'")
            ).scalar()
        call.url = call.url.format(seq=seq)
    before = _head(runtime)
    response = call.browser.open(
        call.url, method=call.method, data=call.data, headers=call.headers, json=call.json
    )
    assert response.status_code < 500
    assert [action for action, _ in _actions_after(runtime, before)] == EXPECTED[endpoint]


@pytest.mark.parametrize(
    ("role", "url", "method"),
    [
        ("clinician", "/admin/users", "GET"),
        ("front_desk", "/audit/log", "GET"),
        ("admin", "/audit/log.csv", "GET"),
        ("auditor", "/admin/users/new", "POST"),
    ],
)
def test_a_refused_request_writes_one_access_denied_entry(
    role: str, url: str, method: str, app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]
) -> None:
    """Wrong role: 403 and exactly one access:denied entry with outcome refused."""
    make_user("pat", role)
    browser = app.test_client()
    sign_in(browser, "pat")
    app.config["WTF_CSRF_ENABLED"] = False  # the refusal is decided before the form is read
    before = _head(runtime)
    response = browser.open(url, method=method)
    assert response.status_code == 403
    assert _actions_after(runtime, before) == [("access:denied", "refused")]
