"""Minors and representatives at the service level: the minor's consent to care is recorded on the client,
minor status comes from the date of birth, and a suspected parent is not the representative (H-C7, P2-8,
164.502(g)(3) and (g)(5))."""

from __future__ import annotations

import uuid
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

import pytest

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain import disclosure
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import NotFound
from roi_tracker.runtime import Runtime
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.exceptions import exceptions
from roi_tracker.services.records import clients
from roi_tracker.services.records import minors
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import recipients
from tests.helpers import call
from tests.helpers import person
from tests.web.conftest import FakeClock
from tests.web.conftest import logged

PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
SIGNED_FORM = tiny_pdf(["Authorization (synthetic)", "Signed: a parent"])
PARENT = {
    "signed_by": "representative",
    "representative_name": "Ana Okafor",
    "representative_relationship": "mother",
    "representative_authority": "parent of a minor",
}


@pytest.fixture(autouse=True)
def clock(runtime: Runtime) -> FakeClock:
    """Stand the instance's clock still at 10 March 2026, 15:00 UTC."""
    fake = FakeClock(NOW)
    object.__setattr__(runtime.env, "clock", fake)
    return fake


@pytest.fixture
def alice(runtime: Runtime) -> audit.Actor:
    """The clinician."""
    return person(runtime, "alice", "clinician")


@pytest.fixture
def rivera(runtime: Runtime, alice: audit.Actor) -> str:
    """A treating provider in the directory."""
    return str(call(runtime, recipients.create, alice, type="provider", name="Dr Ana Rivera").id)


def register(runtime: Runtime, actor: audit.Actor, born: date, *, part2: bool = False) -> uuid.UUID:
    """Register a client born on `born`."""
    details = rules.Demographics(given_name="Sam", family_name="Okafor", date_of_birth=born, part2=part2)
    return call(runtime, clients.register, actor, details, []).id


def terms(recipient_id: str, *, part2: bool = False, **changes: Any) -> dict[str, Any]:
    """A complete authorization to `recipient_id`, signed by the client's mother."""
    fields: dict[str, Any] = {
        "kind": "part2" if part2 else "hipaa",
        "recipient_id": recipient_id,
        "categories": ["sud_records"] if part2 else ["diagnosis"],
        "purposes": ["continuity_of_care"],
        "effective_on": "2026-03-01",
        "expires_on": "2026-12-31",
        "signed_on": "2026-03-01",
        "statements": ["right_to_revoke", "no_conditioning", "redisclosure"]
        + (["patient_name"] if part2 else []),
        "copy_given_on": "2026-03-01",
        **PARENT,
        **changes,
    }
    return fields


def rules_refusing(
    runtime: Runtime, actor: audit.Actor, client_id: uuid.UUID, fields: dict[str, Any]
) -> list[str]:
    """Record the authorization; return the rule ids that refused it (empty: recorded)."""
    try:
        call(runtime, authorizations.record, actor, client_id, fields, SIGNED_FORM)
    except Defective as refused:
        return [f"{p['rule']}:{p['field']}" for p in refused.problems]
    return []


def test_h_c7_a_parent_alone_cannot_sign_for_care_a_minor_consented_to(
    runtime: Runtime, alice: audit.Actor, rivera: str
) -> None:
    """164.502(g)(3): recorded on the client, minor by date of birth: the mother's signature is refused."""
    teen = register(runtime, alice, date(2010, 5, 1))
    assert rules_refusing(runtime, alice, teen, terms(rivera)) == []
    call(runtime, minors.record_consent, alice, teen, consented=True)
    assert rules_refusing(runtime, alice, teen, terms(rivera)) == ["H-C7:signed_by"]
    assert rules_refusing(runtime, alice, teen, terms(rivera, signed_by="client")) == []
    assert [e.basis for e in logged(runtime, Action.CLIENT_RECORD_WRITTEN)][-1] == "minor-consent:yes"


def test_p2_8_a_parent_alone_cannot_sign_a_part2_consent_for_a_minor_who_consented_to_sud_care(
    runtime: Runtime, alice: audit.Actor, rivera: str
) -> None:
    """2.31(a)(8), 2.14: only the minor signs."""
    teen = register(runtime, alice, date(2010, 5, 1), part2=True)
    call(runtime, minors.record_consent, alice, teen, consented=True)
    assert rules_refusing(runtime, alice, teen, terms(rivera, part2=True)) == ["P2-8:signed_by"]


