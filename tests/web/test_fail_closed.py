"""With the access-log writer failing, every route that changes state or reveals logged data answers 503
and changes nothing (security.md B3). The routes come from the app's URL map, so new ones are covered."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from roi_tracker import audit
from roi_tracker import db
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.runtime import Runtime
from roi_tracker.services.accounting import accounting
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.exceptions import emergency
from roi_tracker.services.exceptions import exceptions
from roi_tracker.services.people import mfa
from roi_tracker.services.people import users
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import recipients
from roi_tracker.services.requests import answers as request_answers
from roi_tracker.services.requests import intake
from tests.conftest import csrf_from
from tests.helpers import pdf
from tests.web.conftest import PASSWORD
from tests.web.conftest import SYSTEM
from tests.web.conftest import page_token
from tests.web.conftest import sign_in
from tests.web.incident_cases import ARRANGE as INCIDENT_CASES
from tests.web.incident_cases import LOGGED_READS as INCIDENT_READS

# GET routes that read logged data; every route with POST is covered without being listed.
LOGGED_READS = {
    "audit.log_page",
    "audit.log_csv",
    "audit.queue_page",
    "api.audit_events",
    "api.audit_verification",
    "clients.page",
    "clients.download",
    "clients.edit",
    "api.get_client",
    "api.get_document",
    "home.index",
    "releases.packet",
    "api.list_authorizations",
    "authorization.page",
    "api.disclosure_packet",
    "exceptions.queue",
    "api.list_exceptions",
    "accounting.client_accounting",
    "api.client_accounting",
    "api.fhir_consents",
    "api.fhir_audit_events",
    *INCIDENT_READS,
    "requests.queue_page",
    "requests.detail",
    "requests.letter",
    "api.list_requests",
    "api.get_request",
    "api.request_letter",
}
# Routes that change no stored data and reveal none, so nothing needs logging (the reason beside each).
EXEMPT = {
    "auth.keepalive": "only refreshes the session's last-seen time",
}


@dataclass
class Call:
    """A prepared request: who sends it, and what."""

    browser: FlaskClient
    method: str
    url: str
    data: dict[str, object] | None = None
    headers: dict[str, str] | None = None
    json: dict[str, object] | None = None


Arrange = Callable[[Flask, Runtime, Callable[..., users.UserView]], Call]


def _browser(app: Flask, make_user: Callable[..., users.UserView], name: str, role: str) -> FlaskClient:
    make_user(name, role)
    browser = app.test_client()
    assert sign_in(browser, name).status_code == 302
    return browser


def _form(browser: FlaskClient, url: str, **data: str) -> Call:
    return Call(browser, "POST", url, {"csrf_token": page_token(browser), **data})


def _signin(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    make_user("carol", "clinician")
    browser = app.test_client()
    token = csrf_from(browser.get("/signin").text)
    return Call(
        browser, "POST", "/signin", {"csrf_token": token, "username": "carol", "password": "wrong password!"}
    )


def _enrolled(runtime: Runtime, make_user: Callable[..., users.UserView], name: str) -> str:
    view = make_user(name, "clinician")
    secret = mfa.new_secret()
    with runtime.sessions() as session:
        mfa.confirm_enrolment(session, runtime.env, SYSTEM, view.id, secret, pyotp.TOTP(secret).now())
    return secret


def _challenge(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    _enrolled(runtime, make_user, "dora")
    browser = app.test_client()
    assert sign_in(browser, "dora").headers["Location"].endswith("/signin/code")
    token = csrf_from(browser.get("/signin/code").text)
    return Call(browser, "POST", "/signin/code", {"csrf_token": token, "code": "000000"})


def _enrol(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    object.__setattr__(runtime.env, "settings", _with(runtime, require_mfa=True))
    make_user("erin", "clinician")
    browser = app.test_client()
    assert sign_in(browser, "erin").headers["Location"].endswith("/signin/enrol")
    page = browser.get("/signin/enrol").text
    secret = page.split('class="secret">')[1].split("<")[0]
    return Call(
        browser, "POST", "/signin/enrol", {"csrf_token": csrf_from(page), "code": pyotp.TOTP(secret).now()}
    )


def _account_mfa(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    browser = _browser(app, make_user, "fran", "clinician")
    page = browser.get("/account/mfa").text
    secret = page.split('class="secret">')[1].split("<")[0]
    return Call(
        browser, "POST", "/account/mfa", {"csrf_token": csrf_from(page), "code": pyotp.TOTP(secret).now()}
    )


def _change_password(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    browser = _browser(app, make_user, "fran", "clinician")
    page = browser.get("/account/password").text
    new = "a brand new passphrase"
    data = {"csrf_token": csrf_from(page), "current_password": PASSWORD, "new_password": new}
    return Call(browser, "POST", "/account/password", {**data, "confirm_password": new})


def _account_reminders(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    browser = _browser(app, make_user, "fran", "clinician")
    browser.get("/account")
    return _form(browser, "/account/reminders", email="fran@practice.example")


def _with(runtime: Runtime, **values: object):  # noqa: ANN202 - a Settings copy
    from dataclasses import replace

    return replace(runtime.env.settings, **values)


def _admin_on_user(path: str, **data: str) -> Arrange:
    def arrange(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
        browser = _browser(app, make_user, "ada", "admin")
        target = make_user("gil", "clinician")
        if path == "enable":
            with runtime.sessions() as session:
                users.set_active(session, runtime.env, SYSTEM, target.id, active=False)
        target_id = str(target.id)
        if path == "reset-mfa":
            _enrolled(runtime, make_user, "hal")
            target_id = _id_of(runtime, "hal")
        return _form(browser, f"/admin/users/{target_id}/{path}", **data)

    return arrange


def _id_of(runtime: Runtime, username: str) -> str:
    with runtime.sessions() as session:
        return str(users.by_username(session, username).id)


def _auditor(url: str, method: str = "GET", **data: str) -> Arrange:
    def arrange(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
        browser = _browser(app, make_user, "abe", "auditor")
        if method == "POST":
            return _form(browser, url, **data)
        return Call(browser, "GET", url)

    return arrange


def _api(url: str) -> Arrange:
    def arrange(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
        make_user("ava", "auditor")
        with runtime.sessions() as session:
            token = users.issue_token(session, runtime.env, SYSTEM, "ava")
        return Call(app.test_client(), "GET", url, headers={"Authorization": f"Bearer {token}"})

    return arrange


def _signout(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    return _form(_browser(app, make_user, "ivy", "front_desk"), "/signout")


def _user_new(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    browser = _browser(app, make_user, "ada", "admin")
    return _form(
        browser,
        "/admin/users/new",
        username="newbie",
        display_name="New Bie",
        role="clinician",
        password="a long password!",
    )


def _review(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    make_user("zed", "clinician")
    sign_in(app.test_client(), "zed", "wrong password!")
    return _auditor(
        "/audit/queues/signin_failures/{seq}/review", "POST", note="checked with zed", outcome="appropriate"
    )(app, runtime, make_user)


PDF = pdf()


AUTH_TERMS = {
    "kind": "hipaa",
    "categories": ["billing", "diagnosis"],
    "purposes": ["insurance"],
    "effective_on": "2026-01-01",
    "expiry_event": "end_of_treatment",
    "signed_on": "2026-01-01",
    "signed_by": "client",
    "copy_given_on": "2026-01-01",
    "statements": ["right_to_revoke", "no_conditioning", "redisclosure"],
}


def _clinician_with_client(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]):  # noqa: ANN202
    """A signed-in clinician, their client with a document, a recipient, an authorization and a disclosure."""
    view = make_user("cleo", "clinician")
    actor = audit.Actor(str(view.id), "clinician", "arrange")
    with runtime.sessions() as session:
        client = clients.register(
            session, runtime.env, actor, rules.Demographics("Ada", "Lovelace", date(1980, 1, 2)), []
        )
        doc = documents.upload(
            session, runtime.env, actor, client.id, content=PDF, category="billing", title="Bill"
        )
        recipient = recipients.create(session, runtime.env, actor, name="Acme Health Plan")
        auth = authorizations.record(
            session, runtime.env, actor, client.id, {**AUTH_TERMS, "recipient_id": str(recipient.id)}, PDF
        )
        q = disclosures.question(client.id, str(recipient.id), ["billing"], "insurance", None, date.today())
        sent = disclosures.record(
            session,
            runtime.env,
            actor,
            q,
            channel="mail",
            document_ids=[str(doc.id)],
            requester_verification="known",
        )
    browser = app.test_client()
    assert sign_in(browser, "cleo").status_code == 302
    ids = {
        "client": client.id,
        "doc": doc.id,
        "recipient": recipient.id,
        "auth": auth.id,
        "disclosure": sent.id,
    }
    return browser, ids, actor


def _client_call(method: str, path: str, **data: object) -> Arrange:
    def arrange(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
        browser, ids, _ = _clinician_with_client(app, runtime, make_user)
        url = path.format(**ids)
        if method == "GET":
            return Call(browser, "GET", url)
        fields = {
            k: (io.BytesIO(v), "f.pdf")
            if isinstance(v, bytes)
            else (v.format(**ids) if isinstance(v, str) else v)
            for k, v in data.items()
        }
        return _form(browser, url, **fields)

    return arrange


def _client_api(method: str, path: str, json: dict[str, object] | None = None, **data: object) -> Arrange:
    def arrange(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
        _, ids, _ = _clinician_with_client(app, runtime, make_user)
        with runtime.sessions() as session:
            token = users.issue_token(session, runtime.env, SYSTEM, "cleo")
        url = path.format(**ids)
        fields = {
            k: (io.BytesIO(v), "f.pdf")
            if isinstance(v, bytes)
            else (v.format(**ids) if isinstance(v, str) else v)
            for k, v in data.items()
        } or None
        body = (
            {k: v.format(**ids) if isinstance(v, str) else v for k, v in (json or {}).items()}
            if json
            else None
        )
        return Call(app.test_client(), method, url, fields, {"Authorization": f"Bearer {token}"}, body)

    return arrange


DANGER = {
    "basis_of_belief": "actual_knowledge",
    "threat": "A stated plan to harm",
    "target": "A named neighbour",
    "imminence": "Within days",
    "recipient_can_lessen": "The police can intervene.",
    "imminent": True,
    "recipient_able_to_lessen": True,
    "justification": "Specific plan against a named neighbour.",
}


def _recorded_exception(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]):  # noqa: ANN202
    """Cleo's client with a danger-to-others exception recorded by cleo; returns its id too."""
    browser, ids, actor = _clinician_with_client(app, runtime, make_user)
    fields = {
        "kind": "danger_to_others",
        "recipient": {"name": "Springfield Police", "type": "authority"},
        "disclosed_categories": ["demographics"],
        **DANGER,
    }
    with runtime.sessions() as session:
        recorded = exceptions.record(session, runtime.env, actor, ids["client"], fields, PASSWORD)
    return browser, {**ids, "exception": recorded.id}


