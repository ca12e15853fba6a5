"""The auditor's pages: the filtered, paged access log, CSV export, verification and the review queues."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as client_rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.runtime import Runtime
from roi_tracker.services.audit_review.log import CSV_COLUMNS
from roi_tracker.services.records import clients
from roi_tracker.web import audit_views
from tests.conftest import csrf_from
from tests.helpers import call
from tests.helpers import clear_of_the_hour
from tests.helpers import person
from tests.web.conftest import logged
from tests.web.conftest import page_token
from tests.web.conftest import sign_in
from tests.web.conftest import token_for

ROW = re.compile(
    r'<tr class="outcome-([a-z_]+)">\s*<td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>\s*'
    r"<td>[^<]*<br><small><code>([^<]*)</code></small></td>"
)
OLDER = re.compile(r'<a href="([^"]+)">Older entries</a>')
WRONG = "a wrong password for the log"


def _rows(page: str) -> list[dict[str, str]]:
    """Return the log table's rows as dicts."""
    keys = ("outcome", "seq", "at", "person", "role", "action")
    return [dict(zip(keys, match, strict=True)) for match in ROW.findall(page)]


def _seqs(page: str) -> list[int]:
    return [int(r["seq"]) for r in _rows(page)]


def _append(
    runtime: Runtime, action: Action, outcome: Outcome, *, count: int = 1, at: datetime | None = None
) -> None:
    """Write entries through the log writer, as the services do (optionally dated in the past)."""
    actor = audit.Actor("system", "system")
    with runtime.sessions() as session:
        for _ in range(count):
            runtime.env.log.append(session, actor, action, outcome, object_type="route", object_id="x", at=at)
        audit.commit(session)


def _queued(page: str, seq: int) -> bool:
    """Tell whether a queue page shows entry `seq` awaiting review."""
    return f"<h2>Entry {seq} " in page


@pytest.fixture
def auditor(signed_in: Callable) -> FlaskClient:
    """A browser signed in as an auditor."""
    return signed_in("avery", "auditor")


def test_shows_the_log_newest_first(auditor: FlaskClient, make_user: Callable) -> None:
    """The log page lists entries with the person's username, newest first."""
    make_user("alice", "clinician")
    page = auditor.get("/audit/log")
    assert page.status_code == 200
    rows = _rows(page.text)
    assert [int(r["seq"]) for r in rows] == sorted((int(r["seq"]) for r in rows), reverse=True)
    assert "avery" in {r["person"] for r in rows}
    assert "auth:signin:succeeded" in {r["action"] for r in rows}


def test_filters_by_username_action_and_outcome(
    app: Flask, auditor: FlaskClient, make_user: Callable, runtime: Runtime
) -> None:
    """Filters narrow the log to one person, one action and one outcome."""
    make_user("alice", "clinician")
    make_user("bob", "clinician")
    sign_in(app.test_client(), "alice", WRONG)
    sign_in(app.test_client(), "bob", WRONG)
    sign_in(app.test_client(), "alice")
    by_alice = _rows(auditor.get("/audit/log?actor=alice").text)
    assert by_alice
    assert {r["person"] for r in by_alice} == {"alice"}
    assert {r["action"] for r in by_alice} == {"auth:signin:failed", "auth:signin:succeeded"}
    failed = _rows(auditor.get("/audit/log?action=auth:signin:failed").text)
    assert sorted(r["person"] for r in failed) == ["alice", "bob"]
    refused_by_alice = _rows(auditor.get("/audit/log?actor=ALICE&outcome=refused").text)
    assert [(r["person"], r["action"]) for r in refused_by_alice] == [("alice", "auth:signin:failed")]
    assert _rows(auditor.get("/audit/log?actor=nobody").text) == []


