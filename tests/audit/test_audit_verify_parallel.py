"""The fast walk and the parallel verifier: canonical() bytes, and one verdict whatever the job count (P3)."""

from __future__ import annotations

import dataclasses
import multiprocessing
from collections.abc import Callable
from contextlib import closing
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from roi_tracker import audit
from roi_tracker import cli
from roi_tracker import models
from roi_tracker.audit import checkpoints
from roi_tracker.audit import verify
from roi_tracker.audit import walk
from roi_tracker.domain import audit_vocab
from roi_tracker.runtime import Runtime
from tests.conftest import ON_POSTGRES

LOG = models.AuditEntry.__table__
CHECKPOINTS = models.AuditCheckpoint.__table__
ACTOR = audit.Actor(user_id="user-7", role="clinician", request_id="req-1")
KOLKATA = timezone(timedelta(hours=5, minutes=30))
PACIFIC = timezone(timedelta(hours=-8))

# Each `at` is stored through the model's UTC column; the MAC covers the instant as the model reads it back.
STAMPS = (
    datetime(2026, 1, 1, 10, 0, tzinfo=UTC),  # microsecond 0: SQLite still stores '.000000'
    datetime(2026, 1, 1, 10, 0, 0, 999_999, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 30, 0, 5, tzinfo=KOLKATA),  # aware, not UTC: stored as 2026-03-28 20:00 UTC
    datetime(2026, 12, 31, 23, 59, 59, 1, tzinfo=PACIFIC),  # the next year in UTC
    datetime(1000, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
)
ODD_STAMPS = (datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC),)  # strftime writes '999', both databases '0999'
FIELDS: tuple[dict[str, str], ...] = (
    {},
    {"object_type": "", "object_id": "", "client_id": "", "basis": "", "request_id": ""},
    {"actor": "josé", "basis": "auth-日本語", "object_id": "rec-ß" * 5},
    {"object_id": "r" * 64, "request_id": "f" * 64},
)


def entry(seq: int, at: datetime, key_id: str, **fields: str) -> audit_vocab.Entry:
    """Return an entry with plausible identifiers, `fields` overriding them."""
    values = {
        "actor": f"user-{seq}",
        "role": "clinician",
        "action": audit_vocab.Action.CLIENT_RECORD_READ.value,
        "object_type": "client_record",
        "object_id": f"rec-{seq}",
        "client_id": f"client-{seq % 3}",
        "outcome": audit_vocab.Outcome.ALLOWED.value,
        "basis": f"auth-{seq}",
        "request_id": f"req-{seq}",
        "key_id": key_id,
    }
    return audit_vocab.Entry(seq=seq, at=at, **{**values, **fields})


def write_chain(runtime: Runtime, stamps: tuple[datetime, ...], fields: tuple[dict[str, str], ...]) -> int:
    """Write a valid chain of one entry per (stamp, fields) pair; return its length."""
    keyring = runtime.env.keyring
    key_id = keyring.log_key.id
    prev, rows = audit_vocab.GENESIS_MAC, []
    for seq, (at, extra) in enumerate(((at, f) for at in stamps for f in fields), start=1):
        signed = entry(seq, at.astimezone(UTC), key_id, **extra)
        mac = keyring.log_mac(key_id, prev, audit_vocab.canonical(signed))
        rows.append({**dataclasses.asdict(signed), "at": at, "prev_mac": prev, "mac": mac})
        prev = mac
    with runtime.sessions() as session:
        session.execute(LOG.insert(), rows)
        session.commit()
    return len(rows)


def append_entries(runtime: Runtime, count: int) -> None:
    """Append `count` reads through the log writer and commit them."""
    with runtime.sessions() as session:
        first = audit.head(session)[0] + 1
        for seq in range(first, first + count):
            runtime.env.log.append(
                session,
                ACTOR,
                audit_vocab.Action.CLIENT_RECORD_READ,
                audit_vocab.Outcome.ALLOWED,
                object_type="client_record",
                object_id=f"rec-{seq}",
            )
        audit.commit(session)


def check(runtime: Runtime, *, jobs: int, full: bool = True, progress: Any = None) -> verify.Verdict:
    """Run the verifier over the instance's log in `jobs` processes."""
    with runtime.sessions() as session:
        return verify.verify(
            session,
            runtime.env.keyring,
            runtime.env.settings.checkpoint_dir,
            full=full,
            jobs=jobs,
            progress=progress,
        )


