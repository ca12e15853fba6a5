"""A minor's consent to their own care, recorded from the client's page (H-C7, P2-8)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask.testing import FlaskClient

from roi_tracker import audit
from roi_tracker.domain import clients as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.runtime import Runtime
from roi_tracker.services.people import users
from roi_tracker.services.records import clients
from tests.web.conftest import logged
from tests.web.conftest import page_token


def test_the_clinician_records_a_minors_consent_to_care_from_the_client_page(
    signed_in: Callable[[str, str], FlaskClient], runtime: Runtime
) -> None:
    """The page offers the question; the answer is recorded, logged, and said back in words."""
    carol = signed_in("carol", "clinician")
    with runtime.sessions() as session:
        me = users.by_username(session, "carol")
        teen = clients.register(
            session,
            runtime.env,
            audit.Actor(str(me.id), "clinician"),
            rules.Demographics("Sam", "Okafor", date(2011, 4, 1)),
            ["carol"],
        )
    page = carol.get(f"/clients/{teen.id}").text
    assert "A minor&#39;s consent to their own care" in page or "A minor's consent to their own care" in page
    response = carol.post(
        f"/clients/{teen.id}/minor-consent",
        data={"csrf_token": page_token(carol), "consented": "yes"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "the minor consented to this care and signs their own releases" in response.text
    assert logged(runtime, Action.CLIENT_RECORD_WRITTEN)[-1].basis == "minor-consent:yes"


def test_no_answer_is_refused_naming_the_question(
    signed_in: Callable[[str, str], FlaskClient], runtime: Runtime
) -> None:
    """422, nothing recorded."""
    carol = signed_in("carol", "clinician")
    with runtime.sessions() as session:
        me = users.by_username(session, "carol")
        teen = clients.register(
            session,
            runtime.env,
            audit.Actor(str(me.id), "clinician"),
            rules.Demographics("Sam", "Okafor", date(2011, 4, 1)),
            ["carol"],
        )
    response = carol.post(f"/clients/{teen.id}/minor-consent", data={"csrf_token": page_token(carol)})
    assert response.status_code == 422
    assert "say whether the minor consented to this care" in response.text
