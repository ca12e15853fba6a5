"""What every use case is handed: keys, the log writer, the password hasher, settings and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

from roi_tracker import audit
from roi_tracker import clock as calendar
from roi_tracker import crypto
from roi_tracker import db
from roi_tracker import passwords
from roi_tracker.config import Settings


@dataclass(frozen=True)
class Env:
    """The collaborators of every service call."""

    settings: Settings
    keyring: crypto.Keyring
    hasher: passwords.Hasher
    log: audit.Log
    clock: Callable[[], datetime] = field(default=db.utcnow)

    def today(self) -> date:
        """Return today's date in the practice's time zone (ROI_TIMEZONE): the day every legal rule uses."""
        return calendar.local_date(self.clock(), self.settings.timezone)

    @classmethod
    def build(cls, settings: Settings, keyring: crypto.Keyring) -> Env:
        """Assemble the collaborators for `settings` and `keyring`."""
        return cls(
            settings=settings,
            keyring=keyring,
            hasher=passwords.Hasher(settings.password_hashing),
            log=audit.Log(
                keyring, checkpoint_every=settings.checkpoint_every, checkpoint_dir=settings.checkpoint_dir
            ),
        )