def _exception_for_auditor(method: str, path: str, api: bool = False, **data: str) -> Arrange:
    def arrange(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
        _, ids = _recorded_exception(app, runtime, make_user)
        url = path.format(**ids)
        if api:
            make_user("ava", "auditor")
            with runtime.sessions() as session:
                token = users.issue_token(session, runtime.env, SYSTEM, "ava")
            body = data or None
            return Call(
                app.test_client(), method, url, headers={"Authorization": f"Bearer {token}"}, json=body
            )
        return _auditor(url, method, **data)(app, runtime, make_user)

    return arrange


def _reference_of(runtime: Runtime, client_id: object) -> str:
    with runtime.sessions() as session:
        return session.get_one(models.Client, client_id).reference


def _emergency_form(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    _, ids, _ = _clinician_with_client(app, runtime, make_user)
    browser = _browser(app, make_user, "bob", "clinician")
    return _form(
        browser,
        "/emergency-access",
        reference=_reference_of(runtime, ids["client"]),
        reason="crisis_coverage",
        justification="Crisis call; the client's clinician is away.",
        password=PASSWORD,
    )


def _end_emergency(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    _, ids, _ = _clinician_with_client(app, runtime, make_user)
    browser = _browser(app, make_user, "bob", "clinician")
    with runtime.sessions() as session:
        bob = users.by_username(session, "bob")
        grant = emergency.start(
            session,
            runtime.env,
            audit.Actor(str(bob.id), "clinician"),
            ids["client"],
            reason="crisis_coverage",
            justification="Crisis call; the client's clinician is away.",
            password=PASSWORD,
        )
    return _form(browser, f"/emergency-access/{grant.id}/end")


def _api_emergency(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    _, ids, _ = _clinician_with_client(app, runtime, make_user)
    make_user("bob", "clinician")
    with runtime.sessions() as session:
        token = users.issue_token(session, runtime.env, SYSTEM, "bob")
    body = {"reason": "crisis_coverage", "justification": "Crisis call.", "password": PASSWORD}
    url = f"/api/v1/clients/{ids['client']}/emergency-access"
    return Call(app.test_client(), "POST", url, headers={"Authorization": f"Bearer {token}"}, json=body)


def _accounting_for_auditor(path: str, **data: str) -> Arrange:
    """Abe the auditor posts `data` about cleo's client, which has one open accounting request."""

    def arrange(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
        _, ids, _ = _clinician_with_client(app, runtime, make_user)
        call = _auditor("/", "GET")(app, runtime, make_user)
        with runtime.sessions() as session:
            abe = users.by_username(session, "abe")
            request = accounting.open_request(
                session,
                runtime.env,
                audit.Actor(str(abe.id), "auditor"),
                ids["client"],
                # Recent, so the request is not yet overdue and may still be extended (164.528(c)(1)(ii)).
                received_on=runtime.env.today(),
                since=None,
            )
        names = {**ids, "request": request.id, "reference": _reference_of(runtime, ids["client"])}
        fields = {k: v.format(**names) for k, v in data.items()}
        return _form(call.browser, path.format(**names), **fields)

    return arrange


def _merge_recipients(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    """Cleo merges the recipient of her client's authorization and disclosure into a second entry."""
    browser, ids, _ = _clinician_with_client(app, runtime, make_user)
    with runtime.sessions() as session:
        cleo = audit.Actor(str(users.by_username(session, "cleo").id), "clinician")
        other = recipients.create(session, runtime.env, cleo, name="Acme Health Plan Inc")
    return _form(browser, f"/recipients/{ids['recipient']}/merge", into_id=str(other.id))


NEW_CLIENT = {"given_name": "Grace", "family_name": "Hopper", "date_of_birth": "1976-12-09"}

# -- signing in the office (issue 20) ------------------------------------------------------------------------

WORDING = {
    "title": "Our release form",
    "intro": "You let us share.",
    "right_to_revoke": "You may cancel this in writing.",
    "no_conditioning": "Signing is your choice.",
    "redisclosure": "The recipient may share it again.",
}


def _handed_over(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView], *, hand: bool):  # noqa: ANN202
    """Cleo prepares a HIPAA release for her client; with `hand`, the device is on the signing page."""
    browser, ids, _ = _clinician_with_client(app, runtime, make_user)
    url = f"/clients/{ids['client']}/releases/prepare"
    page = browser.get(url).text
    template = page.split("Permission to share health information")[0].rsplit('value="', 1)[1].split('"')[0]
    fields = {
        "template_id": template,
        "recipient_id": str(ids["recipient"]),
        "categories": "billing",
        "purposes": "insurance",
        "expires_on": "2027-01-01",
        "signed_by": "client",
        "action": "sign",
    }
    if hand:
        assert browser.post(url, data={"csrf_token": csrf_from(page), **fields}).status_code == 302
    return browser, url, fields


def _prepare_release(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    browser, url, fields = _handed_over(app, runtime, make_user, hand=False)
    return _form(browser, url, **fields)


def _sign_on_screen(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    browser, _, _ = _handed_over(app, runtime, make_user, hand=True)
    token = csrf_from(browser.get("/signing").text)
    signed = {"method": "typed", "signer_name": "Ada Lovelace", "intent": "y", "electronic_consent": "y"}
    return Call(browser, "POST", "/signing", {"csrf_token": token, **signed})


def _leave_signing(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    browser, _, _ = _handed_over(app, runtime, make_user, hand=True)
    token = csrf_from(browser.get("/signing").text)
    return Call(browser, "POST", "/signing/leave", {"csrf_token": token, "password": PASSWORD})


def _new_template(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    browser = _browser(app, make_user, "adam", "admin")
    return _form(browser, "/admin/form-templates/hipaa/new", **WORDING)


def _api_new_template(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
    make_user("adam", "admin")
    with runtime.sessions() as session:
        token = users.issue_token(session, runtime.env, SYSTEM, "adam")
    title, sections = WORDING["title"], {k: v for k, v in WORDING.items() if k != "title"}
    body = {"kind": "hipaa", "title": title, "sections": sections}
    return Call(
        app.test_client(),
        "POST",
        "/api/v1/form-templates",
        headers={"Authorization": f"Bearer {token}"},
        json=body,
    )


def _fill(value: object, names: dict[str, object]) -> object:
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


def _request_route(
    path: str, *, api: bool = False, denied: bool = False, method: str = "POST", **data: object
) -> Arrange:
    """Cleo's client with an open access request (denied by the front desk when `denied`), then the call."""

    def arrange(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> Call:
        browser, ids, actor = _clinician_with_client(app, runtime, make_user)
        with runtime.sessions() as session:
            reference = session.get_one(models.Client, ids["client"]).reference
            made = intake.receive(
                session,
                runtime.env,
                actor,
                intake.Intake(
                    client_id=ids["client"],
                    kind="access",
                    channel="mail",
                    requester={"name": "Ada Lovelace"},
                    requester_is="client",
                    categories=["billing"],
                    format="paper",
                ),
            )
        if denied:
            fred = make_user("fred", "front_desk")
            with runtime.sessions() as session:
                desk = audit.Actor(str(fred.id), "front_desk", "arrange")
                request_answers.deny(session, runtime.env, desk, made.id, ["endangerment"], "")
        with runtime.sessions() as session:
            letter = session.execute(sa.select(models.RequestLetter.id).limit(1)).scalar_one()
        names = {**ids, "request": made.id, "reference": reference, "letter": letter}
        url = path.format(**names)
        fields = {k: _fill(v, names) for k, v in data.items()}
        if not api:
            return Call(browser, "GET", url) if method == "GET" else _form(browser, url, **fields)  # type: ignore[arg-type]
        with runtime.sessions() as session:
            token = users.issue_token(session, runtime.env, SYSTEM, "cleo")
        body = fields if method == "POST" else None
        return Call(app.test_client(), method, url, None, {"Authorization": f"Bearer {token}"}, body)

    return arrange


FULFIL = {
    "categories": ["billing"],
    "document_ids": ["{doc}"],
    "channel": "mail",
    "requester_verification": "Signature matched",
}


ARRANGE: dict[str, Arrange] = {
    "recipients.edit": _client_call(
        "POST",
        "/recipients/{recipient}/edit",
        kind="organization",
        type="health_plan",
        name="Acme Health Plan",
    ),
    "recipients.merge": _merge_recipients,
    "recipients.archive": _client_call("POST", "/recipients/{recipient}/archive"),
    "home.index": _client_call("GET", "/"),
    "clients.search_page": _client_call(
        "POST", "/clients", family_name="Lovelace", date_of_birth="1980-01-02"
    ),
    "clients.register": _client_call("POST", "/clients/new", clinicians="cleo", **NEW_CLIENT),
    "clients.page": _client_call("GET", "/clients/{client}"),
    "clients.edit": _client_call("POST", "/clients/{client}/edit", clinicians="cleo", **NEW_CLIENT),
    "clients.discharge": _client_call("POST", "/clients/{client}/discharge"),
    "clients.give_copy": _client_call(
        "POST",
        "/clients/{client}/copies",
        categories="billing",
        channel="in_person",
        identity_verification="Photo ID checked at the desk",
    ),
    "clients.upload": _client_call(
        "POST", "/clients/{client}/documents", file=PDF, category="billing", title="T"
    ),
    "clients.download": _client_call("GET", "/documents/{doc}"),
    "minors.record": _client_call("POST", "/clients/{client}/minor-consent", consented="yes"),
    "clients.change_part2": _client_call(
        "POST", "/clients/{client}/part2", part2="set", reason="Intake shows substance-use treatment"
    ),
    "api.change_part2": _client_api(
        "POST",
        "/api/v1/clients/{client}/part2",
        json={"part2": True, "reason": "Intake shows substance-use treatment"},
    ),
    "api.create_client": _client_api("POST", "/api/v1/clients", json=NEW_CLIENT),
    "api.search_clients": _client_api(
        "POST", "/api/v1/clients/search", json={"family_name": "Lovelace", "date_of_birth": "1980-01-02"}
    ),
    "api.get_client": _client_api("GET", "/api/v1/clients/{client}"),
    "api.discharge_client": _client_api(
        "POST", "/api/v1/clients/{client}/discharge", json={"discharged_on": "2026-06-01"}
    ),
    "api.upload_document": _client_api(
        "POST", "/api/v1/clients/{client}/documents", file=PDF, category="billing", title="T"
    ),
    "api.get_document": _client_api("GET", "/api/v1/documents/{doc}"),
    "releases.record": _client_call(
        "POST",
        "/clients/{client}/authorizations/new",
        recipient_id="{recipient}",
        signed_form=PDF,
        categories="billing",
        purposes="insurance",
        kind="hipaa",
        effective_on="2026-01-01",
        expires_on="2027-01-01",
        signed_on="2026-01-01",
        signed_by="client",
        copy_given_on="2026-01-01",
        statements=["right_to_revoke", "no_conditioning", "redisclosure"],
        acknowledge_warnings="y",
    ),
    "releases.revoke": _client_call(
        "POST", "/clients/{client}/authorizations/{auth}/revoke", received_on="2026-02-01", document=PDF
    ),
    "releases.expiry_event": _client_call(
        "POST", "/clients/{client}/authorizations/{auth}/expiry-event", occurred_on="2026-02-01"
    ),
    "authorization.page": _client_call("GET", "/clients/{client}/authorizations/{auth}"),
    "releases.check": _client_call(
        "POST",
        "/clients/{client}/check",
        recipient_id="{recipient}",
        categories="billing",
        purpose="insurance",
    ),
    "releases.disclose": _client_call(
        "POST",
        "/clients/{client}/disclosures",
        recipient_id="{recipient}",
        categories="billing",
        purpose="insurance",
        channel="fax",
        requester_verification="known",
    ),
    "releases.packet": _client_call("GET", "/disclosures/{disclosure}/packet"),
    "releases.record_past": _client_call(
        "POST",
        "/clients/{client}/disclosures/past",
        on="2026-06-01",
        recipient_id="{recipient}",
        categories="billing",
        purpose="insurance",
        channel="mail",
        requester_verification="known",
    ),
    "api.record_past_disclosure": _client_api(
        "POST",
        "/api/v1/clients/{client}/past-disclosures",
        json={
            "on": "2026-06-01",
            "recipient_id": "{recipient}",
            "categories": ["billing"],
            "purpose": "insurance",
            "channel": "mail",
            "requester_verification": "known",
        },
    ),
    "releases.directory": _client_call("POST", "/recipients", kind="person", name="Dr. New"),
    "api.create_recipient": _client_api("POST", "/api/v1/recipients", json={"name": "Dr. New"}),
    "api.record_authorization": _client_api(
        "POST",
        "/api/v1/clients/{client}/authorizations",
        signed_form=PDF,
        data=(
            '{{"kind": "hipaa", "recipient_id": "{recipient}", "categories": ["billing"], '
            '"purposes": ["insurance"], "effective_on": "2026-01-01", "expires_on": "2027-01-01", '
            '"signed_on": "2026-01-01", "signed_by": "client", "copy_given_on": "2026-01-01", '
            '"statements": ["right_to_revoke", "no_conditioning", "redisclosure"]}}'
        ),
    ),
    "api.list_authorizations": _client_api("GET", "/api/v1/clients/{client}/authorizations"),
    "api.revoke_authorization": _client_api(
        "POST", "/api/v1/authorizations/{auth}/revoke", document=PDF, data='{{"received_on": "2026-02-01"}}'
    ),
    "api.authorization_expiry_event": _client_api(
        "POST", "/api/v1/authorizations/{auth}/expiry-event", json={"occurred_on": "2026-02-01"}
    ),
    "api.disclosure_check": _client_api(
        "POST",
        "/api/v1/disclosure-checks",
        json={
            "client_id": "{client}",
            "recipient_id": "{recipient}",
            "categories": ["billing"],
            "purpose": "insurance",
        },
    ),
    "api.record_disclosure": _client_api(
        "POST",
        "/api/v1/clients/{client}/disclosures",
        json={
            "recipient_id": "{recipient}",
            "categories": ["billing"],
            "purpose": "insurance",
            "channel": "fax",
            "requester_verification": "known",
        },
    ),
    "api.disclosure_packet": _client_api("GET", "/api/v1/disclosures/{disclosure}/packet"),
    "exceptions.record": _client_call(
        "POST",
        "/clients/{client}/exceptions/new?kind=danger_to_others",
        recipient_name="Springfield Police",
        recipient_type="authority",
        disclosed_categories="demographics",
        channel="phone",
        password=PASSWORD,
        **DANGER,
    ),
    "exceptions.queue": _exception_for_auditor("GET", "/exceptions"),
    "exceptions.review": _exception_for_auditor(
        "POST", "/exceptions/{exception}/review", outcome="appropriate", notes="Imminent."
    ),
    "exceptions.emergency_access": _emergency_form,
    "exceptions.end_emergency": _end_emergency,
    "api.record_exception": _client_api(
        "POST",
        "/api/v1/clients/{client}/exceptions",
        json={
            "kind": "danger_to_others",
            "recipient": {"name": "Springfield Police", "type": "authority"},
            "disclosed_categories": ["demographics"],
            "password": PASSWORD,
            **DANGER,
        },
    ),
    "api.list_exceptions": _exception_for_auditor("GET", "/api/v1/exceptions", api=True),
    "api.review_exception": _exception_for_auditor(
        "POST", "/api/v1/exceptions/{exception}/review", api=True, outcome="appropriate"
    ),
    "api.start_emergency_access": _api_emergency,
    "accounting.new_request": _accounting_for_auditor(
        "/accounting/requests", reference="{reference}", received_on="2026-02-01"
    ),
    "accounting.extend": _accounting_for_auditor(
        "/accounting/requests/{request}/extend", reason="Archive retrieval takes longer."
    ),
    "accounting.deliver": _accounting_for_auditor("/accounting/requests/{request}/deliver", method="mail"),
    "accounting.suspend": _accounting_for_auditor(
        "/accounting/suspensions",
        reference="{reference}",
        agency_id="{recipient}",
        starts_on="2026-02-01",
        ends_on="2026-02-28",
        written="y",
    ),
    "accounting.client_accounting": _client_call("GET", "/clients/{client}/accounting"),
    "api.client_accounting": _client_api("GET", "/api/v1/clients/{client}/accounting"),
    "api.fhir_consents": _client_api("GET", "/api/v1/clients/{client}/fhir/consents"),
    "api.fhir_audit_events": _client_api("GET", "/api/v1/clients/{client}/fhir/audit-events"),
    "auth.signin_page": _signin,
    "auth.challenge": _challenge,
    "auth.enrol": _enrol,
    "auth.account_mfa": _account_mfa,
    "auth.change_password": _change_password,
    "reminders.account_reminders": _account_reminders,
    "auth.signout": _signout,
    "admin.user_new": _user_new,
    "admin.user_role": _admin_on_user("role", role="auditor"),
    "admin.user_disable": _admin_on_user("disable"),
    "admin.user_enable": _admin_on_user("enable"),
    "admin.user_reset_mfa": _admin_on_user("reset-mfa"),
    "audit.verify_now": _auditor("/audit/verification", "POST"),
    "audit.review": _review,
    "audit.log_page": _auditor("/audit/log"),
    "audit.log_csv": _auditor("/audit/log.csv"),
    "audit.queue_page": _auditor("/audit/queues/refused"),
    "api.audit_events": _api("/api/v1/audit-events"),
    "api.audit_verification": _api("/api/v1/audit/verification"),
    "signing.prepare": _prepare_release,
    "signing.sign_page": _sign_on_screen,
    "signing.leave": _leave_signing,
    "form_templates.new_version": _new_template,
    "api.create_form_template": _api_new_template,
    "api.release_form": _client_api(
        "POST",
        "/api/v1/clients/{client}/release-forms",
        json={
            "kind": "hipaa",
            "recipient_id": "{recipient}",
            "categories": ["billing"],
            "purposes": ["insurance"],
            "expires_on": "2027-01-01",
        },
    ),
    **INCIDENT_CASES,  # requests prepared the same way (incident_cases.Prepared has Call's fields)
    # The request desk (issue 18): every step is an access-log entry, so none happens without it.
    "requests.receive": _request_route(
        "/requests",
        reference="{reference}",
        kind="access",
        channel="mail",
        requester_name="Ada Lovelace",
        requester_is="client",
        categories="billing",
        format="paper",
    ),
    "requests.extend": _request_route("/requests/{request}/extend", reason="Archive"),
    "requests.fulfil_request": _request_route(
        "/requests/{request}/fulfil",
        categories="billing",
        document_ids="{doc}",
        channel="mail",
        requester_verification="Signature matched",
    ),
    "requests.confirm_packet": _request_route("/requests/{request}/qa", categories="billing"),
    "requests.deny": _request_route("/requests/{request}/deny", grounds="endangerment"),
    "requests.review": _request_route("/requests/{request}/review", denied=True, outcome="upheld"),
    "requests.withdraw": _request_route("/requests/{request}/withdraw", reason="Cancelled"),
    "requests.record_fee": _request_route("/requests/{request}/fee", status="waived"),
    "api.create_request": _request_route(
        "/api/v1/requests",
        api=True,
        client_id="{client}",
        kind="access",
        channel="mail",
        requester={"name": "Ada Lovelace"},
        requester_is="client",
        categories=["billing"],
        format="paper",
    ),
    "api.extend_request": _request_route("/api/v1/requests/{request}/extend", api=True, reason="Archive"),
    "api.fulfil_request": _request_route("/api/v1/requests/{request}/fulfil", api=True, **FULFIL),
    "api.confirm_request_packet": _request_route(
        "/api/v1/requests/{request}/qa", api=True, categories=["billing"]
    ),
    "api.deny_request": _request_route("/api/v1/requests/{request}/deny", api=True, grounds=["endangerment"]),
    "api.review_request": _request_route(
        "/api/v1/requests/{request}/review", api=True, denied=True, outcome="upheld"
    ),
    "api.withdraw_request": _request_route(
        "/api/v1/requests/{request}/withdraw", api=True, reason="Cancelled"
    ),
    "api.record_request_fee": _request_route("/api/v1/requests/{request}/fee", api=True, status="waived"),
    "requests.queue_page": _request_route("/requests", method="GET"),
    "requests.detail": _request_route("/requests/{request}", method="GET"),
    "requests.letter": _request_route("/requests/{request}/letters/{letter}", method="GET"),
    "api.list_requests": _request_route("/api/v1/requests", api=True, method="GET"),
    "api.get_request": _request_route("/api/v1/requests/{request}", api=True, method="GET"),
    "api.request_letter": _request_route(
        "/api/v1/requests/{request}/letters/{letter}", api=True, method="GET"
    ),
}


def _guarded_endpoints(app: Flask) -> set[str]:
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXEMPT:
            continue
        if "POST" in (rule.methods or set()) or rule.endpoint in LOGGED_READS:
            out.add(rule.endpoint)
    return out


def test_every_state_changing_or_logged_route_has_a_fail_closed_case(app: Flask) -> None:
    """A new POST route (or logged read) must join ARRANGE, or EXEMPT with a reason."""
    assert _guarded_endpoints(app) == set(ARRANGE)


def _snapshot(runtime: Runtime) -> dict[str, list[tuple[object, ...]]]:
    """Every stored row except the session store's own bookkeeping."""
    out = {}
    with runtime.engine.connect() as conn:
        for table in db.Base.metadata.sorted_tables:
            if table.name == "web_sessions":
                continue
            rows = conn.execute(sa.select(table)).all()
            out[table.name] = sorted((tuple(map(repr, row)) for row in rows), key=repr)
    return out


def _break_the_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise sa.exc.OperationalError("INSERT INTO audit_log", {}, Exception("disk I/O error"))

    monkeypatch.setattr(audit, "_write_row", refuse)


@pytest.mark.parametrize("endpoint", sorted(ARRANGE))
def test_route_answers_503_and_changes_nothing_when_the_log_cannot_be_written(
    endpoint: str,
    app: Flask,
    runtime: Runtime,
    make_user: Callable[..., users.UserView],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No access-log entry, no change and no data."""
    call = ARRANGE[endpoint](app, runtime, make_user)
    if "{seq}" in call.url:
        with runtime.engine.connect() as conn:
            seq = conn.execute(
                sa.text("SELECT max(seq) FROM audit_log WHERE action = 'auth:signin:failed'")
            ).scalar()
        call.url = call.url.format(seq=seq)
    before = _snapshot(runtime)
    _break_the_writer(monkeypatch)
    response = call.browser.open(
        call.url, method=call.method, data=call.data, headers=call.headers, json=call.json
    )
    assert response.status_code == 503, (endpoint, response.status_code, response.text[:300])
    assert _snapshot(runtime) == before
    if response.is_json:
        assert response.get_json()["error"]["code"] == "audit_unavailable"
    else:
        assert "Temporarily unavailable" in response.text
        assert "<table" not in response.text
