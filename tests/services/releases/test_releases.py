"""Releases at the service level: authorizations recorded and ended, checks, disclosures, packets."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf import PdfWriter

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain import disclosure
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import DisclosureRefused
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.runtime import Runtime
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import packet
from roi_tracker.services.releases import recipients
from tests.helpers import call
from tests.helpers import count
from tests.helpers import entries_after
from tests.helpers import head_seq
from tests.helpers import person
from tests.web.conftest import FakeClock

SYSTEM = audit.Actor("test", "system")
PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
DAY = timedelta(days=1)
SIGNED_FORM = tiny_pdf(["Authorization to release information", "Signed: synthetic client"])
REVOCATION = tiny_pdf(["I revoke my authorization", "Signed: synthetic client"])
VERIFIED = "Known clinic; fax number matched the directory entry"


# -- helpers -------------------------------------------------------------------------------------------------


def terms(recipient_id: uuid.UUID | str | None, **changes: object) -> dict[str, Any]:
    """The fields of a complete HIPAA authorization to `recipient_id`, effective 1 March 2026."""
    fields: dict[str, Any] = {
        "kind": "hipaa",
        "recipient_id": str(recipient_id) if recipient_id else None,
        "categories": ["diagnosis", "treatment_plan"],
        "purposes": ["continuity_of_care"],
        "effective_on": "2026-03-01",
        "expires_on": "2026-12-31",
        "signed_on": "2026-03-01",
        "signed_by": "client",
        "statements": ["right_to_revoke", "no_conditioning", "redisclosure"],
        "copy_given_on": "2026-03-01",
        "copy_method": "handed over in person",
    }
    fields.update(changes)
    return fields


def part2_terms(recipient_id: uuid.UUID, **changes: object) -> dict[str, Any]:
    """The fields of a complete Part 2 consent: SUD records and diagnosis."""
    return terms(
        recipient_id,
        kind="part2",
        categories=["sud_records", "diagnosis"],
        statements=["right_to_revoke", "no_conditioning", "redisclosure", "patient_name"],
        **changes,
    )


def ask(
    client_id: uuid.UUID, recipient_id: uuid.UUID, *categories: str, on: date | None = None
) -> disclosures.Question:
    """Ask whether `categories` may go to the recipient for continuity of care on `on` (default today)."""
    return disclosures.question(
        client_id, str(recipient_id), list(categories), "continuity_of_care", on, TODAY
    )


def two_pages(first: str, second: str) -> bytes:
    """Return a two-page PDF, one line of text on each page."""
    writer = PdfWriter()
    for text in (first, second):
        writer.append(PdfReader(io.BytesIO(tiny_pdf([text]))))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_texts(pdf: bytes) -> list[str]:
    """Return the text of each page, whitespace collapsed."""
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages]


# -- fixtures ------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def clock(runtime: Runtime) -> FakeClock:
    """Stand the instance's clock still at 10 March 2026, 15:00 UTC."""
    fake = FakeClock(NOW)
    object.__setattr__(runtime.env, "clock", fake)
    return fake


@pytest.fixture
def alice(runtime: Runtime) -> audit.Actor:
    """The clinician of both clients."""
    return person(runtime, "alice", "clinician")


@pytest.fixture
def bob(runtime: Runtime) -> audit.Actor:
    """A clinician neither client is assigned to."""
    return person(runtime, "bob", "clinician")


@pytest.fixture
def desk(runtime: Runtime) -> audit.Actor:
    """The front desk."""
    return person(runtime, "frank", "front_desk")


def register(runtime: Runtime, actor: audit.Actor, family_name: str, *, part2: bool) -> uuid.UUID:
    """Register a synthetic client on `actor`'s caseload; return the id."""
    details = rules.Demographics(
        given_name="Sam", family_name=family_name, date_of_birth=date(1988, 8, 8), part2=part2
    )
    return call(runtime, clients.register, actor, details, []).id


@pytest.fixture
def zoe(runtime: Runtime, alice: audit.Actor) -> uuid.UUID:
    """A client whose records fall under HIPAA only."""
    return register(runtime, alice, "Okafor", part2=False)


@pytest.fixture
def jonah(runtime: Runtime, alice: audit.Actor) -> uuid.UUID:
    """A client whose records are Part 2 (substance use disorder) records."""
    return register(runtime, alice, "Lindqvist", part2=True)


