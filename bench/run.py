"""`make bench`: seed or reuse instances at the target scale, run P1-P7, print one table.

Run: `.venv/bin/python -m bench.run [--clients N] [--databases sqlite,postgresql] [--only P1,P3] ...`.
Each benchmark measures its baseline in the same run (performance.md: ratios side by side are what count).
The detail each benchmark prints goes to bench/.data/logs/; the table goes to standard output and to
bench/.data/last-run.txt. Exit status 0 unless `--strict` and a target failed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from bench import crypto as p4
from bench import instances
from bench import load
from bench import packet as p6
from bench import quiet
from bench import requests as p7
from bench import search as p2
from bench import verify as p3
from bench.table import Row
from bench.table import render

LOGS = instances.DATA / "logs"


QUIET = {"max_load": 1.5, "patience": 300.0}  # set from the command line in main()


def _detail(name: str, work: Callable[[], list[Row]]) -> list[Row]:
    """Run one benchmark on a quiet machine, its detailed output sent to bench/.data/logs/NAME.txt."""
    LOGS.mkdir(parents=True, exist_ok=True)
    probe = quiet.Probe.start(QUIET["max_load"], QUIET["patience"])
    print(f"running {name} (load {probe.before:.2f}) ...", file=sys.stderr, flush=True)
    with (LOGS / f"{name}.txt").open("w") as out, contextlib.redirect_stdout(out):
        rows = work()
    return probe.finish(rows, QUIET["max_load"])


def postgres_reachable() -> bool:
    """Tell whether the benchmark's PostgreSQL server answers."""
    engine = sa.create_engine(f"{instances.PG_SERVER}/postgres")
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def under_load(kind: str, args: argparse.Namespace) -> list[Row]:
    """P1 and P5 on one database kind, seeding its instance first when needed."""
    if kind == "postgresql" and not postgres_reachable():
        return [Row("P1", "postgresql: not reachable, skipped", "", "", "", "", None)]
    instance = instances.prepare(kind, args.clients, rebuild=args.rebuild)
    rows = []
    if instance.seed_seconds is not None:
        rows.append(
            Row("seed", f"{kind}: demo seed {args.clients:,} clients, s", f"{instance.seed_seconds:.0f}")
        )
    return rows + _detail(
        f"P1-{kind}", lambda: load.measure(instance, seconds=args.seconds, rounds=args.rounds)
    )


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000, help="scale of P1, P2, P5 (default 100,000)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="for P1 and P5")
    parser.add_argument("--only", default="P1,P2,P3,P4,P5,P6,P7", help="benchmarks to run (P5 runs with P1)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk round (default 10)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating wrk rounds (default 2)")
    parser.add_argument("--entries", type=int, default=1_000_000, help="P3 chain length (default 1,000,000)")
    parser.add_argument("--rebuild", action="store_true", help="seed the instances again")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--max-load", type=float, default=1.5, help="withhold a part run above this load")
    parser.add_argument("--patience", type=float, default=300, help="seconds to wait for a quiet machine")
    args = parser.parse_args(argv)
    QUIET.update(max_load=args.max_load, patience=args.patience)
    only = {part.strip().upper() for part in args.only.split(",")}
    started = time.perf_counter()
    rows: list[Row] = []
    if only & {"P1", "P5"}:
        for kind in [k.strip() for k in args.databases.split(",") if k.strip()]:
            rows += under_load(kind, args)
    if "P2" in only:
        rows += _detail("P2", lambda: p2.rows(args.clients))
    if "P3" in only:
        rows += _detail("P3", lambda: p3.rows(args.entries, 2))
    if "P4" in only:
        rows += _detail("P4", lambda: p4.rows())
    if "P6" in only:
        rows += _detail("P6", lambda: p6.rows())
    if "P7" in only:
        rows += _detail("P7", lambda: p7.rows(args.clients))
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    machine = (
        f"{platform.node()}, {os.cpu_count()} CPUs (load {load_avg}), Python {platform.python_version()}"
    )
    head = f"roi-tracker benchmarks, {when}, {machine}"
    text = f"{head}\n{render(rows)}\n(total {time.perf_counter() - started:.0f} s; detail in {LOGS})\n"
    print(text)
    Path(instances.DATA / "last-run.txt").write_text(text)
    failed = any(r.ok is False for r in rows)
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
