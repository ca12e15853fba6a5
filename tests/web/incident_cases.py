"""Prepared requests to every incident route, for the fail-closed and log-coverage matrices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient

from roi_tracker import audit
from roi_tracker.runtime import Runtime
from roi_tracker.services.incidents import assessment
from roi_tracker.services.incidents import reporting
from roi_tracker.services.people import users
from tests.services.incidents.conftest import add_rivera
from tests.services.incidents.conftest import fax_to_rivera
from tests.services.incidents.conftest import register_sam
from tests.web.conftest import SYSTEM
from tests.web.conftest import page_token
from tests.web.conftest import sign_in

MakeUser = Callable[..., users.UserView]
WRITTEN = {"phi_nature": "Name and diagnosis", "mitigation": "Asked them to shred it"}


@dataclass
class Prepared:
    """A request to send: the browser, method, url and body (as test_fail_closed.Call)."""

    browser: FlaskClient
    method: str
    url: str
    data: dict[str, object] | None = None
    headers: dict[str, str] | None = None
    json: dict[str, object] | None = None


@dataclass(frozen=True)
class Ids:
    """The client, its faxed disclosure and the incident reported about it."""

    client: str
    disclosure: str
    incident: str


def _actor(runtime: Runtime, name: str) -> audit.Actor:
    with runtime.sessions() as session:
        user = users.by_username(session, name)
        return audit.Actor(str(user.id), user.role)


def _world(runtime: Runtime, make_user: MakeUser, *, breach: bool) -> Ids:
    make_user("carol", "clinician")
    make_user("abe", "auditor")
    carol = _actor(runtime, "carol")
    sam = register_sam(runtime, carol)
    sent = fax_to_rivera(runtime, carol, sam, add_rivera(runtime, carol))
    with runtime.sessions() as session:
        opened = reporting.report(
            session,
            runtime.env,
            carol,
            kind="misdirected_disclosure",
            discovered_on=runtime.env.today(),
            occurred_on=None,
            description="Faxed to the wrong number",
            disclosure_id=str(sent.id),
        )
        if breach:
            abe = _actor(runtime, "abe")
            assessment.assess(
                session,
                runtime.env,
                abe,
                opened.id,
                exclusion="none",
                secured=False,
                factors={},
                low_probability=False,
            )
    return Ids(str(sam), str(sent.id), str(opened.id))


def _signed_in(app: Flask, name: str) -> FlaskClient:
    browser = app.test_client()
    assert sign_in(browser, name).status_code == 302
    return browser


def web(
    verb: str, path: str, /, *, breach: bool = False, who: str = "abe", **data: str
) -> Callable[..., Prepared]:
    """A browser request by `who` (abe the auditor unless told) about the prepared incident."""

    def arrange(app: Flask, runtime: Runtime, make_user: MakeUser) -> Prepared:
        ids = _world(runtime, make_user, breach=breach)
        if who != "abe":
            make_user(who, "front_desk")
        browser = _signed_in(app, who)
        url = path.format(**vars(ids), year=runtime.env.today().year)
        if verb == "GET":
            return Prepared(browser, "GET", url)
        fields = {k: v.format(**vars(ids), today=runtime.env.today().isoformat()) for k, v in data.items()}
        return Prepared(browser, "POST", url, {"csrf_token": page_token(browser), **fields})

    return arrange


def api(verb: str, path: str, /, *, breach: bool = False, **body: object) -> Callable[..., Prepared]:
    """An API request by abe the auditor about the prepared incident."""

    def arrange(app: Flask, runtime: Runtime, make_user: MakeUser) -> Prepared:
        ids = _world(runtime, make_user, breach=breach)
        with runtime.sessions() as session:
            token = users.issue_token(session, runtime.env, SYSTEM, "abe")
        url = path.format(**vars(ids), year=runtime.env.today().year)
        names = {**vars(ids), "today": runtime.env.today().isoformat()}
        json = {k: v.format(**names) if isinstance(v, str) else v for k, v in body.items()} if body else None
        return Prepared(app.test_client(), verb, url, headers={"Authorization": f"Bearer {token}"}, json=json)

    return arrange


REPORT = {
    "kind": "misdirected_disclosure",
    "discovered_on": "{today}",
    "description": "Faxed to a wrong number",
}
NOTICE = {
    "audience": "individual",
    "client_id": "{client}",
    "sent_on": "{today}",
    "method": "first_class_mail",
}
ASSESS = {"exclusion": "none", "secured": False, "factors": WRITTEN, "low_probability": False}

ARRANGE = {
    "incidents.report": web("POST", "/incidents/new", who="dee", disclosure_id="{disclosure}", **REPORT),
    "incidents.register_page": web("GET", "/incidents"),
    "incidents.hhs_log": web("GET", "/incidents/hhs-log.csv?year={year}"),
    "incidents.detail": web("GET", "/incidents/{incident}"),
    "incidents.assess": web("POST", "/incidents/{incident}/assessment", exclusion="none", **WRITTEN),
    "incidents.notice": web("GET", "/incidents/{incident}/notices/{client}", breach=True),
    "incidents.record_notice": web("POST", "/incidents/{incident}/notices", breach=True, **NOTICE),
    "api.report_incident": api("POST", "/api/v1/incidents", disclosure_id="{disclosure}", **REPORT),
    "api.list_incidents": api("GET", "/api/v1/incidents"),
    "api.hhs_log": api("GET", "/api/v1/incidents/hhs-log?year={year}"),
    "api.assess_incident": api("POST", "/api/v1/incidents/{incident}/assessment", **ASSESS),
    "api.incident_notice": api("GET", "/api/v1/incidents/{incident}/notices/{client}", breach=True),
    "api.record_incident_notice": api("POST", "/api/v1/incidents/{incident}/notices", breach=True, **NOTICE),
}
ASSESSED = ["incident:assessed", "disclosure:flagged:impermissible"]  # a breach that was a disclosure (H-B9)
EXPECTED = {
    "incidents.report": ["incident:reported"],
    "incidents.register_page": ["incident:read"],
    "incidents.hhs_log": ["incident:hhs_log:exported"],
    "incidents.detail": ["incident:read"],
    "incidents.assess": ASSESSED,
    "incidents.notice": ["incident:notice:produced"],
    "incidents.record_notice": ["incident:notice:sent"],
    "api.report_incident": ["incident:reported"],
    "api.list_incidents": ["incident:read"],
    "api.hhs_log": ["incident:hhs_log:exported"],
    "api.assess_incident": ASSESSED,
    "api.incident_notice": ["incident:notice:produced"],
    "api.record_incident_notice": ["incident:notice:sent"],
}
LOGGED_READS = {
    "incidents.register_page",
    "incidents.hhs_log",
    "incidents.detail",
    "incidents.notice",
    "api.list_incidents",
    "api.hhs_log",
    "api.incident_notice",
}