@pytest.fixture
def rivera(runtime: Runtime, alice: audit.Actor) -> uuid.UUID:
    """A recipient in the directory."""
    view = call(
        runtime,
        recipients.create,
        alice,
        name="Dr Ana Rivera",
        organization="Northside Clinic",
        fax="555-0101",
    )
    return view.id


def record(
    runtime: Runtime, actor: audit.Actor, client_id: uuid.UUID, fields: dict[str, Any], **kwargs: Any
) -> authorizations.AuthorizationView:
    """Record an authorization with the standard signed form."""
    return call(
        runtime, authorizations.record, actor, client_id, fields, kwargs.pop("form", SIGNED_FORM), **kwargs
    )


def upload(runtime: Runtime, actor: audit.Actor, client_id: uuid.UUID, category: str, content: bytes) -> str:
    """Upload a document; return its id as the disclosure form sends it."""
    view = call(
        runtime,
        documents.upload,
        actor,
        client_id,
        content=content,
        category=category,
        title=category.replace("_", " ").capitalize(),
    )
    return str(view.id)


# -- recording authorizations --------------------------------------------------------------------------------


def test_records_an_authorization_with_its_signed_form_encrypted_and_hashed(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """The signed form becomes a document (ciphertext at rest, SHA-256 kept); the terms are ciphertext too."""
    before = head_seq(runtime)
    view = record(runtime, alice, zoe, terms(rivera))
    assert view.status == "active"
    assert view.label.startswith("A-")
    assert (view.kind, view.categories, view.recipient) == (
        "hipaa",
        ("diagnosis", "treatment_plan"),
        "Dr Ana Rivera (Northside Clinic)",
    )
    with runtime.sessions() as session:
        form = session.get(models.Document, view.signed_form_id)
        blob = session.get(models.DocumentBlob, view.signed_form_id)
        row = session.get(models.Authorization, view.id)
        assert form is not None
        assert blob is not None
        assert row is not None
        assert form.category == "signed_authorization"
        assert form.client_id == zoe
        assert bytes(form.sha256) == hashlib.sha256(SIGNED_FORM).digest()
        assert b"Authorization to release" not in bytes(blob.content)
        assert b"continuity_of_care" not in bytes(row.terms)
        assert (row.effective_on, row.expires_on) == (date(2026, 3, 1), date(2026, 12, 31))
        client = session.get(models.Client, zoe)
        assert documents.content_of(session, runtime.env, alice, client, form.id) == SIGNED_FORM
    recorded = entries_after(runtime, before, Action.AUTHORIZATION_RECORDED)
    assert [(e.outcome, e.object_id, e.basis) for e in recorded] == [("allowed", str(view.id), view.label)]


def test_a_defective_authorization_lists_every_problem_and_stores_nothing(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """BLOCK problems refuse it all at once; no authorization, no document, one refused log entry."""
    fields = terms(rivera, categories=[], statements=["right_to_revoke"], signed_on=None, expires_on=None)
    authorizations_before = count(runtime, models.Authorization)
    documents_before = count(runtime, models.Document)
    before = head_seq(runtime)
    with pytest.raises(Defective) as caught:
        record(runtime, alice, zoe, fields)
    assert [(p["rule"], p["field"]) for p in caught.value.problems] == [
        ("H-C1", "categories"),
        ("H-C5", "expires_on"),
        ("H-C6", "signed_on"),
        ("H-S2", "statements"),
        ("H-S3", "statements"),
    ]
    assert all(p["severity"] == "BLOCK" and p["message"] for p in caught.value.problems)
    assert count(runtime, models.Authorization) == authorizations_before
    assert count(runtime, models.Document) == documents_before
    entries = entries_after(runtime, before)
    assert [(e.action, e.outcome, e.client_id, e.basis) for e in entries] == [
        ("authorization:recorded", "refused", str(zoe), "H-C1")
    ]


def test_a_missing_signed_form_is_h_d2_and_stores_nothing(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """No upload: refused with H-D2 on the signed_form field."""
    with pytest.raises(Defective) as caught:
        record(runtime, alice, zoe, terms(rivera), form=None)
    assert [(p["rule"], p["field"]) for p in caught.value.problems] == [("H-D2", "signed_form")]
    assert count(runtime, models.Authorization) == 0


def test_a_warning_must_be_acknowledged_before_the_authorization_is_recorded(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """H-P2 (no copy given) refuses until acknowledged; acknowledged, it is recorded and keeps the warning."""
    fields = terms(rivera, copy_given_on=None)
    before = head_seq(runtime)
    with pytest.raises(Defective) as caught:
        record(runtime, alice, zoe, fields)
    assert [(p["rule"], p["severity"]) for p in caught.value.problems] == [("H-P2", "WARN")]
    assert count(runtime, models.Authorization) == 0
    view = record(runtime, alice, zoe, fields, acknowledge_warnings=True)
    assert [w["rule"] for w in view.warnings] == ["H-P2"]
    assert [(e.outcome, e.basis) for e in entries_after(runtime, before, Action.AUTHORIZATION_RECORDED)] == [
        ("refused", "H-P2"),
        ("allowed", view.label),
    ]
    listed = call(runtime, authorizations.list_for, alice, zoe)
    assert [(a.id, [w["rule"] for w in a.warnings]) for a in listed] == [(view.id, ["H-P2"])]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"categories": ["diagnosis", "horoscope"]}, "category"),
        ({"purposes": ["curiosity"]}, "purpose"),
        ({"kind": "verbal"}, "kind"),
        ({"signed_by": "neighbour"}, "signed_by"),
        ({"statements": ["right_to_revoke", "pinky_promise"]}, "statement"),
        ({"signed_on": "10/03/2026"}, "signed_on"),
        ({"recipient_id": "not-a-uuid"}, "recipient_id"),
    ],
)
def test_unknown_vocabulary_is_invalid_input_naming_the_field(
    runtime: Runtime,
    alice: audit.Actor,
    zoe: uuid.UUID,
    rivera: uuid.UUID,
    change: dict[str, Any],
    field: str,
) -> None:
    """A value outside the vocabulary is not a missing element: InvalidInput names the field."""
    with pytest.raises(InvalidInput) as caught:
        record(runtime, alice, zoe, {**terms(rivera), **change})
    assert caught.value.field == field
    assert count(runtime, models.Authorization) == 0


