"""Fuzzing the ciphertext parsers: arbitrary or mutated bytes only ever raise crypto.IntegrityError.

Both layouts are parsed from untrusted storage: a field ciphertext (version, algorithm, data-key version,
nonce, ciphertext, tag) and a value sealed under a KEK (version, algorithm, key-id length, key id, nonce,
ciphertext, tag). A database row can hold anything, so no byte string may crash the parser with another
error, and no change to an authentic ciphertext may decrypt to anything at all (security.md A4, A11).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from roi_tracker import crypto

CLIENT = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
PLACE = {"table": "clients", "column": "family_name", "row_id": "0b7e4f1a-2c3d-4e5f-9a8b-7c6d5e4f3a2b"}
KEY = crypto.DataKey(CLIENT, 1, secrets.token_bytes(32))
RING = crypto.Keyring.generate()
WRAP = {"purpose": "data-key-wrap", "context": b"client_keys\x1f" + CLIENT.encode() + b"\x1f1"}
FIELD_HEADER = bytes([1, 1, 0, 0, 0, 1])  # format 1, AES-256-GCM, data-key version 1
FAST = settings(max_examples=200, deadline=None)


@st.composite
def mutations(draw: st.DrawFn, original: bytes) -> bytes:
    """Change an authentic ciphertext: flip bits, cut, extend, overwrite or splice, one or more times."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["flip", "cut", "extend", "overwrite", "splice"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if how == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif how == "cut":
            del data[at : at + draw(st.integers(1, 8))]
        elif how == "extend":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif how == "overwrite":
            data[at : at + 4] = draw(st.binary(min_size=4, max_size=4))
        else:
            data = data[at:] + data[:at]
    return bytes(data)


def _opens_or_refuses(parse: Callable[[bytes], bytes], sealed: bytes) -> bytes | None:
    """Return the plaintext, or None when the parser refused with the typed error (any other error fails)."""
    try:
        return parse(sealed)
    except crypto.IntegrityError:
        return None


def _decrypt_field(sealed: bytes) -> bytes:
    return KEY.decrypt(sealed, **PLACE)


def _open_wrapped(sealed: bytes) -> bytes:
    return RING.open(sealed, **WRAP)


@FAST
@given(sealed=st.binary(max_size=80) | st.binary(max_size=60).map(lambda tail: FIELD_HEADER + tail))
@example(sealed=b"")
@example(sealed=FIELD_HEADER)
def test_arbitrary_bytes_given_as_a_field_ciphertext_are_refused_with_the_integrity_error(
    sealed: bytes,
) -> None:
    """Anything but an authentic field ciphertext, even one with a valid header, raises IntegrityError."""
    assert _opens_or_refuses(_decrypt_field, sealed) is None


@FAST
@given(sealed=st.binary(max_size=80) | st.binary(max_size=60).map(lambda tail: bytes([1, 1, 20]) + tail))
@example(sealed=b"")
@example(sealed=b"\x01\x01\xff")
@example(sealed=b"\x01\x01\x03\xff\xfe\xfd")
def test_arbitrary_bytes_given_as_a_sealed_value_are_refused_with_the_integrity_error(sealed: bytes) -> None:
    """A sealed value's header (key-id length, key id) never crashes the parser: IntegrityError or nothing."""
    assert _opens_or_refuses(_open_wrapped, sealed) is None


@FAST
@given(sealed=st.binary(max_size=40))
@example(sealed=b"\x01\x01\xff")
@example(sealed=b"\x01\x01\x02\xc3\xa9")
def test_reading_the_key_id_of_arbitrary_bytes_answers_text_or_the_integrity_error(sealed: bytes) -> None:
    """sealed_by() names a key id in ASCII or raises IntegrityError; it never raises anything else."""
    try:
        key_id = crypto.Keyring.sealed_by(sealed)
    except crypto.IntegrityError:
        return
    assert key_id.isascii()


def _encrypt_field(plaintext: bytes) -> bytes:
    return KEY.encrypt(plaintext, **PLACE)


def _seal_wrapped(plaintext: bytes) -> bytes:
    return RING.seal(plaintext, **WRAP)


@pytest.mark.parametrize(
    ("seal", "unseal"),
    [(_encrypt_field, _decrypt_field), (_seal_wrapped, _open_wrapped)],
    ids=["field ciphertext", "value sealed under the KEK"],
)
@FAST
@given(data=st.data(), plaintext=st.binary(max_size=64))
def test_a_mutated_ciphertext_never_decrypts(
    seal: Callable[[bytes], bytes], unseal: Callable[[bytes], bytes], data: st.DataObject, plaintext: bytes
) -> None:
    """Every change to an authentic ciphertext is refused; only the unchanged bytes give the plaintext."""
    sealed = seal(plaintext)
    assert _opens_or_refuses(unseal, sealed) == plaintext
    mutated = data.draw(mutations(sealed))
    if mutated != sealed:
        assert _opens_or_refuses(unseal, mutated) is None
