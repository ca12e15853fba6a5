"""Search by part of a name or by phone (issue 17): a blind index of prefixes and phone tails."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import delete
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.runtime import Runtime
from roi_tracker.services.records import clients
from roi_tracker.services.records import search as client_search
from roi_tracker.services.records import search_terms
from tests.helpers import call
from tests.helpers import head_seq
from tests.helpers import person

SYSTEM = audit.Actor("cli", "system")


def client(
    runtime: Runtime,
    actor: audit.Actor,
    given: str,
    family: str,
    phone: str = "",
    born: date = date(1980, 5, 6),
) -> uuid.UUID:
    """Register a client as `actor` and return its id."""
    d = rules.Demographics(given_name=given, family_name=family, date_of_birth=born, phone=phone)
    return call(runtime, clients.register, actor, d, []).id


def found(runtime: Runtime, actor: audit.Actor, text: str) -> set[uuid.UUID]:
    """The ids a name-or-phone search answers."""
    return {f.id for f in call(runtime, client_search.by_text, actor, text)}


@pytest.fixture
def alice(runtime: Runtime) -> audit.Actor:
    """A clinician."""
    return person(runtime, "alice", "clinician")


@pytest.fixture
def desk(runtime: Runtime) -> audit.Actor:
    """The front desk."""
    return person(runtime, "frank", "front_desk")


def test_part_of_a_family_or_given_name_finds_the_client_however_it_is_typed(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor
) -> None:
    zoe = client(runtime, alice, "Zoë", "O'Brien", "(555) 123-4567")
    ann = client(runtime, alice, "Ann", "Obradović")
    raj = client(runtime, alice, "Raj", "Raman")
    assert found(runtime, desk, "obr") == {zoe, ann}
    assert found(runtime, desk, "O'Br") == {zoe, ann}
    assert found(runtime, desk, "O'Bri") == {zoe}
    assert found(runtime, desk, "zoe obr") == {zoe}
    assert found(runtime, desk, "ZOË") == {zoe}
    assert found(runtime, desk, "brien") == {zoe}
    assert found(runtime, desk, "ram") == {raj}
    assert found(runtime, desk, "raj ram") == {raj}
    assert found(runtime, desk, "xyz") == set()


def test_the_last_digits_of_a_phone_find_the_client(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor
) -> None:
    zoe = client(runtime, alice, "Zoë", "O'Brien", "(555) 123-4567")
    other = client(runtime, alice, "Ann", "Okafor", "555-999-4567")
    assert found(runtime, desk, "4567") == {zoe, other}
    assert found(runtime, desk, "123-4567") == {zoe}
    assert found(runtime, desk, "555 123 4567") == {zoe}
    assert found(runtime, desk, "okafor 4567") == {other}


def test_a_clinician_finds_only_their_caseload_by_part_of_a_name(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor
) -> None:
    bob = person(runtime, "bob", "clinician")
    mine = client(runtime, alice, "Zoë", "O'Brien")
    his = client(runtime, bob, "Zed", "O'Brien")
    assert found(runtime, alice, "obri") == {mine}
    assert found(runtime, bob, "obri") == {his}
    assert found(runtime, desk, "obri") == {mine, his}
    assert found(runtime, person(runtime, "audrey", "auditor"), "obri") == set()


def test_the_search_is_logged_before_reading_and_each_match_is_a_logged_read(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor
) -> None:
    zoe = client(runtime, alice, "Zoë", "O'Brien")
    client(runtime, alice, "Ann", "Okafor")
    before = head_seq(runtime)
    assert found(runtime, desk, "obr") == {zoe}
    with runtime.sessions() as session:
        rows = session.execute(select(models.AuditEntry).where(models.AuditEntry.seq > before)).scalars()
        logged = [(e.action, e.client_id, e.basis) for e in rows]
    assert logged == [
        ("client:search", "", "search:name-or-phone"),
        ("client:record:read", str(zoe), "search:name-or-phone"),
    ]


def test_the_index_holds_two_byte_terms_and_no_name_or_number(runtime: Runtime, alice: audit.Actor) -> None:
    zoe = client(runtime, alice, "Zoë", "O'Brien", "(555) 123-4567")
    with runtime.sessions() as session:
        terms = list(
            session.execute(
                select(models.ClientSearchTerm.term).where(models.ClientSearchTerm.client_id == zoe)
            ).scalars()
        )
    assert len(terms) >= 10
    assert {len(t) for t in terms} == {2}
    assert not any(b"obr" in bytes(t).lower() or b"4567" in bytes(t) for t in terms)


def test_an_edit_reindexes_and_the_old_name_no_longer_finds_the_client(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor
) -> None:
    zoe = client(runtime, alice, "Zoë", "O'Brien", "555-0100")
    d = rules.Demographics(
        given_name="Zoë", family_name="Whitfield", date_of_birth=date(1980, 5, 6), phone="555-0199"
    )
    call(runtime, clients.update, alice, zoe, d)
    assert found(runtime, desk, "whit") == {zoe}
    assert found(runtime, desk, "obri") == set()
    assert found(runtime, desk, "0100") == set()
    assert found(runtime, desk, "0199") == {zoe}


def test_a_search_that_could_match_too_many_is_refused_before_anyone_is_read(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(4):
        client(runtime, alice, f"Ann{n}", "Smith")
    monkeypatch.setattr(client_search, "MAX_CANDIDATES", 3)
    before = head_seq(runtime)
    with pytest.raises(InvalidInput, match="too many clients could match") as refused:
        call(runtime, client_search.by_text, desk, "smith")
    assert refused.value.field == "q"
    assert head_seq(runtime) == before
    assert len(found(runtime, desk, "smith ann2")) == 1


def test_clients_registered_before_the_index_are_filled_in_with_a_logged_read(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor
) -> None:
    """Migration 0017 starts empty; `db upgrade` fills the terms of older clients (fill_missing)."""
    zoe = client(runtime, alice, "Zoë", "O'Brien")
    with runtime.sessions() as session:
        session.execute(delete(models.ClientSearchTerm))
        session.commit()
        assert search_terms.count_missing(session) == 1
    assert found(runtime, desk, "obri") == set()
    before = head_seq(runtime)
    assert call(runtime, search_terms.fill_missing, SYSTEM) == 1
    with runtime.sessions() as session:
        entry = session.execute(select(models.AuditEntry).where(models.AuditEntry.seq > before)).scalar_one()
        assert (entry.action, entry.object_type, entry.actor) == ("client:search", "search_index", "cli")
        assert search_terms.count_missing(session) == 0
    assert found(runtime, desk, "obri") == {zoe}
    assert call(runtime, search_terms.fill_missing, SYSTEM) == 0
