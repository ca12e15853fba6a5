"""H-X1 under concurrency: two recordings of one signed form are serialized, so the second sees the first."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from roi_tracker import crypto
from roi_tracker.runtime import Runtime
from roi_tracker.services.releases import signed_forms
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES, reason="PostgreSQL only: on SQLite every write transaction already holds the write lock"
)
FORM = crypto.sha256(b"one signed form")
OTHER_FORM = crypto.sha256(b"another signed form")


def _try_to_hold(runtime: Runtime, digest: bytes, outcome: list[str]) -> None:
    with runtime.sessions() as session:
        session.execute(text("SET LOCAL lock_timeout = '300ms'"))
        try:
            signed_forms.hold_the_form(session, digest)
            outcome.append("held")
        except OperationalError:
            outcome.append("waited")
        session.rollback()


def test_a_second_recording_of_the_same_form_waits_until_the_first_commits(runtime: Runtime) -> None:
    with runtime.sessions() as first:
        signed_forms.hold_the_form(first, FORM)
        same: list[str] = []
        other: list[str] = []
        for digest, outcome in ((FORM, same), (OTHER_FORM, other)):
            worker = threading.Thread(target=_try_to_hold, args=(runtime, digest, outcome))
            worker.start()
            worker.join(10)
        assert same == ["waited"]
        assert other == ["held"]
        first.commit()
    after: list[str] = []
    _try_to_hold(runtime, FORM, after)
    assert after == ["held"]
