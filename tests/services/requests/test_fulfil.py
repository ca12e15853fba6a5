"""Fulfilling a request through the existing gate and packet (H-A1, L-1..L-4, DT-5), in one transaction."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

import pytest

from roi_tracker import models
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import DisclosureRefused
from roi_tracker.domain.errors import RuleConflict
from roi_tracker.runtime import Runtime
from roi_tracker.services.accounting import accounting
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.records import part2
from roi_tracker.services.requests import fulfil
from roi_tracker.services.requests import intake
from roi_tracker.services.requests import qa
from roi_tracker.services.requests import queue
from tests.helpers import call
from tests.helpers import count
from tests.services.requests.conftest import Practice
from tests.services.requests.conftest import intake_of
from tests.services.requests.conftest import upload
from tests.web.conftest import FakeClock


def release(**changes: Any) -> fulfil.Release:
    """Send the treatment plan by mail, the requester checked against photo ID."""
    fields: dict[str, Any] = {
        "categories": ["treatment_plan"],
        "channel": "mail",
        "document_ids": [],
        "requester_verification": "Signature compared with the file",
    }
    fields.update(changes)
    return fulfil.Release(**fields)


def test_an_access_request_is_fulfilled_without_authorization_and_stays_out_of_the_accounting_h_a1(
    runtime: Runtime, practice: Practice
) -> None:
    got = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    done = call(runtime, fulfil.fulfil, practice.desk, got.id, release(document_ids=[practice.plan]))
    assert not done.late
    assert done.refused == []
    name, pdf = call(runtime, disclosures.release_packet, practice.desk, done.disclosure_id)
    assert pdf.startswith(b"%PDF")
    detail = call(runtime, queue.detail, practice.desk, got.id)
    assert detail.request.status == "fulfilled"
    assert detail.request.disclosure_id == done.disclosure_id
    produced = call(runtime, accounting.produce, practice.alice, practice.client_id, since=None)
    assert produced.accounting.entries == ()


def test_psychotherapy_notes_are_never_released_on_access_and_the_rest_gets_a_denial_letter_h_a1(
    runtime: Runtime, practice: Practice
) -> None:
    got = call(
        runtime,
        intake.receive,
        practice.desk,
        intake_of(practice.client_id, categories=["treatment_plan", "psychotherapy_notes"]),
    )
    done = call(
        runtime,
        fulfil.fulfil,
        practice.desk,
        got.id,
        release(categories=["treatment_plan", "psychotherapy_notes"], document_ids=[practice.plan]),
    )
    assert done.refused[0]["category"] == "psychotherapy_notes"
    assert done.refused[0]["reasons"][0]["rule"] == "H-A1"
    detail = call(runtime, queue.detail, practice.desk, got.id)
    assert [x.kind for x in detail.letters] == ["acknowledgement", "denial"]


def test_enclosing_psychotherapy_notes_on_access_is_refused_and_nothing_is_stored_h_a1(
    runtime: Runtime, practice: Practice
) -> None:
    got = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    with pytest.raises(DisclosureRefused):
        call(
            runtime,
            fulfil.fulfil,
            practice.desk,
            got.id,
            release(categories=["psychotherapy_notes"], document_ids=[practice.notes]),
        )
    assert count(runtime, models.Disclosure) == 0
    assert call(runtime, queue.detail, practice.desk, got.id).request.status == "open"


def test_a_fulfilled_request_cannot_be_fulfilled_again(runtime: Runtime, practice: Practice) -> None:
    got = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    call(runtime, fulfil.fulfil, practice.desk, got.id, release())
    with pytest.raises(RuleConflict):
        call(runtime, fulfil.fulfil, practice.desk, got.id, release())
    assert count(runtime, models.Disclosure) == 1


def test_fulfilment_after_the_due_date_is_marked_late(
    runtime: Runtime, practice: Practice, clock: FakeClock
) -> None:
    got = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    clock.now += timedelta(days=40)
    assert call(runtime, fulfil.fulfil, practice.desk, got.id, release()).late


def test_the_dt_3_verification_is_required(runtime: Runtime, practice: Practice) -> None:
    got = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    with pytest.raises(Defective) as exc:
        call(runtime, fulfil.fulfil, practice.desk, got.id, release(requester_verification=" "))
    assert exc.value.problems[0]["rule"] == "DT-3"


def checked(runtime: Runtime, practice: Practice, request_id: Any, r: fulfil.Release) -> fulfil.Fulfilled:
    """Alice confirms the packet (the second person's check, on for legal requests), then Dora fulfils it."""
    call(runtime, qa.confirm, practice.alice, request_id, r.categories, r.document_ids)
    return call(runtime, fulfil.fulfil, practice.desk, request_id, r)


def legal_request(runtime: Runtime, practice: Practice, **changes: Any) -> Any:
    """A subpoena from opposing counsel, answerable by 20 March."""
    fields: dict[str, Any] = {
        "kind": "legal",
        "requester_is": "third_party",
        "requester": {"name": "J. Doe", "organization": "Doe & Roe LLP"},
        "respond_by": date(2026, 3, 20),
        "categories": ["diagnosis"],
    }
    fields.update(changes)
    return call(runtime, intake.receive, practice.desk, intake_of(practice.client_id, **fields))


def test_a_subpoena_without_order_or_assurance_is_refused_l_2(runtime: Runtime, practice: Practice) -> None:
    got = legal_request(runtime, practice)
    with pytest.raises(DisclosureRefused) as exc:
        checked(runtime, practice, got.id, release(categories=["diagnosis"]))
    assert exc.value.problems[0]["rule"] == "L-2"
    assert count(runtime, models.Disclosure) == 0


def test_a_subpoena_with_notice_given_is_fulfilled_and_accountable_l_2_l_4(
    runtime: Runtime, practice: Practice
) -> None:
    got = legal_request(runtime, practice)
    notice = upload(runtime, practice.alice, practice.client_id, "court_order")
    done = checked(
        runtime,
        practice,
        got.id,
        release(categories=["diagnosis"], assurance_kind="notice_given", assurance_document_id=notice),
    )
    assert done.refused == []
    produced = call(runtime, accounting.produce, practice.alice, practice.client_id, since=None)
    assert len(produced.accounting.entries) == 1


def test_psychotherapy_notes_never_go_out_on_a_subpoena_dt_5(runtime: Runtime, practice: Practice) -> None:
    got = legal_request(runtime, practice, categories=["psychotherapy_notes"])
    with pytest.raises(DisclosureRefused) as exc:
        checked(
            runtime,
            practice,
            got.id,
            release(
                categories=["psychotherapy_notes"],
                assurance_kind="protective_order",
                assurance_document_id=practice.order,
            ),
        )
    assert exc.value.problems[0]["rule"] == "DT-5"


def test_a_court_order_must_be_uploaded_as_one_l_1(runtime: Runtime, practice: Practice) -> None:
    got = legal_request(runtime, practice)
    with pytest.raises(Defective) as exc:
        checked(
            runtime,
            practice,
            got.id,
            release(categories=["diagnosis"], order_document_id=practice.plan),
        )
    assert exc.value.problems[0]["rule"] == "L-1"
    done = checked(
        runtime,
        practice,
        got.id,
        release(categories=["diagnosis"], order_document_id=practice.order),
    )
    assert done.refused == []


def test_a_part2_client_needs_a_2_64_order_l_3(runtime: Runtime, practice: Practice) -> None:
    call(
        runtime,
        part2.change,
        practice.alice,
        practice.client_id,
        part2=True,
        reason="Admitted to the SUD program",
    )
    got = legal_request(runtime, practice)
    with pytest.raises(DisclosureRefused) as exc:
        checked(
            runtime,
            practice,
            got.id,
            release(categories=["diagnosis"], order_document_id=practice.order),
        )
    assert exc.value.problems[0]["rule"] == "L-3"
    done = checked(
        runtime,
        practice,
        got.id,
        release(categories=["diagnosis"], order_document_id=practice.order, part2_order=True),
    )
    assert done.refused == []


def test_a_legal_packet_needs_a_second_persons_check_before_release(
    runtime: Runtime, practice: Practice
) -> None:
    got = legal_request(runtime, practice)
    r = release(categories=["diagnosis"], order_document_id=practice.order)
    with pytest.raises(RuleConflict) as exc:
        call(runtime, fulfil.fulfil, practice.desk, got.id, r)
    assert exc.value.problems[0]["rule"] == "QA"
    call(runtime, qa.confirm, practice.desk, got.id, r.categories, r.document_ids)
    with pytest.raises(RuleConflict):
        call(
            runtime, fulfil.fulfil, practice.desk, got.id, r
        )  # the same person cannot check their own packet
    call(runtime, qa.confirm, practice.alice, got.id, ["attendance"], [])
    with pytest.raises(RuleConflict):
        call(runtime, fulfil.fulfil, practice.desk, got.id, r)  # what was checked is not what is sent
    assert count(runtime, models.Disclosure) == 0
    assert checked(runtime, practice, got.id, r).refused == []


def test_the_check_is_a_practice_setting(runtime: Runtime, practice: Practice, with_settings) -> None:  # noqa: ANN001
    with_settings(request_qa_kinds=("access",))
    got = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    with pytest.raises(RuleConflict):
        call(runtime, fulfil.fulfil, practice.desk, got.id, release())
