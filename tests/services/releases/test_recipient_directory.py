"""The recipients directory: each entry's type decides what a Part 2 TPO consent reaches (P2-4), an
exception's recipient stays with the exception, and the directory is edited, merged and archived."""

from __future__ import annotations

import uuid
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain import disclosure
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.consent import TPO_CLASS
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.runtime import Runtime
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.exceptions import exceptions
from roi_tracker.services.records import clients
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import directory
from roi_tracker.services.releases import recipients
from tests.helpers import call
from tests.helpers import person
from tests.web.conftest import FakeClock

PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
SIGNED_FORM = tiny_pdf(["Consent to disclose (synthetic)", "Signed: synthetic client"])
PART2_STATEMENTS = ["right_to_revoke", "no_conditioning", "redisclosure", "patient_name"]


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
def jonah(runtime: Runtime, alice: audit.Actor) -> uuid.UUID:
    """A client whose records are Part 2 records."""
    details = rules.Demographics(
        given_name="Sam", family_name="Lindqvist", date_of_birth=date(1988, 8, 8), part2=True
    )
    return call(runtime, clients.register, alice, details, []).id


def add(runtime: Runtime, actor: audit.Actor, name: str, recipient_type: str) -> uuid.UUID:
    """Add a directory entry of `recipient_type`; return its id."""
    return call(runtime, recipients.create, actor, kind="organization", type=recipient_type, name=name).id


def consent(runtime: Runtime, actor: audit.Actor, client_id: uuid.UUID, **changes: Any) -> Any:
    """Record a complete Part 2 consent (a TPO consent naming the class unless changed)."""
    fields: dict[str, Any] = {
        "kind": "part2_tpo",
        "recipient_class": TPO_CLASS,
        "categories": ["sud_records", "billing"],
        "purposes": ["treatment_payment_operations"],
        "effective_on": "2026-03-01",
        "expiry_event": "end_of_treatment",
        "signed_on": "2026-03-01",
        "signed_by": "client",
        "statements": [*PART2_STATEMENTS, "consequences_of_refusal"],
        "copy_given_on": "2026-03-01",
        **changes,
    }
    return call(runtime, authorizations.record, actor, client_id, fields, SIGNED_FORM)


def check(runtime: Runtime, actor: audit.Actor, client_id: uuid.UUID, to: uuid.UUID, purpose: str) -> Any:
    """Ask the front-desk gate whether SUD records may go to `to`."""
    q = disclosures.question(client_id, str(to), ["sud_records"], purpose, None, TODAY)
    return call(runtime, disclosures.check, actor, q)


# -- P2-4: the TPO class by recipient type -------------------------------------------------------------------


@pytest.mark.parametrize("recipient_type", ["provider", "health_plan", "payer", "program_operations"])
def test_p2_4_a_tpo_class_consent_reaches_a_recipient_in_the_class(
    runtime: Runtime, alice: audit.Actor, jonah: uuid.UUID, recipient_type: str
) -> None:
    """Treating providers, health plans, payers and program operations are the class."""
    consent(runtime, alice, jonah)
    to = add(runtime, alice, "Valley Clinic", recipient_type)
    assert check(runtime, alice, jonah, to, "treatment_payment_operations").answer is disclosure.Answer.PERMIT


@pytest.mark.parametrize("recipient_type", ["employer", "authority", "attorney", "intermediary", "other"])
def test_p2_4_a_tpo_class_consent_never_reaches_an_employer_the_police_counsel_or_an_hie(
    runtime: Runtime, alice: audit.Actor, jonah: uuid.UUID, recipient_type: str
) -> None:
    """Outside the class, the gate refuses with P2-4."""
    consent(runtime, alice, jonah)
    to = add(runtime, alice, "Someone outside", recipient_type)
    decision = check(runtime, alice, jonah, to, "treatment_payment_operations")
    assert decision.answer is disclosure.Answer.REFUSE
    assert [r.rule for r in decision.refused[0].reasons] == ["P2-4"]


def test_p2_4_an_entry_without_a_type_is_other_and_outside_the_class(
    runtime: Runtime, alice: audit.Actor, jonah: uuid.UUID
) -> None:
    """A recipient added without a type (as every row before migration 0012) fails closed."""
    consent(runtime, alice, jonah)
    to = call(runtime, recipients.create, alice, name="Unsorted").id
    assert call(runtime, recipients.get, to).type == "other"
    assert check(runtime, alice, jonah, to, "treatment_payment_operations").answer is disclosure.Answer.REFUSE


def test_an_unknown_recipient_type_is_refused_by_name(runtime: Runtime, alice: audit.Actor) -> None:
    """The field is named, nothing stored."""
    with pytest.raises(InvalidInput) as caught:
        call(runtime, recipients.create, alice, name="X", type="police")
    assert caught.value.field == "type"


def test_2_31_a_4_ii_a_consent_to_an_intermediary_is_refused_without_its_participants(
    runtime: Runtime, alice: audit.Actor, jonah: uuid.UUID
) -> None:
    """The service fills in the recipient's type; the validator asks for the participants."""
    hie = add(runtime, alice, "Regional HIE", "intermediary")
    named = {
        "kind": "part2",
        "recipient_class": "",
        "recipient_id": str(hie),
        "purposes": ["continuity_of_care"],
    }
    named |= {"expiry_event": "", "expires_on": "2026-12-31", "statements": PART2_STATEMENTS}
    with pytest.raises(Defective) as caught:
        consent(runtime, alice, jonah, **named)
    assert [(p["rule"], p["field"]) for p in caught.value.problems] == [("P2-4", "intermediary_participants")]
    recorded = consent(runtime, alice, jonah, **named, intermediary_participants="Valley Clinic; Dr. Ames")
    assert recorded.status == "active"
    assert check(runtime, alice, jonah, hie, "continuity_of_care").answer is disclosure.Answer.PERMIT


