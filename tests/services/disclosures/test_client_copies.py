"""Copies given to clients themselves (164.524) and the staff's disclosure history of a client.

A copy given to the client needs no authorization, is logged, stays out of the accounting (164.528(a)(1)(i))
and shows in the history with what it enclosed, like every other disclosure.
"""

from __future__ import annotations

import io
import uuid
from datetime import date

import pytest
from pypdf import PdfReader

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as client_rules
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.runtime import Runtime
from roi_tracker.services.accounting import accounting
from roi_tracker.services.demo.clients import tiny_pdf
from roi_tracker.services.disclosures import client_copies
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.records import page as client_page
from tests.helpers import call
from tests.helpers import count
from tests.helpers import entries_after
from tests.helpers import head_seq
from tests.helpers import person

PLAN = tiny_pdf(["Treatment plan (synthetic)"])


@pytest.fixture
def alice(runtime: Runtime) -> audit.Actor:
    """The client's clinician."""
    return person(runtime, "alice", "clinician")


@pytest.fixture
def client_id(runtime: Runtime, alice: audit.Actor) -> uuid.UUID:
    """Sam Okafor, on alice's caseload."""
    details = client_rules.Demographics(
        given_name="Sam", family_name="Okafor", date_of_birth=date(1988, 8, 8)
    )
    return call(runtime, clients.register, alice, details, []).id


@pytest.fixture
def plan(runtime: Runtime, alice: audit.Actor, client_id: uuid.UUID) -> uuid.UUID:
    """The client's treatment plan."""
    return call(
        runtime,
        documents.upload,
        alice,
        client_id,
        content=PLAN,
        category="treatment_plan",
        title="Plan 2026",
    ).id


def give(
    runtime: Runtime, actor: audit.Actor, client_id: uuid.UUID, doc_ids: list[str], **changes: object
) -> disclosures.Recorded:
    """Record the treatment plan handed to the client in person."""
    kwargs: dict[str, object] = {
        "categories": ["treatment_plan"],
        "channel": "in_person",
        "document_ids": doc_ids,
        "identity_verification": "Photo ID checked at the desk",
    }
    kwargs.update(changes)
    return call(runtime, client_copies.record, actor, client_id, **kwargs)


def test_a_copy_given_to_the_client_is_logged_kept_out_of_the_accounting_and_in_the_history(
    runtime: Runtime, alice: audit.Actor, client_id: uuid.UUID, plan: uuid.UUID
) -> None:
    """Logged as a disclosure and as an access request fulfilled on the spot; out of the accounting."""
    before = head_seq(runtime)
    recorded = give(runtime, alice, client_id, [str(plan)])
    entries = [(e.action, e.outcome, e.basis) for e in entries_after(runtime, before)]
    assert entries == [
        ("disclosure:recorded", "allowed", "client_access"),
        ("request.fulfilled", "allowed", "on_the_spot"),
    ]
    with runtime.sessions() as session:
        [request] = session.query(models.RecordRequest).all()
        assert (request.kind, request.status, request.disclosure_id) == ("access", "fulfilled", recorded.id)
    produced = call(runtime, accounting.produce, alice, client_id)
    assert (produced.accounting.entries, produced.accounting.summaries) == ((), ())
    assert produced.accounting.excluded == 1
    page = call(runtime, client_page.open_page, alice, client_id)
    [line] = page.disclosures
    assert (line.to_client, line.basis, line.by, line.categories, line.enclosed) == (
        True,
        "client_access",
        "alice",
        ("treatment_plan",),
        ("Plan 2026",),
    )


def test_the_packet_of_a_copy_names_the_client_as_recipient_and_needs_no_authorization(
    runtime: Runtime, alice: audit.Actor, client_id: uuid.UUID, plan: uuid.UUID
) -> None:
    """The cover says whose copy it is and why no authorization is relied on; the plan is enclosed."""
    recorded = give(runtime, alice, client_id, [str(plan)])
    _name, pdf = call(runtime, disclosures.release_packet, alice, recorded.id)
    pages = PdfReader(io.BytesIO(pdf)).pages
    cover = " ".join((pages[0].extract_text() or "").split())
    assert "Sam Okafor (the client)" in cover
    assert "none needed: the client's own copy" in cover
    assert "right of access" in cover
    assert len(pages) == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"identity_verification": "  "}, "identity_verification"),
        ({"categories": []}, "categories"),
        ({"categories": ["gossip"]}, "categories"),
        ({"channel": "pigeon"}, "channel"),
        ({"categories": ["diagnosis"]}, "categories"),  # the plan enclosed is not named
    ],
)
def test_a_copy_with_a_missing_or_wrong_field_is_refused_by_name_and_nothing_is_stored(
    runtime: Runtime,
    alice: audit.Actor,
    client_id: uuid.UUID,
    plan: uuid.UUID,
    changes: dict[str, object],
    field: str,
) -> None:
    """Naming the field; no disclosure row is written."""
    with pytest.raises(InvalidInput) as caught:
        give(runtime, alice, client_id, [str(plan)], **changes)
    assert caught.value.field == field
    assert count(runtime, models.Disclosure) == 0


def test_a_clinician_not_on_the_caseload_cannot_record_a_copy_and_the_refusal_is_logged(
    runtime: Runtime, client_id: uuid.UUID
) -> None:
    """Answered like a missing client; the refused attempt is in the log; nothing is stored."""
    bob = person(runtime, "bob", "clinician")
    before = head_seq(runtime)
    with pytest.raises(NotFound):
        give(runtime, bob, client_id, [])
    assert [(e.action, e.outcome) for e in entries_after(runtime, before)] == [
        ("disclosure:recorded", "refused")
    ]
    assert count(runtime, models.Disclosure) == 0


def test_another_clients_document_cannot_be_enclosed(
    runtime: Runtime, alice: audit.Actor, client_id: uuid.UUID, plan: uuid.UUID
) -> None:
    """The document must be this client's own."""
    details = client_rules.Demographics(given_name="Ana", family_name="Other", date_of_birth=date(1970, 1, 1))
    other = call(runtime, clients.register, alice, details, []).id
    with pytest.raises(InvalidInput) as caught:
        give(runtime, alice, other, [str(plan)])
    assert caught.value.field == "document_ids"
