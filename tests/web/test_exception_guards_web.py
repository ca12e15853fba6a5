"""Exception guards that are facts, not free text (issue 16 item 2), through the API and the guided page.

Each case starts from a complete exception, changes one answer, and expects the guard's rule id at its field
(422, nothing stored) or, for the permitted recipient, a recorded exception.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain.exceptions import Kind
from roi_tracker.runtime import Runtime
from roi_tracker.services.people import users
from roi_tracker.services.records import clients
from tests.conftest import csrf_from
from tests.web.conftest import PASSWORD
from tests.web.conftest import sign_in
from tests.web.conftest import token_for

COMMON: dict[str, Any] = {
    "disclosed_categories": ["demographics"],
    "justification": "What I saw and why I disclosed it, in my own words.",
    "channel": "phone",
}
OWN: dict[Kind, dict[str, Any]] = {
    Kind.DANGER_TO_OTHERS: {
        "basis_of_belief": "actual_knowledge",
        "threat": "A stated plan to harm",
        "target": "A named neighbour",
        "imminence": "Within days",
        "recipient_can_lessen": "The police can intervene and warn the target.",
        "imminent": True,
        "recipient_able_to_lessen": True,
    },
    Kind.DANGER_TO_SELF: {
        "basis_of_belief": "actual_knowledge",
        "threat": "Suicidal intent with a plan",
        "imminence": "Today",
        "recipient_can_lessen": "The crisis team can reach the client within the hour.",
        "imminent": True,
        "recipient_able_to_lessen": True,
    },
    Kind.CHILD_ABUSE_REPORT: {"report_number": "CPS-2026-4411", "reported_at": "2026-03-01T10:00"},
    Kind.PART2_MEDICAL_EMERGENCY: {
        "medical_personnel_name": "Dr. M. Ortiz",
        "facility": "Mercy Hospital ER",
        "emergency_nature": "Suspected overdose, client unable to consent",
    },
}
TYPE_OF = {
    Kind.DANGER_TO_OTHERS: "authority",
    Kind.DANGER_TO_SELF: "provider",
    Kind.CHILD_ABUSE_REPORT: "authority",
    Kind.PART2_MEDICAL_EMERGENCY: "provider",
}


@dataclass(frozen=True)
class Case:
    """One exception: its kind, whose (Part 2 client or not), one change, and the refusal expected."""

    name: str
    kind: Kind
    part2: bool
    changes: dict[str, Any]
    refused: tuple[str, str] | None


CASES = [
    Case(
        "imminent false", Kind.DANGER_TO_OTHERS, False, {"imminent": False}, ("164.512(j)(1)(i)", "imminent")
    ),
    Case(
        "imminent missing", Kind.DANGER_TO_SELF, False, {"imminent": None}, ("164.512(j)(1)(i)", "imminent")
    ),
    Case(
        "unable to lessen",
        Kind.DANGER_TO_OTHERS,
        False,
        {"recipient_able_to_lessen": False},
        ("164.512(j)(1)(i)", "recipient_able_to_lessen"),
    ),
    Case(
        "unable to lessen (self)",
        Kind.DANGER_TO_SELF,
        False,
        {"recipient_able_to_lessen": False},
        ("164.512(j)(1)(i)", "recipient_able_to_lessen"),
    ),
    Case("danger answered yes", Kind.DANGER_TO_OTHERS, False, {}, None),
    Case("unknown type", Kind.DANGER_TO_OTHERS, False, {"type": "police"}, ("X-FIELDS", "recipient.type")),
    Case(
        "child abuse to a school",
        Kind.CHILD_ABUSE_REPORT,
        False,
        {"type": "school"},
        ("164.512(b)(1)(ii)", "recipient.type"),
    ),
    Case("child abuse to an authority", Kind.CHILD_ABUSE_REPORT, False, {"type": "authority"}, None),
    Case(
        "2.51 to the police",
        Kind.PART2_MEDICAL_EMERGENCY,
        True,
        {"type": "authority"},
        ("2.51", "recipient.type"),
    ),
    Case("2.51 to a provider", Kind.PART2_MEDICAL_EMERGENCY, True, {"type": "provider"}, None),
    Case(
        "part 2 child abuse with counseling notes",
        Kind.CHILD_ABUSE_REPORT,
        True,
        {"disclosed_categories": ["demographics", "sud_counseling_notes"]},
        ("2.12(c)(6)", "disclosed_categories"),
    ),
    Case("part 2 initial child abuse report", Kind.CHILD_ABUSE_REPORT, True, {}, None),
]


@dataclass(frozen=True)
class World:
    """Carol's clients Pat (HIPAA only) and Jo (Part 2 records)."""

    pat: str
    jo: str


