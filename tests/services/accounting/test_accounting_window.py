"""164.528 at the service level: the window from the request, extensions only in time and with their
written notice, suspensions by a directory agency, and accountings given kept past the client's purge."""

from __future__ import annotations

import uuid
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from sqlalchemy import delete

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.runtime import Runtime
from roi_tracker.services.accounting import accounting
from roi_tracker.services.accounting import kept
from roi_tracker.services.records import clients
from tests.helpers import call
from tests.helpers import person
from tests.web.conftest import FakeClock

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock(runtime: Runtime) -> FakeClock:
    """Stand the instance's clock still at 10 March 2026, 15:00 UTC."""
    fake = FakeClock(NOW)
    object.__setattr__(runtime.env, "clock", fake)
    return fake


@pytest.fixture
def abe(runtime: Runtime) -> audit.Actor:
    """The privacy officer."""
    return person(runtime, "abe", "auditor")


@pytest.fixture
def zoe(runtime: Runtime) -> uuid.UUID:
    """A client."""
    alice = person(runtime, "alice", "clinician")
    details = rules.Demographics(given_name="Zoe", family_name="Okafor", date_of_birth=date(1990, 1, 2))
    return call(runtime, clients.register, alice, details, []).id


def request(runtime: Runtime, abe: audit.Actor, client_id: uuid.UUID, received: date) -> uuid.UUID:
    """Record a request received on `received`; return its id."""
    return call(runtime, accounting.open_request, abe, client_id, received_on=received, since=None).id


def test_164_528_c_an_extension_records_its_written_notice(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID
) -> None:
    """The date and the way the written statement of the reason and new date were given are kept."""
    rid = request(runtime, abe, zoe, date(2026, 3, 1))
    row = call(
        runtime,
        accounting.extend,
        abe,
        rid,
        "Archive retrieval.",
        notice_method="mail",
        notice_on=date(2026, 3, 9),
    )
    assert (row.extension_notice_on, row.extension_notice_method, row.due_on) == (
        date(2026, 3, 9),
        "mail",
        date(2026, 5, 30),
    )


@pytest.mark.parametrize(("method", "on"), [("", None), ("carrier_pigeon", None), ("mail", date(2026, 2, 1))])
def test_164_528_c_an_extension_without_a_proper_written_notice_is_refused(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID, method: str, on: date | None
) -> None:
    """No notice, an unknown way, or a notice before the request: refused by name, nothing extended."""
    rid = request(runtime, abe, zoe, date(2026, 3, 1))
    with pytest.raises(InvalidInput) as caught:
        call(runtime, accounting.extend, abe, rid, "Archive retrieval.", notice_method=method, notice_on=on)
    assert caught.value.field in ("notice_method", "notice_on")
    with runtime.sessions() as session:
        assert session.get_one(models.AccountingRequest, rid).due_on == date(2026, 4, 30)


def test_164_528_c_an_overdue_accounting_request_can_no_longer_be_extended(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID
) -> None:
    """Received 1 January, due 2 March: on 10 March the 60 days are over, and so is the chance to extend."""
    rid = request(runtime, abe, zoe, date(2026, 1, 1))
    with pytest.raises(Conflict, match="overdue"):
        call(runtime, accounting.extend, abe, rid, "Archive retrieval.", notice_method="mail")
    with runtime.sessions() as session:
        row = session.get_one(models.AccountingRequest, rid)
        assert (row.due_on, row.extension_reason) == (date(2026, 3, 2), None)


def test_164_528_d_an_accounting_given_is_kept_and_readable_after_the_client_is_purged(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID
) -> None:
    """Sealed under the practice's keyring, not the client's data key: purging the client keeps it."""
    produced = call(runtime, accounting.produce, abe, zoe)
    with runtime.sessions() as session:
        session.execute(delete(models.ClientKey).where(models.ClientKey.client_id == zoe))
        session.commit()
    runtime.env.keyring.forget_data_keys(str(zoe))
    given = call(runtime, kept.read, abe, produced.id)
    assert (given["since"], given["until"]) == ("2020-03-10", "2026-03-10")
    with runtime.sessions() as session:
        assert session.get_one(models.AccountingGiven, produced.id).sealed_with == "practice"


def test_164_528_a_2_a_suspension_names_its_agency_from_the_directory(
    runtime: Runtime, abe: audit.Actor, zoe: uuid.UUID
) -> None:
    """Free text is not an agency: a suspension needs a directory entry."""
    with pytest.raises(InvalidInput) as caught:
        call(
            runtime,
            accounting.suspend,
            abe,
            zoe,
            agency_id=None,
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 6, 1),
            written=True,
        )
    assert caught.value.field == "agency_id"