def test_an_adult_who_consented_as_a_minor_is_no_longer_a_minor_on_the_day_signed(
    runtime: Runtime, alice: audit.Actor, rivera: str
) -> None:
    """Minor status is derived on the signed date; an adult's guardian is judged by H-C7 alone."""
    adult = register(runtime, alice, date(2000, 5, 1))
    call(runtime, minors.record_consent, alice, adult, consented=True)
    assert rules_refusing(runtime, alice, adult, terms(rivera)) == []


def test_only_the_clients_clinician_records_the_minors_consent(runtime: Runtime, alice: audit.Actor) -> None:
    """Another clinician finds no such client; the value is sealed, never plain."""
    teen = register(runtime, alice, date(2010, 5, 1))
    bob = person(runtime, "bob", "clinician")
    with pytest.raises(NotFound):
        call(runtime, minors.record_consent, bob, teen, consented=True)
    call(runtime, minors.record_consent, alice, teen, consented=True)
    with runtime.sessions() as session:
        sealed = session.get_one(models.Client, teen).minor_consent
    assert sealed is not None
    assert bytes(sealed) not in (b"1", b"0")


def test_164_502_g_5_a_child_abuse_report_suspecting_a_parent_keeps_them_from_signing_as_representative(
    runtime: Runtime, alice: audit.Actor, rivera: str
) -> None:
    """parent_suspected is kept with the report; a representative's signature then needs the clinician to
    confirm the signer is not the person suspected."""
    child = register(runtime, alice, date(2015, 1, 1))
    report = {
        "kind": "child_abuse_report",
        "recipient": {"name": "Intake", "organization": "County CPS", "type": "authority"},
        "disclosed_categories": ["demographics"],
        "justification": "What I saw, in my own words.",
        "report_number": "CPS-1",
        "reported_at": "2026-03-09T10:00",
        "parent_suspected": True,
    }
    assert rules_refusing(runtime, alice, child, terms(rivera)) == []
    call(runtime, exceptions.record, alice, child, report, PASSWORD)
    assert rules_refusing(runtime, alice, child, terms(rivera)) == ["H-C7:representative_not_suspected"]
    assert rules_refusing(runtime, alice, child, terms(rivera, representative_not_suspected=True)) == []


def test_a_child_abuse_report_without_a_suspected_parent_changes_nothing(
    runtime: Runtime, alice: audit.Actor, rivera: str
) -> None:
    """No suspicion recorded, the parent signs as before."""
    child = register(runtime, alice, date(2015, 1, 1))
    report = {
        "kind": "child_abuse_report",
        "recipient": {"name": "Intake", "organization": "County CPS", "type": "authority"},
        "disclosed_categories": ["demographics"],
        "justification": "What I saw, in my own words.",
        "report_number": "CPS-2",
        "reported_at": "2026-03-09T10:00",
        "parent_suspected": False,
    }
    call(runtime, exceptions.record, alice, child, report, PASSWORD)
    assert rules_refusing(runtime, alice, child, terms(rivera)) == []


def test_164_502_g_5_a_release_a_parent_signed_stops_covering_once_a_report_suspects_a_parent(
    runtime: Runtime, alice: audit.Actor, rivera: str
) -> None:
    """At the gate: the mother's earlier release no longer covers anything, refused with H-C7."""
    child = register(runtime, alice, date(2015, 1, 1))
    assert rules_refusing(runtime, alice, child, terms(rivera)) == []
    q = disclosures.question(child, rivera, ["diagnosis"], "continuity_of_care", None, NOW.date())
    assert call(runtime, disclosures.check, alice, q).answer is disclosure.Answer.PERMIT
    report = {
        "kind": "child_abuse_report",
        "recipient": {"name": "Intake", "organization": "County CPS", "type": "authority"},
        "disclosed_categories": ["demographics"],
        "justification": "What I saw, in my own words.",
        "report_number": "CPS-3",
        "reported_at": "2026-03-09T10:00",
        "parent_suspected": "yes",
    }
    call(runtime, exceptions.record, alice, child, report, PASSWORD)
    decision = call(runtime, disclosures.check, alice, q)
    assert decision.answer is disclosure.Answer.REFUSE
    assert [r.rule for r in decision.refused[0].reasons] == ["H-C7"]
