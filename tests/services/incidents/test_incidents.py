"""Incidents at the service level: reported, assessed from the answers, notified on a clock, every step
logged, nothing in plaintext at rest, and a breach that was a disclosure listed in the accounting (H-B9)."""

from __future__ import annotations

import io
import uuid
from datetime import date
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as client_rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import NotFound
from roi_tracker.runtime import Runtime
from roi_tracker.services.accounting import accounting
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.disclosures import past
from roi_tracker.services.incidents import assessment
from roi_tracker.services.incidents import notices
from roi_tracker.services.incidents import register
from roi_tracker.services.incidents import reporting
from roi_tracker.services.records import clients
from tests.helpers import call
from tests.helpers import count
from tests.helpers import entries_after
from tests.helpers import head_seq
from tests.services.incidents.conftest import TODAY

WHAT = "Faxed Sam Okafor's letter to 555-0199 instead of Northside Clinic"
WRITTEN = {
    "phi_nature": "Name and diagnosis.",
    "unauthorized_person": "Unknown fax owner.",
    "acquired_or_viewed": "Unknown.",
    "mitigation": "We asked the number's owner to destroy it.",
}


def misdirected(runtime: Runtime, actor: audit.Actor, faxed: disclosures.Recorded) -> reporting.Opened:
    """Report that the fax went to the wrong number, today."""
    return call(
        runtime,
        reporting.report,
        actor,
        kind="misdirected_disclosure",
        discovered_on=TODAY,
        occurred_on=TODAY,
        description=WHAT,
        disclosure_id=str(faxed.id),
    )


def breach(runtime: Runtime, priya: audit.Actor, incident_id: uuid.UUID, **changes: object) -> object:
    """Assess the incident with no exclusion, unsecured, factors written, no low-probability claim."""
    answers: dict[str, object] = {
        "exclusion": "none",
        "secured": False,
        "factors": WRITTEN,
        "low_probability": False,
    }
    answers.update(changes)
    return call(runtime, assessment.assess, priya, incident_id, **answers)


def test_the_front_desk_reports_a_misdirected_fax_linked_to_its_disclosure_and_client(
    runtime: Runtime, desk: audit.Actor, faxed: disclosures.Recorded, sam: uuid.UUID
) -> None:
    seq = head_seq(runtime)
    opened = misdirected(runtime, desk, faxed)
    assert opened.determination == "pending"
    assert opened.notify_by == TODAY + timedelta(days=60)
    assert opened.reference.startswith("INC-2026-")
    with runtime.sessions() as session:
        assert assessment.client_ids_of(session, opened.id) == [sam]
        row = session.get(models.Incident, opened.id)
        assert row is not None
        assert row.disclosure_id == faxed.id
        assert b"Okafor" not in bytes(row.description)  # sealed at rest
    [entry] = entries_after(runtime, seq, Action.INCIDENT_REPORTED)
    assert (entry.object_id, entry.client_id, entry.basis) == (
        str(opened.id),
        str(sam),
        "reported:misdirected_disclosure",
    )
    assert WHAT not in entry.basis


def test_a_discovery_date_in_the_future_is_refused_with_h_b7(
    runtime: Runtime, desk: audit.Actor, clock
) -> None:  # noqa: ANN001
    with pytest.raises(Defective) as caught:
        call(
            runtime,
            reporting.report,
            desk,
            kind="lost_or_stolen_device",
            discovered_on=TODAY + timedelta(days=1),
            occurred_on=None,
            description="Laptop stolen from a car",
        )
    assert caught.value.problems[0]["rule"] == "H-B7"
    assert count(runtime, models.Incident) == 0


def test_naming_a_client_or_disclosure_that_does_not_exist_is_not_found(
    runtime: Runtime,
    desk: audit.Actor,
    clock,  # noqa: ANN001
) -> None:
    for extra in ({"client_ids": [str(uuid.uuid4())]}, {"disclosure_id": str(uuid.uuid4())}):
        with pytest.raises(NotFound):
            call(
                runtime,
                reporting.report,
                desk,
                kind="other",
                discovered_on=TODAY,
                occurred_on=None,
                description="Something",
                **extra,
            )


