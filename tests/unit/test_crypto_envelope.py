"""Envelope encryption of client fields: the wire format, the bindings, and the one error (security.md A).

The known-answer vector was made once with `cryptography`'s AESGCM directly, following the documented layout:
header = struct '>BBI' (format version, algorithm, data-key version), then a 12-byte nonce, then AES-256-GCM
ciphertext and tag, with associated data = header + table 0x1f column 0x1f row id 0x1f client id.
"""

from __future__ import annotations

import secrets
import struct
import uuid
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from roi_tracker import crypto

HEADER = struct.Struct(">BBI")
NONCE_BYTES = 12
TAG_BYTES = 16

# The known-answer vector (produced once, then frozen here).
KAT_KEY = bytes(range(32))
KAT_NONCE = bytes.fromhex("000102030405060708090a0b")
KAT_CLIENT = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
KAT_ROW = "0b7e4f1a-2c3d-4e5f-9a8b-7c6d5e4f3a2b"
KAT_VERSION = 7
KAT_PLAINTEXT = "Zoë O'Brien".encode()
KAT_SEALED = bytes.fromhex(
    "010100000007"  # header: format 1, AES-256-GCM (1), data-key version 7
    "000102030405060708090a0b"  # nonce
    "1d6d15b0e5aae559ff28f2e5"  # ciphertext (12 bytes of UTF-8)
    "df8cc233872cc829092debf075338c9d"  # tag
)

PLACE = {"table": "clients", "column": "family_name", "row_id": KAT_ROW}


def associated_data(header: bytes, table: str, column: str, row_id: str, client_id: str) -> bytes:
    """Build the associated data exactly as the specification describes it."""
    return header + f"{table}\x1f{column}\x1f{row_id}\x1f{client_id}".encode()


def kat_key() -> crypto.DataKey:
    """Return the data key of the known-answer vector."""
    return crypto.DataKey(KAT_CLIENT, KAT_VERSION, KAT_KEY)


def new_key(client_id: str | None = None, version: int = 1) -> crypto.DataKey:
    """Return a data key with fresh random material for a (random) client."""
    return crypto.DataKey(client_id or str(uuid.uuid4()), version, secrets.token_bytes(32))


# -- the wire format -----------------------------------------------------------------------------------------


def test_decrypts_the_known_answer_vector_made_with_aesgcm_directly() -> None:
    """The wrapper reads a ciphertext built by hand from the documented header, nonce and AD layout."""
    assert kat_key().decrypt(KAT_SEALED, **PLACE) == KAT_PLAINTEXT


def test_known_answer_vector_is_what_aesgcm_gives_for_the_documented_layout() -> None:
    """The frozen vector is reproducible from the specification alone (a guard on the vector itself)."""
    header = HEADER.pack(1, 1, KAT_VERSION)
    ad = associated_data(header, "clients", "family_name", KAT_ROW, KAT_CLIENT)
    assert header + KAT_NONCE + AESGCM(KAT_KEY).encrypt(KAT_NONCE, KAT_PLAINTEXT, ad) == KAT_SEALED


def test_what_the_wrapper_writes_opens_with_aesgcm_and_the_documented_layout() -> None:
    """Interoperability the other way: header, nonce, then ciphertext and tag; the header is in the AD."""
    sealed = kat_key().encrypt(KAT_PLAINTEXT, **PLACE)
    header, nonce, body = sealed[:6], sealed[6:18], sealed[18:]
    assert HEADER.unpack(header) == (1, 1, KAT_VERSION)
    assert len(body) == len(KAT_PLAINTEXT) + TAG_BYTES
    ad = associated_data(header, "clients", "family_name", KAT_ROW, KAT_CLIENT)
    assert AESGCM(KAT_KEY).decrypt(nonce, body, ad) == KAT_PLAINTEXT


# -- round trips and fresh nonces ----------------------------------------------------------------------------


@given(text=st.text())
@settings(max_examples=200)
def test_round_trips_any_text(text: str) -> None:
    """Whatever a person types, including nothing at all, comes back unchanged."""
    key = kat_key()
    sealed = key.encrypt(text.encode("utf-8"), **PLACE)
    assert key.decrypt(sealed, **PLACE).decode("utf-8") == text


