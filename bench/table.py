"""One row per figure: the figure, its baseline from the same run, the ratio, the target, the verdict."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """A benchmark figure beside its baseline; `ok` is None for figures given for information only."""

    target_id: str
    what: str
    figure: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    ok: bool | None = None
    load: str = ""  # 1-minute load before/after the part, and others' CPU during it (bench/quiet.py)

    @property
    def verdict(self) -> str:
        """PASS, FAIL or blank."""
        return "" if self.ok is None else ("PASS" if self.ok else "FAIL")


def render(rows: list[Row]) -> str:
    """Return the rows as one aligned text table."""
    head = ("id", "figure", "value", "baseline", "ratio", "target", "", "load before/after")
    cells = [head] + [
        (r.target_id, r.what, r.figure, r.baseline, r.ratio, r.target, r.verdict, r.load) for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(len(head))).rstrip() for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
