"""Assemble a running instance from settings: keys, engine, sessions and collaborators; fail closed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from roi_tracker import crypto
from roi_tracker import db
from roi_tracker import instance_files
from roi_tracker import keyfile
from roi_tracker import migrate
from roi_tracker.config import Settings
from roi_tracker.services.context import Env
from roi_tracker.services.operations import setup as instance


class StartupError(Exception):
    """The instance cannot start; the message says what is wrong and how to fix it."""


class DatabaseUnreachable(StartupError):
    """The database did not answer (down, locked or full): unlike wrong keys, this may pass."""


@dataclass
class Runtime:
    """An open instance: its settings, collaborators, engine and session factory."""

    env: Env
    engine: Engine
    sessions: sessionmaker[Session]

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


def open_instance(
    settings: Settings, keyring: crypto.Keyring | None = None, *, check_schema: bool = True
) -> Runtime:
    """Load the keys, connect, and refuse to go on when the keys or the schema do not match."""
    try:
        keyring = keyring or keyfile.load(settings.key_file)
        instance_files.check(settings)
    except (crypto.KeyFileError, instance_files.ExposedFile) as exc:
        raise StartupError(str(exc)) from None
    engine = db.make_engine(settings.database_url)
    sessions = db.make_session_factory(engine)
    try:
        if check_schema:
            have = migrate.current(engine)
            want = migrate.newest(settings.database_url)
            if have != want:
                raise StartupError(
                    f"the database is at revision {have or 'none'} but this version needs {want}; "
                    "run `roi-tracker db upgrade` (or `roi-tracker init` for a new instance)"
                )
            with sessions() as session:
                instance.check_keys(session, keyring, remember=False)
    except instance.KeyMismatch as exc:
        engine.dispose()
        raise StartupError(str(exc)) from None
    except SQLAlchemyError as exc:
        engine.dispose()
        raise DatabaseUnreachable(f"cannot reach the database: {type(exc).__name__}") from None
    except StartupError:
        engine.dispose()
        raise
    return Runtime(env=Env.build(settings, keyring), engine=engine, sessions=sessions)
