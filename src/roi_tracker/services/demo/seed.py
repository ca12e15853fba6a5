"""`demo seed`: fill an instance with N synthetic clients fast, in bulk inserts, one transaction per batch.

Rows are sealed with the instance's real keys (demo_rows); every batch's access-log entries are appended
through `Log.append_many` in the same transaction as its rows, so the chain stays valid.
"""

from __future__ import annotations

import multiprocessing
import random
from collections import deque
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult
from typing import cast

from sqlalchemy import Table
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.services.context import Env
from roi_tracker.services.demo.people import TABLES
from roi_tracker.services.demo.people import Batch
from roi_tracker.services.demo.people import Cast
from roi_tracker.services.demo.people import family_names
from roi_tracker.services.demo.rows import AUTHS_PER_CLIENT
from roi_tracker.services.demo.rows import Writer
from roi_tracker.services.people import users
from roi_tracker.services.releases import recipients

MAX_CLIENTS = 2_000_000
BATCH = 1_000
WORKERS = 2  # processes that build batches while this one writes them
SEED_ACTOR = audit.Actor(user_id="cli", role="system", request_id="demo-seed")
_ORGANIZATIONS = ("Hospital", "Clinic", "School", "Health Plan", "Recovery Center", "Law Office")
# Each synthetic organization's recipient type (domain/recipients.py).
_TYPE_OF = {
    "Hospital": "provider",
    "Clinic": "provider",
    "School": "school",
    "Health Plan": "health_plan",
    "Recovery Center": "provider",
    "Law Office": "attorney",
}


@dataclass(frozen=True)
class Seeded:
    """What a seed added."""

    clients: int
    authorizations: int
    log_entries: int
    staff: tuple[str, ...]


def check_count(clients: int) -> int:
    """Refuse a number of clients outside 1..MAX_CLIENTS."""
    if not 1 <= clients <= MAX_CLIENTS:
        raise InvalidInput(f"--clients must be between 1 and {MAX_CLIENTS:,}", field="clients")
    return clients


def _count(session: Session, model: type) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _staff(session: Session, env: Env, role: str, how_many: int) -> list[audit.Actor]:
    """The seed's staff of one role, created when missing (random passwords: issue tokens to use them)."""
    out = []
    for n in range(1, how_many + 1):
        name = f"seed-{role.replace('_', '')}-{n:02d}"
        row = session.execute(select(models.User).where(models.User.username == name)).scalar()
        if row is None:
            users.create_user(
                session,
                env,
                SEED_ACTOR,
                username=name,
                display_name=f"Synthetic {role.replace('_', ' ')} {n}",
                role=role,
                password=crypto.random_token(24),
            )
            row = session.execute(select(models.User).where(models.User.username == name)).scalar_one()
        out.append(audit.Actor(str(row.id), role, f"seed-{row.username}"))
    return out


def _recipients(
    session: Session, env: Env, actor: audit.Actor, how_many: int, rng: random.Random
) -> list[models.Recipient]:
    """A directory of synthetic recipients, added in one transaction."""
    for n in range(how_many):
        org = rng.choice(_ORGANIZATIONS)
        recipients.create_in(
            session,
            env,
            actor,
            kind="organization",
            type=_TYPE_OF.get(org, "other"),
            name=f"Synthetic {org} {n + 1}",
            address=f"{n + 1} Example Avenue, Springfield",
        )
    audit.commit(session)
    return list(session.execute(select(models.Recipient)).scalars())


