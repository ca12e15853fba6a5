"""The walk: entries in order, each link and MAC checked, a page of rows at a time (performance.md P3).

The database builds each entry's canonical bytes from the stored text and hands over one column per row; a
row whose bytes that way do not give its MAC is read again through the model's column types and checked
over `audit_vocab.canonical`, so the verdict is exactly the one the canonical form gives.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from collections.abc import Generator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import select
from sqlalchemy.exc import DataError

from roi_tracker import models
from roi_tracker.domain import audit_vocab

Progress = Callable[[int], None]
_PAGE = 20_000  # rows fetched at a time
_LOG = models.AuditEntry.__table__
_FIELDS = tuple(audit_vocab.Entry.__dataclass_fields__)


@dataclass
class Breaks:
    seq: int | None = None
    reason: str = ""

    def add(self, seq: int, reason: str) -> None:
        if self.seq is None or seq < self.seq:
            self.seq, self.reason = seq, reason


@dataclass(frozen=True)
class Plan:
    """What every walk needs: the log keys (never the keyring), a break already known, the checkpoints."""

    keys: Mapping[str, bytes] = field(repr=False)  # never printed, never logged
    stop: int | None
    wanted: Mapping[int, Sequence[tuple[int, bytes]]]  # seq -> (checkpoint id, head MAC) signed there


@dataclass
class Span:
    """One walk over a range: its first and last rows, the rows verified and its own first break."""

    first_seq: int | None = None
    first_prev: bytes = b""
    last_seq: int = 0
    last_mac: bytes = b""
    counted: int = 0
    first_break: Breaks = field(default_factory=Breaks)


def walk(conn: Connection, plan: Plan, lo: int, hi: int | None, progress: Progress | None) -> Span:
    """Verify entries lo..hi (hi None: to the end) in order, from the stored previous MAC of the first."""
    macs = {key_id: Pads.of(material) for key_id, material in plan.keys.items()}
    span = Span(last_seq=lo - 1)
    with closing(entry_pages(conn, lo, hi)) as pages:
        for rows in pages:
            if span.first_seq is None:
                span.first_seq, span.first_prev = rows[0][0], rows[0][2]
                span.last_seq, span.last_mac = rows[0][0] - 1, rows[0][2]
            before = span.counted
            done = walk_page(conn, rows, macs, plan, span)
            if progress is not None:
                progress(span.counted - before)
            if done:
                break
    return span


@dataclass(frozen=True)
class Pads:
    """HMAC-SHA256 (RFC 2104) with the key's inner and outer pads hashed once, not once per entry.

    The same MAC as crypto.Keyring.log_mac and hmac.digest (tests/audit/test_verify_walk.py checks it), at
    about twice the rate of copying an hmac.HMAC: each step is one call into hashlib's C code.
    """

    inner: Any
    outer: Any

    @classmethod
    def of(cls, key: bytes) -> Pads:
        """Hash the key's pads."""
        block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
        return cls(
            hashlib.sha256(bytes(b ^ 0x36 for b in block)), hashlib.sha256(bytes(b ^ 0x5C for b in block))
        )

    def mac(self, data: bytes) -> bytes:
        """Return HMAC-SHA256 of `data`."""
        inner = self.inner.copy()
        inner.update(data)
        outer = self.outer.copy()
        outer.update(inner.digest())
        return bytes(outer.digest())


# The canonical bytes of each entry (audit_vocab.canonical), built by the database from the stored text, one
# column per row instead of twelve strings joined in Python (performance.md P3). PostgreSQL builds them
# exactly: 4-byte big-endian byte counts (int4send(octet_length)) and UTF-8 bytes. SQLite has no byte
# strings to concatenate, so it builds them as text, each prefix as char(0, 0, 0, length): exact for fields
# under 128 ASCII characters, which is every field the log writes; anything else fails the MAC and is
# checked again, exactly, through the model (typed_mac_matches), as is a stored time not in SQLite's form.
_PG_AT = "to_char(timezone('UTC', at), 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
_PG_MESSAGE = " || ".join(
    f"int4send(octet_length({f})) || convert_to({f}, 'UTF8')" for f in ("seq::text", _PG_AT, *_FIELDS[2:])
)
_SQLITE_AT = "substr(at, 1, 10) || 'T' || substr(at, 12) || 'Z'"
_SQLITE_MESSAGE = "CASE WHEN substr(at, 11, 1) = ' ' THEN CAST({} AS BLOB) END".format(
    " || ".join(
        [
            "char(0, 0, 0, length(CAST(seq AS TEXT))) || CAST(seq AS TEXT)",
            f"char(0, 0, 0, length(at) + 1) || {_SQLITE_AT}",
            *(f"char(0, 0, 0, length(CAST({f} AS BLOB))) || {f}" for f in _FIELDS[2:]),
        ]
    )
)


