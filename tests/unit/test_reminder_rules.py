"""Reminder rules: items carry references only, messages say counts and references, nothing sent twice."""

from __future__ import annotations

import pytest

from roi_tracker.domain import reminders
from roi_tracker.domain.reminders import Item
from roi_tracker.domain.reminders import Kind

EXPIRING = Kind.AUTHORIZATION_EXPIRING
WAITING = Kind.REVIEW_WAITING


def test_an_item_refuses_anything_but_a_reference() -> None:
    """A client's name cannot pass for a reference: the item is refused, and the error does not repeat it."""
    with pytest.raises(reminders.UnsafeReference) as raised:
        Item(EXPIRING, "a1", "ZZCANARY-PHI-7781")
    assert "ZZCANARY" not in str(raised.value)


@pytest.mark.parametrize("reference", ["C-0042", "R-0007", "entry 118"])
def test_an_item_accepts_client_and_request_references_and_log_positions(reference: str) -> None:
    """C-XXXX, R-XXXX and "entry N" are references."""
    assert Item(EXPIRING, "a1", reference).reference == reference


def test_lines_count_items_per_kind_in_a_fixed_order_with_distinct_references() -> None:
    """Two authorizations of one client count two and name the client once; kinds keep the LABELS order."""
    items = [Item(EXPIRING, "a1", "C-0002"), Item(EXPIRING, "a2", "C-0002"), Item(WAITING, "e1", "C-0001")]
    found = reminders.lines(items)
    assert [(line.kind, line.count, line.references) for line in found] == [
        (WAITING, 1, ("C-0001",)),
        (EXPIRING, 2, ("C-0002",)),
    ]


def test_the_message_has_counts_references_and_the_sign_in_link_only() -> None:
    """The body names how many, which references, and where to sign in."""
    items = [Item(EXPIRING, "a1", "C-0002"), Item(EXPIRING, "a2", "C-0003")]
    message = reminders.compose(items, sign_in_url="https://roi.example/signin")
    assert message.subject == "roi-tracker: 2 things need you"
    assert "- authorizations on your caseload expiring soon: 2 (C-0002, C-0003)" in message.body
    assert "Sign in to see them: https://roi.example/signin" in message.body


def test_one_item_is_spoken_of_in_the_singular() -> None:
    """One thing needs you."""
    message = reminders.compose([Item(WAITING, "e1", "C-0001")], sign_in_url="https://x.example/signin")
    assert message.subject == "roi-tracker: 1 thing needs you"


def test_items_already_sent_today_are_left_out() -> None:
    """Fresh keeps only the (kind, key) pairs not yet sent today."""
    items = [Item(EXPIRING, "a1", "C-0002"), Item(EXPIRING, "a2", "C-0003")]
    assert reminders.fresh(items, {("authorization_expiring", "a1")}) == [items[1]]


def test_kinds_opted_out_of_are_left_out() -> None:
    """Wanted drops the kinds the person turned off."""
    items = [Item(EXPIRING, "a1", "C-0002"), Item(WAITING, "e1", "C-0001")]
    assert reminders.wanted(items, {EXPIRING}) == [items[1]]


def test_a_kind_is_parsed_from_its_name_and_an_unknown_one_names_the_kinds() -> None:
    """`review_waiting` parses; `birthdays` is refused with the list of kinds."""
    assert reminders.parse_kind(" Review_Waiting ") is WAITING
    with pytest.raises(ValueError, match="authorization_expiring"):
        reminders.parse_kind("birthdays")


def test_an_address_is_kept_with_its_domain_lowercased() -> None:
    """Dana@Practice.Example is stored as Dana@practice.example."""
    assert reminders.parse_address(" Dana@Practice.Example ") == "Dana@practice.example"


@pytest.mark.parametrize(
    "raw",
    ["dana", "dana@localhost", "Dana <dana@practice.example>", "a@b.example\nBcc: x@y.example", "x" * 250],
)
def test_anything_but_one_bare_address_is_refused(raw: str) -> None:
    """No display names, no header injection, a dotted domain."""
    with pytest.raises(ValueError, match="email must be one address"):
        reminders.parse_address(raw)