def tamper(runtime: Runtime, *statements: Any) -> None:
    """Run statements against the log as an attacker holding the database superuser."""
    with runtime.sessions() as session:
        if ON_POSTGRES:
            session.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        for statement in statements:
            session.execute(statement)
        session.commit()


def fast_and_canonical(runtime: Runtime) -> list[tuple[bytes | None, bytes]]:
    """Return, per stored entry, the walk's bytes and canonical() of the entry as the model reads it."""
    names = tuple(audit_vocab.Entry.__dataclass_fields__)
    with runtime.sessions() as session:
        with closing(walk.entry_pages(session.connection(), 1, None)) as pages:
            raw = [row for page in pages for row in page]
        typed = session.execute(sa.select(*(LOG.c[n] for n in names)).order_by(LOG.c.seq)).all()
    return [(row[4], audit_vocab.canonical(audit_vocab.Entry(*t))) for row, t in zip(raw, typed, strict=True)]


def test_the_walk_builds_the_canonical_bytes_from_stored_rows(runtime: Runtime) -> None:
    """Match canonical() at microsecond 0, in other time zones, in years 1000 and 9999, for non-ASCII text."""
    count = write_chain(runtime, STAMPS, FIELDS)
    pairs = fast_and_canonical(runtime)
    assert len(pairs) == count == len(STAMPS) * len(FIELDS)
    for fast, canonical in pairs:
        assert fast == canonical
    assert b"2026-01-01T10:00:00.000000Z" in pairs[0][1]
    assert b"2026-03-28T20:00:00.000005Z" in pairs[2 * len(FIELDS)][1]


@pytest.mark.parametrize("jobs", [1, 2])
def test_entries_the_walk_cannot_encode_directly_still_verify(runtime: Runtime, jobs: int) -> None:
    """Settle year 999 (stored '0999', signed '999') through the model's types: intact, not broken."""
    count = write_chain(runtime, STAMPS + ODD_STAMPS, FIELDS)
    odd = [fast for fast, canonical in fast_and_canonical(runtime) if fast != canonical]
    assert len(odd) == len(FIELDS)
    verdict = check(runtime, jobs=jobs)
    assert (verdict.intact, verdict.verified, verdict.head_seq) == (True, count, count), verdict


@pytest.mark.skipif(ON_POSTGRES, reason="only SQLite stores a timestamp as text an attacker can rewrite")
@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize(
    ("stored", "intact"),
    [
        ("2026-01-01 10:00:00", True),
        ("2026-01-01T10:00:00.000000", True),
        ("2026-01-01 15:30:00+05:30", True),
        ("2026-01-01 10:00:00.000001", False),
        ("not a timestamp", False),
    ],
)
def test_sqlite_text_of_the_same_instant_verifies_as_the_model_reads_it(
    runtime: Runtime, jobs: int, stored: str, intact: bool
) -> None:
    """Judge a rewritten timestamp by the instant the model reads, as canonical() does."""
    write_chain(runtime, STAMPS[:1] * 3, FIELDS[:1])
    tamper(runtime, sa.text("UPDATE audit_log SET at = :at WHERE seq = 2").bindparams(at=stored))
    verdict = check(runtime, jobs=jobs)
    assert (verdict.intact, verdict.first_break_seq) == ((True, None) if intact else (False, 2)), verdict


def rows(runtime: Runtime) -> dict[int, dict[str, Any]]:
    """Return every row of the log by sequence number."""
    with runtime.sessions() as session:
        return {r["seq"]: dict(r) for r in session.execute(sa.select(LOG)).mappings()}


def write_checkpoint(runtime: Runtime) -> None:
    """Sign the current head into the table and the external file."""
    with runtime.sessions() as session:
        checkpoints.write(session, runtime.env.keyring, runtime.env.settings.checkpoint_dir)


def edit(seq: int, **values: Any) -> Callable[[Runtime], None]:
    """Return a tampering step that rewrites columns of one entry."""
    return lambda rt: tamper(rt, sa.update(LOG).where(LOG.c.seq == seq).values(**values))


def delete(*seqs: int) -> Callable[[Runtime], None]:
    """Return a tampering step that deletes entries."""
    return lambda rt: tamper(rt, sa.delete(LOG).where(LOG.c.seq.in_(seqs)))


