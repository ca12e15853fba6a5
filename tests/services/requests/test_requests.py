"""The request desk (issue 18): intake, the clock, extension, denial, review and withdrawal.

Each step is an access-log entry `request.*`; a refused step stores nothing; closed requests are read-only.
"""

from __future__ import annotations

import io
import uuid
from datetime import date
from datetime import timedelta

import pytest
from pypdf import PdfReader

from roi_tracker import models
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.domain.errors import RuleConflict
from roi_tracker.domain.errors import UnsupportedType
from roi_tracker.runtime import Runtime
from roi_tracker.services.releases import recipients
from roi_tracker.services.requests import answers
from roi_tracker.services.requests import intake
from roi_tracker.services.requests import queue
from tests.helpers import call
from tests.helpers import count
from tests.helpers import entries_after
from tests.helpers import head_seq
from tests.helpers import pdf
from tests.helpers import person
from tests.services.requests.conftest import TODAY
from tests.services.requests.conftest import Practice
from tests.services.requests.conftest import intake_of
from tests.web.conftest import FakeClock


def test_an_access_request_is_due_30_days_after_receipt_and_logged_with_an_acknowledgement_h_a2(
    runtime: Runtime, practice: Practice
) -> None:
    seq = head_seq(runtime)
    got = call(
        runtime, intake.receive, practice.desk, intake_of(practice.client_id, received_on=date(2026, 3, 2))
    )
    assert got.due_on == date(2026, 4, 1)
    assert got.status == "open"
    assert got.days_left == 22
    assert not got.overdue
    assert got.reference.startswith("R-")
    assert [e.action for e in entries_after(runtime, seq)] == ["request.received"]
    detail = call(runtime, queue.detail, practice.desk, got.id)
    assert [x.kind for x in detail.letters] == ["acknowledgement"]
    name, pdf = call(runtime, queue.letter, practice.desk, got.id, detail.letters[0].id)
    assert name == f"{got.reference}-acknowledgement.pdf"
    assert pdf.startswith(b"%PDF")
    assert "2026-04-01" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert detail.requester["name"] == "Sam Okafor"


def test_the_requester_is_sealed_not_stored_in_plaintext(runtime: Runtime, practice: Practice) -> None:
    call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    with runtime.sessions() as session:
        row = session.query(models.RecordRequest).one()
        assert b"Okafor" not in bytes(row.details)
        assert b"Elm" not in bytes(row.details)


def test_a_received_date_in_the_future_is_refused_and_nothing_is_stored_h_a2(
    runtime: Runtime, practice: Practice
) -> None:
    with pytest.raises(Defective) as exc:
        call(
            runtime,
            intake.receive,
            practice.desk,
            intake_of(practice.client_id, received_on=TODAY + timedelta(1)),
        )
    assert exc.value.problems[0]["rule"] == "H-A2"
    assert count(runtime, models.RecordRequest) == 0


def test_a_due_date_past_30_days_for_access_is_refused_h_a2(runtime: Runtime, practice: Practice) -> None:
    with pytest.raises(Defective) as exc:
        call(
            runtime, intake.receive, practice.desk, intake_of(practice.client_id, respond_by=date(2026, 5, 1))
        )
    assert exc.value.problems[0]["rule"] == "H-A2"


def test_a_shorter_state_clock_wins_h_a2(runtime: Runtime, practice: Practice, with_settings) -> None:  # noqa: ANN001
    with_settings(request_access_days=15)
    got = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    assert got.due_on == date(2026, 3, 25)


def test_a_legal_request_is_due_on_the_date_on_the_subpoena_l_2(runtime: Runtime, practice: Practice) -> None:
    got = call(
        runtime,
        intake.receive,
        practice.desk,
        intake_of(practice.client_id, kind="legal", requester_is="third_party", respond_by=date(2026, 3, 20)),
    )
    assert got.due_on == date(2026, 3, 20)
    with pytest.raises(Defective) as exc:
        call(runtime, intake.receive, practice.desk, intake_of(practice.client_id, kind="legal"))
    assert exc.value.problems[0]["rule"] == "L-2"


def test_the_electronic_fee_is_the_flat_option_at_most_6_50_h_a5(
    runtime: Runtime,
    practice: Practice,
    with_settings,  # noqa: ANN001
) -> None:
    got = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id, format="electronic"))
    assert got.fee_cents == 650
    assert "H-A5" in got.fee_basis