def test_round_trips_an_empty_value() -> None:
    """An empty field still gets a nonce and a tag, and opens to empty."""
    sealed = kat_key().encrypt(b"", **PLACE)
    assert len(sealed) == HEADER.size + NONCE_BYTES + TAG_BYTES
    assert kat_key().decrypt(sealed, **PLACE) == b""


def test_round_trips_a_one_megabyte_value() -> None:
    """A document-sized value round trips."""
    value = ("é" * (1024 * 512)).encode("utf-8")
    assert len(value) == 1024 * 1024
    key = new_key()
    assert key.decrypt(key.encrypt(value, **PLACE), **PLACE) == value


def test_equal_plaintexts_never_give_equal_ciphertexts() -> None:
    """A fresh random nonce every time: a thousand encryptions of one value are all different (A1)."""
    key = new_key()
    sealed = [key.encrypt(b"Smith", **PLACE) for _ in range(1000)]
    assert len(set(sealed)) == len(sealed)
    assert len({s[HEADER.size : HEADER.size + NONCE_BYTES] for s in sealed}) == len(sealed)


# -- the swap matrix (A5) ------------------------------------------------------------------------------------

CLIENT_A = str(uuid.uuid4())
CLIENT_B = str(uuid.uuid4())
ROW_1 = str(uuid.uuid4())
ROW_2 = str(uuid.uuid4())
MATERIAL_A = bytes(range(32))
MATERIAL_B = bytes(range(32, 64))


def _sealed_for_a() -> bytes:
    return crypto.DataKey(CLIENT_A, 1, MATERIAL_A).encrypt(
        b"1971-07-19", table="clients", column="date_of_birth", row_id=ROW_1
    )


SWAPS: dict[str, Callable[[bytes], bytes]] = {
    "row to row": lambda s: crypto.DataKey(CLIENT_A, 1, MATERIAL_A).decrypt(
        s, table="clients", column="date_of_birth", row_id=ROW_2
    ),
    "column to column": lambda s: crypto.DataKey(CLIENT_A, 1, MATERIAL_A).decrypt(
        s, table="clients", column="given_name", row_id=ROW_1
    ),
    "table to table": lambda s: crypto.DataKey(CLIENT_A, 1, MATERIAL_A).decrypt(
        s, table="documents", column="date_of_birth", row_id=ROW_1
    ),
    "client to client (B's key)": lambda s: crypto.DataKey(CLIENT_B, 1, MATERIAL_B).decrypt(
        s, table="clients", column="date_of_birth", row_id=ROW_1
    ),
    "client to client (A's key under B's id)": lambda s: crypto.DataKey(CLIENT_B, 1, MATERIAL_A).decrypt(
        s, table="clients", column="date_of_birth", row_id=ROW_1
    ),
    "client to client (B's key under A's id)": lambda s: crypto.DataKey(CLIENT_A, 1, MATERIAL_B).decrypt(
        s, table="clients", column="date_of_birth", row_id=ROW_1
    ),
}


def test_the_unswapped_value_opens() -> None:
    """The control for the swap matrix: in its own place the value opens."""
    sealed = _sealed_for_a()
    opened = crypto.DataKey(CLIENT_A, 1, MATERIAL_A).decrypt(
        sealed, table="clients", column="date_of_birth", row_id=ROW_1
    )
    assert opened == b"1971-07-19"


@pytest.mark.parametrize("swap", SWAPS.values(), ids=SWAPS.keys())
def test_a_value_moved_to_another_place_fails_to_decrypt(swap: Callable[[bytes], bytes]) -> None:
    """Copying a ciphertext to another row, column, table or client fails with IntegrityError (A5)."""
    with pytest.raises(crypto.IntegrityError) as caught:
        swap(_sealed_for_a())
    assert caught.type is crypto.IntegrityError


def test_a_wrapped_data_key_moved_to_another_client_fails_to_unwrap() -> None:
    """The client id is bound into the wrap (A2)."""
    ring = crypto.Keyring.generate()
    key, wrapped = ring.new_data_key(CLIENT_A, 1)
    assert ring.unwrap(wrapped, CLIENT_A, 1).decrypt(key.encrypt(b"x", **PLACE), **PLACE) == b"x"
    with pytest.raises(crypto.IntegrityError) as caught:
        ring.unwrap(wrapped, CLIENT_B, 1)
    assert caught.type is crypto.IntegrityError


