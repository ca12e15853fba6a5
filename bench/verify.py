"""Benchmark P3: verify an N-entry access log from SQLite and compare with the raw HMAC-SHA256 rate.

Run: `.venv/bin/python -m bench.verify [--entries N] [--jobs N] [--profile]` (defaults: 1,000,000 and 2).
The chain is built directly (MACs computed here, rows bulk-inserted), not through `Log.append`; the verifier
then reads it back like any other log, once in one process and once with `--jobs`. The raw HMAC rate is
measured in the same run over the same bytes (previous MAC || canonical entry): one-shot `hmac.digest`, the
baseline of the ratio targets, and, for information, with the key's state reused as the verifier does.
Exits 1 when P3 fails: at least 150,000 entries/s in one process, a ratio to the one-shot HMAC rate of at
least 0.5 in one process or in parallel mode (the output says which), and a parallel mode using both cores.
"""

from __future__ import annotations

import argparse
import cProfile
import hmac
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy

from bench.table import Row
from roi_tracker import crypto
from roi_tracker import db
from roi_tracker import migrate
from roi_tracker import models
from roi_tracker.audit import checkpoints
from roi_tracker.audit import verify
from roi_tracker.domain import audit_vocab

TARGET_RATE = 150_000
TARGET_RATIO = 0.5
TARGET_SECONDS_PER_MILLION = 7.0
TARGET_CORES = 1.5  # CPU seconds per wall second in parallel mode: more than one core busy
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
    insert = sqlalchemy.insert(models.AuditEntry)
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
                conn.execute(insert, rows)
                rows = []
        if rows:
            conn.execute(insert, rows)
    engine.dispose()
    return messages


def sign_head(url: str, keyring: crypto.Keyring, checkpoint_dir: Path) -> None:
    """Sign a checkpoint over the built chain, as an instance does, so the verifier can vouch for it."""
    engine = db.make_engine(url)
    with db.make_session_factory(engine)() as session:
        checkpoints.write(session, keyring, checkpoint_dir)
    engine.dispose()


def _fields(entry: audit_vocab.Entry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in audit_vocab.Entry.__dataclass_fields__}


@dataclass(frozen=True)
class Run:
    """One timed verification: wall seconds, CPU seconds in this process and its workers, entries verified."""

    jobs: int
    seconds: float
    cpu_seconds: float
    verified: int

    @property
    def rate(self) -> float:
        """Return entries verified per second."""
        return self.verified / self.seconds

    @property
    def cores(self) -> float:
        """Return CPU seconds spent per wall second: how many cores were busy on average."""
        return self.cpu_seconds / self.seconds


def time_verify(url: str, keyring: crypto.Keyring, checkpoint_dir: Path, *, jobs: int, profile: bool) -> Run:
    """Run a full verification in `jobs` processes; return its timing."""
    engine = db.make_engine(url)
    sessions = db.make_session_factory(engine)
    profiler = cProfile.Profile() if profile else None
    with sessions() as session:
        before = os.times()
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        verdict = verify.verify(session, keyring, checkpoint_dir, full=True, jobs=jobs)
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
        after = os.times()
    engine.dispose()
    if not verdict.intact:
        raise SystemExit(f"the benchmark chain does not verify: {verdict}")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(18)
    # os.times() counts the workers too, once they have exited (the verifier waits for them).
    cpu = sum(after[i] - before[i] for i in range(4))
    return Run(jobs, elapsed, cpu, verdict.verified)


def time_raw_hmac(key: bytes, messages: list[bytes]) -> tuple[float, float]:
    """Return the seconds to HMAC every message one-shot (`hmac.digest`), then with the key state reused."""
    digest = hmac.digest
    started = time.perf_counter()
    for message in messages:
        digest(key, message, "sha256")
    one_shot = time.perf_counter() - started
    keyed = hmac.new(key, digestmod="sha256")
    started = time.perf_counter()
    for message in messages:
        h = keyed.copy()
        h.update(message)
        h.digest()
    return one_shot, time.perf_counter() - started


