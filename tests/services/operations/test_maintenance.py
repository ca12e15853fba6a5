"""The daily maintenance run: reports authorizations at the end of retention and purgeable clients, logs
itself, and deletes nothing; a purge is refused while a signed authorization must still be kept (H-R1).
"""

from __future__ import annotations

import uuid
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from sqlalchemy import func
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain.errors import Conflict
from roi_tracker.runtime import Runtime
from roi_tracker.services.operations import keys
from roi_tracker.services.operations import maintenance
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import recipients
from tests.helpers import call
from tests.helpers import entries_after
from tests.helpers import head_seq
from tests.helpers import person
from tests.services.accounting.test_accounting import SIGNED_FORM
from tests.services.accounting.test_accounting import register
from tests.services.accounting.test_accounting import terms
from tests.web.conftest import FakeClock

OPERATOR = audit.Actor("cli", "system")
RECORDED = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
# terms() makes the authorization expire 600 days after it is signed: on 2027-10-31, kept until 2033-10-31.
KEPT_UNTIL = date(2033, 10, 31)


@pytest.fixture
def clock(runtime: Runtime) -> FakeClock:
    """The instance's clock, starting when the authorization is recorded."""
    fake = FakeClock(RECORDED)
    object.__setattr__(runtime.env, "clock", fake)
    return fake


@pytest.fixture
def client(runtime: Runtime, clock: FakeClock) -> tuple[uuid.UUID, str]:
    """A client with one authorization to a clinic; returns (client id, authorization label)."""
    alice = person(runtime, "alice", "clinician")
    client_id = register(runtime, alice, "Okafor")
    clinic = call(runtime, recipients.create, alice, name="Dr Ana Rivera", organization="Northside Clinic")
    view = call(
        runtime, authorizations.record, alice, client_id, terms(clinic.id, RECORDED.date()), SIGNED_FORM
    )
    return client_id, view.label


def run(runtime: Runtime) -> maintenance.Report:
    """Run maintenance as the operator."""
    return call(runtime, maintenance.run, OPERATOR)


def rows(runtime: Runtime) -> dict[str, int]:
    """How many authorizations, disclosures, documents and log entries there are."""
    with runtime.sessions() as session:
        return {
            m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0
            for m in (models.Authorization, models.Disclosure, models.Document, models.AuditEntry)
        }


def test_an_authorization_is_reported_in_the_month_before_its_retention_ends(
    runtime: Runtime, clock: FakeClock, client: tuple[uuid.UUID, str]
) -> None:
    """Sixteen days ahead it is listed as ending; the client is not purgeable while the form must be kept."""
    client_id, label = client
    clock.now = datetime(2033, 10, 15, 9, 0, tzinfo=UTC)
    report = run(runtime)
    [due] = report.authorizations
    assert (due.label, due.kept_until, due.ended) == (label, KEPT_UNTIL, False)
    assert report.purgeable == []
    with pytest.raises(Conflict, match="retention of 1 signed authorization"):
        call(runtime, keys.purge, OPERATOR, client_id)


def test_after_retention_ends_the_client_is_purgeable_and_nothing_is_deleted(
    runtime: Runtime, clock: FakeClock, client: tuple[uuid.UUID, str]
) -> None:
    """The run reports and logs one entry; every row it saw is still there."""
    client_id, label = client
    clock.now = datetime(2033, 11, 1, 9, 0, tzinfo=UTC)
    before, counted = head_seq(runtime), rows(runtime)
    report = run(runtime)
    assert [(d.label, d.ended) for d in report.authorizations] == [(label, True)]
    assert [cid for cid, _ in report.purgeable] == [client_id]
    assert [(e.action, e.outcome, e.basis) for e in entries_after(runtime, before)] == [
        ("maintenance:run", "allowed", "due:1:purgeable:1")
    ]
    assert rows(runtime) == {**counted, "audit_log": counted["audit_log"] + 1}


def test_a_client_under_legal_hold_is_never_reported_purgeable(
    runtime: Runtime, clock: FakeClock, client: tuple[uuid.UUID, str]
) -> None:
    """The hold blocks the purge whatever the dates."""
    client_id, _ = client
    call(runtime, keys.set_legal_hold, OPERATOR, client_id, hold=True)
    clock.now = datetime(2040, 1, 1, 9, 0, tzinfo=UTC)
    assert run(runtime).purgeable == []