def test_a_wrapped_data_key_moved_to_another_version_fails_to_unwrap() -> None:
    """The data-key version is bound into the wrap too."""
    ring = crypto.Keyring.generate()
    _, wrapped = ring.new_data_key(CLIENT_A, 1)
    with pytest.raises(crypto.IntegrityError):
        ring.unwrap(wrapped, CLIENT_A, 2)


def test_a_wrapped_data_key_does_not_unwrap_under_another_key_file() -> None:
    """Another instance's keyring names no such KEK: the same error family, chosen by key id (A4)."""
    _, wrapped = crypto.Keyring.generate().new_data_key(CLIENT_A, 1)
    with pytest.raises(crypto.IntegrityError):
        crypto.Keyring.generate().unwrap(wrapped, CLIENT_A, 1)


def test_a_tampered_wrapped_data_key_fails_to_unwrap() -> None:
    """Every byte of a wrapped key is authenticated, its KEK id included."""
    ring = crypto.Keyring.generate()
    _, wrapped = ring.new_data_key(CLIENT_A, 1)
    for index in range(len(wrapped)):
        tampered = bytearray(wrapped)
        tampered[index] ^= 0x80
        with pytest.raises(crypto.IntegrityError):
            ring.unwrap(bytes(tampered), CLIENT_A, 1)


# -- tampering -----------------------------------------------------------------------------------------------


def _region(index: int, length: int) -> str:
    if index < HEADER.size:
        return "header"
    if index < HEADER.size + NONCE_BYTES:
        return "nonce"
    return "tag" if index >= length - TAG_BYTES else "ciphertext"


def test_flipping_any_bit_of_header_nonce_ciphertext_or_tag_fails() -> None:
    """All 8 bits of every byte, in every region of the value, are authenticated."""
    key = kat_key()
    sealed = key.encrypt(b"Okafor", **PLACE)
    regions = set()
    for index in range(len(sealed)):
        regions.add(_region(index, len(sealed)))
        for bit in range(8):
            tampered = bytearray(sealed)
            tampered[index] ^= 1 << bit
            with pytest.raises(crypto.IntegrityError) as caught:
                key.decrypt(bytes(tampered), **PLACE)
            assert caught.type is crypto.IntegrityError, (_region(index, len(sealed)), index, bit)
    assert regions == {"header", "nonce", "ciphertext", "tag"}


def test_every_truncation_fails() -> None:
    """Cutting any number of bytes from the end (or everything) is caught."""
    key = kat_key()
    sealed = key.encrypt(b"Okafor", **PLACE)
    for length in range(len(sealed)):
        with pytest.raises(crypto.IntegrityError):
            key.decrypt(sealed[:length], **PLACE)


@pytest.mark.parametrize("extra", [b"\x00", b"\x01" * 16, bytes(range(256))], ids=["1", "16", "256"])
def test_extension_fails(extra: bytes) -> None:
    """Bytes appended after the tag are caught."""
    key = kat_key()
    sealed = key.encrypt(b"Okafor", **PLACE)
    with pytest.raises(crypto.IntegrityError):
        key.decrypt(sealed + extra, **PLACE)


def _authentic_with_header(version: int, algorithm: int, key_version: int) -> bytes:
    """Make a ciphertext that authenticates under KAT_KEY but carries the given header fields."""
    header = HEADER.pack(version, algorithm, key_version)
    ad = associated_data(header, "clients", "family_name", KAT_ROW, KAT_CLIENT)
    return header + KAT_NONCE + AESGCM(KAT_KEY).encrypt(KAT_NONCE, b"Okafor", ad)


@pytest.mark.parametrize(
    ("version", "algorithm", "key_version"),
    [(2, 1, KAT_VERSION), (0, 1, KAT_VERSION), (1, 2, KAT_VERSION), (1, 0, KAT_VERSION), (1, 1, 8)],
    ids=["format 2", "format 0", "algorithm 2", "algorithm 0", "data-key version 8"],
)
def test_an_unknown_version_or_data_key_version_is_refused_even_when_authentic(
    version: int, algorithm: int, key_version: int
) -> None:
    """The header is checked, not only authenticated: an unknown format, algorithm or key version fails."""
    with pytest.raises(crypto.IntegrityError) as caught:
        kat_key().decrypt(_authentic_with_header(version, algorithm, key_version), **PLACE)
    assert caught.type is crypto.IntegrityError


