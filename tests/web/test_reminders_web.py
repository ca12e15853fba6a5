"""The "needs you" list on each role's home, and one's own reminder settings on the account page."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.runtime import Runtime
from roi_tracker.services.records import clients
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import recipients
from tests.helpers import call
from tests.services.releases.test_releases import SIGNED_FORM
from tests.services.releases.test_releases import terms
from tests.web.conftest import logged
from tests.web.conftest import page_token

Browser = Callable[[str, str], FlaskClient]


def actor_of(runtime: Runtime, username: str) -> audit.Actor:
    """Return the actor an account acts as."""
    with runtime.sessions() as session:
        user = session.execute(select(models.User).where(models.User.username == username)).scalar_one()
        return audit.Actor(str(user.id), user.role)


def expiring_soon(runtime: Runtime, clinician: audit.Actor) -> str:
    """Give the clinician a client whose authorization ends in ten days; return the client's reference."""
    details = rules.Demographics(given_name="Sam", family_name="Okafor", date_of_birth=date(1988, 8, 8))
    client = call(runtime, clients.register, clinician, details, [])
    rivera = call(runtime, recipients.create, clinician, name="Dr Ana Rivera", organization="Clinic", fax="1")
    today = runtime.env.today()
    on = {name: today.isoformat() for name in ("effective_on", "signed_on", "copy_given_on")}
    fields = terms(rivera.id, expires_on=(today + timedelta(days=10)).isoformat(), **on)
    call(runtime, authorizations.record, clinician, client.id, fields, SIGNED_FORM)
    return str(client.reference)


def test_a_clinicians_home_lists_what_needs_them_by_reference(runtime: Runtime, signed_in: Browser) -> None:
    """The expiring authorization appears under "Needs you" with its client's reference."""
    browser = signed_in("alice", "clinician")
    reference = expiring_soon(runtime, actor_of(runtime, "alice"))
    page = browser.get("/").text
    assert "Needs you" in page
    assert f"authorizations on your caseload expiring soon: <strong>1</strong> ({reference})" in page


def test_every_roles_home_has_the_list_even_when_nothing_needs_them(signed_in: Browser) -> None:
    """Front desk, privacy officer and admin see the list, empty."""
    for username, role in (("frank", "front_desk"), ("olga", "auditor"), ("root", "admin")):
        page = signed_in(username, role).get("/").text
        assert "Nothing needs you now." in page, role


def test_the_account_page_saves_an_address_and_an_opt_out(runtime: Runtime, signed_in: Browser) -> None:
    """Olga gives her address and unticks reviews: both kept, each change logged by id and kind."""
    browser = signed_in("olga", "auditor")
    page = browser.get("/account").text
    assert 'value="review_waiting" checked' in page
    form = {
        "csrf_token": page_token(browser),
        "email": "olga@practice.example",
        "emailed": ["log_verification_failed", "incident_notice_due"],
    }
    response = browser.post("/account/reminders", data=form)
    assert response.status_code == 302
    page = browser.get("/account").text
    assert 'value="olga@practice.example"' in page
    assert 'value="review_waiting" checked' not in page
    assert 'value="log_verification_failed" checked' in page
    olga = actor_of(runtime, "olga")
    with runtime.sessions() as session:
        kinds = session.execute(select(models.ReminderOptOut.kind)).scalars().all()
    assert kinds == ["review_waiting"]
    assert [e.basis for e in logged(runtime, Action.USER_REMINDERS_CHANGED)] == ["review_waiting:off"]
    assert [e.object_id for e in logged(runtime, Action.USER_EMAIL_CHANGED)] == [olga.user_id]


def test_a_bad_address_is_refused_with_422_and_nothing_changes(runtime: Runtime, signed_in: Browser) -> None:
    """Header injection in the address: 422 naming what is wrong; no opt-out written either."""
    browser = signed_in("olga", "auditor")
    browser.get("/account")
    form = {"csrf_token": page_token(browser), "email": "olga@practice.example\r\nBcc: x@evil.example"}
    response = browser.post("/account/reminders", data=form)
    assert response.status_code == 422
    assert "email must be one address" in response.text
    olga = uuid.UUID(actor_of(runtime, "olga").user_id)
    with runtime.sessions() as session:
        assert session.execute(select(models.ReminderOptOut)).first() is None
        assert session.execute(select(models.User.email).where(models.User.id == olga)).scalar_one() is None
