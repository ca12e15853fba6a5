"""The canonical form an access-log MAC covers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from roi_tracker.domain import audit_vocab

BASE = audit_vocab.Entry(
    seq=7,
    at=datetime(2026, 3, 2, 9, 30, 0, 123456, tzinfo=UTC),
    actor="u1",
    role="clinician",
    action="client:record:read",
    object_type="client",
    object_id="c1",
    client_id="c1",
    outcome="allowed",
    basis="",
    request_id="r1",
    key_id="log-1",
)


def test_canonical_form_is_deterministic_and_includes_the_sequence_number() -> None:
    """The same entry always encodes the same way, and another seq encodes differently."""
    assert audit_vocab.canonical(BASE) == audit_vocab.canonical(replace(BASE))
    assert audit_vocab.canonical(BASE) != audit_vocab.canonical(replace(BASE, seq=8))


def test_canonical_form_keeps_microseconds() -> None:
    """Timestamps keep microseconds so two entries in one millisecond differ."""
    later = replace(BASE, at=BASE.at.replace(microsecond=123457))
    assert audit_vocab.canonical(BASE) != audit_vocab.canonical(later)


@given(st.text(max_size=20), st.text(max_size=20))
def test_moving_text_between_fields_changes_the_encoding(left: str, right: str) -> None:
    """Length prefixes stop one field's text from passing for another's."""
    a = replace(BASE, object_type=left + right, object_id="")
    b = replace(BASE, object_type=left, object_id=right)
    if right:
        assert audit_vocab.canonical(a) != audit_vocab.canonical(b)