def test_an_access_request_is_extended_once_before_it_is_due_with_a_letter_h_a3(
    runtime: Runtime, practice: Practice, clock: FakeClock
) -> None:
    got = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    extended = call(runtime, answers.extend, practice.desk, got.id, "The records are in storage off site.")
    assert extended.extended
    assert extended.due_on == got.due_on + timedelta(days=30)
    seq = head_seq(runtime)
    with pytest.raises(RuleConflict) as exc:
        call(runtime, answers.extend, practice.desk, got.id, "Again")
    assert exc.value.problems[0]["rule"] == "H-A3"
    assert [e.outcome for e in entries_after(runtime, seq, Action.REQUEST_EXTENDED)] == ["refused"]
    detail = call(runtime, queue.detail, practice.desk, got.id)
    assert [x.kind for x in detail.letters] == ["acknowledgement", "extension"]


def test_an_extension_after_the_due_date_is_refused_h_a3(
    runtime: Runtime, practice: Practice, clock: FakeClock
) -> None:
    got = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    clock.now += timedelta(days=31)
    late = call(runtime, queue.detail, practice.desk, got.id).request
    assert late.overdue
    assert late.days_left == -1
    with pytest.raises(RuleConflict) as exc:
        call(runtime, answers.extend, practice.desk, got.id, "We forgot")
    assert exc.value.problems[0]["rule"] == "H-A3"


def test_a_reviewable_denial_is_reviewed_by_a_clinician_who_took_no_part_h_a9(
    runtime: Runtime, practice: Practice
) -> None:
    got = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    denied = call(runtime, answers.deny, practice.alice, got.id, ["endangerment"], "Judged by Alice.")
    assert denied.status == "denied"
    assert denied.reviewable
    with pytest.raises(RuleConflict) as exc:
        call(runtime, answers.review, practice.alice, got.id, "upheld", "")
    assert exc.value.problems[0]["rule"] == "H-A9"
    reviewed = call(runtime, answers.review, practice.bob, got.id, "upheld", "The risk is real.")
    assert reviewed.status == "denied"
    detail = call(runtime, queue.detail, practice.desk, got.id)
    assert [x.kind for x in detail.letters] == ["acknowledgement", "denial", "review_outcome"]
    assert [e.action for e in detail.events] == ["request.received", "request.denied", "request.reviewed"]


def test_an_unreviewable_denial_cannot_be_reviewed_h_a6(runtime: Runtime, practice: Practice) -> None:
    got = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    denied = call(runtime, answers.deny, practice.alice, got.id, ["psychotherapy_notes"], "")
    assert denied.reviewable is False
    with pytest.raises(RuleConflict) as exc:
        call(runtime, answers.review, practice.bob, got.id, "reversed", "")
    assert exc.value.problems[0]["rule"] == "H-A6"


def test_a_reversed_denial_opens_the_request_again(runtime: Runtime, practice: Practice) -> None:
    got = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    call(runtime, answers.deny, practice.alice, got.id, ["references_another_person"], "")
    assert call(runtime, answers.review, practice.bob, got.id, "reversed", "").status == "open"


def test_a_closed_request_is_read_only(runtime: Runtime, practice: Practice) -> None:
    got = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    assert (
        call(runtime, answers.withdraw, practice.desk, got.id, "Client called to cancel.").status
        == "withdrawn"
    )
    for step in (
        lambda: call(runtime, answers.extend, practice.desk, got.id, "x"),
        lambda: call(runtime, answers.deny, practice.alice, got.id, ["no_records"], ""),
        lambda: call(runtime, answers.withdraw, practice.desk, got.id, "again"),
    ):
        with pytest.raises(RuleConflict):
            step()


def test_the_queue_lists_soonest_due_first_with_cursor_paging(runtime: Runtime, practice: Practice) -> None:
    for day in (5, 1, 3):
        call(
            runtime,
            intake.receive,
            practice.desk,
            intake_of(practice.client_id, received_on=date(2026, 3, day)),
        )
    first = call(runtime, queue.page, practice.desk, queue.Filters(status="open"), limit=2)
    assert [v.received_on.day for v in first.items] == [1, 3]
    rest = call(
        runtime, queue.page, practice.desk, queue.Filters(status="open"), cursor=first.next_cursor, limit=2
    )
    assert [v.received_on.day for v in rest.items] == [5]
    assert rest.next_cursor is None


def test_the_queue_filters_by_kind_and_mine(runtime: Runtime, practice: Practice) -> None:
    call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    call(
        runtime,
        intake.receive,
        practice.alice,
        intake_of(practice.client_id, kind="authorized", requester_is="third_party"),
    )
    assert [
        v.kind for v in call(runtime, queue.page, practice.desk, queue.Filters(kind="authorized")).items
    ] == ["authorized"]
    assert len(call(runtime, queue.page, practice.desk, queue.Filters(mine=True)).items) == 1