@pytest.mark.parametrize(
    ("since", "until", "years"),
    [
        ("2019-01-01", "2019-12-31", {2019}),
        ("2019-06-01", "2019-06-01", {2019}),
        ("2020-01-01", "2024-12-31", {2024}),
        ("1970-01-01", "2099-12-31", {2019, 2024, "now"}),
        ("0001-01-01", "", {2019, 2024, "now"}),
        ("", "2023-12-31", {2019}),
        ("2030-01-01", "", set()),
    ],
)
def test_filters_by_any_date_range(
    since: str, until: str, years: set, auditor: FlaskClient, runtime: Runtime
) -> None:
    """since/until take any range, including years apart, both days included."""
    _append(runtime, Action.ACCESS_DENIED, Outcome.REFUSED, at=datetime(2019, 6, 1, 23, 59, tzinfo=UTC))
    _append(runtime, Action.ACCESS_DENIED, Outcome.REFUSED, at=datetime(2024, 6, 1, 0, 0, tzinfo=UTC))
    _append(runtime, Action.ACCESS_DENIED, Outcome.REFUSED)
    page = auditor.get(f"/audit/log?action=access:denied&since={since}&until={until}")
    assert page.status_code == 200
    this_year = datetime.now(UTC).year
    found = {int(r["at"][:4]) for r in _rows(page.text)}
    assert found == {this_year if y == "now" else y for y in years}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=2024-13-01", "since"),
        ("since=2024-02-30", "since"),
        ("until=yesterday", "until"),
        ("until=2024-1-1x", "until"),
        ("since=2024-01-01-and-more", "since"),
        ("cursor=abc", "cursor"),
        ("cursor=%C2%B2", "cursor"),
        ("cursor=99999999999999999999", "cursor"),
        ("outcome=maybe", "outcome"),
        ("actor=al%00ice", "actor"),
    ],
)
def test_refuses_a_malformed_filter_naming_the_field(query: str, field: str, auditor: FlaskClient) -> None:
    """A malformed date (or other filter) answers 422 and says which field is wrong."""
    response = auditor.get(f"/audit/log?{query}")
    assert response.status_code == 422
    assert field in response.text


def test_accepts_the_last_representable_day_as_until(auditor: FlaskClient) -> None:
    """until=9999-12-31 is a valid (if generous) date: 200, not a server error."""
    assert auditor.get("/audit/log?until=9999-12-31").status_code == 200


def test_pages_with_a_cursor_without_overlap(auditor: FlaskClient, runtime: Runtime) -> None:
    """More than 50 entries: following 'Older entries' walks every entry once, newest first."""
    _append(runtime, Action.ACCESS_DENIED, Outcome.REFUSED, count=120)
    page = auditor.get("/audit/log")
    pages = [_seqs(page.text)]
    newest = pages[0][0]
    while link := OLDER.search(page.text):
        page = auditor.get(html.unescape(link.group(1)))
        assert page.status_code == 200
        pages.append(_seqs(page.text))
    assert [len(p) for p in pages] == [50, 50, newest - 100]
    walked = [seq for p in pages for seq in p]
    assert walked == list(range(newest, 0, -1))


def test_keeps_the_filters_while_paging(auditor: FlaskClient, runtime: Runtime) -> None:
    """The cursor link carries the filters, so page two is still filtered."""
    _append(runtime, Action.ACCESS_DENIED, Outcome.REFUSED, count=60)
    _append(runtime, Action.KEYS_ROTATED, Outcome.ALLOWED, count=5)
    first = auditor.get("/audit/log?action=access:denied")
    link = OLDER.search(first.text)
    assert link
    second = auditor.get(html.unescape(link.group(1)))
    actions = {r["action"] for r in _rows(first.text) + _rows(second.text)}
    assert actions == {"access:denied"}
    assert len(_rows(first.text)) + len(_rows(second.text)) == 60


def test_exports_csv_and_logs_the_export(
    app: Flask, auditor: FlaskClient, make_user: Callable, runtime: Runtime
) -> None:
    """The CSV download has the documented columns, honours filters, and is logged as audit:exported."""
    make_user("alice", "clinician")
    sign_in(app.test_client(), "alice", WRONG)
    response = auditor.get("/audit/log.csv?action=auth:signin:failed")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    table = list(csv.reader(io.StringIO(response.text)))
    assert tuple(table[0]) == CSV_COLUMNS
    rows = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in table[1:]]
    assert [(r["actor_name"], r["action"], r["outcome"]) for r in rows] == [
        ("alice", "auth:signin:failed", "refused")
    ]
    exported = logged(runtime, Action.AUDIT_EXPORTED)
    assert len(exported) == 1
    assert exported[0].actor == _user_id(runtime, "avery")
    assert exported[0].basis == "csv"


def test_exports_every_entry_oldest_first(auditor: FlaskClient, runtime: Runtime) -> None:
    """An unfiltered export holds the whole log, export entry included, in order, on either database."""
    _append(runtime, Action.ACCESS_DENIED, Outcome.REFUSED, count=700)
    response = auditor.get("/audit/log.csv")
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.text)))
    seqs = [int(row[0]) for row in table[1:]]
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) > 700
    assert table[-1][CSV_COLUMNS.index("action")] == Action.AUDIT_EXPORTED.value


