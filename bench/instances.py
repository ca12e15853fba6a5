"""Benchmark instances, seeded once per database kind and scale with `roi-tracker demo seed`, then reused.

SQLite lives in bench/.data/sqlite-N/ (git ignores bench/.data); PostgreSQL in a database roi_bench_N on the
server of ROI_BENCH_PG (default the local test server), with its key file in bench/.data/postgresql-N/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from roi_tracker import config
from roi_tracker import migrate

DATA = Path(__file__).resolve().parent / ".data"
PG_SERVER = os.environ.get("ROI_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
CLI = str(Path(sys.executable).with_name("roi-tracker"))


@dataclass(frozen=True)
class Instance:
    """A seeded instance: its kind, folder, environment for the `roi-tracker` command, seed time."""

    kind: str
    clients: int
    folder: Path
    env: dict[str, str]
    seed_seconds: float | None

    def settings(self) -> config.Settings:
        """The instance's settings, as the command would load them."""
        return config.load(self.env)

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `roi-tracker ARGS` against this instance; raise on failure."""
        return subprocess.run([CLI, *args], env=self.env, check=True, text=True, capture_output=True)


def _env(kind: str, folder: Path, clients: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROI_")}
    env |= {"ROI_INSTANCE_PATH": str(folder / "instance"), "ROI_REQUIRE_MFA": "false"}
    if kind == "postgresql":
        env["ROI_DATABASE_URL"] = f"{PG_SERVER}/roi_bench_{clients}"
    return env


def _recreate_pg_database(name: str) -> None:
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def prepare(kind: str, clients: int, *, rebuild: bool = False) -> Instance:
    """Return the instance of `kind` at `clients`, seeding it first when missing or asked to."""
    folder = DATA / f"{kind}-{clients}"
    ready = folder / "ready.json"
    env = _env(kind, folder, clients)
    if not rebuild and ready.exists():
        marker = json.loads(ready.read_text())
        if marker.get("clients") == clients:
            migrate.upgrade(config.load(env).database_url)  # the schema may have moved on since the seed
            return Instance(kind, clients, folder, env, None)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if kind == "postgresql":
        _recreate_pg_database(f"roi_bench_{clients}")
    subprocess.run([CLI, "init"], env=env, check=True, capture_output=True)
    print(f"seeding {clients:,} clients on {kind} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    subprocess.run([CLI, "demo", "seed", "--clients", str(clients)], env=env, check=True)
    seconds = time.perf_counter() - started
    ready.write_text(json.dumps({"clients": clients, "seed_seconds": round(seconds, 1)}))
    return Instance(kind, clients, folder, env, seconds)


def token(instance: Instance, username: str = "seed-frontdesk-01") -> str:
    """Issue a bearer token for one of the seeded front-desk accounts."""
    return instance.command("users", "token", username).stdout.strip()
