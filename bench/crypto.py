"""Benchmark P4: field encryption + decryption, the product's DataKey vs Fernet, on the same 64-byte fields.

Run: `.venv/bin/python -m bench.crypto [--fields N] [--rounds R]` (or through `make bench`).
DataKey is what the product uses (AES-256-GCM, one cipher object per client key, associated data binding the
value to table, column, row and client). Fernet (AES-128-CBC + HMAC-SHA256, what Fernet-column apps pay) is
imported here only, to compare: the architecture test keeps `cryptography` out of src/ except crypto.py, and
scans src/ only. Each round encrypts then decrypts every field; the best round of each counts. Exits 1 on a
miss of the target (DataKey at least 5x Fernet's rate).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable

from cryptography.fernet import Fernet

from bench.table import Row
from bench.table import render
from roi_tracker import crypto

TARGET_RATIO = 5.0
FIELD_BYTES = 64


def fields(count: int) -> list[bytes]:
    """Return `count` random 64-byte field values (a name, an address line: what a column holds)."""
    return [os.urandom(FIELD_BYTES) for _ in range(count)]


def data_key_round(key: crypto.DataKey, values: list[bytes], row_ids: list[str]) -> None:
    """Encrypt then decrypt every value through DataKey, each bound to its own row."""
    sealed = [
        key.encrypt(v, table="clients", column="address", row_id=r)
        for v, r in zip(values, row_ids, strict=True)
    ]
    for s, v, r in zip(sealed, values, row_ids, strict=True):
        if key.decrypt(s, table="clients", column="address", row_id=r) != v:
            raise SystemExit("DataKey round trip failed")


def fernet_round(fernet: Fernet, values: list[bytes]) -> None:
    """Encrypt then decrypt every value through Fernet."""
    sealed = [fernet.encrypt(v) for v in values]
    for s, v in zip(sealed, values, strict=True):
        if fernet.decrypt(s) != v:
            raise SystemExit("Fernet round trip failed")


def rate(round_: Callable[[], None], count: int) -> float:
    """Return the encrypt+decrypt operations per second of one run of `round_` over `count` fields."""
    started = time.perf_counter()
    round_()
    return count / (time.perf_counter() - started)


def rows(field_count: int = 50_000, rounds: int = 5) -> list[Row]:
    """Time both ciphers side by side, interleaved; return the figure rows (best round of each)."""
    values = fields(field_count)
    row_ids = [str(uuid.uuid4()) for _ in values]
    ring = crypto.Keyring.generate()
    key, _wrapped = ring.new_data_key(str(uuid.uuid4()), 1)
    fernet = Fernet(Fernet.generate_key())
    data_key_rate = fernet_rate = 0.0
    # Interleave the two, so that drift in the machine's speed hits both alike.
    for _ in range(rounds):
        data_key_rate = max(data_key_rate, rate(lambda: data_key_round(key, values, row_ids), field_count))
        fernet_rate = max(fernet_rate, rate(lambda: fernet_round(fernet, values), field_count))
    ratio = data_key_rate / fernet_rate
    return [
        Row(
            "P4",
            f"field encrypt+decrypt ops/s, {FIELD_BYTES} B (DataKey vs Fernet)",
            f"{data_key_rate:,.0f}",
            f"{fernet_rate:,.0f}",
            f"{ratio:.1f}",
            f">= {TARGET_RATIO:g}",
            ratio >= TARGET_RATIO,
        )
    ]


def main(argv: list[str] | None = None) -> int:
    """Time both ciphers side by side and print the rates, the ratio and the verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fields", type=int, default=50_000, help="fields per round (default 50,000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each cipher (default 5)")
    args = parser.parse_args(argv)
    result = rows(args.fields, args.rounds)
    print(render(result))
    return 0 if all(r.ok is not False for r in result) else 1


if __name__ == "__main__":
    sys.exit(main())