def test_an_assessment_with_nothing_to_excuse_it_is_a_breach_with_its_clock(
    runtime: Runtime, desk: audit.Actor, priya: audit.Actor, faxed: disclosures.Recorded
) -> None:
    opened = misdirected(runtime, desk, faxed)
    seq = head_seq(runtime)
    outcome = breach(runtime, priya, opened.id)
    assert outcome.determination == "breach"
    assert [r.rule for r in outcome.basis] == ["H-B3", "H-B4", "H-B6"]
    assert outcome.notify_by == date(2026, 5, 9)
    assert outcome.hhs_by == date(2027, 3, 1)
    assert outcome.affected == 1
    assert Action.INCIDENT_ASSESSED in {e.action for e in entries_after(runtime, seq)}
    with runtime.sessions() as session:
        [row] = session.execute(select(models.IncidentAssessment)).scalars()
        assert b"destroy" not in bytes(row.factors)


def test_secured_phi_is_not_a_breach_and_closes_the_incident(
    runtime: Runtime, desk: audit.Actor, priya: audit.Actor, faxed: disclosures.Recorded
) -> None:
    opened = misdirected(runtime, desk, faxed)
    outcome = breach(runtime, priya, opened.id, secured=True)
    assert outcome.determination == "not_a_breach"
    assert [r.rule for r in outcome.basis] == ["H-B2"]
    with runtime.sessions() as session:
        assert register.open_for_home(session, runtime.env) == []


def test_low_probability_with_a_blank_factor_is_refused_and_nothing_is_stored(
    runtime: Runtime, desk: audit.Actor, priya: audit.Actor, faxed: disclosures.Recorded
) -> None:
    opened = misdirected(runtime, desk, faxed)
    with pytest.raises(Defective) as caught:
        breach(runtime, priya, opened.id, low_probability=True, factors={**WRITTEN, "mitigation": ""})
    assert caught.value.problems[0]["rule"] == "H-B3"
    assert count(runtime, models.IncidentAssessment) == 0


def test_a_breach_that_was_a_disclosure_appears_in_the_clients_accounting_under_h_b9(
    runtime: Runtime,
    desk: audit.Actor,
    priya: audit.Actor,
    faxed: disclosures.Recorded,
    sam: uuid.UUID,
) -> None:
    before = call(runtime, accounting.produce, priya, sam).accounting
    assert before.entries == ()  # a permitted disclosure for care is not accountable
    breach(runtime, priya, misdirected(runtime, desk, faxed).id)
    after = call(runtime, accounting.produce, priya, sam).accounting
    assert [e.basis for e in after.entries] == ["impermissible (H-B9)"]


def test_the_notice_letter_carries_the_h_b4_content_and_the_practices_contact(
    runtime: Runtime,
    desk: audit.Actor,
    priya: audit.Actor,
    faxed: disclosures.Recorded,
    sam: uuid.UUID,
    with_settings,  # noqa: ANN001
) -> None:
    with_settings(practice_name="Riverside Counseling", practice_contact="Call 555-0100, 1 River Road")
    opened = misdirected(runtime, desk, faxed)
    breach(runtime, priya, opened.id)
    seq = head_seq(runtime)
    notice = call(runtime, notices.produce, priya, opened.id, sam)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(notice.pdf)).pages)
    for part in (
        "Riverside Counseling",
        "Call 555-0100, 1 River Road",
        "Sam Okafor",
        "12 Elm Street",
        "What happened",
        "2026-03-10",
        "diagnosis",
        "What you can do",
        "destroy it",
        opened.reference,
    ):
        assert part in text, part
    [entry] = entries_after(runtime, seq)
    assert (entry.action, entry.client_id) == (Action.INCIDENT_NOTICE_PRODUCED, str(sam))


def test_no_notice_before_the_assessment_finds_a_breach(
    runtime: Runtime, desk: audit.Actor, priya: audit.Actor, faxed: disclosures.Recorded, sam: uuid.UUID
) -> None:
    opened = misdirected(runtime, desk, faxed)
    with pytest.raises(NotFound, match="not assessed a breach"):
        call(runtime, notices.produce, priya, opened.id, sam)
    with pytest.raises(Conflict):
        call(
            runtime,
            notices.record_sent,
            priya,
            opened.id,
            audience="hhs",
            sent_on=TODAY,
            method="hhs_portal",
        )


