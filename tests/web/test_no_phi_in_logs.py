"""A canary value sent in requests never appears in the access log, the database file or the app's logs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from roi_tracker import db
from roi_tracker.runtime import Runtime
from roi_tracker.services.people import users
from tests.conftest import ON_POSTGRES
from tests.web.conftest import page_token
from tests.web.conftest import sign_in
from tests.web.conftest import token_for

CANARY = "ZZCANARY-PHI-7781"


def _spread_the_canary(app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]) -> None:
    make_user("nora", "auditor")
    stranger = app.test_client()
    sign_in(stranger, CANARY.lower(), CANARY)  # as a username and a password
    sign_in(stranger, "nora", CANARY)
    auditor = app.test_client()
    sign_in(auditor, "nora")
    auditor.get(f"/audit/log?client_id={CANARY}&actor={CANARY}&action={CANARY}")
    auditor.get(f"/audit/log?since={CANARY}")
    token = token_for(runtime, "nora")
    headers = {"Authorization": f"Bearer {token}"}
    auditor.get(f"/api/v1/audit-events?client_id={CANARY}", headers=headers)
    auditor.get(f"/api/v1/audit-events?limit={CANARY}", headers=headers)
    auditor.get("/api/v1/me", headers={"Authorization": f"Bearer {CANARY}"})
    with runtime.engine.connect() as conn:
        seq = conn.execute(
            sa.text("SELECT max(seq) FROM audit_log WHERE action = 'auth:signin:failed'")
        ).scalar()
    auditor.post(
        f"/audit/queues/signin_failures/{seq}/review",
        data={"csrf_token": page_token(auditor), "note": f"spoke with {CANARY}", "outcome": "appropriate"},
    )


def test_canary_never_reaches_the_access_log_or_any_table(
    app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]
) -> None:
    """No column of any table holds the canary in plaintext (review notes are sealed)."""
    _spread_the_canary(app, runtime, make_user)
    with runtime.engine.connect() as conn:
        for table in db.Base.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                for value in row:
                    raw = value if isinstance(value, bytes) else str(value).encode()
                    assert CANARY.encode() not in raw, table.name
                    assert CANARY.lower().encode() not in raw, table.name


@pytest.mark.skipif(ON_POSTGRES, reason="reads the SQLite file itself")
def test_canary_is_not_in_the_raw_database_file(
    app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView]
) -> None:
    """The SQLite file and its write-ahead log hold no plaintext copy of the canary."""
    _spread_the_canary(app, runtime, make_user)
    runtime.engine.dispose()
    path = Path(runtime.env.settings.database_url.removeprefix("sqlite:///"))
    for candidate in (path, Path(f"{path}-wal")):
        if candidate.exists():
            data = candidate.read_bytes()
            assert CANARY.encode() not in data
            assert CANARY.lower().encode() not in data


def test_canary_is_not_in_the_applications_own_logs(
    app: Flask, runtime: Runtime, make_user: Callable[..., users.UserView], caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing the app logs, at any level, carries the canary."""
    caplog.set_level(logging.DEBUG)
    _spread_the_canary(app, runtime, make_user)
    assert caplog.records, "expected the app to log something at DEBUG"
    assert CANARY not in caplog.text
    assert CANARY.lower() not in caplog.text
