"""One authorization's page at the service level: terms, standing and history, read after logging."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest

from roi_tracker import audit
from roi_tracker.domain import clients as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import NotFound
from roi_tracker.runtime import Runtime
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import history
from roi_tracker.services.releases import recipients
from tests.helpers import call
from tests.helpers import entries_after
from tests.helpers import head_seq
from tests.helpers import person
from tests.web.conftest import FakeClock
from tests.web.test_releases_web import authorization_terms

SIGNED_FORM = tiny_pdf(["Authorization to release information", "Signed: synthetic client"])
REVOCATION = tiny_pdf(["I revoke my authorization", "Signed: synthetic client"])
VERIFIED = "Known clinic; fax number matched the directory entry"


@dataclass(frozen=True)
class Practice:
    """Alice, her client Zoe, and Dr Rivera in the directory; the clock stands at the real time."""

    clock: FakeClock
    alice: audit.Actor
    zoe: uuid.UUID
    rivera: uuid.UUID


@pytest.fixture
def practice(runtime: Runtime) -> Practice:
    """Stand the clock at the real time, so the rows the database stamps itself agree with it."""
    clock = FakeClock(datetime.now(UTC))
    object.__setattr__(runtime.env, "clock", clock)
    alice = person(runtime, "alice", "clinician")
    details = rules.Demographics(given_name="Zoe", family_name="Okafor", date_of_birth=date(1988, 8, 8))
    zoe = call(runtime, clients.register, alice, details, []).id
    rivera = call(runtime, recipients.create, alice, name="Dr Ana Rivera", organization="Northside Clinic")
    return Practice(clock, alice, zoe, rivera.id)


def terms(recipient_id: uuid.UUID, today: date, **changes: object) -> dict[str, Any]:
    """A complete HIPAA authorization to `recipient_id` for the diagnosis, signed ten days ago."""
    return authorization_terms(str(recipient_id), today, **{"categories": ["diagnosis"], **changes})


def recorded(runtime: Runtime, p: Practice, client_id: uuid.UUID | None = None, **changes: object) -> Any:
    """Record that authorization (to Dr Rivera, for Zoe unless another client is named)."""
    fields = terms(p.rivera, runtime.env.today(), **changes)
    return call(runtime, authorizations.record, p.alice, client_id or p.zoe, fields, SIGNED_FORM)


def disclose(runtime: Runtime, actor: audit.Actor, client_id: uuid.UUID, to: uuid.UUID) -> uuid.UUID:
    """Fax the diagnosis summary to `to` now; return the disclosure's id."""
    doc = call(
        runtime,
        documents.upload,
        actor,
        client_id,
        content=tiny_pdf(["Diagnosis summary"]),
        category="diagnosis",
        title="Diagnosis summary",
    )
    today = runtime.env.today()
    q = disclosures.question(client_id, str(to), ["diagnosis"], "continuity_of_care", None, today)
    sent = call(
        runtime,
        disclosures.record,
        actor,
        q,
        channel="fax",
        document_ids=[str(doc.id)],
        requester_verification=VERIFIED,
    )
    return sent.id


def open_page(runtime: Runtime, actor: audit.Actor, client_id: uuid.UUID, auth_id: uuid.UUID) -> Any:
    """Open the authorization's page as `actor`."""
    return call(runtime, history.open_authorization, actor, client_id, auth_id)


def test_the_page_holds_the_terms_and_a_history_of_recording_disclosure_and_revocation(
    runtime: Runtime, practice: Practice
) -> None:
    """Signed, recorded by alice, faxed under it, then revoked two days later: oldest first, with who."""
    p, today = practice, runtime.env.today()
    auth = recorded(runtime, p)
    p.clock.advance(minutes=1)
    sent = disclose(runtime, p.alice, p.zoe, p.rivera)
    p.clock.advance(days=2)
    revoked_on = runtime.env.today()
    call(runtime, authorizations.revoke, p.alice, auth.id, received_on=revoked_on, document=REVOCATION)

    opened = open_page(runtime, p.alice, p.zoe, auth.id)

    assert (opened.client.id, opened.client.demographics.family_name) == (p.zoe, "Okafor")
    a = opened.authorization
    assert (a.label, a.kind, a.recipient, a.categories, a.purposes, a.status) == (
        auth.label,
        "hipaa",
        "Dr Ana Rivera (Northside Clinic)",
        ("diagnosis",),
        ("continuity_of_care",),
        "revoked",
    )
    assert [(r.rule, r.message) for r in opened.reasons] == [
        ("H-D3", f"Authorization {auth.label} was revoked on {revoked_on}.")
    ]
    assert (opened.terms.copy_method, opened.clinical, opened.part2) == ("in person", True, False)
    assert [(s.kind, s.on, s.by) for s in opened.history] == [
        ("signed", today - timedelta(days=10), ""),
        ("recorded", today, "alice"),
        ("disclosed", today, "alice"),
        ("revoked", revoked_on, "alice"),
    ]
    signed, _, disclosed, revocation = opened.history
    assert signed.note == "the client"
    assert disclosed.disclosure is not None
    line = disclosed.disclosure
    assert (line.id, line.recipient, line.categories, line.enclosed) == (
        sent,
        "Dr Ana Rivera (Northside Clinic)",
        ("diagnosis",),
        ("Diagnosis summary",),
    )
    assert revocation.document_id is not None
    assert revocation.at is not None


