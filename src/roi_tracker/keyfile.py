"""The key file: a 0600 JSON document outside the database, created by `roi-tracker init` (security.md A2).

Reading refuses a file that is missing, readable by others or malformed; writing never overwrites a key file
except through `replace`, which key rotation uses (write a new file, then rename it over the old one).
"""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path
from typing import Any

from roi_tracker.crypto import Key
from roi_tracker.crypto import KeyFileError
from roi_tracker.crypto import Keyring

FORMAT = "roi-tracker-keyring/1"
GROUPS = ("log_keys", "signing_keys", "keks", "index_keys")
STATES = ("primary", "decrypt-only", "retired")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def to_json(ring: Keyring) -> dict[str, Any]:
    """Return the keyring as the key file's JSON document."""
    doc: dict[str, Any] = {"format": FORMAT, "session_key": _b64(ring.session_key)}
    for name in GROUPS:
        doc[name] = [
            {"id": k.id, "state": k.state, "key": _b64(k.material)} for k in ring.group(name).values()
        ]
    return doc


def _keys(doc: dict[str, Any], name: str) -> list[Key]:
    out = [Key(str(k["id"]), _unb64(k["key"]), str(k.get("state", "primary"))) for k in doc[name]]
    if not out or any(k.state not in STATES for k in out):
        raise ValueError(name)
    if any(len(k.material) != 32 for k in out if k.state != "retired"):
        raise ValueError(name)
    if sum(1 for k in out if k.state == "primary") != 1:
        raise ValueError(name)
    return out


def from_json(doc: Any) -> Keyring:
    """Parse a key file document, refusing anything malformed."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise KeyFileError(f"the key file is not a {FORMAT} document")
    try:
        session_key = _unb64(doc["session_key"])
        if len(session_key) < 32:
            raise ValueError("session_key")
        groups = {name: _keys(doc, name) for name in GROUPS}
    except (KeyError, TypeError, ValueError) as exc:
        raise KeyFileError(f"the key file is malformed near {exc.args[0]!r}") from None
    return Keyring(session_key=session_key, **groups)


def write_new(ring: Keyring, path: Path) -> None:
    """Write the keyring to `path` with mode 0600, refusing to overwrite an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(f"a key file already exists at {path}; refusing to overwrite it") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(to_json(ring), handle, indent=2)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())


def replace(ring: Keyring, path: Path) -> None:
    """Write a new version of the key file atomically (rotation), keeping mode 0600."""
    temporary = path.with_name(path.name + ".new")
    temporary.unlink(missing_ok=True)
    write_new(ring, temporary)
    os.replace(temporary, path)


def load(path: Path) -> Keyring:
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
    return from_json(doc)
