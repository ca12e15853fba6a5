"""Every use of `cryptography`: the keyring, envelope encryption, blind indexes, canaries, signatures.

Each purpose has its own key (security.md A3): session signing, access-log HMAC, checkpoint signing (Ed25519),
key-encryption keys (KEKs) that wrap one data key (DEK) per client, and the blind-index root. Ciphertexts are
self-describing (A4) and bound by associated data to their place (A5). The key file lives in keyfile.py.
"""

from __future__ import annotations

import hmac
import secrets
import struct
from collections import OrderedDict
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from roi_tracker.domain.text import fold

_VERSION = 1
_ALG_AES256GCM = 1
_NONCE_BYTES = 12
_TAG_BYTES = 16
_FIELD_HEADER = struct.Struct(">BBI")  # version, algorithm, data-key version
_CANARY_TEXT = b"roi-tracker key canary"
_DATA_KEY_CACHE = 4096


class KeyFileError(Exception):
    """The key file is missing, unreadable, malformed or does not match the database."""


class IntegrityError(Exception):
    """A ciphertext or signature failed to verify: one error for every such failure (A11)."""


class UnknownKeyError(IntegrityError):
    """A ciphertext names a KEK this keyring does not hold (perhaps rotated in by another process)."""


@dataclass(frozen=True)
class Key:
    """A key with its id and state: primary, decrypt-only or retired (a retired key keeps no material)."""

    id: str
    material: bytes
    state: str = "primary"


def _new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def _derive(material: bytes, label: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"roi-tracker/{label}".encode()).derive(
        material
    )


class DataKey:
    """A client's unwrapped data key with its cipher object, reused across calls (performance.md)."""

    __slots__ = ("client_id", "version", "_aead")

    def __init__(self, client_id: str, version: int, material: bytes) -> None:
        self.client_id = client_id
        self.version = version
        self._aead = AESGCM(material)

    def encrypt(self, plaintext: bytes, *, table: str, column: str, row_id: str) -> bytes:
        """Encrypt one value, bound to its table, column, row, client and key version (A5)."""
        header = _FIELD_HEADER.pack(_VERSION, _ALG_AES256GCM, self.version)
        nonce = secrets.token_bytes(_NONCE_BYTES)
        ad = header + f"{table}\x1f{column}\x1f{row_id}\x1f{self.client_id}".encode()
        return header + nonce + self._aead.encrypt(nonce, plaintext, ad)

    def decrypt(self, sealed: bytes, *, table: str, column: str, row_id: str) -> bytes:
        """Decrypt one value; any change of bytes or place is an IntegrityError."""
        size = _FIELD_HEADER.size
        if len(sealed) < size + _NONCE_BYTES + _TAG_BYTES:
            raise IntegrityError("ciphertext failed to verify")
        version, algorithm, key_version = _FIELD_HEADER.unpack_from(sealed)
        if version != _VERSION or algorithm != _ALG_AES256GCM or key_version != self.version:
            raise IntegrityError("ciphertext failed to verify")
        header = sealed[:size]
        nonce = sealed[size : size + _NONCE_BYTES]
        ad = header + f"{table}\x1f{column}\x1f{row_id}\x1f{self.client_id}".encode()
        try:
            return self._aead.decrypt(nonce, sealed[size + _NONCE_BYTES :], ad)
        except Exception:  # noqa: BLE001 - every failure is the same IntegrityError (A11)
            raise IntegrityError("ciphertext failed to verify") from None


