"""Dated legal reference data shipped with the app (data/*.json): explanations, never conclusions in code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@cache
def _load(name: str) -> Any:
    return json.loads(resources.files("roi_tracker").joinpath("data", name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Basis:
    """The plain-language legal basis of an exception kind and its conditions."""

    title: str
    basis: str
    conditions: tuple[str, ...]
    version: str


def basis_of(kind: str) -> Basis:
    """Return the basis shown when a clinician records an exception of `kind`."""
    data = _load("exceptions.json")
    entry = data["kinds"][kind]
    return Basis(entry["title"], entry["basis"], tuple(entry["conditions"]), data["version"])


@dataclass(frozen=True)
class DutyToWarn:
    """The duty-to-warn status for the practice's state, its source, and whether it was overridden."""

    state: str
    status: str
    meaning: str
    source: str
    as_of: str
    version: str
    overridden: bool


def duty_to_warn(state: str, override: str = "") -> DutyToWarn | None:
    """Return the duty-to-warn entry for `state` (None when no state is configured)."""
    if not state:
        return None
    data = _load("duty_to_warn.json")
    status = override or data["states"].get(state, "unknown")
    meaning = data["values"].get(status, "This state is not in the data file; ask counsel.")
    return DutyToWarn(state, status, meaning, data["source"], data["as_of"], data["version"], bool(override))
