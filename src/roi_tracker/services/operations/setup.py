"""Creating an instance and refusing to run with keys that do not belong to its database."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import keyfile
from roi_tracker import models
from roi_tracker.config import DEMO_MARKER
from roi_tracker.config import Settings
from roi_tracker.domain.roles import Role
from roi_tracker.services.context import Env
from roi_tracker.services.people import users

DEMO_ACCOUNTS = (
    ("clinician", "Dr. Dana Demo", Role.CLINICIAN),
    ("covering", "Dr. Casey Cover", Role.CLINICIAN),
    ("frontdesk", "Frankie Front-Desk", Role.FRONT_DESK),
    ("auditor", "Avery Auditor", Role.AUDITOR),
    ("admin", "Alex Admin", Role.ADMIN),
)


class KeyMismatch(Exception):
    """The key file does not hold the keys this database was written with."""


@dataclass(frozen=True)
class DemoSignIn:
    """A demo account and its password (synthetic, printed so a person can try the app)."""

    username: str
    role: str
    password: str


def create_key_file(settings: Settings) -> crypto.Keyring:
    """Make the instance folder and a new key file (0600); refuse to overwrite an existing one."""
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    settings.checkpoint_dir.mkdir(parents=True, exist_ok=True)
    keyring = crypto.Keyring.generate()
    keyfile.write_new(keyring, settings.key_file)
    return keyring


def check_keys(session: Session, keyring: crypto.Keyring, *, remember: bool) -> None:
    """Compare the key file with the database's canaries and refuse a mismatch (A10).

    With `remember`, keys the database has not seen yet are recorded (init and key rotation); without it, a
    database that has recorded no key at all is refused as not initialized.
    """
    stored = {
        row.key_id: bytes(row.check_value) for row in session.execute(select(models.KeyCanary)).scalars()
    }
    held = keyring.canaries()
    if not stored and not remember:
        raise KeyMismatch("this database has not been initialized; run `roi-tracker init`")
    for key_id, value in stored.items():
        if key_id not in held:
            raise KeyMismatch(
                f"the database was written with key {key_id}, which the key file does not hold; "
                "set ROI_KEY_FILE to this instance's key file"
            )
        check = held[key_id]
        if check is None:
            continue  # a retired KEK keeps no material; nothing in the database may still need it
        if not crypto.constant_time_equal(check, value):
            raise KeyMismatch(f"key {key_id} in the key file is not the key this database was written with")
    if remember:
        for key_id, check in held.items():
            if key_id not in stored and check is not None:
                session.add(models.KeyCanary(key_id=key_id, check_value=check))
        session.commit()
    else:
        session.rollback()


def create_demo_accounts(session: Session, env: Env, instance_path: Path) -> list[DemoSignIn]:
    """Create one account per role with random passwords and mark the instance as a demo."""
    actor = audit.Actor(user_id="init", role="system")
    out = []
    for username, display_name, role in DEMO_ACCOUNTS:
        password = "demo-" + secrets.token_urlsafe(9)
        users.create_user(
            session,
            env,
            actor,
            username=username,
            display_name=display_name,
            role=role.value,
            password=password,
        )
        out.append(DemoSignIn(username, role.value, password))
    marker = instance_path / DEMO_MARKER
    marker.write_text(json.dumps([s.__dict__ for s in out], indent=2) + "\n", encoding="utf-8")
    marker.chmod(0o600)
    return out


def demo_sign_ins(instance_path: Path) -> list[DemoSignIn]:
    """Return the demo accounts recorded at init, or none for a real instance."""
    marker = instance_path / DEMO_MARKER
    if not marker.exists():
        return []
    try:
        return [DemoSignIn(**item) for item in json.loads(marker.read_text(encoding="utf-8"))]
    except (ValueError, TypeError):
        return []
