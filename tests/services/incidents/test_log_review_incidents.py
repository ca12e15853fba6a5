"""Reviews of the access log's flagged entries: an inappropriate read opens an incident (issue 19, H-B7)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as client_rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.runtime import Runtime
from roi_tracker.services.audit_review import flagged
from roi_tracker.services.audit_review import log as audit_review
from roi_tracker.services.incidents import reporting
from roi_tracker.services.records import clients
from tests.helpers import call
from tests.helpers import clear_of_the_hour


@pytest.fixture(autouse=True)
def _not_at_the_turn_of_an_hour() -> None:
    """A bulk access is counted per clock hour: start these tests clear of an hour's last seconds."""
    clear_of_the_hour()


def caseload_of_three(runtime: Runtime, clinician: audit.Actor) -> list[uuid.UUID]:
    """Three clients on the clinician's caseload."""
    return [
        call(
            runtime,
            clients.register,
            clinician,
            client_rules.Demographics(given_name=name, family_name="Example", date_of_birth=date(1990, 1, 1)),
            [],
        ).id
        for name in ("Ann", "Ben", "Cat")
    ]


def read_all(runtime: Runtime, clinician: audit.Actor, ids: list[uuid.UUID]) -> None:
    """Open each client's record (a logged read)."""
    for cid in ids:
        call(runtime, clients.get, clinician, cid)


def incidents_opened(runtime: Runtime) -> list[tuple[str, str, set[uuid.UUID]]]:
    """(kind, source, clients) of every incident."""
    with runtime.sessions() as session:
        out = []
        for row in session.execute(select(models.Incident)).scalars():
            ids = select(models.IncidentClient.client_id).where(models.IncidentClient.incident_id == row.id)
            out.append((row.kind, row.source, set(session.execute(ids).scalars())))
        return out


@pytest.fixture
def bulk(runtime: Runtime, alice: audit.Actor, with_settings: Callable[..., None]) -> list[uuid.UUID]:
    """Alice reads three clients within the hour, over a bulk-access threshold of two."""
    with_settings(bulk_access_threshold=2)
    ids = caseload_of_three(runtime, alice)
    read_all(runtime, alice, ids)
    return ids


def test_a_bulk_access_reviewed_as_inappropriate_opens_one_incident_naming_every_client_read(
    runtime: Runtime, alice: audit.Actor, priya: audit.Actor, bulk: list[uuid.UUID]
) -> None:
    queued = call(runtime, audit_review.queue, priya, "bulk_access")
    assert {uuid.UUID(e.client_id) for e in queued} == set(bulk)
    one = queued[0].seq
    done = call(
        runtime, flagged.review, priya, one, "bulk_access", "Not her clients' sessions", "inappropriate"
    )
    assert done.outcome == "inappropriate"
    assert set(done.seqs) == {e.seq for e in queued}
    assert done.incident_reference is not None
    assert incidents_opened(runtime) == [("unauthorized_access", reporting.LOG_REVIEW, set(bulk))]
    assert call(runtime, audit_review.queue, priya, "bulk_access") == []
    with runtime.sessions() as session:
        outcomes = set(session.execute(select(models.AuditReview.outcome)).scalars())
        reported = session.execute(
            select(models.AuditEntry).where(models.AuditEntry.action == Action.INCIDENT_REPORTED.value)
        ).scalars()
        assert {e.client_id for e in reported} == {str(c) for c in bulk}
    assert outcomes == {"inappropriate"}


def test_a_bulk_access_reviewed_as_appropriate_opens_no_incident(
    runtime: Runtime, priya: audit.Actor, bulk: list[uuid.UUID]
) -> None:
    queued = call(runtime, audit_review.queue, priya, "bulk_access")
    done = call(
        runtime, flagged.review, priya, queued[-1].seq, "bulk_access", "Covering for Bob", "appropriate"
    )
    assert done.incident_reference is None
    assert incidents_opened(runtime) == []
    assert call(runtime, audit_review.queue, priya, "bulk_access") == []


def test_a_refused_attempt_reviewed_as_inappropriate_records_the_outcome_but_opens_no_incident(
    runtime: Runtime, alice: audit.Actor, priya: audit.Actor
) -> None:
    """Nothing reached anyone when the product refused: no incident to assess."""
    with runtime.sessions() as session:
        seq = runtime.env.log.record_alone(
            session, alice, Action.ACCESS_DENIED, Outcome.REFUSED, object_type="route", object_id="/admin"
        )
    done = call(runtime, flagged.review, priya, seq, "refused", "Tried the admin pages", "inappropriate")
    assert (done.seqs, done.incident_reference) == ((seq,), None)
    assert incidents_opened(runtime) == []


@pytest.mark.parametrize("outcome", ["", "maybe", "Appropriate"])
def test_a_review_without_a_clear_outcome_is_refused_and_stores_nothing(
    runtime: Runtime, priya: audit.Actor, bulk: list[uuid.UUID], outcome: str
) -> None:
    queued = call(runtime, audit_review.queue, priya, "bulk_access")
    with pytest.raises(InvalidInput, match="appropriate or inappropriate") as refused:
        call(runtime, flagged.review, priya, queued[0].seq, "bulk_access", "a note", outcome)
    assert refused.value.field == "outcome"
    assert len(call(runtime, audit_review.queue, priya, "bulk_access")) == len(queued)
    assert incidents_opened(runtime) == []