def test_an_unknown_recipient_is_refused(runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID) -> None:
    """A well-formed id that is in nobody's directory: NotFound, nothing stored."""
    with pytest.raises(NotFound):
        record(runtime, alice, zoe, terms(uuid.uuid4()))
    assert count(runtime, models.Authorization) == 0
    assert count(runtime, models.Document) == 0


def test_a_part2_client_needs_a_part2_consent(
    runtime: Runtime, alice: audit.Actor, jonah: uuid.UUID, rivera: uuid.UUID
) -> None:
    """A HIPAA authorization for a Part 2 client is refused with P2-3; a Part 2 consent is recorded."""
    with pytest.raises(Defective) as caught:
        record(runtime, alice, jonah, terms(rivera, categories=["diagnosis"]))
    assert [p["rule"] for p in caught.value.problems] == ["P2-3"]
    assert record(runtime, alice, jonah, part2_terms(rivera)).status == "active"


def notes_terms(recipient_id: uuid.UUID, **changes: object) -> dict[str, Any]:
    """The fields of a complete psychotherapy-notes authorization."""
    return terms(recipient_id, kind="psychotherapy_notes", categories=["psychotherapy_notes"], **changes)


@pytest.mark.parametrize(
    ("first", "then"),
    [(terms, notes_terms), (notes_terms, terms)],
    ids=["notes after diagnosis", "diagnosis after notes"],
)
def test_h_x1_refuses_one_signed_form_recorded_as_notes_and_as_another_kind(
    runtime: Runtime,
    alice: audit.Actor,
    zoe: uuid.UUID,
    rivera: uuid.UUID,
    first: Any,
    then: Any,
) -> None:
    """The same signed form (same SHA-256) as notes and as diagnosis is a compound authorization: H-X1."""
    record(runtime, alice, zoe, first(rivera))
    before = head_seq(runtime)
    with pytest.raises(Defective) as caught:
        record(runtime, alice, zoe, then(rivera))
    assert [(p["rule"], p["field"]) for p in caught.value.problems] == [("H-X1", "signed_form")]
    assert count(runtime, models.Authorization) == 1
    refused = entries_after(runtime, before, Action.AUTHORIZATION_RECORDED)
    assert [(e.outcome, e.basis) for e in refused] == [("refused", "H-X1")]


def test_h_x1_refuses_a_notes_authorization_on_a_form_already_recorded_for_another_client(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, jonah: uuid.UUID, rivera: uuid.UUID
) -> None:
    """The signed form of jonah's Part 2 consent cannot become zoe's notes authorization (H-X1)."""
    record(runtime, alice, jonah, part2_terms(rivera))
    with pytest.raises(Defective) as caught:
        record(runtime, alice, zoe, notes_terms(rivera))
    assert [p["rule"] for p in caught.value.problems] == ["H-X1"]
    assert str(jonah) not in str(caught.value.problems)