def test_recording_each_notice_closes_the_incident_and_a_date_before_discovery_is_refused(
    runtime: Runtime,
    desk: audit.Actor,
    priya: audit.Actor,
    faxed: disclosures.Recorded,
    sam: uuid.UUID,
) -> None:
    opened = misdirected(runtime, desk, faxed)
    breach(runtime, priya, opened.id)
    mailed = {"audience": "individual", "client_id": sam, "method": "first_class_mail"}
    with pytest.raises(Defective) as caught:
        call(runtime, notices.record_sent, priya, opened.id, sent_on=TODAY - timedelta(days=1), **mailed)
    assert caught.value.problems[0]["rule"] == "H-B4"
    call(runtime, notices.record_sent, priya, opened.id, sent_on=TODAY, **mailed)
    with runtime.sessions() as session:
        [item] = register.open_for_home(session, runtime.env)
        assert (item.due_on, item.days_left) == (date(2027, 3, 1), 356)  # the HHS log remains (H-B6)
    call(runtime, notices.record_sent, priya, opened.id, audience="hhs", sent_on=TODAY, method="hhs_portal")
    with runtime.sessions() as session:
        assert register.open_for_home(session, runtime.env) == []


def test_the_home_lists_open_incidents_soonest_due_first_with_days_left(
    runtime: Runtime,
    desk: audit.Actor,
    clock,  # noqa: ANN001
) -> None:
    for days_ago in (3, 10, 1):
        call(
            runtime,
            reporting.report,
            desk,
            kind="lost_or_stolen_device",
            discovered_on=TODAY - timedelta(days=days_ago),
            occurred_on=None,
            description="Laptop left on a train",
        )
    with runtime.sessions() as session:
        items = register.open_for_home(session, runtime.env)
    assert [i.days_left for i in items] == [50, 57, 59]


def test_the_hhs_log_lists_the_years_breaches_under_500_without_what_happened(
    runtime: Runtime, desk: audit.Actor, priya: audit.Actor, faxed: disclosures.Recorded
) -> None:
    opened = misdirected(runtime, desk, faxed)
    breach(runtime, priya, opened.id)
    seq = head_seq(runtime)
    csv_text = call(runtime, register.hhs_log, priya, 2026)
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("reference,kind,occurred_on,discovered_on,affected")
    assert lines[1].startswith(f"{opened.reference},misdirected_disclosure,2026-03-10,2026-03-10,1")
    assert "Okafor" not in csv_text
    assert call(runtime, register.hhs_log, priya, 2025).strip().count("\n") == 0
    assert Action.INCIDENT_LOG_EXPORTED in {e.action for e in entries_after(runtime, seq)}


def test_reading_an_incident_logs_the_read_before_showing_what_happened(
    runtime: Runtime, desk: audit.Actor, priya: audit.Actor, faxed: disclosures.Recorded
) -> None:
    opened = misdirected(runtime, desk, faxed)
    seq = head_seq(runtime)
    shown = call(runtime, register.detail, priya, opened.id)
    assert shown.description == WHAT
    assert [e.action for e in entries_after(runtime, seq)] == [Action.INCIDENT_READ]


def test_a_disclosure_found_impermissible_afterwards_opens_an_incident(
    runtime: Runtime, alice: audit.Actor, sam: uuid.UUID, rivera: uuid.UUID
) -> None:
    q = disclosures.question(sam, str(rivera), ["diagnosis"], "continuity_of_care", TODAY, TODAY)
    made = call(
        runtime, past.record_past, alice, q, channel="fax", requester_verification="Called the clinic back"
    )
    assert not made.permissible
    with runtime.sessions() as session:
        [row] = session.execute(select(models.Incident)).scalars()
        assert (row.source, row.disclosure_id, row.discovered_on) == (
            "impermissible_disclosure",
            made.id,
            TODAY,
        )
        assert assessment.client_ids_of(session, row.id) == [sam]


def test_another_client_the_breach_names_gets_it_in_their_accounting_too_under_h_b9(
    runtime: Runtime, alice: audit.Actor, priya: audit.Actor, faxed: disclosures.Recorded
) -> None:
    details = client_rules.Demographics(given_name="Lee", family_name="Park", date_of_birth=date(1990, 1, 1))
    lee = call(runtime, clients.register, alice, details, []).id
    opened = call(
        runtime,
        reporting.report,
        alice,
        kind="misdirected_disclosure",
        discovered_on=TODAY,
        occurred_on=TODAY,
        description="Lee's letter was in the same fax",
        disclosure_id=str(faxed.id),
        client_ids=[str(lee)],
    )
    assert call(runtime, accounting.produce, priya, lee).accounting.entries == ()  # pending: not yet
    breach(runtime, priya, opened.id)
    [entry] = call(runtime, accounting.produce, priya, lee).accounting.entries
    assert (entry.on, entry.basis, entry.recipient) == (
        TODAY,
        "impermissible (H-B9)",
        "Dr Ana Rivera (Northside Clinic)",
    )
    assert opened.reference in entry.purpose