def test_exports_a_log_larger_than_the_memory_spool(
    auditor: FlaskClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file past the in-memory limit goes through a temporary file and arrives whole."""
    monkeypatch.setattr(audit_views, "SPOOL_BYTES", 1024)
    _append(runtime, Action.ACCESS_DENIED, Outcome.REFUSED, count=200)
    with auditor.get("/audit/log.csv") as response:
        table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert len(response.get_data()) > 1024
    assert [int(row[0]) for row in table[1:]] == list(range(1, len(table)))


def _user_id(runtime: Runtime, username: str) -> str:
    with runtime.sessions() as session:
        return str(session.scalar(select(models.User.id).filter_by(username=username)))


def test_verifies_the_log_on_request_and_keeps_the_time(auditor: FlaskClient, runtime: Runtime) -> None:
    """POST /audit/verification runs the verifier; the page then says intact and when it ran."""
    before = auditor.get("/audit/verification")
    assert "has not been verified yet" in before.text
    started = datetime.now(UTC).replace(microsecond=0)
    response = auditor.post("/audit/verification", data={"csrf_token": csrf_from(before.text)})
    assert response.status_code == 302
    page = auditor.get(response.headers["Location"])
    assert "The access log is intact" in page.text
    assert "Intact:" in page.text
    assert "Last checked" in page.text
    with runtime.sessions() as session:
        (verdict,) = session.execute(select(models.AuditVerification)).scalars()
    assert verdict.intact
    assert verdict.at >= started
    assert f"Last checked {verdict.at:%Y-%m-%d %H:%M} UTC" in page.text  # to the minute, in the practice zone
    assert [e.outcome for e in logged(runtime, Action.AUDIT_VERIFIED)] == [Outcome.ALLOWED.value]


def test_queues_a_failed_sign_in_until_it_is_reviewed(
    app: Flask, auditor: FlaskClient, make_user: Callable, runtime: Runtime
) -> None:
    """A failed sign-in waits in signin_failures; a review with a note removes it and is logged."""
    make_user("alice", "clinician")
    sign_in(app.test_client(), "alice", WRONG)
    (failure,) = logged(runtime, Action.SIGNIN_FAILED)
    queue = auditor.get("/audit/queues/signin_failures")
    assert queue.status_code == 200
    assert _queued(queue.text, failure.seq)
    note = "Called Alice: she mistyped after the holiday. Nothing further."
    response = auditor.post(
        f"/audit/queues/signin_failures/{failure.seq}/review",
        data={"note": note, "outcome": "appropriate", "csrf_token": page_token(auditor)},
    )
    assert response.status_code == 302
    assert not _queued(auditor.get("/audit/queues/signin_failures").text, failure.seq)
    reviewed = logged(runtime, Action.AUDIT_REVIEWED)
    assert [(e.object_id, e.basis, e.actor) for e in reviewed] == [
        (str(failure.seq), "signin_failures:appropriate", _user_id(runtime, "avery"))
    ]
    with runtime.sessions() as session:
        (stored,) = session.execute(select(models.AuditReview.note)).scalars()
    assert note.encode() not in bytes(stored)
    assert b"Alice" not in bytes(stored)


def test_refuses_to_review_an_entry_twice(
    app: Flask, auditor: FlaskClient, make_user: Callable, runtime: Runtime
) -> None:
    """A second review of the same entry answers 409 and stores nothing more."""
    make_user("alice", "clinician")
    sign_in(app.test_client(), "alice", WRONG)
    (failure,) = logged(runtime, Action.SIGNIN_FAILED)
    path = f"/audit/queues/signin_failures/{failure.seq}/review"
    assert (
        auditor.post(
            path, data={"note": "first", "outcome": "appropriate", "csrf_token": page_token(auditor)}
        ).status_code
        == 302
    )
    assert (
        auditor.post(
            path, data={"note": "second", "outcome": "appropriate", "csrf_token": page_token(auditor)}
        ).status_code
        == 409
    )
    assert len(logged(runtime, Action.AUDIT_REVIEWED)) == 1


@pytest.mark.parametrize("note", ["", "   ", "x" * 2001])
def test_refuses_a_review_without_a_usable_note(
    note: str, app: Flask, auditor: FlaskClient, make_user: Callable, runtime: Runtime
) -> None:
    """A review needs a note of 1 to 2000 characters; otherwise 422 and the entry stays queued."""
    make_user("alice", "clinician")
    sign_in(app.test_client(), "alice", WRONG)
    (failure,) = logged(runtime, Action.SIGNIN_FAILED)
    response = auditor.post(
        f"/audit/queues/signin_failures/{failure.seq}/review",
        data={"note": note, "outcome": "appropriate", "csrf_token": page_token(auditor)},
    )
    assert response.status_code == 422
    assert logged(runtime, Action.AUDIT_REVIEWED) == []
    assert _queued(auditor.get("/audit/queues/signin_failures").text, failure.seq)


def test_queues_a_refused_request_for_review(
    auditor: FlaskClient, signed_in: Callable, runtime: Runtime
) -> None:
    """A wrong-role request lands in the refused queue (and not among sign-in failures)."""
    signed_in("carol", "clinician").get("/admin/users")
    (denied,) = logged(runtime, Action.ACCESS_DENIED)
    assert _queued(auditor.get("/audit/queues/refused").text, denied.seq)
    assert not _queued(auditor.get("/audit/queues/signin_failures").text, denied.seq)


def test_answers_404_for_an_unknown_queue(auditor: FlaskClient) -> None:
    """Only the four named queues exist."""
    assert auditor.get("/audit/queues/everything").status_code == 404


def test_a_log_without_its_checkpoint_file_is_shown_as_cannot_vouch(
    auditor: FlaskClient, runtime: Runtime
) -> None:
    """With entries and no checkpoint file the page says the verifier cannot vouch, never intact."""
    from roi_tracker.audit import checkpoints

    checkpoints.path_in(runtime.env.settings.checkpoint_dir).unlink()
    before = auditor.get("/audit/verification")
    response = auditor.post("/audit/verification", data={"csrf_token": csrf_from(before.text)})
    page = auditor.get(response.headers["Location"])
    assert "The access log cannot be verified: cannot vouch: the checkpoint file" in html.unescape(page.text)
    assert "Intact" not in page.text
    assert "Broken at entry None" not in page.text


def test_the_json_verdict_says_how_many_entries_no_checkpoint_signs_yet(
    app: Flask, auditor: FlaskClient, runtime: Runtime
) -> None:
    """GET /api/v1/audit/verification answers the unanchored count and, empty here, why it cannot vouch."""
    bearer = {"Authorization": f"Bearer {token_for(runtime, 'avery')}"}
    verdict = app.test_client().get("/api/v1/audit/verification", headers=bearer).get_json()
    with runtime.sessions() as session:
        signed = session.scalar(
            select(models.AuditCheckpoint.head_seq).order_by(models.AuditCheckpoint.id.desc()).limit(1)
        )
    assert verdict["intact"] is True
    assert verdict["cannot_vouch"] == ""
    assert verdict["unanchored"] == verdict["head_seq"] - (signed or 0) > 0


def test_a_bulk_access_reviewed_inappropriate_on_the_page_opens_an_incident_and_says_so(
    auditor: FlaskClient, runtime: Runtime, with_settings: Callable[..., None]
) -> None:
    """The queue asks appropriate or inappropriate (no default); inappropriate names the incident opened."""
    clear_of_the_hour()
    with_settings(bulk_access_threshold=1)
    nosy = person(runtime, "nora", "clinician")
    for name in ("Ann", "Ben"):
        d = client_rules.Demographics(given_name=name, family_name="Example", date_of_birth=date(1990, 1, 1))
        call(runtime, clients.get, nosy, call(runtime, clients.register, nosy, d, []).id)
    page = auditor.get("/audit/queues/bulk_access")
    seq = max(int(s) for s in re.findall(r"<h2>Entry (\d+) ", page.text))
    assert '<option value="" selected' not in page.text
    assert "— choose —" in page.text
    path = f"/audit/queues/bulk_access/{seq}/review"
    undecided = auditor.post(path, data={"note": "Asked Nora", "csrf_token": page_token(auditor)})
    assert undecided.status_code == 422
    assert "Choose an outcome" in undecided.text
    assert "Asked Nora" in undecided.text
    decided = auditor.post(
        path,
        data={"note": "Not her clients", "outcome": "inappropriate", "csrf_token": page_token(auditor)},
        follow_redirects=True,
    )
    assert decided.status_code == 200
    assert re.search(r"Incident INC-\d{4}-[0-9A-F]{10} is open for assessment", decided.text)
    assert "Nothing waiting for review." in decided.text
    with runtime.sessions() as session:
        (incident,) = session.execute(select(models.Incident)).scalars()
    assert (incident.kind, incident.source) == ("unauthorized_access", "access_log_review")
