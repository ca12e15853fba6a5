"""Search by part of a name or phone (issue 17): the terms a client is indexed under and what a query asks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roi_tracker.domain import client_search as cs
from roi_tracker.domain.errors import InvalidInput


def test_a_client_is_indexed_under_each_names_prefixes_from_three_letters_and_its_phone_tails() -> None:
    terms = cs.terms_of("Zoë", "O'Brien", "(555) 123-4567")
    names = {v for i, v in terms if i == cs.NAME_PREFIX}
    assert {"zoe", "obr", "obrien", "bri", "brien", "o"} <= names
    assert "zo" not in names
    assert "ob" not in names
    assert {v for i, v in terms if i == cs.PHONE_TAIL} == {"4567", "1234567", "5551234567"}


def test_a_hyphenated_name_is_found_by_each_part_and_by_the_whole() -> None:
    names = {v for _, v in cs.terms_of("Ann", "Smith-Jones", "")}
    assert {"smi", "smith", "jon", "jones", "smithj", "smithjones"} <= names


def test_a_short_name_is_indexed_whole() -> None:
    assert (cs.NAME_PREFIX, "li") in cs.terms_of("Wei", "Li", "")


def test_a_query_reads_names_typed_without_accents_and_with_an_apostrophe() -> None:
    query = cs.parse_query("  zoe   O'Br ")
    assert query == cs.Query(("obr", "zoe"), "")
    assert query.matches("Zoë", "O'Brien", "")
    assert not query.matches("Zoë", "Okafor", "")


def test_a_query_of_digits_is_a_phone_that_the_clients_number_must_end_with() -> None:
    query = cs.parse_query("555-0123")
    assert query == cs.Query((), "5550123")
    assert query.terms() == {(cs.PHONE_TAIL, "5550123")}
    assert query.matches("A", "B", "+1 (212) 555-0123")
    assert not query.matches("A", "B", "212 555 0124")


def test_a_query_of_five_digits_is_looked_up_by_its_last_four() -> None:
    assert cs.parse_query("50123").terms() == {(cs.PHONE_TAIL, "0123")}
    assert not cs.parse_query("50123").matches("A", "B", "555-6012 3")  # ends 60123, not 50123


def test_a_name_and_a_phone_together_must_both_match() -> None:
    query = cs.parse_query("smith 0123")
    assert query.matches("Ann", "Smith", "555-0123")
    assert not query.matches("Ann", "Smith", "555-0199")
    assert not query.matches("Ann", "Jones", "555-0123")


def test_a_two_letter_word_asks_for_that_whole_name() -> None:
    query = cs.parse_query("li")
    assert query.matches("Wei", "Li", "")
    assert not query.matches("Lisa", "Moss", "")


def test_a_word_that_starts_a_longer_one_in_the_same_query_adds_nothing() -> None:
    assert cs.parse_query("smi smith").names == ("smith",)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "type part of a name or a phone number"),
        ("   ", "type part of a name or a phone number"),
        ("a", "too short"),
        ("12", "at least 4 digits"),
        ("!!", "neither part of a name nor a phone number"),
        ("x" * 101, "at most 100 characters"),
    ],
)
def test_a_query_that_would_match_everyone_or_nothing_is_refused_naming_why(typed: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as refused:
        cs.parse_query(typed)
    assert refused.value.field == "q"


_letters = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéñö", min_size=3, max_size=20)


@given(given_name=_letters, family_name=_letters, cut=st.integers(min_value=3, max_value=20))
def test_every_prefix_a_person_might_type_is_among_the_clients_terms(
    given_name: str, family_name: str, cut: int
) -> None:
    """What the index is asked for (the query's terms) is always what the client was indexed under."""
    typed = family_name[:cut]
    query = cs.parse_query(typed)
    assert query.matches(given_name, family_name, "")
    assert query.terms() <= cs.terms_of(given_name, family_name, "")
