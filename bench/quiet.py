"""Is the machine quiet enough to trust a figure? The load before and after each part, and others' CPU.

A benchmark's own work raises the load average, so "after" is judged net of the part's own CPU use (this
process and the servers and clients it started and reaped): what is left is somebody else's. A part whose
machine was busier than `max_load` before it started, or whose others' load after it exceeded `max_load`, is
not reported: its figures are replaced by "not reported" with the load that spoiled them.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from dataclasses import replace

from bench.table import Row


def _busy_seconds() -> float:
    """CPU-seconds all processors have spent not idle since boot (/proc/stat)."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    """CPU-seconds of this process and of the children it has reaped."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def wait_until_quiet(max_load: float, patience: float) -> float:
    """Wait up to `patience` seconds for the 1-minute load to fall to `max_load`; return the load then."""
    deadline = time.monotonic() + patience
    load = os.getloadavg()[0]
    while load > max_load and time.monotonic() < deadline:
        print(f"waiting for a quiet machine: load {load:.2f} > {max_load}", file=sys.stderr, flush=True)
        time.sleep(15)
        load = os.getloadavg()[0]
    return load


@dataclass
class Probe:
    """The load around one part of the benchmark."""

    before: float
    started: float
    busy: float
    own: float

    @classmethod
    def start(cls, max_load: float, patience: float) -> Probe:
        """Wait for quiet, then note the load and the CPU counters."""
        before = wait_until_quiet(max_load, patience)
        return cls(before, time.monotonic(), _busy_seconds(), _own_seconds())

    def finish(self, rows: list[Row], max_load: float) -> list[Row]:
        """Stamp the rows with the load; withhold them when the machine was not quiet."""
        wall = max(time.monotonic() - self.started, 1e-6)
        own = (_own_seconds() - self.own) / wall
        others = max(0.0, (_busy_seconds() - self.busy) / wall - own)
        after = os.getloadavg()[0]
        net_after = max(0.0, after - own)
        load = f"{self.before:.2f}/{after:.2f} (others {others:.2f})"
        if self.before > max_load or net_after > max_load:
            why = f"not reported: load {max(self.before, net_after):.2f} > {max_load}"
            return [Row(r.target_id, r.what, why, target=r.target, load=load) for r in rows]
        return [replace(r, load=load) for r in rows]