# -- issue 17 item 6: exception recipients stay with the exception ------------------------------------------


def test_a_recipient_typed_into_an_exception_stays_out_of_the_directory(
    runtime: Runtime, alice: audit.Actor
) -> None:
    """The person warned never appears in a recipient list; the exception keeps them, with their type."""
    details = rules.Demographics(given_name="Zoe", family_name="Okafor", date_of_birth=date(1990, 1, 2))
    zoe = call(runtime, clients.register, alice, details, []).id
    fields = {
        "kind": "child_abuse_report",
        "recipient": {"name": "Intake worker", "organization": "County CPS", "type": "authority"},
        "disclosed_categories": ["demographics"],
        "justification": "What I saw, in my own words.",
        "report_number": "CPS-1",
        "reported_at": "2026-03-09T10:00",
    }
    recorded = call(runtime, exceptions.record, alice, zoe, fields, PASSWORD)
    assert [r.name for r in call(runtime, recipients.search, "")] == []
    with runtime.sessions() as session:
        row = session.get(models.Disclosure, recorded.disclosure_id)
        assert row is not None
        assert row.recipient_id is not None
        kept = recipients.get(session, runtime.env, row.recipient_id)
    assert (kept.name, kept.type, kept.scope) == ("Intake worker", "authority", "exception")
    with pytest.raises(InvalidInput):
        consent(runtime, alice, zoe, kind="hipaa", recipient_id=str(kept.id), recipient_class="")


# -- the directory: edit, merge, archive ---------------------------------------------------------------------


def test_an_entry_is_edited_and_its_type_corrected(runtime: Runtime, alice: audit.Actor) -> None:
    """Edit keeps the id (and so every use) and logs recipient:updated."""
    rid = add(runtime, alice, "Vally Clinic", "other")
    view = call(
        runtime, directory.edit, alice, rid, kind="organization", type="provider", name="Valley Clinic"
    )
    assert (view.id, view.name, view.type) == (rid, "Valley Clinic", "provider")
    assert logged(runtime, Action.RECIPIENT_UPDATED) == [(str(rid), "")]


def test_a_merge_repoints_authorizations_and_disclosures_and_archives_the_duplicate(
    runtime: Runtime, alice: audit.Actor, jonah: uuid.UUID
) -> None:
    """Every use moves to the kept entry; the duplicate is archived, kept, and logged per client."""
    duplicate, kept = (
        add(runtime, alice, "Valley Clinic", "provider"),
        add(runtime, alice, "Valley Clinic Inc", "provider"),
    )
    auth = consent(
        runtime,
        alice,
        jonah,
        kind="part2",
        recipient_class="",
        recipient_id=str(duplicate),
        purposes=["continuity_of_care"],
        expiry_event="",
        expires_on="2026-12-31",
        statements=PART2_STATEMENTS,
    )
    q = disclosures.question(jonah, str(duplicate), ["sud_records"], "continuity_of_care", None, TODAY)
    sent = call(
        runtime,
        disclosures.record,
        alice,
        q,
        channel="fax",
        document_ids=[],
        requester_verification="known clinic",
    )
    moved = call(runtime, directory.merge, alice, duplicate, kept)
    assert moved == 2
    with runtime.sessions() as session:
        assert session.get(models.Authorization, auth.id).recipient_id == kept
        assert session.get(models.Disclosure, sent.id).recipient_id == kept
        old = session.get(models.Recipient, duplicate)
        assert old is not None
        assert old.merged_into_id == kept
        assert old.archived_at is not None
    assert [r.id for r in call(runtime, recipients.search, "Valley")] == [kept]
    assert logged(runtime, Action.RECIPIENT_MERGED) == [(str(duplicate), ""), (str(duplicate), str(jonah))]


def test_a_merge_into_itself_or_an_archived_entry_is_refused(runtime: Runtime, alice: audit.Actor) -> None:
    """Nothing moves."""
    a, b = add(runtime, alice, "A", "provider"), add(runtime, alice, "B", "provider")
    with pytest.raises(InvalidInput):
        call(runtime, directory.merge, alice, a, a)
    call(runtime, directory.archive, alice, b)
    with pytest.raises(Conflict):
        call(runtime, directory.merge, alice, a, b)


def test_an_archived_entry_leaves_the_choosers_but_keeps_its_history(
    runtime: Runtime, alice: audit.Actor
) -> None:
    """Search hides it (unless asked), get still reads it, and nothing new may name it."""
    rid = add(runtime, alice, "Old Clinic", "provider")
    call(runtime, directory.archive, alice, rid)
    assert call(runtime, recipients.search, "Old") == []
    assert [r.id for r in call(runtime, recipients.search, "Old", archived=True)] == [rid]
    assert call(runtime, recipients.get, rid).archived
    assert logged(runtime, Action.RECIPIENT_ARCHIVED) == [(str(rid), "")]
    with pytest.raises(NotFound):
        call(runtime, directory.edit, alice, uuid.uuid4(), kind="person", type="other", name="X")


def logged(runtime: Runtime, action: Action) -> list[tuple[str, str]]:
    """(object id, client id) of every access-log entry with `action`, oldest first."""
    with runtime.sessions() as session:
        stmt = select(models.AuditEntry).where(models.AuditEntry.action == action.value)
        return [
            (e.object_id, e.client_id or "")
            for e in session.execute(stmt.order_by(models.AuditEntry.seq)).scalars()
        ]
