"""P1 and P5: the disclosure check under wrk against the floor (bench/floor.py), worker memory, first request.

Both servers run with the same gunicorn settings (`server.options`), in alternating rounds, so drift in
the machine's speed hits both alike. Bodies are real questions about seeded authorizations (categories and
purpose read from their terms), so answers are permit, partial or refuse as at a front desk.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from bench.instances import CLI
from bench.instances import Instance
from bench.instances import token
from bench.table import Row
from roi_tracker import keyfile
from roi_tracker import models
from roi_tracker.runtime import open_instance

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET_RATIO, TARGET_P99, TARGET_RSS_MB, TARGET_START_S = 0.6, 2.0, 150, 2.0
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


@dataclass(frozen=True)
class Load:
    """One wrk run: requests per second, latency percentiles in ms, errors (socket + non-2xx)."""

    rps: float
    p50: float
    p99: float
    errors: int


def bodies(instance: Instance, path: Path, count: int = 2000) -> Path:
    """Write `count` disclosure-check bodies about seeded authorizations, one JSON per line."""
    settings = instance.settings()
    keyring = keyfile.load(settings.key_file)
    rt = open_instance(settings, keyring)
    stmt = (
        select(models.Authorization, models.ClientKey.wrapped)
        .join(models.ClientKey, models.ClientKey.client_id == models.Authorization.client_id)
        .where(models.Authorization.recipient_id.is_not(None))
        .order_by(models.Authorization.id)
        .limit(count)
    )
    lines = []
    try:
        with rt.sessions() as session:
            for auth, wrapped in session.execute(stmt):
                key = keyring.unwrap(bytes(wrapped), str(auth.client_id), 1)
                raw = key.decrypt(
                    bytes(auth.terms), table="authorizations", column="terms", row_id=str(auth.id)
                )
                terms = json.loads(raw)
                q = {"client_id": str(auth.client_id), "recipient_id": str(auth.recipient_id)}
                q |= {"categories": terms["categories"], "purpose": terms["purposes"][0]}
                lines.append(json.dumps(q))
    finally:
        rt.close()
    random.Random(3).shuffle(lines)
    path.write_text("\n".join(lines) + "\n")
    return path


def _get(url: str, timeout: float = 1.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:  # noqa: S310 - a local URL we built
            return int(reply.status)
    except OSError:
        return 0


def start(
    argv: list[str], env: dict[str, str], health: str, log: Path
) -> tuple[subprocess.Popen[bytes], float]:
    """Start a server; return it and the seconds until `health` first answered 200."""
    started = time.perf_counter()
    out = log.open("ab")
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    while _get(health, 0.5) != 200:
        if proc.poll() is not None or time.perf_counter() - started > 60:
            raise SystemExit(f"server {argv} did not start; see {log}")
        time.sleep(0.02)
    return proc, time.perf_counter() - started


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server we started, by its own process id."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _workers(proc: subprocess.Popen[bytes]) -> list[int]:
    return [int(pid) for pid in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]


def startup_cpu(proc: subprocess.Popen[bytes]) -> float:
    """CPU seconds on the path to the first request: the master's and its busiest worker's (load-proof)."""
    return cpu_seconds(proc.pid) + max((cpu_seconds(pid) for pid in _workers(proc)), default=0.0)


def worker_rss_mb(proc: subprocess.Popen[bytes]) -> float:
    """The largest resident set of the gunicorn master's worker processes, in MB."""
    sizes = []
    for pid in _workers(proc):
        status = Path(f"/proc/{pid}/status").read_text()
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            sizes.append(int(match.group(1)) / 1024)
    return max(sizes, default=0.0)


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if not match:
        raise ValueError(value)
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(url: str, env: dict[str, str], seconds: int, connections: int) -> Load:
    """Run wrk with bench/post.lua and parse its figures."""
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    out = subprocess.run(
        [*argv, "-s", str(HERE / "post.lua"), url], env=env, check=True, text=True, capture_output=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Load(rps, p50, p99, errors + (int(non2xx.group(1)) if non2xx else 0))


def _combine(runs: list[Load]) -> Load:
    return Load(
        statistics.median(r.rps for r in runs),
        statistics.median(r.p50 for r in runs),
        statistics.median(r.p99 for r in runs),
        sum(r.errors for r in runs),
    )


def measure(instance: Instance, *, seconds: int, rounds: int, connections: int = 32) -> list[Row]:
    """P1 and P5 on one instance: product vs floor in alternating rounds, worker RSS, first request."""
    kind = instance.kind
    logs = instance.folder / "logs"
    logs.mkdir(exist_ok=True)
    env = instance.env | {"ROI_BENCH_TOKEN": token(instance)}
    env["ROI_BENCH_BODIES"] = str(bodies(instance, instance.folder / "bodies.jsonl"))
    workers = os.environ.get("ROI_BENCH_WORKERS")
    extra = ["--workers", workers] if workers else []
    product, first_s = start(
        [CLI, "serve", "--port", "5801", *extra],
        env,
        "http://127.0.0.1:5801/api/v1/health",
        logs / "serve.log",
    )
    first_cpu = startup_cpu(product)
    floor, _ = start(
        [sys.executable, "-m", "bench.floor", "--port", "5802", *extra],
        env,
        "http://127.0.0.1:5802/floor-health",
        logs / "floor.log",
    )
    try:
        app_url, floor_url = "http://127.0.0.1:5801/api/v1/disclosure-checks", "http://127.0.0.1:5802/floor"
        wrk(app_url, env, 2, connections), wrk(floor_url, env, 2, connections)  # warm both up
        ours, theirs = [], []
        for _ in range(rounds):
            ours.append(wrk(app_url, env, seconds, connections))
            theirs.append(wrk(floor_url, env, seconds, connections))
        rss = worker_rss_mb(product)
    finally:
        stop(product)
        stop(floor)
    app, base = _combine(ours), _combine(theirs)
    ratio, p99_ratio = app.rps / base.rps, app.p99 / base.p99
    c = f"{connections} conn"
    return [
        Row(
            "P1",
            f"{kind}: disclosure checks/s ({c})",
            f"{app.rps:,.0f}",
            f"{base.rps:,.0f}",
            f"{ratio:.2f}",
            f">= {TARGET_RATIO}",
            ratio >= TARGET_RATIO,
        ),
        Row(
            "P1",
            f"{kind}: p50 latency ms",
            f"{app.p50:.1f}",
            f"{base.p50:.1f}",
            f"{app.p50 / base.p50:.2f}",
            "",
            None,
        ),
        Row(
            "P1",
            f"{kind}: p99 latency ms",
            f"{app.p99:.1f}",
            f"{base.p99:.1f}",
            f"{p99_ratio:.2f}",
            f"<= {TARGET_P99}",
            p99_ratio <= TARGET_P99,
        ),
        Row(
            "P1",
            f"{kind}: errors (socket + non-2xx)",
            f"{app.errors}",
            f"{base.errors}",
            "",
            "0",
            app.errors == 0,
        ),
        Row(
            "P5",
            f"{kind}: largest worker RSS MB ({instance.clients:,} clients)",
            f"{rss:.0f}",
            "",
            "",
            f"< {TARGET_RSS_MB}",
            rss < TARGET_RSS_MB,
        ),
        Row("P5", f"{kind}: CPU s to first request (master + worker)", f"{first_cpu:.2f}", "", "", "", None),
        Row(
            "P5",
            f"{kind}: start to first request s",
            f"{first_s:.2f}",
            "",
            "",
            f"<= {TARGET_START_S}",
            first_s <= TARGET_START_S,
        ),
    ]