def test_a_data_key_of_another_version_refuses_the_value() -> None:
    """Version 2 of a client's key does not open what version 7 wrote, even with the same material."""
    with pytest.raises(crypto.IntegrityError):
        crypto.DataKey(KAT_CLIENT, 2, KAT_KEY).decrypt(KAT_SEALED, **PLACE)


def test_every_failure_is_the_same_error_with_the_same_generic_message() -> None:
    """One error type and one message for every failure: nothing tells the failures apart (A11)."""
    key = kat_key()
    failures = [
        lambda: key.decrypt(b"", **PLACE),
        lambda: key.decrypt(KAT_SEALED[:-1], **PLACE),
        lambda: key.decrypt(KAT_SEALED + b"\x00", **PLACE),
        lambda: key.decrypt(b"\x02" + KAT_SEALED[1:], **PLACE),
        lambda: key.decrypt(KAT_SEALED, table="clients", column="given_name", row_id=KAT_ROW),
        lambda: crypto.DataKey(KAT_CLIENT, KAT_VERSION, bytes(32)).decrypt(KAT_SEALED, **PLACE),
    ]
    messages = set()
    for fail in failures:
        with pytest.raises(crypto.IntegrityError) as caught:
            fail()
        assert caught.type is crypto.IntegrityError
        messages.add(str(caught.value))
    assert messages == {"ciphertext failed to verify"}


# -- blind indexes (A8) --------------------------------------------------------------------------------------


@pytest.fixture
def ring() -> crypto.Keyring:
    """A fresh keyring."""
    return crypto.Keyring.generate()


@pytest.mark.parametrize(
    "variant", ["zoe o'brien", "ZOË O'BRIEN", "  Zoë\tO'Brien  ", "Zoe\u0308 O'Brien", "ｚｏｅ o'brien"]
)
def test_blind_index_ignores_case_accents_and_spacing(ring: crypto.Keyring, variant: str) -> None:
    """Index "Zoë  O'Brien" and its case, accent, width and spacing variants alike."""
    expected = ring.blind_index("clients.family_name", "Zoë  O'Brien", nbytes=8)
    assert ring.blind_index("clients.family_name", variant, nbytes=8) == expected


def test_blind_index_tells_different_names_apart_mostly(ring: crypto.Keyring) -> None:
    """500 different names give 500 different 8-byte indexes, and nearly all differ at 2 bytes."""
    names = [f"Family{n} O'Name" for n in range(500)]
    wide = {ring.blind_index("clients.family_name", name, nbytes=8) for name in names}
    assert len(wide) == len(names)
    narrow = {ring.blind_index("clients.family_name", name, nbytes=2) for name in names}
    # 500 values in 65,536 buckets: about 2 collisions expected; 20 would mean the index is broken.
    assert len(narrow) >= len(names) - 20
    assert ring.blind_index("clients.family_name", "Zoe O'Brien", nbytes=8) != ring.blind_index(
        "clients.family_name", "Zoe OBrien", nbytes=8
    )


@pytest.mark.parametrize("nbytes", [1, 2, 3, 8, 16, 32])
def test_blind_index_is_truncated_to_the_length_asked(ring: crypto.Keyring, nbytes: int) -> None:
    """The index has exactly `nbytes` bytes: a prefix of the full HMAC."""
    full = ring.blind_index("clients.family_name", "Okafor", nbytes=32)
    assert len(full) == 32
    assert ring.blind_index("clients.family_name", "Okafor", nbytes=nbytes) == full[:nbytes]


def test_blind_index_keys_differ_per_index_and_per_key_file(ring: crypto.Keyring) -> None:
    """Each index has its own key, and another instance's indexes share nothing with this one's."""
    mine = ring.blind_index("clients.family_name", "Okafor", nbytes=16)
    assert ring.blind_index("clients.given_name", "Okafor", nbytes=16) != mine
    assert crypto.Keyring.generate().blind_index("clients.family_name", "Okafor", nbytes=16) != mine
