"""A canary client's name and date of birth never appear at rest or in any log (security.md A13).

The client "ZZCANARY-PHI-7781", born 1971-07-19, is registered through the API and then read, searched, edited
and given a document through the API and the web pages. Neither value may then be found in the raw SQLite file
and its write-ahead log, a PostgreSQL dump, any table row, the access log, or anything the app logged.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

from roi_tracker import db
from roi_tracker import models
from roi_tracker.runtime import Runtime
from roi_tracker.services.people import users
from tests.conftest import ON_POSTGRES
from tests.conftest import csrf_from
from tests.helpers import pdf
from tests.web.conftest import page_token
from tests.web.conftest import sign_in
from tests.web.conftest import token_for

CANARY = "ZZCANARY-PHI-7781"
BORN = "1971-07-19"
NEEDLES = (CANARY.encode(), CANARY.lower().encode(), BORN.encode())
PDF = pdf(f"{CANARY} born {BORN}")


def _bearer(runtime: Runtime, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(runtime, username)}"}


def spread_the_canary(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> str:
    """Register the canary client through the API, then use it every way the app offers; return its id."""
    make_user("carol", "clinician")
    make_user("frank", "front_desk")
    carol = _bearer(runtime, "carol")
    body = {
        "given_name": CANARY,
        "family_name": CANARY,
        "date_of_birth": BORN,
        "email": f"{CANARY.lower()}@example.org",
        "address": f"{CANARY} Street",
        "emergency_contact": f"{CANARY} senior, born {BORN}",
    }
    api = app.test_client()
    created = api.post("/api/v1/clients", json=body, headers=carol)
    assert created.status_code == 201, created.text
    client_id = created.json["id"]
    assert api.get(f"/api/v1/clients/{client_id}", headers=carol).json["family_name"] == CANARY
    search = {"family_name": CANARY.lower(), "date_of_birth": BORN}
    found = api.post("/api/v1/clients/search", json=search, headers=_bearer(runtime, "frank"))
    assert [item["id"] for item in found.json["items"]] == [client_id]
    upload = {
        "file": (io.BytesIO(PDF), f"{CANARY}.pdf"),
        "category": "attendance",
        "title": f"{CANARY} {BORN}",
    }
    document = api.post(f"/api/v1/clients/{client_id}/documents", data=upload, headers=carol)
    assert document.status_code == 201, document.text
    assert api.get(f"/api/v1/documents/{document.json['id']}", headers=carol).data == PDF
    bad = {**body, "date_of_birth": f"{BORN}x"}
    assert api.post("/api/v1/clients", json=bad, headers=carol).status_code == 422

    web = app.test_client()
    assert sign_in(web, "frank").status_code == 302
    page = web.get(f"/clients/{client_id}")
    assert CANARY in page.text
    token = csrf_from(web.get("/clients").text)
    results = web.post("/clients", data={"csrf_token": token, "family_name": CANARY, "date_of_birth": BORN})
    assert CANARY in results.text
    web.post("/clients", data={"csrf_token": token, "family_name": CANARY, "date_of_birth": "1971-19-07"})
    edit = {"given_name": CANARY, "family_name": CANARY, "date_of_birth": BORN, "clinicians": "carol"}
    edited = web.post(f"/clients/{client_id}/edit", data={**edit, "csrf_token": page_token(web)})
    assert edited.status_code == 302, edited.text
    web.get(f"/clients?family_name={CANARY}&date_of_birth={BORN}")
    return str(client_id)


def assert_no_canary(data: bytes, where: str) -> None:
    """Fail when `data` holds the canary name or date of birth, as text or as hex."""
    for needle in NEEDLES:
        assert needle not in data, f"{needle!r} found in {where}"
        assert needle.hex().encode() not in data.lower(), f"{needle!r} found hex-encoded in {where}"


def rows_of(runtime: Runtime, table: sa.Table) -> list[bytes]:
    """Return each row of `table` as the bytes of its values joined."""
    out = []
    with runtime.engine.connect() as conn:
        for row in conn.execute(sa.select(table)):
            out.append(b"\x00".join(v if isinstance(v, bytes) else str(v).encode() for v in row))
    return out


def test_the_canary_is_in_no_table_row(
    app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]
) -> None:
    """Every column of every table holds ciphertext, identifiers or codes, never the canary."""
    spread_the_canary(app, runtime, make_user)
    tables = db.Base.metadata.sorted_tables
    assert {"clients", "documents", "document_blobs", "audit_log"} <= {t.name for t in tables}
    for table in tables:
        for row in rows_of(runtime, table):
            assert_no_canary(row, f"a row of {table.name}")


def test_the_access_log_records_the_canary_client_by_id_only(
    app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]
) -> None:
    """The log names the client by id for each use, and never by name or date of birth."""
    client_id = spread_the_canary(app, runtime, make_user)
    entries = rows_of(runtime, models.AuditEntry.__table__)  # type: ignore[arg-type]
    about = [e for e in entries if client_id.encode() in e]
    assert len(about) >= 8, "expected the writes, reads, searches and downloads to be logged"
    for entry in entries:
        assert_no_canary(entry, "the access log")


def test_the_canary_is_not_in_the_apps_own_logs(
    app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView], caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing logged at any level, message, argument or traceback, carries the canary."""
    caplog.set_level(logging.DEBUG)
    spread_the_canary(app, runtime, make_user)
    assert caplog.records, "expected the app to log something at DEBUG"
    assert_no_canary(caplog.text.encode(), "the app's log output")
    for record in caplog.records:
        text = f"{record.getMessage()} {record.exc_text or ''} {record.args!r}"
        assert_no_canary(text.encode(), f"a log record from {record.name}")


@pytest.mark.skipif(ON_POSTGRES, reason="reads the SQLite file itself (SQLite run only)")
def test_the_canary_is_not_in_the_raw_sqlite_file_or_its_wal(
    app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]
) -> None:
    """The database file and its write-ahead log, read as bytes, hold no plaintext copy."""
    spread_the_canary(app, runtime, make_user)
    path = Path(runtime.env.settings.database_url.removeprefix("sqlite:///"))
    wal = Path(f"{path}-wal")
    wal_before_dispose = wal.read_bytes() if wal.exists() else b""
    runtime.engine.dispose()
    assert path.stat().st_size > 0
    assert_no_canary(wal_before_dispose, "the write-ahead log")
    for candidate in (path, wal):
        if candidate.exists():
            assert_no_canary(candidate.read_bytes(), candidate.name)


def _schema_of(url: str) -> str:
    options = make_url(url).query.get("options", "")
    match = re.search(r"search_path=(\w+)", str(options))
    assert match, f"no search_path in {url}"
    return match.group(1)


@pytest.mark.skipif(not ON_POSTGRES, reason="dumps a PostgreSQL schema (PostgreSQL run only)")
def test_the_canary_is_not_in_a_postgresql_dump(
    app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]
) -> None:
    """pg_dump of the test schema (data and DDL) holds the canary neither as text nor as hex bytea."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump is not installed")
    spread_the_canary(app, runtime, make_user)
    url = make_url(runtime.env.settings.database_url)
    command = [pg_dump, "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or ""]
    command += ["-d", url.database or "", "-n", _schema_of(runtime.env.settings.database_url)]
    dump = subprocess.run(command, capture_output=True, check=False, timeout=120)
    assert dump.returncode == 0, dump.stderr.decode()
    assert b"COPY" in dump.stdout
    assert b"audit_log" in dump.stdout
    assert_no_canary(dump.stdout, "the pg_dump output")