def _walk_sql(message: str, placeholder: str) -> str:
    """The one walk statement: fixed column expressions above, the bounds bound as parameters."""
    return (
        f"SELECT seq, key_id, prev_mac, mac, {message} FROM audit_log "  # nosec B608 # noqa: S608
        f"WHERE seq >= {placeholder} AND seq <= {placeholder} ORDER BY seq"  # (module constants only)
    )


# Built once, from the constants above and each driver's parameter marker: no input ever reaches the text.
_WALK_SQL = {"postgresql": _walk_sql(_PG_MESSAGE, "%s"), "sqlite": _walk_sql(_SQLITE_MESSAGE, "?")}
_NO_UPPER = 2**63 - 1


def entry_pages(conn: Connection, lo: int, hi: int | None) -> Generator[Sequence[Any], None, None]:
    """Yield (seq, key_id, prev_mac, mac, canonical bytes) for entries lo..hi in order, a page at a time."""
    sql = _WALK_SQL["postgresql" if conn.dialect.name == "postgresql" else "sqlite"]
    bounds = (int(lo), _NO_UPPER if hi is None else int(hi))
    # One statement, read as it goes: a named, server-side cursor on PostgreSQL; SQLite's cursors stream.
    cursor = conn.connection.cursor(*(["roi_audit_walk"] if conn.dialect.name == "postgresql" else []))
    try:
        cursor.execute(sql, bounds)
        while rows := cursor.fetchmany(_PAGE):
            yield rows
    finally:
        cursor.close()


def walk_page(
    conn: Connection, rows: Sequence[Any], macs: Mapping[str, Pads], plan: Plan, span: Span
) -> bool:
    """Check one page of rows into `span`; return True once the walk is over (a break, or past `stop`)."""
    expected, prev, counted = span.last_seq + 1, span.last_mac, span.counted
    compare = hmac.compare_digest
    stop, wanted = plan.stop, plan.wanted
    bad, reason, done = 0, "", False
    for seq, key_id, stored, mac, message in rows:
        if seq != expected:
            bad, reason = expected, f"entry {expected} is missing (the next entry is {seq})"
            break
        if stop is not None and seq > stop:
            done = True  # past a break already known: nothing after it is verifiable
            break
        pads = macs.get(key_id)
        if stored != prev:
            reason = "does not link to the entry before it"
        elif pads is None:
            reason = "names an unknown log key"
        else:
            inner = pads.inner.copy()
            inner.update(prev)
            if message is not None:
                inner.update(message)
            outer = pads.outer.copy()
            outer.update(inner.digest())
            if (message is None or not compare(outer.digest(), mac)) and not typed_mac_matches(
                conn, seq, prev, mac, macs
            ):
                reason = "has been altered (its MAC does not match)"
        if not reason and seq in wanted:
            reason = next(
                (f"does not match checkpoint {i}" for i, signed in wanted[seq] if signed != mac), ""
            )
        prev, expected, counted = mac, seq + 1, counted + 1
        if reason:
            bad, reason = seq, f"entry {seq} {reason}"
            break
    span.last_seq, span.last_mac, span.counted = expected - 1, prev, counted
    if reason:
        span.first_break.add(bad, reason)
    return done or bool(reason)


def typed_mac_matches(conn: Connection, seq: int, prev: bytes, mac: bytes, macs: Mapping[str, Pads]) -> bool:
    """Check one entry's MAC over canonical() of the entry as the model's column types read it."""
    t = _LOG
    try:
        row = conn.execute(select(*(t.c[name] for name in _FIELDS)).where(t.c.seq == seq)).one()
        message = audit_vocab.canonical(audit_vocab.Entry(*row))
    except (ValueError, TypeError, AttributeError, DataError):
        return False  # a stored value the model cannot read as an entry was not written by the log
    pads = macs.get(row.key_id)
    if pads is None:
        return False
    return hmac.compare_digest(pads.mac(prev + message), mac)