def relink(seq: int) -> Callable[[Runtime], None]:
    """Return a step pointing an entry's previous MAC at a MAC no entry has, leaving its own MAC as it was."""
    return edit(seq, prev_mac=bytes(31) + b"\x01")


def swap(first: int, second: int) -> Callable[[Runtime], None]:
    """Return a step trading two whole entries, MACs included, under their sequence numbers."""

    def step(rt: Runtime) -> None:
        one, two = rows(rt)[first], rows(rt)[second]
        tamper(
            rt,
            sa.delete(LOG).where(LOG.c.seq.in_((first, second))),
            sa.insert(LOG).values({**two, "seq": first}),
            sa.insert(LOG).values({**one, "seq": second}),
        )

    return step


def truncate_signed_tail(rt: Runtime) -> None:
    """Sign the head, then drop the entries after 7 and the database's checkpoints."""
    write_checkpoint(rt)
    tamper(rt, sa.delete(LOG).where(LOG.c.seq > 7), sa.delete(CHECKPOINTS))


def rechain_from(first: int) -> Callable[[Runtime], None]:
    """Return a step rewriting entries from `first` on with valid MACs, as an attacker holding K_log could."""

    def step(rt: Runtime) -> None:
        keyring, by_seq = rt.env.keyring, rows(rt)
        prev, statements = by_seq[first]["prev_mac"], []
        for seq in range(first, max(by_seq) + 1):
            changed = entry(seq, by_seq[seq]["at"], by_seq[seq]["key_id"], object_id=f"rec-forged-{seq}")
            mac = keyring.log_mac(changed.key_id, prev, audit_vocab.canonical(changed))
            values = {"object_id": changed.object_id, "actor": changed.actor, "basis": changed.basis}
            values |= {"client_id": changed.client_id, "request_id": changed.request_id}
            statements.append(sa.update(LOG).where(LOG.c.seq == seq).values(**values, prev_mac=prev, mac=mac))
            prev = mac
        tamper(rt, *statements)

    return step


def corrupt_file_signature(rt: Runtime) -> None:
    """Flip one hex digit of the signature of the checkpoint at entry 6 in the external file."""
    path = checkpoints.path_in(rt.env.settings.checkpoint_dir)
    signature = checkpoints.read_file(rt.env.settings.checkpoint_dir)[-1].signature.hex()
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    path.write_text(path.read_text(encoding="utf-8").replace(signature, flipped), encoding="utf-8")


def both(*steps: Callable[[Runtime], None]) -> Callable[[Runtime], None]:
    """Return a step running `steps` in order."""

    def step(rt: Runtime) -> None:
        for one in steps:
            one(rt)

    return step


# Ten entries with a checkpoint at 6: two jobs walk 1-5 and 6-10, three walk 1-4, 5-8 and 9-10, so the
# breaks below sit on the seams between ranges as well as inside them. Each scenario: the tampering, the
# first broken entry, part of the reason, and the entries verified (those up to the first break).
Step = Callable[[Runtime], None]
SCENARIOS: dict[str, tuple[Step | None, int | None, str, int]] = {
    "untouched": (None, None, "", 10),
    "edited-first": (edit(1, object_id="x"), 1, "entry 1 has been altered", 1),
    "edited-middle": (edit(5, object_id="x"), 5, "entry 5 has been altered", 5),
    "edited-first-of-second-range": (edit(6, object_id="x"), 6, "entry 6 has been altered", 6),
    "edited-last": (edit(10, basis="x"), 10, "entry 10 has been altered", 10),
    "deleted-first": (delete(1), 1, "entry 1 is missing (the next entry is 2)", 0),
    "deleted-across-a-seam": (delete(5, 6), 5, "entry 5 is missing (the next entry is 7)", 4),
    "deleted-second-range-start": (delete(6), 6, "entry 6 is missing (the next entry is 7)", 5),
    "deleted-whole-second-range": (delete(6, 7, 8), 6, "entry 6 is missing (the next entry is 9)", 5),
    "relinked-at-a-seam": (relink(6), 6, "entry 6 does not link to the entry before it", 6),
    "relinked-at-a-seam-of-three": (relink(5), 5, "entry 5 does not link to the entry before it", 5),
    "swapped-across-ranges": (swap(4, 7), 4, "entry 4 does not link to the entry before it", 4),
    "unknown-key": (edit(8, key_id="log-other"), 8, "entry 8 names an unknown log key", 8),
    "truncated-signed-tail": (truncate_signed_tail, 8, "the log ends at entry 7", 7),
    "rechained-past-the-checkpoint": (rechain_from(3), 6, "entry 6 does not match checkpoint 2", 6),
    "forged-checkpoint-signature": (corrupt_file_signature, 6, "checkpoint 2 in the checkpoint file", 6),
    "forged-signature-and-deleted": (both(corrupt_file_signature, delete(3)), 3, "entry 3 is missing", 2),
}


