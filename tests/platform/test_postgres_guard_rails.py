"""PostgreSQL guard rails: the least-privilege role may only INSERT and SELECT the access log."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from roi_tracker import audit
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.runtime import Runtime
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only (set ROI_TEST_DATABASE_URL)")


def test_app_role_may_insert_and_select_but_not_update_or_delete_the_log(runtime: Runtime) -> None:
    """As roi_app, appending and reading the log work; UPDATE, DELETE and TRUNCATE are refused."""
    with runtime.sessions() as session:
        session.execute(sa.text("SET LOCAL ROLE roi_app"))
        runtime.env.log.append(session, audit.Actor("u", "admin"), Action.USER_CREATED, Outcome.ALLOWED)
        assert session.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one() == 1
        session.commit()
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with runtime.sessions() as session:
            session.execute(sa.text("SET LOCAL ROLE roi_app"))
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                session.execute(sa.text(statement))


def test_app_role_may_change_ordinary_tables(runtime: Runtime) -> None:
    """The role is not read-only: it can update users and delete sessions."""
    with runtime.sessions() as session:
        session.execute(sa.text("SET LOCAL ROLE roi_app"))
        session.execute(sa.text("UPDATE users SET active = true"))
        session.execute(sa.text("DELETE FROM web_sessions"))
        session.commit()
