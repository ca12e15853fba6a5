"""`demo seed`: fill an instance with N synthetic clients fast, in bulk inserts, one transaction per batch.

Rows are sealed with the instance's real keys (demo_rows); every batch's access-log entries are appended
through `Log.append_many` in the same transaction as its rows, so the chain stays valid.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.services import recipients
from roi_tracker.services import users
from roi_tracker.services.context import Env
from roi_tracker.services.demo_rows import TABLES
from roi_tracker.services.demo_rows import Cast
from roi_tracker.services.demo_rows import Writer
from roi_tracker.services.demo_rows import family_names

MAX_CLIENTS = 2_000_000
BATCH = 1_000
SEED_ACTOR = audit.Actor(user_id="cli", role="system", request_id="demo-seed")
_ORGANIZATIONS = ("Hospital", "Clinic", "School", "Health Plan", "Recovery Center", "Law Office")


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


def write_batch(session: Session, env: Env, writer: Writer) -> int:
    """Insert the writer's rows and append its log entries in one transaction; return the entries added."""
    batch = writer.take()
    for model in TABLES:
        if batch.rows[model]:
            session.execute(insert(cast(Table, model.__table__)), batch.rows[model])
    batch.log.sort(key=lambda item: item.at)
    env.log.append_many(session, batch.log)
    audit.commit(session)
    return len(batch.log)


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
    check_count(clients)
    rng = random.Random(seed_value)  # noqa: S311 - synthetic demo data, not security
    with sessions() as session:
        had = _count(session, models.Client)
        if had and not add:
            raise Conflict(f"this instance already has {had:,} clients; pass --add to add synthetic ones")
        cast = cast_of(session, env, clients, rng)
        auths_before = _count(session, models.Authorization)
        writer = Writer(cast, rng, family_names(rng, max(50, clients // 30)), had, auths_before)
    entries = 0
    done = 0
    while done < clients:
        size = min(BATCH, clients - done)
        for _ in range(size):
            writer.client()
        with sessions() as session:
            entries += write_batch(session, env, writer)
        done += size
        if progress is not None:
            progress(size)
    staff = tuple(a.request_id.removeprefix("seed-") for a in (*cast.clinicians, *cast.front_desk))
    return Seeded(clients, writer.auth_no - auths_before, entries, staff)