@pytest.fixture
def world(runtime: Runtime, make_user: Callable[..., users.UserView]) -> World:
    """Carol and her two clients."""
    make_user("carol", "clinician")
    with runtime.sessions() as session:
        user = users.by_username(session, "carol")
        carol = audit.Actor(str(user.id), user.role)
        pat = clients.register(
            session, runtime.env, carol, rules.Demographics("Pat", "Example", date(1980, 1, 2)), ["carol"]
        )
        jo = clients.register(
            session,
            runtime.env,
            carol,
            rules.Demographics("Jo", "Lindqvist", date(1975, 5, 6), part2=True),
            ["carol"],
        )
    return World(str(pat.id), str(jo.id))


def stored(runtime: Runtime) -> int:
    """How many exceptions are stored."""
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(models.ConfidentialityException)) or 0


def client_of(case: Case, world: World) -> str:
    """Jo for a Part 2 case, Pat otherwise."""
    return world.jo if case.part2 else world.pat


def api_body(case: Case) -> dict[str, Any]:
    """The complete exception of the case's kind, as the API takes it, with the case's change."""
    changes = dict(case.changes)
    recipient = {"name": "Officer J. Lee", "organization": "Springfield", "type": TYPE_OF[case.kind]}
    if "type" in changes:
        recipient["type"] = changes.pop("type")
    body = {"kind": case.kind.value, "recipient": recipient, **COMMON, **OWN[case.kind], "password": PASSWORD}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def form_data(case: Case) -> dict[str, Any]:
    """The same exception as the guided page's form fields (yes/no answers, a recipient type select)."""
    body = api_body(case)
    recipient = body.pop("recipient")
    del body["kind"]
    answers = {k: ("yes" if v else "no") for k, v in body.items() if isinstance(v, bool)}
    return {
        **body,
        **answers,
        "recipient_name": recipient["name"],
        "recipient_organization": recipient["organization"],
        "recipient_type": recipient["type"],
    }


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_api_applies_each_guard_with_its_rule_id(
    case: Case, client: FlaskClient, world: World, runtime: Runtime
) -> None:
    """A refused exception is 422 naming the rule and field and stores nothing; a permitted one is 201."""
    response = client.post(
        f"/api/v1/clients/{client_of(case, world)}/exceptions",
        json=api_body(case),
        headers={"Authorization": f"Bearer {token_for(runtime, 'carol')}"},
    )
    if case.refused is None:
        assert response.status_code == 201, response.get_json()
        assert stored(runtime) == 1
    else:
        assert response.status_code == 422
        problems = response.get_json()["error"]["problems"]
        assert [(p["rule"], p["field"]) for p in problems] == [case.refused]
        assert stored(runtime) == 0


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_guided_page_applies_each_guard_with_its_rule_id(
    case: Case, app: Flask, world: World, runtime: Runtime
) -> None:
    """A refused exception is 422 with the rule at its field; a permitted one is recorded and redirects."""
    browser = app.test_client()
    assert sign_in(browser, "carol").status_code == 302
    url = f"/clients/{client_of(case, world)}/exceptions/new?kind={case.kind.value}"
    page = browser.get(url).text
    assert 'name="recipient_type"' in page
    token = csrf_from(page)
    response = browser.post(url, data={"csrf_token": token, **form_data(case)})
    if case.refused is None:
        assert response.status_code == 302
        assert stored(runtime) == 1
    else:
        rule, field = case.refused
        assert response.status_code == 422
        error_id = field.replace(".", "_") + "-error"
        assert re.search(
            rf'id="{error_id}">[^<]+ <small class="rule">{re.escape(rule)}</small>', response.text
        )
        assert stored(runtime) == 0


@pytest.mark.parametrize("kind", [Kind.DANGER_TO_OTHERS, Kind.DANGER_TO_SELF])
def test_the_danger_pages_ask_imminent_and_able_to_lessen_as_yes_or_no(
    kind: Kind, app: Flask, world: World
) -> None:
    """Both answers are controls with yes and no, beside the free-text reasons."""
    browser = app.test_client()
    assert sign_in(browser, "carol").status_code == 302
    page = browser.get(f"/clients/{world.pat}/exceptions/new?kind={kind.value}").text
    for name in ("imminent", "recipient_able_to_lessen"):
        control = page.split(f'name="{name}"')[1].split("</select>")[0]
        assert '<option value="yes">Yes</option>' in control
        assert '<option value="no">No</option>' in control
    assert 'name="imminence"' in page
    assert 'name="recipient_can_lessen"' in page
