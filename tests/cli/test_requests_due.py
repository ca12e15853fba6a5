"""`roi-tracker requests due`: one line per open request due soon or late, by reference; exit 1 when late."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from roi_tracker.cli.common import open_runtime
from roi_tracker.domain import clients as client_rules
from roi_tracker.services.records import clients
from roi_tracker.services.requests import intake
from tests.cli.conftest import run
from tests.helpers import person


def _today() -> date:
    """Today as the instance reads it (ROI_TIMEZONE is UTC here)."""
    return datetime.now(UTC).date()


def _request(received_on: date) -> str:
    """Log a mailed access request received on `received_on`; return its reference."""
    rt = open_runtime()
    try:
        alice = person(rt, f"alice{received_on.toordinal()}", "clinician")
        with rt.sessions() as session:
            details = client_rules.Demographics(
                given_name="Sam", family_name="Okafor", date_of_birth=date(1988, 8, 8)
            )
            client = clients.register(session, rt.env, alice, details, [])
            made = intake.receive(
                session,
                rt.env,
                alice,
                intake.Intake(
                    client_id=client.id,
                    kind="access",
                    channel="mail",
                    requester={"name": "Sam Okafor"},
                    requester_is="client",
                    categories=["diagnosis"],
                    format="paper",
                    received_on=received_on,
                ),
            )
        return made.reference
    finally:
        rt.close()


def test_exits_0_when_nothing_is_late_and_lists_what_is_due_soon(cli_env: Path) -> None:
    assert run("init")[0] == 0
    soon = _request(_today() - timedelta(days=25))
    _request(_today())
    code, out, _err = run("requests", "due")
    assert code == 0
    assert soon in out
    assert "Okafor" not in out
    assert "1 due within 7 days, 0 late" in out


def test_exits_1_when_any_request_is_late_h_a2(cli_env: Path) -> None:
    assert run("init")[0] == 0
    late = _request(_today() - timedelta(days=31))
    code, out, _err = run("requests", "due")
    assert code == 1
    assert f"{late} access due" in out
    assert "LATE by 1 days" in out


def test_the_demo_instance_has_a_request_due_within_the_week(cli_env: Path) -> None:
    """`init --demo` logs two access requests; `requests due` lists the one at day 25 of 30, not today's."""
    assert run("init", "--demo")[0] == 0
    code, out, err = run("requests", "due")
    assert code == 0, err
    lines = [line for line in out.splitlines() if line.startswith("R-")]
    assert len(lines) == 1, out