class Keyring:
    """The keys this instance holds, by purpose."""

    def __init__(
        self,
        *,
        session_key: bytes,
        log_keys: list[Key],
        signing_keys: list[Key],
        keks: list[Key],
        index_keys: list[Key],
    ) -> None:
        self.session_key = session_key
        self.log_keys = {k.id: k for k in log_keys}
        self.signing_keys = {k.id: k for k in signing_keys}
        self.keks = {k.id: k for k in keks}
        self.index_keys = {k.id: k for k in index_keys}
        self._aead: dict[str, AESGCM] = {}
        self._index: dict[str, bytes] = {}
        self._data_keys: OrderedDict[tuple[str, int, bytes], DataKey] = OrderedDict()

    @classmethod
    def generate(cls) -> Keyring:
        """Make a keyring with fresh random keys for every purpose."""
        return cls(
            session_key=secrets.token_bytes(32),
            log_keys=[Key(_new_id("log"), secrets.token_bytes(32))],
            signing_keys=[Key(_new_id("cp"), Ed25519PrivateKey.generate().private_bytes_raw())],
            keks=[Key(_new_id("kek"), secrets.token_bytes(32))],
            index_keys=[Key(_new_id("idx"), secrets.token_bytes(32))],
        )

    def group(self, name: str) -> dict[str, Key]:
        """Return one group of keys by its key-file name."""
        groups = {
            "log_keys": self.log_keys,
            "signing_keys": self.signing_keys,
            "keks": self.keks,
            "index_keys": self.index_keys,
        }
        return groups[name]

    # -- KEK rotation (A7) ---------------------------------------------------------------------------------
    def with_new_kek(self) -> tuple[Keyring, str]:
        """Return a copy whose new KEK is primary and whose old primary is decrypt-only."""
        new_id = _new_id("kek")
        keks = [
            Key(k.id, k.material, "decrypt-only" if k.state == "primary" else k.state)
            for k in self.keks.values()
        ]
        keks.append(Key(new_id, secrets.token_bytes(32)))
        return self._copy(keks), new_id

    def with_kek_retired(self, key_id: str) -> Keyring:
        """Return a copy in which `key_id` is retired and its material forgotten."""
        keks = [Key(k.id, b"", "retired") if k.id == key_id else k for k in self.keks.values()]
        return self._copy(keks)

    def _copy(self, keks: list[Key]) -> Keyring:
        return Keyring(
            session_key=self.session_key,
            log_keys=list(self.log_keys.values()),
            signing_keys=list(self.signing_keys.values()),
            keks=keks,
            index_keys=list(self.index_keys.values()),
        )

    def adopt_keks(self, newer: Keyring) -> None:
        """Take the KEKs of a newer key file (a rotation by another process) so reads keep working."""
        self.keks = dict(newer.keks)
        self._aead.clear()

    @property
    def primary_kek_id(self) -> str:
        """Return the id of the KEK that wraps new data keys."""
        return _primary(self.keks).id

    # -- the access log and checkpoints --------------------------------------------------------------------
    @property
    def log_key(self) -> Key:
        """Return the primary access-log HMAC key."""
        return _primary(self.log_keys)

    def log_mac(self, key_id: str, previous: bytes, message: bytes) -> bytes:
        """Return HMAC-SHA256(K_log, previous || message) under the log key `key_id`."""
        key = self.log_keys.get(key_id)
        if key is None:
            raise IntegrityError(f"unknown access-log key {key_id}")
        return hmac.digest(key.material, previous + message, "sha256")

    @property
    def signing_key(self) -> Key:
        """Return the primary checkpoint signing key."""
        return _primary(self.signing_keys)

    def sign(self, message: bytes) -> tuple[str, bytes]:
        """Sign `message` with the primary checkpoint key; return (key id, signature)."""
        key = self.signing_key
        return key.id, Ed25519PrivateKey.from_private_bytes(key.material).sign(message)

    def verify_signature(self, key_id: str, message: bytes, signature: bytes) -> bool:
        """Tell whether `signature` over `message` verifies under checkpoint key `key_id`."""
        key = self.signing_keys.get(key_id)
        if key is None:
            return False
        try:
            Ed25519PrivateKey.from_private_bytes(key.material).public_key().verify(signature, message)
        except InvalidSignature:
            return False
        return True

    # -- sealing under a KEK (wrapped data keys, small secrets) --------------------------------------------
    def _kek_aead(self, key_id: str, purpose: str) -> AESGCM:
        cache_key = f"{key_id}/{purpose}"
        aead = self._aead.get(cache_key)
        if aead is None:
            kek = self.keks.get(key_id)
            if kek is None or kek.state == "retired":
                raise UnknownKeyError("unknown key id")
            aead = AESGCM(_derive(kek.material, purpose))
            self._aead[cache_key] = aead
        return aead

    def seal(self, plaintext: bytes, *, purpose: str, context: bytes) -> bytes:
        """Encrypt under the primary KEK's key for `purpose`, binding `context` as associated data."""
        kid = self.primary_kek_id.encode("ascii")
        header = bytes([_VERSION, _ALG_AES256GCM, len(kid)]) + kid
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return (
            header + nonce + self._kek_aead(kid.decode(), purpose).encrypt(nonce, plaintext, header + context)
        )

    def open(self, sealed: bytes, *, purpose: str, context: bytes) -> bytes:
        """Decrypt what `seal` made for the same purpose and context; any mismatch is an IntegrityError."""
        try:
            if sealed[0] != _VERSION or sealed[1] != _ALG_AES256GCM:
                raise IntegrityError("unknown ciphertext version")
            end = 3 + sealed[2]
            header = sealed[:end]
            nonce = sealed[end : end + _NONCE_BYTES]
            return self._kek_aead(header[3:].decode("ascii"), purpose).decrypt(
                nonce, sealed[end + _NONCE_BYTES :], header + context
            )
        except IntegrityError:
            raise
        except Exception:  # noqa: BLE001 - every failure to open is the same IntegrityError (A11)
            raise IntegrityError("ciphertext failed to verify") from None

    @staticmethod
    def sealed_by(sealed: bytes) -> str:
        """Return the id of the KEK a sealed value names in its header."""
        try:
            return sealed[3 : 3 + sealed[2]].decode("ascii")
        except (IndexError, UnicodeDecodeError):
            raise IntegrityError("ciphertext failed to verify") from None

    # -- client data keys (envelope encryption, A2) --------------------------------------------------------
    @staticmethod
    def _wrap_context(client_id: str, version: int) -> bytes:
        # The client id is bound into the wrap, so a wrapped key cannot be moved to another client.
        return f"client_keys\x1f{client_id}\x1f{version}".encode()

    def new_data_key(self, client_id: str, version: int) -> tuple[DataKey, bytes]:
        """Make a fresh random data key for a client; return it and its wrapped form."""
        material = secrets.token_bytes(32)
        wrapped = self.seal(material, purpose="data-key-wrap", context=self._wrap_context(client_id, version))
        return DataKey(client_id, version, material), wrapped

    def unwrap(self, wrapped: bytes, client_id: str, version: int) -> DataKey:
        """Unwrap a client's data key (cached by its wrapped bytes, so a re-wrap or shred is never stale)."""
        cache_key = (client_id, version, wrapped)
        key = self._data_keys.get(cache_key)
        if key is not None:
            self._data_keys.move_to_end(cache_key)
            return key
        material = self.open(wrapped, purpose="data-key-wrap", context=self._wrap_context(client_id, version))
        key = DataKey(client_id, version, material)
        self._data_keys[cache_key] = key
        if len(self._data_keys) > _DATA_KEY_CACHE:
            self._data_keys.popitem(last=False)
        return key

    def rewrap(self, wrapped: bytes, client_id: str, version: int) -> bytes:
        """Re-wrap a data key under the primary KEK without changing the key itself (A7)."""
        context = self._wrap_context(client_id, version)
        material = self.open(wrapped, purpose="data-key-wrap", context=context)
        return self.seal(material, purpose="data-key-wrap", context=context)

    def forget_data_keys(self, client_id: str) -> None:
        """Drop a client's cached data keys (crypto-shredding)."""
        for cache_key in [k for k in self._data_keys if k[0] == client_id]:
            del self._data_keys[cache_key]

    # -- blind indexes (A8) --------------------------------------------------------------------------------
    def blind_index(self, name: str, value: str, *, nbytes: int) -> bytes:
        """Return a truncated HMAC of the normalized value under the key for index `name`."""
        key = self._index.get(name)
        if key is None:
            key = _derive(_primary(self.index_keys).material, f"blind-index/{name}")
            self._index[name] = key
        return hmac.digest(key, normalize(value).encode("utf-8"), "sha256")[:nbytes]

    # -- canaries: the database remembers which keys wrote it (A10) ---------------------------------------
    def canaries(self) -> dict[str, bytes | None]:
        """Return a check value per key id (None for a retired KEK, which keeps no material)."""
        out: dict[str, bytes | None] = {}
        for group in (self.log_keys, self.signing_keys, self.keks, self.index_keys):
            for key in group.values():
                out[key.id] = (
                    None if key.state == "retired" else hmac.digest(key.material, _CANARY_TEXT, "sha256")
                )
        return out


