"""The keyring: key file handling, sealing with associated data, signatures, canaries."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from roi_tracker import crypto
from roi_tracker import keyfile


@pytest.fixture
def ring() -> crypto.Keyring:
    """A fresh keyring."""
    return crypto.Keyring.generate()


def test_sealed_values_open_only_with_the_same_purpose_and_context(ring: crypto.Keyring) -> None:
    """A sealed value is bound to its purpose and place (security.md A5)."""
    sealed = ring.seal(b"secret", purpose="p", context=b"users|totp|1")
    assert ring.open(sealed, purpose="p", context=b"users|totp|1") == b"secret"
    with pytest.raises(crypto.IntegrityError):
        ring.open(sealed, purpose="p", context=b"users|totp|2")
    with pytest.raises(crypto.IntegrityError):
        ring.open(sealed, purpose="q", context=b"users|totp|1")


def test_equal_plaintexts_never_give_equal_ciphertexts(ring: crypto.Keyring) -> None:
    """A fresh nonce per encryption (A1)."""
    assert ring.seal(b"x", purpose="p", context=b"c") != ring.seal(b"x", purpose="p", context=b"c")


def test_flipping_any_bit_fails_to_open(ring: crypto.Keyring) -> None:
    """Header, nonce, ciphertext and tag are all authenticated."""
    sealed = ring.seal(b"hello world", purpose="p", context=b"c")
    for index in range(len(sealed)):
        tampered = bytearray(sealed)
        tampered[index] ^= 0x01
        with pytest.raises(crypto.IntegrityError):
            ring.open(bytes(tampered), purpose="p", context=b"c")


def test_truncated_and_extended_ciphertexts_fail(ring: crypto.Keyring) -> None:
    """Cutting or adding bytes is caught."""
    sealed = ring.seal(b"hello", purpose="p", context=b"c")
    for bad in (sealed[:-1], sealed + b"\x00", sealed[:5], b""):
        with pytest.raises(crypto.IntegrityError):
            ring.open(bad, purpose="p", context=b"c")


def test_another_keyring_cannot_open_a_sealed_value(ring: crypto.Keyring) -> None:
    """A value sealed under one key file does not open under another (unknown key id)."""
    sealed = ring.seal(b"hello", purpose="p", context=b"c")
    with pytest.raises(crypto.IntegrityError):
        crypto.Keyring.generate().open(sealed, purpose="p", context=b"c")


def test_key_file_round_trips_with_mode_0600_and_is_never_overwritten(
    ring: crypto.Keyring, tmp_path: Path
) -> None:
    """write_new creates a private file once; load reads back the same keys."""
    path = tmp_path / "keys.json"
    keyfile.write_new(ring, path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    loaded = keyfile.load(path)
    assert loaded.canaries() == ring.canaries()
    with pytest.raises(crypto.KeyFileError, match="refusing to overwrite"):
        keyfile.write_new(crypto.Keyring.generate(), path)


def test_a_key_file_readable_by_others_is_refused(ring: crypto.Keyring, tmp_path: Path) -> None:
    """Loose permissions on the key file stop the app (fail closed)."""
    path = tmp_path / "keys.json"
    keyfile.write_new(ring, path)
    os.chmod(path, 0o644)
    with pytest.raises(crypto.KeyFileError, match="chmod 600"):
        keyfile.load(path)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(format="other"),
        lambda d: d.pop("log_keys"),
        lambda d: d.update(session_key="c2hvcnQ="),
        lambda d: d["keks"][0].update(key="bm90IGJhc2U2NCE="),
        lambda d: d["keks"][0].update(state="retired"),
    ],
)
def test_malformed_key_files_are_refused(ring: crypto.Keyring, tmp_path: Path, mutate) -> None:  # noqa: ANN001
    """A key file with a wrong format, missing group, short key or no primary key is refused."""
    doc = keyfile.to_json(ring)
    mutate(doc)
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(doc))
    path.chmod(0o600)
    with pytest.raises(crypto.KeyFileError):
        keyfile.load(path)


def test_missing_key_file_says_how_to_fix_it(tmp_path: Path) -> None:
    """The message names init and ROI_KEY_FILE."""
    with pytest.raises(crypto.KeyFileError, match="roi-tracker init"):
        keyfile.load(tmp_path / "absent.json")


def test_checkpoint_signatures_verify_only_unchanged_messages(ring: crypto.Keyring) -> None:
    """Ed25519 signatures fail on any change, and under an unknown key id."""
    key_id, signature = ring.sign(b"message")
    assert ring.verify_signature(key_id, b"message", signature)
    assert not ring.verify_signature(key_id, b"messagf", signature)
    assert not ring.verify_signature("cp-unknown", b"message", signature)
