"""The keyring and every use of `cryptography`: sealing secrets, key canaries, checkpoint signatures.

Keys live in a 0600 key file outside the database, made only by `roi-tracker init` (security.md A2).
Each purpose has its own key (A3): session signing, access-log HMAC, checkpoint signing
and the key-encryption keys (KEKs).
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT = "roi-tracker-keyring/1"
_VERSION = 1
_ALG_AES256GCM = 1
_NONCE_BYTES = 12
_CANARY_TEXT = b"roi-tracker key canary"


class KeyFileError(Exception):
    """The key file is missing, unreadable, malformed or does not match the database."""


class IntegrityError(Exception):
    """A ciphertext or signature failed to verify: one error for every such failure (A11)."""


@dataclass(frozen=True)
class Key:
    """A symmetric key with its id and state (primary, decrypt-only or retired)."""

    id: str
    material: bytes
    state: str = "primary"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


class Keyring:
    """The keys this instance holds, by purpose."""

    def __init__(
        self,
        *,
        session_key: bytes,
        log_keys: list[Key],
        signing_keys: list[Key],
        keks: list[Key],
    ) -> None:
        self.session_key = session_key
        self.log_keys = {k.id: k for k in log_keys}
        self.signing_keys = {k.id: k for k in signing_keys}
        self.keks = {k.id: k for k in keks}
        self._aead: dict[str, AESGCM] = {}

    # -- creation and persistence ------------------------------------------------------------------------
    @classmethod
    def generate(cls) -> Keyring:
        """Make a keyring with fresh random keys for every purpose."""
        signing = Ed25519PrivateKey.generate().private_bytes_raw()
        return cls(
            session_key=secrets.token_bytes(32),
            log_keys=[Key(_new_id("log"), secrets.token_bytes(32))],
            signing_keys=[Key(_new_id("cp"), signing)],
            keks=[Key(_new_id("kek"), secrets.token_bytes(32))],
        )

    def to_json(self) -> dict[str, Any]:
        """Return the keyring as the key file's JSON document."""

        def keys(group: dict[str, Key]) -> list[dict[str, str]]:
            return [{"id": k.id, "state": k.state, "key": _b64(k.material)} for k in group.values()]

        return {
            "format": FORMAT,
            "session_key": _b64(self.session_key),
            "log_keys": keys(self.log_keys),
            "signing_keys": keys(self.signing_keys),
            "keks": keys(self.keks),
        }

    @classmethod
    def from_json(cls, doc: Any) -> Keyring:
        """Parse a key file document, refusing anything malformed."""
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise KeyFileError(f"the key file is not a {FORMAT} document")
        try:

            def keys(name: str, size: int) -> list[Key]:
                out = [Key(str(k["id"]), _unb64(k["key"]), str(k.get("state", "primary"))) for k in doc[name]]
                if not out or any(len(k.material) != size for k in out):
                    raise ValueError(name)
                if sum(1 for k in out if k.state == "primary") != 1:
                    raise ValueError(name)
                return out

            session_key = _unb64(doc["session_key"])
            if len(session_key) < 32:
                raise ValueError("session_key")
            return cls(
                session_key=session_key,
                log_keys=keys("log_keys", 32),
                signing_keys=keys("signing_keys", 32),
                keks=keys("keks", 32),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise KeyFileError(f"the key file is malformed near {exc.args[0]!r}") from None

    def write_new(self, path: Path) -> None:
        """Write the keyring to `path` with mode 0600, refusing to overwrite an existing file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise KeyFileError(f"a key file already exists at {path}; refusing to overwrite it") from None
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(self.to_json(), handle, indent=2)
            handle.write("\n")

    @classmethod
    def load(cls, path: Path) -> Keyring:
        """Read the key file, refusing one that is missing or readable by others."""
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            raise KeyFileError(
                f"no key file at {path}; run `roi-tracker init` or set ROI_KEY_FILE to the instance key file"
            ) from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFileError(f"the key file {path} is readable by others; run `chmod 600 {path}`")
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise KeyFileError(f"the key file {path} cannot be read as JSON") from None
        return cls.from_json(doc)

    # -- the access log ------------------------------------------------------------------------------------
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

    # -- checkpoint signatures (Ed25519) -------------------------------------------------------------------
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
        public: Ed25519PublicKey = Ed25519PrivateKey.from_private_bytes(key.material).public_key()
        try:
            public.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    # -- sealing small secrets (AES-256-GCM, self-describing header, associated data) ----------------------
    def _aesgcm(self, key_id: str, purpose: str) -> AESGCM:
        cache_key = f"{key_id}/{purpose}"
        aead = self._aead.get(cache_key)
        if aead is None:
            kek = self.keks.get(key_id)
            if kek is None:
                raise IntegrityError("unknown key id")
            derived = HKDF(
                algorithm=hashes.SHA256(), length=32, salt=None, info=f"roi-tracker/{purpose}".encode()
            ).derive(kek.material)
            aead = AESGCM(derived)
            self._aead[cache_key] = aead
        return aead

    def seal(self, plaintext: bytes, *, purpose: str, context: bytes) -> bytes:
        """Encrypt under the primary KEK's key for `purpose`, binding `context` as associated data."""
        kek = _primary(self.keks)
        kid = kek.id.encode("ascii")
        header = bytes([_VERSION, _ALG_AES256GCM, len(kid)]) + kid
        nonce = secrets.token_bytes(_NONCE_BYTES)
        body = self._aesgcm(kek.id, purpose).encrypt(nonce, plaintext, header + context)
        return header + nonce + body

    def open(self, sealed: bytes, *, purpose: str, context: bytes) -> bytes:
        """Decrypt what `seal` made for the same purpose and context; any mismatch is an IntegrityError."""
        try:
            if sealed[0] != _VERSION or sealed[1] != _ALG_AES256GCM:
                raise IntegrityError("unknown ciphertext version")
            kid_len = sealed[2]
            header = sealed[: 3 + kid_len]
            key_id = header[3:].decode("ascii")
            nonce = sealed[3 + kid_len : 3 + kid_len + _NONCE_BYTES]
            body = sealed[3 + kid_len + _NONCE_BYTES :]
            return self._aesgcm(key_id, purpose).decrypt(nonce, body, header + context)
        except IntegrityError:
            raise
        except Exception:  # noqa: BLE001 - every failure to open is the same IntegrityError (A11)
            raise IntegrityError("ciphertext failed to verify") from None

    # -- canaries: the database remembers which keys wrote it (A10) ---------------------------------------
    def canaries(self) -> dict[str, bytes]:
        """Return a check value for every key, so the database can tell a wrong key file."""
        out: dict[str, bytes] = {}
        for group in (self.log_keys, self.signing_keys, self.keks):
            for key in group.values():
                out[key.id] = hmac.digest(key.material, _CANARY_TEXT, "sha256")
        return out


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


def constant_time_equal(left: bytes, right: bytes) -> bool:
    """Compare two byte strings without leaking where they differ."""
    return hmac.compare_digest(left, right)