@pytest.mark.parametrize("jobs", [1, 2, 3])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_job_count_gives_the_same_verdict(runtime: Runtime, scenario: str, jobs: int) -> None:
    """Report the same first break, reason and count whether one process or several walk the log."""
    append_entries(runtime, 6)
    write_checkpoint(runtime)
    append_entries(runtime, 4)
    step, first_break, reason, verified = SCENARIOS[scenario]
    if step is not None:
        step(runtime)
    verdict = check(runtime, jobs=jobs)
    assert verdict == check(runtime, jobs=1)
    assert (verdict.first_break_seq, verdict.verified, verdict.head_seq > 0) == (first_break, verified, True)
    assert reason in verdict.reason
    assert verdict.intact is (first_break is None)


@pytest.mark.parametrize("jobs", [1, 2])
def test_incremental_verification_in_parallel_starts_after_the_trusted_checkpoint(
    runtime: Runtime, jobs: int
) -> None:
    """Walk only the entries after the checkpoint held in both places, and catch an edit among them."""
    append_entries(runtime, 6)
    write_checkpoint(runtime)
    append_entries(runtime, 4)
    verdict = check(runtime, jobs=jobs, full=False)
    assert (verdict.intact, verdict.started_at_seq, verdict.verified, verdict.head_seq) == (True, 7, 4, 10)
    edit(8, object_id="x")(runtime)
    verdict = check(runtime, jobs=jobs, full=False)
    assert (verdict.first_break_seq, verdict.verified) == (8, 2), verdict


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_adds_up_to_the_entries_verified(runtime: Runtime, jobs: int) -> None:
    """Report progress for every verified entry, in one process or several."""
    append_entries(runtime, 12)
    seen: list[int] = []
    verdict = check(runtime, jobs=jobs, progress=seen.append)
    assert sum(seen) == verdict.verified == 12


def test_spawned_workers_give_the_same_verdict(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """Verify through spawned workers, as a process running other threads does."""
    append_entries(runtime, 10)
    monkeypatch.setattr(verify, "_context", lambda: multiprocessing.get_context("spawn"))
    assert check(runtime, jobs=2) == check(runtime, jobs=1)
    edit(7, object_id="x")(runtime)
    verdict = check(runtime, jobs=2)
    assert verdict == check(runtime, jobs=1)
    assert verdict.first_break_seq == 7


def test_a_negative_job_count_is_refused(runtime: Runtime) -> None:
    """Refuse jobs below zero; zero means one per CPU."""
    append_entries(runtime, 3)
    with pytest.raises(ValueError, match="jobs"):
        check(runtime, jobs=-1)
    assert check(runtime, jobs=0).intact


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the command at a throwaway instance and this run's database."""
    inst = tmp_path / "inst"
    monkeypatch.setenv("ROI_INSTANCE_PATH", str(inst))
    monkeypatch.setenv("ROI_DATABASE_URL", database_url)
    for name in ("ROI_KEY_FILE", "ROI_CHECKPOINT_DIR", "ROI_REQUIRE_MFA"):
        monkeypatch.delenv(name, raising=False)
    return inst


@pytest.mark.parametrize("jobs", ["1", "2", "0"])
def test_the_command_verifies_with_jobs(cli_env: Path, jobs: str) -> None:
    """audit verify --jobs N walks in N processes (0: one per CPU) and prints the same answer."""
    runner = CliRunner()
    assert runner.invoke(cli.main, ["init", "--demo"]).exit_code == 0
    result = runner.invoke(cli.main, ["audit", "verify", "--full", "--jobs", jobs])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("intact: ")


def test_the_command_refuses_a_negative_job_count(cli_env: Path) -> None:
    """audit verify --jobs -1 is a usage error."""
    result = CliRunner().invoke(cli.main, ["audit", "verify", "--jobs", "-1"])
    assert result.exit_code == 2