def test_the_history_names_the_expiry_event_and_who_recorded_it(runtime: Runtime, practice: Practice) -> None:
    """An authorization ending at discharge: the event's day, who entered it, and the reason it ended."""
    p, today = practice, runtime.env.today()
    auth = recorded(runtime, p, expires_on=None, expiry_event="discharge")
    call(runtime, authorizations.record_expiry_event, p.alice, auth.id, occurred_on=today)

    opened = open_page(runtime, p.alice, p.zoe, auth.id)

    assert opened.authorization.status == "expired"
    assert [r.rule for r in opened.reasons] == ["H-D1"]
    assert [(s.kind, s.on, s.by) for s in opened.history if s.kind == "expiry_event"] == [
        ("expiry_event", today, "alice")
    ]
    assert not [s for s in opened.history if s.kind == "disclosed"]


def test_only_the_disclosures_made_under_this_authorization_are_in_its_history(
    runtime: Runtime, practice: Practice
) -> None:
    """A second authorization to another recipient, used once: that disclosure stays off the first's page."""
    p = practice
    first = recorded(runtime, p)
    other = call(runtime, recipients.create, p.alice, name="Dr Lee Park")
    fields = terms(other.id, runtime.env.today())
    call(runtime, authorizations.record, p.alice, p.zoe, fields, tiny_pdf(["Another signed form"]))
    disclose(runtime, p.alice, p.zoe, other.id)

    opened = open_page(runtime, p.alice, p.zoe, first.id)

    assert [s.kind for s in opened.history] == ["signed", "recorded"]


def test_reading_the_page_is_logged_before_anything_is_shown(runtime: Runtime, practice: Practice) -> None:
    """The client's name and the authorization each have their read: allowed, naming the authorization."""
    p = practice
    auth = recorded(runtime, p)
    before = head_seq(runtime)

    open_page(runtime, p.alice, p.zoe, auth.id)

    entries = entries_after(runtime, before)
    assert [(e.action, e.outcome, e.object_type, e.object_id, e.client_id) for e in entries] == [
        ("client:record:read", "allowed", "client", str(p.zoe), str(p.zoe)),
        ("authorization:read", "allowed", "authorization", str(auth.id), str(p.zoe)),
    ]


def test_the_front_desk_sees_the_release_status_but_not_the_signed_form(
    runtime: Runtime, practice: Practice
) -> None:
    """Release status is not clinical content: the page opens, with its documents and actions closed."""
    desk = person(runtime, "frank", "front_desk")
    auth = recorded(runtime, practice)

    opened = open_page(runtime, desk, practice.zoe, auth.id)

    assert (opened.authorization.status, opened.reasons, opened.clinical) == ("active", (), False)


def test_a_clinician_without_the_client_on_their_caseload_is_refused_as_missing_and_logged(
    runtime: Runtime, practice: Practice
) -> None:
    """Bob is not Zoe's clinician: NotFound, one refused authorization read, nothing revealed."""
    bob = person(runtime, "bob", "clinician")
    auth = recorded(runtime, practice)
    before = head_seq(runtime)

    with pytest.raises(NotFound, match="no such client"):
        open_page(runtime, bob, practice.zoe, auth.id)

    assert [(e.action, e.outcome, e.client_id) for e in entries_after(runtime, before)] == [
        ("authorization:read", "refused", str(practice.zoe))
    ]


def test_an_unknown_id_or_another_clients_authorization_is_not_found(
    runtime: Runtime, practice: Practice
) -> None:
    """Under Zoe's id, an id no row has and another client's authorization both read as missing, logged."""
    p = practice
    details = rules.Demographics(given_name="Lee", family_name="Other", date_of_birth=date(1990, 3, 4))
    other = call(runtime, clients.register, p.alice, details, []).id
    theirs = recorded(runtime, p, other)
    before = head_seq(runtime)

    for auth_id in (uuid.uuid4(), theirs.id):
        with pytest.raises(NotFound, match="no such authorization for this client"):
            open_page(runtime, p.alice, p.zoe, auth_id)

    read = entries_after(runtime, before, Action.AUTHORIZATION_READ)
    assert [(e.outcome, e.client_id) for e in read] == [("refused", str(p.zoe))] * 2
