"""Benchmark P3: verify an N-entry access log from SQLite and compare with the raw HMAC-SHA256 rate.

Run: `.venv/bin/python bench/verify.py [--entries N] [--profile]` (default 1,000,000 entries).
The chain is built directly (MACs computed here, rows bulk-inserted), not through `Log.append`, so that
building it takes seconds; the verifier then reads it back like any other log. Exits 1 when a target fails.
"""

from __future__ import annotations

import argparse
import cProfile
import hmac
import pstats
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

from roi_tracker import crypto
from roi_tracker import db
from roi_tracker import migrate
from roi_tracker import models
from roi_tracker.audit import verify
from roi_tracker.domain import audit_vocab

TARGET_RATE = 150_000
TARGET_RATIO = 0.5
BATCH = 50_000
ACTIONS = tuple(audit_vocab.Action)
ROLES = ("clinician", "records_clerk", "supervisor", "admin")


def entries(count: int, key_id: str) -> Iterator[audit_vocab.Entry]:
    """Yield `count` plausible entries, identifiers only, one millisecond apart."""
    start = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    for seq in range(1, count + 1):
        yield audit_vocab.Entry(
            seq=seq,
            at=start + timedelta(milliseconds=seq),
            actor=f"user-{seq % 97:04d}",
            role=ROLES[seq % len(ROLES)],
            action=ACTIONS[seq % len(ACTIONS)].value,
            object_type="client_record",
            object_id=f"rec-{seq * 7919 % 1_000_003:08d}",
            client_id=f"client-{seq % 20_011:06d}",
            outcome=audit_vocab.Outcome.ALLOWED.value,
            basis=f"auth-{seq % 5_003:05d}",
            request_id=f"{seq * 2654435761 % 2**64:016x}",
            key_id=key_id,
        )


def build(url: str, keyring: crypto.Keyring, count: int) -> list[bytes]:
    """Write a valid chain of `count` entries; return each entry's MAC input (prev || canonical)."""
    key = keyring.log_key
    table = models.AuditEntry.__table__
    engine = db.make_engine(url)
    messages: list[bytes] = []
    prev = audit_vocab.GENESIS_MAC
    rows: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for entry in entries(count, key.id):
            message = prev + audit_vocab.canonical(entry)
            mac = hmac.digest(key.material, message, "sha256")
            messages.append(message)
            rows.append({**_fields(entry), "prev_mac": prev, "mac": mac})
            prev = mac
            if len(rows) == BATCH:
                conn.execute(table.insert(), rows)
                rows = []
        if rows:
            conn.execute(table.insert(), rows)
    engine.dispose()
    return messages


def _fields(entry: audit_vocab.Entry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in audit_vocab.Entry.__dataclass_fields__}


def time_verify(
    url: str, keyring: crypto.Keyring, checkpoint_dir: Path, *, profile: bool
) -> tuple[float, int]:
    """Run a full verification; return its duration and the number of entries verified."""
    engine = db.make_engine(url)
    sessions = db.make_session_factory(engine)
    profiler = cProfile.Profile() if profile else None
    with sessions() as session:
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        verdict = verify.verify(session, keyring, checkpoint_dir, full=True)
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
    engine.dispose()
    if not verdict.intact:
        raise SystemExit(f"the benchmark chain does not verify: {verdict}")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(18)
    return elapsed, verdict.verified


def time_raw_hmac(key: bytes, messages: list[bytes]) -> float:
    """Return the seconds taken to HMAC-SHA256 every message already in memory (one-shot `hmac.digest`)."""
    digest = hmac.digest
    started = time.perf_counter()
    for message in messages:
        digest(key, message, "sha256")
    return time.perf_counter() - started


def report(count: int, build_s: float, verify_s: float, raw_s: float) -> bool:
    """Print the figures and targets; return whether both targets are met."""
    rate = count / verify_s
    raw_rate = count / raw_s
    ratio = rate / raw_rate
    rate_ok, ratio_ok = rate >= TARGET_RATE, ratio >= TARGET_RATIO
    rows = (
        ("entries", f"{count:,}", "", ""),
        ("build chain (s)", f"{build_s:.2f}", "", ""),
        ("verify full (s)", f"{verify_s:.2f}", "", ""),
        ("verify entries/s", f"{rate:,.0f}", f">= {TARGET_RATE:,}", _verdict(rate_ok)),
        ("raw HMAC-SHA256 entries/s", f"{raw_rate:,.0f}", "", ""),
        ("ratio verify / raw HMAC", f"{ratio:.2f}", f">= {TARGET_RATIO}", _verdict(ratio_ok)),
        ("P3 (one process)", "", "", _verdict(rate_ok and ratio_ok)),
    )
    print(f"{'measure':<28}{'value':>14}  {'target':<12}{'':>4}")
    for name, value, target, verdict in rows:
        print(f"{name:<28}{value:>14}  {target:<12}{verdict:>4}")
    return rate_ok and ratio_ok


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    """Build the chain, time the verifier and the raw HMAC, and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="chain length (default 1,000,000)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the verification")
    args = parser.parse_args(argv)
    keyring = crypto.Keyring.generate()
    with tempfile.TemporaryDirectory(prefix="roi-bench-verify-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        migrate.upgrade(url)
        started = time.perf_counter()
        messages = build(url, keyring, args.entries)
        build_s = time.perf_counter() - started
        verify_s, verified = time_verify(url, keyring, Path(folder) / "checkpoints", profile=args.profile)
        assert verified == args.entries, verified
        raw_s = time_raw_hmac(keyring.log_key.material, messages)
    return 0 if report(args.entries, build_s, verify_s, raw_s) else 1


if __name__ == "__main__":
    sys.exit(main())
