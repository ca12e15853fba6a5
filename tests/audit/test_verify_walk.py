"""The walk's HMAC with pre-hashed pads is HMAC-SHA256 itself, for every key length and message."""

from __future__ import annotations

import hmac

from hypothesis import given
from hypothesis import strategies as st

from roi_tracker.audit import walk


@given(key=st.binary(min_size=0, max_size=200), data=st.binary(max_size=600))
def test_pads_give_the_same_mac_as_hmac_sha256(key: bytes, data: bytes) -> None:
    """Keys shorter than, equal to and longer than SHA-256's 64-byte block, any message."""
    assert walk.Pads.of(key).mac(data) == hmac.digest(key, data, "sha256")


def test_pads_are_reusable_across_entries() -> None:
    """Hashing one message does not disturb the pads used for the next."""
    pads = walk.Pads.of(b"k" * 32)
    first = pads.mac(b"one")
    pads.mac(b"two")
    assert pads.mac(b"one") == first == hmac.digest(b"k" * 32, b"one", "sha256")