def normalize(value: str) -> str:
    """Fold case, accents and spacing so "  Zoë  O'Brien" and "zoe o'brien" index alike."""
    return fold(value)


def _primary(group: dict[str, Key]) -> Key:
    for key in group.values():
        if key.state == "primary":
            return key
    raise KeyFileError("no primary key")


def random_token(nbytes: int = 32) -> str:
    """Return a URL-safe random token of `nbytes` bytes of entropy."""
    return secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> bytes:
    """Hash a high-entropy token for storage (SHA-256 suffices: the token is random, not a password)."""
    digest = hashes.Hash(hashes.SHA256())
    digest.update(token.encode("utf-8"))
    return digest.finalize()


def sha256(data: bytes) -> bytes:
    """Return the SHA-256 of `data` (documents' plaintext hash, kept for the record)."""
    digest = hashes.Hash(hashes.SHA256())
    digest.update(data)
    return digest.finalize()


def sha1(data: bytes) -> bytes:
    """Return the SHA-1 of `data` (only where a standard demands it: FHIR R4 Attachment.hash)."""
    digest = hashes.Hash(hashes.SHA1())  # noqa: S303  # nosec B303  # FHIR R4 defines Attachment.hash as SHA-1
    digest.update(data)
    return digest.finalize()


def constant_time_equal(left: bytes, right: bytes) -> bool:
    """Compare two byte strings without leaking where they differ."""
    return hmac.compare_digest(left, right)