def report(count: int, build_s: float, one: Run, many: Run, raw: tuple[float, float]) -> bool:
    """Print the figures and each target with PASS or FAIL; return whether P3 passes."""
    raw_rate, keyed_rate = count / raw[0], count / raw[1]
    limit_s = TARGET_SECONDS_PER_MILLION * count / 1_000_000
    rate_ok, time_ok = one.rate >= TARGET_RATE, one.seconds <= limit_s
    ratio_one_ok = one.rate / raw_rate >= TARGET_RATIO
    ratio_many_ok = many.rate / raw_rate >= TARGET_RATIO
    cores_ok = many.cores >= TARGET_CORES
    p3 = rate_ok and (ratio_one_ok or ratio_many_ok) and cores_ok
    par = f"--jobs {many.jobs}:"
    ratio = f">= {TARGET_RATIO}"
    rows = (
        ("entries", f"{count:,}", "", ""),
        ("build chain (s)", f"{build_s:.2f}", "", ""),
        ("raw HMAC-SHA256 one-shot (entries/s)", f"{raw_rate:,.0f}", "baseline", ""),
        ("raw HMAC-SHA256 key reused (entries/s)", f"{keyed_rate:,.0f}", "information", ""),
        ("one process: verify full (s)", f"{one.seconds:.2f}", f"<= {limit_s:g}", _verdict(time_ok)),
        ("one process: entries/s", f"{one.rate:,.0f}", f">= {TARGET_RATE:,}", _verdict(rate_ok)),
        ("one process: ratio to one-shot HMAC", f"{one.rate / raw_rate:.2f}", ratio, _verdict(ratio_one_ok)),
        ("one process: ratio to key-reused HMAC", f"{one.rate / keyed_rate:.2f}", "information", ""),
        (f"{par} verify full (s)", f"{many.seconds:.2f}", "", ""),
        (f"{par} entries/s", f"{many.rate:,.0f}", "", ""),
        (f"{par} cores busy", f"{many.cores:.2f}", f">= {TARGET_CORES}", _verdict(cores_ok)),
        (f"{par} ratio to one-shot HMAC", f"{many.rate / raw_rate:.2f}", ratio, _verdict(ratio_many_ok)),
        (f"{par} ratio to key-reused HMAC", f"{many.rate / keyed_rate:.2f}", "information", ""),
    )
    print(f"{'measure':<44}{'value':>12}  {'target':<13}{'':>4}")
    for name, value, target, verdict in rows:
        print(f"{name:<44}{value:>12}  {target:<13}{verdict:>4}")
    print(f"P3 {_verdict(p3)}: {_summary(rate_ok, ratio_one_ok, ratio_many_ok, cores_ok, many.jobs)}")
    return p3


def _summary(rate_ok: bool, ratio_one_ok: bool, ratio_many_ok: bool, cores_ok: bool, jobs: int) -> str:
    parts = [
        f"rate in one process {_verdict(rate_ok)}",
        f"ratio >= {TARGET_RATIO} in one process {_verdict(ratio_one_ok)}",
        f"ratio >= {TARGET_RATIO} with --jobs {jobs} {_verdict(ratio_many_ok)}",
        f"parallel mode uses more than one core {_verdict(cores_ok)}",
    ]
    return "; ".join(parts)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def rows(entries: int = 1_000_000, jobs: int = 2, profile: bool = False) -> list[Row]:
    """Build the chain, time the verifier (one process, then `jobs`) and the raw HMAC; print the detail."""
    keyring = crypto.Keyring.generate()
    with tempfile.TemporaryDirectory(prefix="roi-bench-verify-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        migrate.upgrade(url)
        started = time.perf_counter()
        messages = build(url, keyring, entries)
        build_s = time.perf_counter() - started
        checkpoint_dir = Path(folder) / "checkpoints"
        sign_head(url, keyring, checkpoint_dir)
        one = time_verify(url, keyring, checkpoint_dir, jobs=1, profile=profile)
        raw = time_raw_hmac(keyring.log_key.material, messages)
        many = time_verify(url, keyring, checkpoint_dir, jobs=jobs, profile=False)
        assert one.verified == many.verified == entries, (one, many)
    report(entries, build_s, one, many, raw)
    raw_rate = entries / raw[0]
    ratio = f">= {TARGET_RATIO}"
    return [
        Row(
            "P3",
            f"verify {entries:,} entries, one process, entries/s",
            f"{one.rate:,.0f}",
            "",
            "",
            f">= {TARGET_RATE:,}",
            one.rate >= TARGET_RATE,
        ),
        Row(
            "P3",
            "  one process vs raw HMAC-SHA256 (same bytes)",
            f"{one.rate:,.0f}",
            f"{raw_rate:,.0f}",
            f"{one.rate / raw_rate:.2f}",
            ratio,
            None,
        ),
        Row(
            "P3",
            f"  --jobs {jobs} vs raw HMAC-SHA256; cores {many.cores:.2f}",
            f"{many.rate:,.0f}",
            f"{raw_rate:,.0f}",
            f"{many.rate / raw_rate:.2f}",
            ratio,
            max(one.rate, many.rate) / raw_rate >= TARGET_RATIO and many.cores >= TARGET_CORES,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    """Build the chain, time the verifier in one process and in parallel and the raw HMAC; print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="chain length (default 1,000,000)")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the parallel run (default 2)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the one-process run")
    args = parser.parse_args(argv)
    return 0 if all(r.ok is not False for r in rows(args.entries, args.jobs, args.profile)) else 1


if __name__ == "__main__":
    sys.exit(main())
