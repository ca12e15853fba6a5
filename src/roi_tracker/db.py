"""Declarative base, shared column types, the engine and sessions.

SQLite: WAL, foreign keys on, a busy timeout of several seconds and write transactions opened with
BEGIN IMMEDIATE (performance.md: a deferred BEGIN fails with "database is locked" under concurrency).
PostgreSQL: psycopg 3.
"""

import sqlite3
import threading
import uuid
from datetime import UTC
from datetime import datetime
from typing import Annotated
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy import Engine
from sqlalchemy import MetaData
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy import exc
from sqlalchemy import types
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Session
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import sessionmaker

from roi_tracker import instance_files

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 10_000
# An execution option: this connection's transaction only reads, so SQLite may open it deferred (no lock).
READ_ONLY = "roi_read_only"
_HOLDS_WRITE_LOCK = "roi_holds_write_lock"


class UTCDateTime(types.TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        # SQLite has no timezone type: store naive UTC there.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def new_id() -> uuid.UUID:
    """Make a row id in the app, so it is known before insert (and can be bound into ciphertexts)."""
    return uuid.uuid4()


def utcnow() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


uuidpk = Annotated[uuid.UUID, mapped_column(primary_key=True, default=new_id)]
utc_now = Annotated[datetime, mapped_column(UTCDateTime(), default=utcnow)]
utc_time = Annotated[datetime, mapped_column(UTCDateTime())]


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations keep stable constraint names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for `url` with the per-database settings this app relies on."""
    if url.startswith("sqlite"):
        database = instance_files.sqlite_path(url)
        if database is not None and database.parent.is_dir():
            instance_files.create_private(database)  # 0600 whatever the umask (issue 15 item 6)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver, so BEGIN IMMEDIATE below is the only BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # Write serialization: the threads of a process queue for the file's one write lock here, and wake as
    # soon as it is free, instead of each polling in SQLite's busy handler (sleeps of up to 100 ms).
    writers = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Deferred only for transactions declared read-only (begin_read); a deferred read that later writes
        # is what fails with "database is locked" under concurrency (performance.md).
        if connection.get_execution_options().get(READ_ONLY, False):
            connection.exec_driver_sql("BEGIN DEFERRED")
            return
        if not writers.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            locked = sqlite3.OperationalError("database is locked (waited for this process's writers)")
            raise exc.OperationalError("BEGIN IMMEDIATE", None, locked)
        connection.info[_HOLDS_WRITE_LOCK] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection)
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _release(connection: Any) -> None:
        if connection.info.pop(_HOLDS_WRITE_LOCK, False):
            writers.release()


def begin_read(session: Session) -> None:
    """Open the session's next transaction for reads only: on SQLite without the write lock (WAL readers)."""
    if not session.in_transaction():
        session.connection(execution_options={READ_ONLY: True})


def end_read(session: Session) -> None:
    """End a transaction that only read, keeping what it loaded, so the next one may write (and lock)."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("end_read on a session holding changes")
    session.commit()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory: one session per request or command, closed by its owner."""
    return sessionmaker(bind=engine, expire_on_commit=False)


# SQLite's result codes for a database that cannot be reached or written now (extended codes share a prefix).
_SQLITE_UNAVAILABLE = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_FULL",
    "SQLITE_IOERR",
    "SQLITE_CANTOPEN",
    "SQLITE_READONLY",
    "SQLITE_PROTOCOL",
)


def unavailable(exc: BaseException) -> bool:
    """Tell whether `exc` means the database is out of reach for now: down, cut off, locked or full."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    # psycopg raises OperationalError only for the server or connection; SQLite also for bad SQL.
    name = getattr(exc.orig, "sqlite_errorname", None)
    return name is None or str(name).startswith(_SQLITE_UNAVAILABLE)