def test_h_x1_lets_a_form_hold_two_notes_authorizations_and_a_new_form_hold_notes(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Notes combine with notes; a diagnosis form does not stop notes signed on a form of their own."""
    record(runtime, alice, zoe, notes_terms(rivera))
    record(runtime, alice, zoe, notes_terms(rivera, purposes=["at_request_of_client"]))
    record(runtime, alice, zoe, terms(rivera), form=tiny_pdf(["Diagnosis authorization", "Signed"]))
    assert count(runtime, models.Authorization) == 3


def test_a_clinician_off_the_caseload_cannot_record_revoke_or_list(
    runtime: Runtime, alice: audit.Actor, bob: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Not yours reads as missing, and nothing changes."""
    view = record(runtime, alice, zoe, terms(rivera))
    with pytest.raises(NotFound):
        record(runtime, bob, zoe, terms(rivera))
    with pytest.raises(NotFound):
        call(runtime, authorizations.revoke, bob, view.id, received_on=TODAY, document=REVOCATION)
    with pytest.raises(NotFound):
        call(runtime, authorizations.list_for, bob, zoe)
    assert [a.status for a in call(runtime, authorizations.list_for, alice, zoe)] == ["active"]


# -- revocation and expiry events ----------------------------------------------------------------------------


def test_a_revocation_is_stored_with_its_document_and_logged(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """The written revocation is kept as a document; the status is revoked from the day received."""
    view = record(runtime, alice, zoe, terms(rivera))
    before = head_seq(runtime)
    revoked = call(runtime, authorizations.revoke, alice, view.id, received_on=TODAY, document=REVOCATION)
    assert (revoked.status, revoked.revoked_on) == ("revoked", TODAY)
    with runtime.sessions() as session:
        row = session.get(models.Authorization, view.id)
        assert row is not None
        assert row.revocation_document_id is not None
        doc = session.get(models.Document, row.revocation_document_id)
        assert doc is not None
        assert doc.category == "revocation"
        assert bytes(doc.sha256) == hashlib.sha256(REVOCATION).digest()
    entries = entries_after(runtime, before, Action.AUTHORIZATION_REVOKED)
    assert [(e.outcome, e.object_id) for e in entries] == [("allowed", str(view.id))]


def test_a_revocation_for_another_clients_authorization_changes_nothing(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, jonah: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Revoking zoe's authorization under jonah's id answers NotFound; no document, no revocation."""
    view = record(runtime, alice, zoe, terms(rivera))
    documents_before = count(runtime, models.Document)
    with pytest.raises(NotFound):
        call(
            runtime,
            authorizations.revoke,
            alice,
            view.id,
            received_on=TODAY,
            document=REVOCATION,
            client_id=jonah,
        )
    with pytest.raises(NotFound):
        call(runtime, authorizations.record_expiry_event, alice, view.id, occurred_on=TODAY, client_id=jonah)
    assert count(runtime, models.Document) == documents_before
    with runtime.sessions() as session:
        row = session.get(models.Authorization, view.id)
        assert row is not None
        assert (row.revoked_on, row.expiry_event_on) == (None, None)


def test_revoking_twice_is_a_conflict(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """The first revocation stands; the second is refused and its date is not taken."""
    view = record(runtime, alice, zoe, terms(rivera))
    call(runtime, authorizations.revoke, alice, view.id, received_on=TODAY - DAY, document=REVOCATION)
    with pytest.raises(Conflict):
        call(runtime, authorizations.revoke, alice, view.id, received_on=TODAY, document=REVOCATION)
    assert [a.revoked_on for a in call(runtime, authorizations.list_for, alice, zoe)] == [TODAY - DAY]


@pytest.mark.parametrize(
    ("received_on", "document", "field"),
    [(TODAY + DAY, REVOCATION, "received_on"), (TODAY, b"", "document"), (TODAY, None, "document")],
)
def test_a_revocation_needs_a_past_date_and_the_written_document(
    runtime: Runtime,
    alice: audit.Actor,
    zoe: uuid.UUID,
    rivera: uuid.UUID,
    received_on: date,
    document: bytes | None,
    field: str,
) -> None:
    """A revocation received tomorrow, or one without its document, is refused naming the field."""
    view = record(runtime, alice, zoe, terms(rivera))
    with pytest.raises(InvalidInput) as caught:
        call(runtime, authorizations.revoke, alice, view.id, received_on=received_on, document=document)
    assert caught.value.field == field


def test_an_expiry_event_on_an_authorization_without_one_is_a_conflict(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """An authorization that ends on a date names no event to record."""
    view = record(runtime, alice, zoe, terms(rivera))
    with pytest.raises(Conflict):
        call(runtime, authorizations.record_expiry_event, alice, view.id, occurred_on=TODAY)


def test_an_expiry_event_ends_the_authorization_once(
    runtime: Runtime, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Recorded once it is expired from that day; a second recording and a future date are refused."""
    view = record(runtime, alice, zoe, terms(rivera, expires_on=None, expiry_event="end_of_treatment"))
    with pytest.raises(InvalidInput):
        call(runtime, authorizations.record_expiry_event, alice, view.id, occurred_on=TODAY + DAY)
    ended = call(runtime, authorizations.record_expiry_event, alice, view.id, occurred_on=TODAY)
    assert (ended.status, ended.expiry_event_on) == ("expired", TODAY)
    with pytest.raises(Conflict):
        call(runtime, authorizations.record_expiry_event, alice, view.id, occurred_on=TODAY)


# -- checks --------------------------------------------------------------------------------------------------


def test_a_check_is_logged_allowed_when_permitted_and_refused_when_not(
    runtime: Runtime, desk: audit.Actor, alice: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Every check leaves a disclosure:check entry whose outcome follows the answer."""
    view = record(runtime, alice, zoe, terms(rivera))
    before = head_seq(runtime)
    permitted = call(runtime, disclosures.check, desk, ask(zoe, rivera, "diagnosis"))
    refused = call(runtime, disclosures.check, desk, ask(zoe, rivera, "billing"))
    partial = call(runtime, disclosures.check, desk, ask(zoe, rivera, "diagnosis", "billing"))
    assert (permitted.answer, refused.answer, partial.answer) == (
        disclosure.Answer.PERMIT,
        disclosure.Answer.REFUSE,
        disclosure.Answer.PARTIAL,
    )
    entries = entries_after(runtime, before, Action.DISCLOSURE_CHECK)
    assert [(e.outcome, e.basis, e.object_id, e.client_id) for e in entries] == [
        ("allowed", f"permit:{view.label}", str(rivera), str(zoe)),
        ("refused", "refuse:DT-1", str(rivera), str(zoe)),
        ("allowed", f"partial:{view.label}", str(rivera), str(zoe)),
    ]


def test_a_check_on_a_client_off_the_caseload_is_refused_and_logged(
    runtime: Runtime, bob: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """A clinician not assigned to the client cannot ask about them; the attempt is logged."""
    before = head_seq(runtime)
    with pytest.raises(NotFound):
        call(runtime, disclosures.check, bob, ask(zoe, rivera, "diagnosis"))
    assert [(e.action, e.outcome) for e in entries_after(runtime, before)] == [
        ("disclosure:check", "refused")
    ]


@pytest.mark.parametrize(
    ("categories", "purpose", "recipient", "field"),
    [
        ([], "continuity_of_care", None, "categories"),
        (["gossip"], "continuity_of_care", None, "category"),
        (["diagnosis"], "curiosity", None, "purpose"),
        (["diagnosis"], "continuity_of_care", "nobody", "recipient_id"),
    ],
)
def test_a_malformed_question_names_the_field(
    zoe: uuid.UUID, rivera: uuid.UUID, categories: list[str], purpose: str, recipient: str | None, field: str
) -> None:
    """No category, an unknown category or purpose, or a malformed recipient id: InvalidInput on its field."""
    with pytest.raises(InvalidInput) as caught:
        disclosures.question(zoe, recipient or str(rivera), categories, purpose, None, TODAY)
    assert caught.value.field == field


def test_a_revocation_stops_permits_from_the_day_it_is_received(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Received today: a check dated yesterday permits, one dated today refuses with H-D3."""
    view = record(runtime, alice, zoe, terms(rivera))
    call(runtime, authorizations.revoke, alice, view.id, received_on=TODAY, document=REVOCATION)
    yesterday = call(runtime, disclosures.check, desk, ask(zoe, rivera, "diagnosis", on=TODAY - DAY))
    today = call(runtime, disclosures.check, desk, ask(zoe, rivera, "diagnosis", on=TODAY))
    assert yesterday.answer is disclosure.Answer.PERMIT
    assert today.answer is disclosure.Answer.REFUSE
    assert [r.rule for r in today.refused[0].reasons] == ["H-D3"]
    with pytest.raises(DisclosureRefused) as caught:
        call(
            runtime,
            disclosures.record,
            desk,
            ask(zoe, rivera, "diagnosis"),
            channel="fax",
            document_ids=[],
            requester_verification=VERIFIED,
        )
    assert [p["rule"] for p in caught.value.problems] == ["H-D3"]


# -- recording disclosures -----------------------------------------------------------------------------------


def test_a_refused_disclosure_stores_nothing_and_is_logged_refused(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Refused by the decision: every reason given, no row stored, a refused disclosure:recorded entry."""
    record(runtime, alice, zoe, terms(rivera))
    before = head_seq(runtime)
    with pytest.raises(DisclosureRefused) as caught:
        call(
            runtime,
            disclosures.record,
            desk,
            ask(zoe, rivera, "diagnosis", "psychotherapy_notes"),
            channel="fax",
            document_ids=[],
            requester_verification=VERIFIED,
        )
    assert [(p["category"], p["rule"]) for p in caught.value.problems] == [("psychotherapy_notes", "DT-5")]
    assert count(runtime, models.Disclosure) == 0
    entries = entries_after(runtime, before, Action.DISCLOSURE_RECORDED)
    assert [(e.outcome, e.basis, e.client_id) for e in entries] == [("refused", "DT-5", str(zoe))]


def test_a_document_outside_the_permitted_categories_is_refused(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Minimum necessary (DT-2): a billing document cannot ride along with a permitted diagnosis."""
    record(runtime, alice, zoe, terms(rivera))
    diagnosis = upload(runtime, alice, zoe, "diagnosis", tiny_pdf(["Diagnosis"]))
    billing = upload(runtime, alice, zoe, "billing", tiny_pdf(["Invoice"]))
    with pytest.raises(DisclosureRefused) as caught:
        call(
            runtime,
            disclosures.record,
            desk,
            ask(zoe, rivera, "diagnosis"),
            channel="mail",
            document_ids=[diagnosis, billing],
            requester_verification=VERIFIED,
        )
    assert [p["rule"] for p in caught.value.problems] == ["DT-2"]
    assert "billing" in caught.value.problems[0]["message"]
    assert count(runtime, models.Disclosure) == 0


def test_another_clients_document_cannot_be_enclosed(
    runtime: Runtime,
    alice: audit.Actor,
    desk: audit.Actor,
    zoe: uuid.UUID,
    jonah: uuid.UUID,
    rivera: uuid.UUID,
) -> None:
    """A document id of another client is refused naming document_ids."""
    record(runtime, alice, zoe, terms(rivera))
    theirs = upload(runtime, alice, jonah, "diagnosis", tiny_pdf(["Not zoe's"]))
    with pytest.raises(InvalidInput) as caught:
        call(
            runtime,
            disclosures.record,
            desk,
            ask(zoe, rivera, "diagnosis"),
            channel="mail",
            document_ids=[theirs],
            requester_verification=VERIFIED,
        )
    assert caught.value.field == "document_ids"
    assert count(runtime, models.Disclosure) == 0


@pytest.mark.parametrize("verification", ["", "   "])
def test_an_unverified_requester_is_dt_3(
    runtime: Runtime,
    alice: audit.Actor,
    desk: audit.Actor,
    zoe: uuid.UUID,
    rivera: uuid.UUID,
    verification: str,
) -> None:
    """No statement of how the requester was verified: Defective with DT-3, nothing stored."""
    record(runtime, alice, zoe, terms(rivera))
    with pytest.raises(Defective) as caught:
        call(
            runtime,
            disclosures.record,
            desk,
            ask(zoe, rivera, "diagnosis"),
            channel="mail",
            document_ids=[],
            requester_verification=verification,
        )
    assert [(p["rule"], p["field"]) for p in caught.value.problems] == [("DT-3", "requester_verification")]
    assert count(runtime, models.Disclosure) == 0


def test_an_unknown_channel_is_invalid_input(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Channels are a vocabulary."""
    record(runtime, alice, zoe, terms(rivera))
    with pytest.raises(InvalidInput) as caught:
        call(
            runtime,
            disclosures.record,
            desk,
            ask(zoe, rivera, "diagnosis"),
            channel="carrier_pigeon",
            document_ids=[],
            requester_verification=VERIFIED,
        )
    assert caught.value.field == "channel"


def test_naming_an_authorization_that_does_not_cover_the_request_is_refused(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """The authorization the caller relies on must be the one the decision found (DT-1)."""
    record(runtime, alice, zoe, terms(rivera))
    with pytest.raises(DisclosureRefused) as caught:
        call(
            runtime,
            disclosures.record,
            desk,
            ask(zoe, rivera, "diagnosis"),
            channel="mail",
            document_ids=[],
            requester_verification=VERIFIED,
            authorization_id=str(uuid.uuid4()),
        )
    assert [p["rule"] for p in caught.value.problems] == ["DT-1"]


# -- packets -------------------------------------------------------------------------------------------------


def disclose(
    runtime: Runtime,
    actor: audit.Actor,
    client_id: uuid.UUID,
    recipient: uuid.UUID,
    categories: list[str],
    ids: list[str],
) -> disclosures.Recorded:
    """Record a permitted disclosure of `ids` by fax."""
    return call(
        runtime,
        disclosures.record,
        actor,
        ask(client_id, recipient, *categories),
        channel="fax",
        document_ids=ids,
        requester_verification=VERIFIED,
    )


def test_the_packet_holds_the_cover_then_exactly_the_permitted_documents(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Page for page and word for word the enclosed PDFs follow the cover, which lists each SHA-256."""
    view = record(runtime, alice, zoe, terms(rivera))
    diagnosis_pdf = tiny_pdf(["Diagnosis summary for the synthetic client", "Second line of the summary"])
    plan_pdf = two_pages("Treatment plan page one", "Treatment plan page two")
    diagnosis = upload(runtime, alice, zoe, "diagnosis", diagnosis_pdf)
    plan = upload(runtime, alice, zoe, "treatment_plan", plan_pdf)
    upload(runtime, alice, zoe, "billing", tiny_pdf(["An invoice that must not go out"]))
    recorded = disclose(runtime, desk, zoe, rivera, ["diagnosis", "treatment_plan"], [diagnosis, plan])
    assert recorded.basis == view.label
    name, pdf = call(runtime, disclosures.release_packet, desk, recorded.id)
    assert name.startswith("release-")
    assert name.endswith(".pdf")
    pages = page_texts(pdf)
    enclosed = page_texts(diagnosis_pdf) + page_texts(plan_pdf)
    assert len(pages) == 1 + len(enclosed) == 4
    assert pages[1:] == enclosed
    assert "Diagnosis summary for the synthetic client" in pages[1]
    cover = pages[0]
    for content in (diagnosis_pdf, plan_pdf):
        assert hashlib.sha256(content).hexdigest() in cover
    assert "Enclosed (2 documents)" in cover
    assert view.label in cover
    assert "Dr Ana Rivera (Northside Clinic)" in cover
    assert "invoice" not in " ".join(pages).lower()
    assert packet.PART2_NOTICE not in cover
    assert "may no longer be protected" in cover


def test_the_packet_cover_names_the_categories_sent_and_the_practices_address_and_phone(
    runtime: Runtime,
    alice: audit.Actor,
    desk: audit.Actor,
    zoe: uuid.UUID,
    rivera: uuid.UUID,
    with_settings: Callable[..., None],
) -> None:
    """The practice's name, address and phone head the cover; "Information sent" lists the categories."""
    with_settings(
        practice_name="Riverside Counselling", practice_address="1 Main St", practice_phone="555-0100"
    )
    record(runtime, alice, zoe, terms(rivera))
    diagnosis = upload(runtime, alice, zoe, "diagnosis", tiny_pdf(["Diagnosis summary"]))
    recorded = disclose(runtime, desk, zoe, rivera, ["diagnosis", "treatment_plan"], [diagnosis])
    cover = page_texts(call(runtime, disclosures.release_packet, desk, recorded.id)[1])[0]
    assert "Release of information - Riverside Counselling" in cover
    assert "1 Main St" in cover
    assert "555-0100" in cover
    assert "Information sent" in cover
    assert "diagnosis, treatment plan" in cover
    assert "The practice" not in cover


def test_a_part2_packet_carries_the_redisclosure_notice_and_the_consent(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor, jonah: uuid.UUID, rivera: uuid.UUID
) -> None:
    """42 CFR 2.32: the notice and an explanation of the consent on the cover (DT-4, P2-N)."""
    view = record(runtime, alice, jonah, part2_terms(rivera))
    sud = upload(runtime, alice, jonah, "sud_records", tiny_pdf(["SUD treatment summary"]))
    recorded = disclose(runtime, desk, jonah, rivera, ["sud_records"], [sud])
    _name, pdf = call(runtime, disclosures.release_packet, desk, recorded.id)
    pages = page_texts(pdf)
    assert packet.PART2_NOTICE == "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
    assert packet.PART2_NOTICE in pages[0]
    assert f"Consent: {view.label} permits sud_records for continuity_of_care" in pages[0]
    assert pages[1:] == ["SUD treatment summary"]


def test_p2_n_a_part2_cover_explains_the_consents_recipient_categories_purpose_and_expiry(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor, jonah: uuid.UUID, rivera: uuid.UUID
) -> None:
    """42 CFR 2.32(b), P2-N: beside the notice, the consent's whole scope, not only what this packet sent."""
    view = record(runtime, alice, jonah, part2_terms(rivera))
    recorded = disclose(runtime, desk, jonah, rivera, ["sud_records"], [])
    _name, pdf = call(runtime, disclosures.release_packet, desk, recorded.id)
    cover = page_texts(pdf)[0]
    assert packet.PART2_NOTICE in cover
    assert (
        f"Consent {view.label}: the patient consented to the disclosure of diagnosis, sud records "
        "to Dr Ana Rivera (Northside Clinic), for continuity of care. It expires on 2026-12-31, "
        "and the patient may revoke it in writing at any time, except where it has already been acted on."
    ) in cover


def test_p2_n_a_consent_ending_by_date_or_event_names_both_and_a_tpo_class_recipient() -> None:
    """A TPO consent to the TPO class that ends on a date or at the end of treatment says so plainly."""
    scope = packet.Scope(
        label="A-TPO1",
        recipient="my treating providers, health plans, third-party payers, and people helping to operate "
        "this program",
        categories=("sud_records", "billing"),
        purposes=("treatment_payment_operations",),
        purpose_text="",
        expires_on=date(2027, 1, 31),
        expiry_event="end of treatment",
    )
    text = packet.explain(scope)
    assert "to my treating providers, health plans" in text
    assert "for treatment payment operations" in text
    assert "It expires on 2027-01-31 or on end of treatment, whichever comes first" in text


def test_every_packet_download_is_logged(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """Two downloads, two disclosure:packet:downloaded entries naming the disclosure and the actor."""
    record(runtime, alice, zoe, terms(rivera))
    recorded = disclose(runtime, desk, zoe, rivera, ["diagnosis"], [])
    before = head_seq(runtime)
    call(runtime, disclosures.release_packet, desk, recorded.id)
    call(runtime, disclosures.release_packet, alice, recorded.id)
    entries = entries_after(runtime, before, Action.PACKET_DOWNLOADED)
    assert [(e.outcome, e.object_id, e.actor) for e in entries] == [
        ("allowed", str(recorded.id), desk.user_id),
        ("allowed", str(recorded.id), alice.user_id),
    ]


def test_a_recorded_disclosure_is_logged_and_kept_encrypted(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor, zoe: uuid.UUID, rivera: uuid.UUID
) -> None:
    """One disclosure row (details ciphertext) and one allowed disclosure:recorded entry."""
    view = record(runtime, alice, zoe, terms(rivera))
    before = head_seq(runtime)
    recorded = disclose(runtime, desk, zoe, rivera, ["diagnosis"], [])
    with runtime.sessions() as session:
        row = session.get(models.Disclosure, recorded.id)
        assert row is not None
        assert (row.authorization_id, row.recipient_id, row.channel) == (view.id, rivera, "fax")
        assert VERIFIED.encode() not in bytes(row.details)
    entries = entries_after(runtime, before, Action.DISCLOSURE_RECORDED)
    assert [(e.outcome, e.object_id, e.basis) for e in entries] == [("allowed", str(recorded.id), view.label)]


def test_a_packet_is_not_found_for_a_clinician_off_the_caseload(
    runtime: Runtime,
    alice: audit.Actor,
    bob: audit.Actor,
    desk: audit.Actor,
    zoe: uuid.UUID,
    rivera: uuid.UUID,
) -> None:
    """Not yours reads as missing, and the attempt is logged refused."""
    record(runtime, alice, zoe, terms(rivera))
    recorded = disclose(runtime, desk, zoe, rivera, ["diagnosis"], [])
    before = head_seq(runtime)
    with pytest.raises(NotFound):
        call(runtime, disclosures.release_packet, bob, recorded.id)
    with pytest.raises(NotFound):
        call(runtime, disclosures.release_packet, bob, uuid.uuid4())
    assert [(e.action, e.outcome) for e in entries_after(runtime, before)] == [
        ("disclosure:packet:downloaded", "refused")
    ]