def cast_of(session: Session, env: Env, clients: int, rng: random.Random) -> Cast:
    """Staff sized to the practice (a clinician per 2,000 clients, 2 to 50) and a recipient directory."""
    clinicians = _staff(session, env, "clinician", min(50, max(2, clients // 2_000)))
    desk = _staff(session, env, "front_desk", min(10, max(1, clients // 10_000)))
    people = _recipients(session, env, clinicians[0], min(500, max(5, clients // 200)), rng)
    return Cast(env.keyring, tuple(clinicians), tuple(desk), tuple(r.id for r in people), env.clock())


def _bulk_settings(session: Session) -> None:
    """Settings for this transaction only that make bulk inserts cheap without weakening what commits."""
    if session.get_bind().dialect.name == "sqlite":
        # A larger page cache: random UUID keys touch pages all over the indexes (the default is 2 MB).
        session.execute(text("PRAGMA cache_size=-262144"))
    else:
        # A crash may lose the last batches, never half of one; what commits is whole and chained.
        session.execute(text("SET LOCAL synchronous_commit = off"))


def write_batch(session: Session, env: Env, batch: Batch) -> int:
    """Insert a batch's rows and append its log entries in one transaction; return the entries added."""
    _bulk_settings(session)
    for model in TABLES:
        if batch.rows[model]:
            session.execute(insert(cast(Table, model.__table__)), batch.rows[model])
    batch.log.sort(key=lambda item: item.at)
    env.log.append_many(session, batch.log)
    audit.commit(session)
    return len(batch.log)


@dataclass(frozen=True)
class _Job:
    """What every batch is made from; set before worker processes fork, so they inherit it (and the keys)."""

    cast: Cast
    surnames: list[str]
    first_client: int
    first_auth: int
    clients: int
    seed_value: int


_JOB: _Job | None = None


def make_batch(number: int) -> tuple[Batch, int, int]:
    """Build batch `number` of the current job; return it, its clients and its authorizations."""
    job = _JOB
    if job is None:
        raise RuntimeError("make_batch runs only inside seed()")
    start = number * BATCH
    size = min(BATCH, job.clients - start)
    first_auth = job.first_auth + start * AUTHS_PER_CLIENT
    rng = random.Random(f"{job.seed_value}:{number}")  # noqa: S311  # nosec B311  # synthetic demo data, not security
    writer = Writer(job.cast, rng, job.surnames, job.first_client + start, first_auth)
    for _ in range(size):
        writer.client()
    return writer.take(), size, writer.auth_no - first_auth


def _batches(count: int) -> Iterator[tuple[Batch, int, int]]:
    """Yield the batches in order, built by worker processes ahead of the writer (at most a few ahead)."""
    if count == 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(make_batch, range(count))
        return
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        ahead: deque[AsyncResult[tuple[Batch, int, int]]] = deque()
        for number in range(count):
            ahead.append(pool.apply_async(make_batch, (number,)))
            if len(ahead) > 2 * WORKERS:
                yield ahead.popleft().get()
        while ahead:
            yield ahead.popleft().get()


def seed(
    sessions: sessionmaker[Session],
    env: Env,
    clients: int,
    *,
    add: bool = False,
    seed_value: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Seeded:
    """Add `clients` synthetic clients; refused when the instance has clients already, unless `add`."""
    global _JOB
    check_count(clients)
    rng = random.Random(seed_value)  # noqa: S311  # nosec B311  # synthetic demo data, not security
    with sessions() as session:
        had = _count(session, models.Client)
        if had and not add:
            raise Conflict(f"this instance already has {had:,} clients; pass --add to add synthetic ones")
        cast = cast_of(session, env, clients, rng)
        labels = int(session.execute(select(func.count()).select_from(models.Authorization)).scalar_one())
    # Label counters continue past earlier seeds: each client reserves AUTHS_PER_CLIENT labels.
    _JOB = _Job(
        cast,
        family_names(rng, max(50, clients // 30)),
        had,
        labels + had * AUTHS_PER_CLIENT,
        clients,
        seed_value,
    )
    entries = authorizations = 0
    try:
        for batch, size, auths in _batches(-(-clients // BATCH)):
            with sessions() as session:
                entries += write_batch(session, env, batch)
            authorizations += auths
            if progress is not None:
                progress(size)
    finally:
        _JOB = None
    staff = tuple(a.request_id.removeprefix("seed-") for a in (*cast.clinicians, *cast.front_desk))
    return Seeded(clients, authorizations, entries, staff)