def test_a_clinician_off_the_caseload_sees_no_request_and_cannot_act(
    runtime: Runtime, practice: Practice
) -> None:
    got = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    carol = person(runtime, "carol", "clinician")
    assert call(runtime, queue.page, carol, queue.Filters()).items == []
    with pytest.raises(NotFound):
        call(runtime, queue.detail, carol, got.id)
    with pytest.raises(NotFound):
        call(runtime, intake.receive, carol, intake_of(practice.client_id))


def test_the_auditor_sees_the_history_but_not_the_requester(runtime: Runtime, practice: Practice) -> None:
    got = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    auditor = person(runtime, "audrey", "auditor")
    detail = call(runtime, queue.detail, auditor, got.id)
    assert [e.action for e in detail.events] == ["request.received"]
    assert detail.requester == {}
    name, pdf = call(runtime, queue.letter, auditor, got.id, detail.letters[0].id)
    assert pdf.startswith(b"%PDF")
    assert name.endswith("acknowledgement.pdf")


def test_a_copy_to_a_designated_person_needs_the_clients_signed_writing_h_a4(
    runtime: Runtime, practice: Practice
) -> None:
    sister = call(runtime, recipients.create, practice.desk, name="Ada Okafor").id
    with pytest.raises(Defective) as exc:
        call(
            runtime,
            intake.receive,
            practice.desk,
            intake_of(practice.client_id, deliver_to_recipient_id=str(sister)),
        )
    assert exc.value.problems[0]["rule"] == "H-A4"
    got = call(
        runtime,
        intake.receive,
        practice.desk,
        intake_of(practice.client_id, deliver_to_recipient_id=str(sister), document_id=practice.plan),
    )
    assert got.status == "open"


def test_a_denial_is_reviewed_once_and_a_new_denial_after_reversal_can_be_reviewed_again_h_a9(
    runtime: Runtime, practice: Practice
) -> None:
    got = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    call(runtime, answers.deny, practice.alice, got.id, ["endangerment"], "")
    call(runtime, answers.review, practice.bob, got.id, "upheld", "")
    with pytest.raises(RuleConflict):
        call(runtime, answers.review, practice.bob, got.id, "reversed", "")
    other = call(runtime, intake.receive, practice.desk, intake_of(practice.client_id))
    call(runtime, answers.deny, practice.desk, other.id, ["references_another_person"], "")
    assert call(runtime, answers.review, practice.alice, other.id, "reversed", "").status == "open"
    call(runtime, answers.deny, practice.desk, other.id, ["endangerment"], "")
    assert call(runtime, answers.review, practice.bob, other.id, "upheld", "").status == "denied"


def test_the_signed_designation_uploaded_with_the_request_is_stored_as_a_request_document_h_a4(
    runtime: Runtime, practice: Practice
) -> None:
    """The desk uploads the client's signed writing at intake: stored encrypted, linked, enough for H-A4."""
    sister = call(runtime, recipients.create, practice.desk, name="Ada Okafor").id
    got = call(
        runtime,
        intake.receive,
        practice.desk,
        intake_of(practice.client_id, deliver_to_recipient_id=str(sister), document=pdf()),
    )
    with runtime.sessions() as session:
        row = session.get(models.RecordRequest, got.id)
        assert row is not None
        doc = session.get(models.Document, row.document_id)
        assert doc is not None
        assert (doc.client_id, doc.category) == (practice.client_id, "request")
        assert doc.uploaded_by == uuid.UUID(practice.desk.user_id)


def test_a_request_that_uploads_and_names_a_document_is_refused_and_stores_neither(
    runtime: Runtime, practice: Practice
) -> None:
    before = count(runtime, models.Document)
    with pytest.raises(InvalidInput, match="not both") as refused:
        call(
            runtime,
            intake.receive,
            practice.desk,
            intake_of(practice.client_id, document=pdf(), document_id=practice.plan),
        )
    assert refused.value.field == "document"
    assert count(runtime, models.Document) == before
    assert count(runtime, models.RecordRequest) == 0


def test_an_upload_that_is_not_a_pdf_or_image_refuses_the_whole_request(
    runtime: Runtime, practice: Practice
) -> None:
    with pytest.raises(UnsupportedType):
        call(
            runtime,
            intake.receive,
            practice.desk,
            intake_of(practice.client_id, document=b"GIF89a" + bytes(64)),
        )
    assert count(runtime, models.RecordRequest) == 0
