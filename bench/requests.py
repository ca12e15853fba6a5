"""Benchmark P7: the request desk's queue (issue 18), 10,000 open requests among the P2 instance's clients.

Run: `.venv/bin/python -m bench.requests [--clients N] [--requests R]` (or `make bench`, part P7).
Reuses the SQLite instance of P2 (bench/.data/search-N) and adds R open requests once, bulk-inserted with due
dates spread over 60 days (their sealed details are placeholder bytes: the queue never decrypts them). Timed:
the queue use case (`queue.page`, the front desk's first page, soonest due first, its read logged) and
`GET /api/v1/requests` through the app, under 200 ms each (median of the runs); and recording a request
against a disclosure check for the same clients, the first no dearer than the second. Exits 1 on a miss.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select

from bench import instances
from bench import load
from bench import search
from bench.table import Row
from roi_tracker import audit
from roi_tracker import models
from roi_tracker.app import create_app
from roi_tracker.runtime import Runtime
from roi_tracker.runtime import open_instance
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.people import users
from roi_tracker.services.requests import intake
from roi_tracker.services.requests import queue

TARGET_MS = 200.0
RUNS = 15


def seed(runtime: Runtime, count: int) -> int:
    """Add open requests until there are `count`; return how many were added."""
    with runtime.sessions() as session:
        have = session.execute(
            select(func.count())
            .select_from(models.RecordRequest)
            .where(models.RecordRequest.status == "open")
        ).scalar_one()
        missing = count - int(have)
        if missing <= 0:
            return 0
        clients = list(session.execute(select(models.Client.id).limit(missing)).scalars())
        desk = users.by_username(session, "frontdesk")
        rng = random.Random(7)  # noqa: S311 - synthetic data, not a secret
        today = datetime.now(UTC).date()
        rows = []
        for n in range(missing):
            received = today - timedelta(days=rng.randrange(0, 30))
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "reference": f"R-B{int(have) + n:06d}",
                    "client_id": clients[n % len(clients)],
                    "kind": "access",
                    "status": "open",
                    "received_on": received,
                    "due_on": received + timedelta(days=30),
                    "extended": False,
                    "channel": "mail",
                    "requester_is": "client",
                    "format": "paper",
                    "details": b"bench placeholder",
                    "fee_cents": 0,
                    "fee_status": "none",
                    "recorded_by": desk.id,
                    "recorded_at": datetime.now(UTC),
                }
            )
        session.execute(insert(models.RecordRequest), rows)
        session.commit()
        return missing


def creation_vs_check(clients: int) -> tuple[float, float]:
    """Median ms of recording an access request and of a disclosure check, on the P1 instance's releases.

    Issue 18: a request's creation costs no more than a disclosure check. Both run as the seeded front desk,
    for the same clients in turn, each question about a seeded authorization (bench/load.py's bodies).
    Each creation adds one open request to that instance (RUNS a run), as the desk would.
    """
    instance = instances.prepare("sqlite", clients)
    path = load.bodies(instance, instance.folder / "p7-bodies.jsonl", count=RUNS)
    asked = [json.loads(line) for line in path.read_text().splitlines() if line]
    runtime = open_instance(instance.settings())
    try:
        with runtime.sessions() as session:
            desk = users.by_username(session, "seed-frontdesk-01")
        actor = audit.Actor(str(desk.id), "front_desk", "bench")
        turn = iter(range(10 * RUNS))

        def create() -> None:
            body = asked[next(turn) % len(asked)]
            made = intake.Intake(
                client_id=uuid.UUID(body["client_id"]),
                kind="access",
                channel="mail",
                requester={"name": "Bench Client"},
                requester_is="client",
                categories=body["categories"],
                format="paper",
            )
            with runtime.sessions() as session:
                intake.receive(session, runtime.env, actor, made)

        def check() -> None:
            body = asked[next(turn) % len(asked)]
            q = disclosures.question(
                uuid.UUID(body["client_id"]),
                body["recipient_id"],
                body["categories"],
                body["purpose"],
                None,
                runtime.env.today(),
            )
            with runtime.sessions() as session:
                disclosures.check(session, runtime.env, actor, q)

        return median_ms(create), median_ms(check)
    finally:
        runtime.close()


def median_ms(action: object) -> float:
    """Run `action` RUNS times; return the median in milliseconds."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1e3)
    return statistics.median(times)


def rows(clients: int = 100_000, requests: int = 10_000) -> list[Row]:
    """Seed (once) and time the queue, as the use case and through the API."""
    folder, _ = search.open_or_build(clients, False)
    runtime = open_instance(search.settings_for(folder))
    try:
        added = seed(runtime, requests)
        print(f"instance: {folder}; {added:,} requests added")
        with runtime.sessions() as session:
            desk = users.by_username(session, "frontdesk")
            token = users.issue_token(session, runtime.env, audit.SYSTEM, "frontdesk")
        actor = audit.Actor(str(desk.id), "front_desk", "bench")

        def use_case() -> None:
            with runtime.sessions() as session:
                queue.page(session, runtime.env, actor, queue.Filters(status="open"), limit=50)

        browser = create_app(runtime).test_client()
        headers = {"Authorization": f"Bearer {token}"}

        def api() -> None:
            answer = browser.get("/api/v1/requests?status=open&limit=50", headers=headers)
            if answer.status_code != 200:
                raise SystemExit(f"GET /api/v1/requests answered {answer.status_code}")

        service_ms, api_ms = median_ms(use_case), median_ms(api)
    finally:
        runtime.close()
    create_ms, check_ms = creation_vs_check(clients)
    print(f"queue.page {service_ms:.1f} ms, GET /api/v1/requests {api_ms:.1f} ms (median of {RUNS})")
    print(f"intake.receive {create_ms:.1f} ms, disclosures.check {check_ms:.1f} ms (median of {RUNS})")
    what = f"at {clients:,} clients, {requests:,} open requests, ms"
    return [
        Row(
            "P7",
            f"request queue (use case) {what}",
            f"{service_ms:.1f}",
            "",
            "",
            f"< {TARGET_MS:.0f}",
            service_ms < TARGET_MS,
        ),
        Row(
            "P7",
            f"GET /api/v1/requests {what}",
            f"{api_ms:.1f}",
            "",
            "",
            f"< {TARGET_MS:.0f}",
            api_ms < TARGET_MS,
        ),
        Row(
            "P7",
            "request creation vs a disclosure check (use cases), ms",
            f"{create_ms:.1f}",
            f"{check_ms:.1f}",
            f"{create_ms / check_ms:.2f}",
            "<= 1.0",
            create_ms <= check_ms,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    """Run P7 and print its rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=10_000)
    args = parser.parse_args(argv)
    result = rows(args.clients, args.requests)
    for row in result:
        print(f"{row.what}: {row.figure} ({row.verdict})")
    return 0 if all(r.ok for r in result) else 1


if __name__ == "__main__":
    sys.exit(main())
