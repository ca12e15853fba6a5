"""Tamper probes: each rewrite of the access log is reported at the right first broken entry (B4, B7, B8)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.audit import checkpoints
from roi_tracker.audit import heads
from roi_tracker.audit import verify
from roi_tracker.domain import audit_vocab
from roi_tracker.runtime import Runtime
from tests.conftest import ON_POSTGRES

LOG = models.AuditEntry.__table__
CHECKPOINTS = models.AuditCheckpoint.__table__
ACTOR = audit.Actor(user_id="user-7", role="clinician", request_id="req-1")
ENTRY_FIELDS = tuple(audit_vocab.Entry.__dataclass_fields__)


def allow_tampering(session: Session) -> None:
    """Switch off the append-only trigger, as an attacker holding the database superuser could."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))


def append_entries(runtime: Runtime, count: int) -> None:
    """Append `count` reads of distinct records and commit them."""
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
                client_id=f"client-{seq % 3}",
            )
        audit.commit(session)


def write_checkpoint(runtime: Runtime) -> checkpoints.Checkpoint:
    """Sign the current head into the table and the external file."""
    with runtime.sessions() as session:
        return checkpoints.write(session, runtime.env.keyring, runtime.env.settings.checkpoint_dir)


def check(runtime: Runtime, *, full: bool = True) -> verify.Verdict:
    """Run the verifier over the instance's log."""
    with runtime.sessions() as session:
        return verify.verify(session, runtime.env.keyring, runtime.env.settings.checkpoint_dir, full=full)


def tamper(runtime: Runtime, *statements: Any) -> None:
    """Run statements against the log as the attacker, in one committed transaction."""
    with runtime.sessions() as session:
        allow_tampering(session)
        for statement in statements:
            session.execute(statement)
        session.commit()


def rows(runtime: Runtime) -> list[dict[str, Any]]:
    """Return every row of the log, oldest first."""
    with runtime.sessions() as session:
        return [dict(r) for r in session.execute(sa.select(LOG).order_by(LOG.c.seq)).mappings()]


def entry_of(row: dict[str, Any], **changes: Any) -> audit_vocab.Entry:
    """Return the chain's view of a row, with `changes` applied."""
    return audit_vocab.Entry(**{name: changes.get(name, row[name]) for name in ENTRY_FIELDS})


def truncate_after(seq: int) -> Any:
    """Return the statement that drops every entry after `seq`."""
    return sa.delete(LOG).where(LOG.c.seq > seq)


def corrupt_signature_in_file(runtime: Runtime) -> None:
    """Flip one hex digit of the newest checkpoint's signature in the external file."""
    path = checkpoints.path_in(runtime.env.settings.checkpoint_dir)
    signature = checkpoints.read_file(runtime.env.settings.checkpoint_dir)[-1].signature.hex()
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    path.write_text(path.read_text(encoding="utf-8").replace(signature, flipped), encoding="utf-8")


def assert_broken_at(verdict: verify.Verdict, seq: int) -> None:
    """Assert the verdict reports a break first at entry `seq`."""
    assert verdict.intact is False, verdict
    assert verdict.first_break_seq == seq, verdict


@pytest.fixture
def ten(runtime: Runtime) -> Runtime:
    """An instance whose log holds ten untouched entries."""
    append_entries(runtime, 10)
    return runtime


def test_an_untouched_log_verifies_intact_in_full_and_incrementally(ten: Runtime) -> None:
    """Verify a clean log both ways, with a checkpoint in the middle."""
    write_checkpoint(ten)
    append_entries(ten, 5)
    full = check(ten, full=True)
    incremental = check(ten, full=False)
    assert (full.intact, full.verified, full.head_seq, full.started_at_seq) == (True, 15, 15, 1)
    assert (incremental.intact, incremental.verified, incremental.head_seq) == (True, 5, 15)
    assert full.first_break_seq is None
    assert incremental.first_break_seq is None


def test_incremental_verification_starts_after_the_last_trusted_checkpoint(ten: Runtime) -> None:
    """Start after the newest checkpoint held identically in the file and the table."""
    write_checkpoint(ten)
    append_entries(ten, 4)
    write_checkpoint(ten)
    append_entries(ten, 3)
    verdict = check(ten, full=False)
    assert (verdict.intact, verdict.started_at_seq, verdict.verified, verdict.head_seq) == (True, 15, 3, 17)


def test_incremental_verification_does_not_trust_a_checkpoint_missing_from_the_table(ten: Runtime) -> None:
    """Fall back to the previous checkpoint when the newest one is only in the file."""
    write_checkpoint(ten)
    append_entries(ten, 4)
    write_checkpoint(ten)
    tamper(ten, sa.delete(CHECKPOINTS).where(CHECKPOINTS.c.id == 3))  # 1 is init's, 2 signed entry 10
    verdict = check(ten, full=False)
    assert (verdict.intact, verdict.started_at_seq, verdict.verified) == (True, 11, 4)


def test_editing_a_field_of_a_middle_row_breaks_at_that_row(ten: Runtime) -> None:
    """Catch a changed object id."""
    tamper(ten, sa.update(LOG).where(LOG.c.seq == 5).values(object_id="rec-other"))
    assert_broken_at(check(ten), 5)


def test_deleting_a_middle_row_breaks_at_the_missing_row(ten: Runtime) -> None:
    """Catch the gap a deleted entry leaves."""
    tamper(ten, sa.delete(LOG).where(LOG.c.seq == 5))
    assert_broken_at(check(ten), 5)


def test_swapping_two_rows_breaks_at_the_earlier_one(ten: Runtime) -> None:
    """Catch two entries whose contents, MACs included, traded places under their sequence numbers."""
    by_seq = {row["seq"]: row for row in rows(ten)}
    fourth, seventh = by_seq[4], by_seq[7]
    tamper(
        ten,
        sa.delete(LOG).where(LOG.c.seq.in_((4, 7))),
        sa.insert(LOG).values({**seventh, "seq": 4}),
        sa.insert(LOG).values({**fourth, "seq": 7}),
    )
    assert_broken_at(check(ten), 4)


def test_duplicating_a_row_after_the_head_breaks_at_the_copy(ten: Runtime) -> None:
    """Catch a replayed entry, relinked to the head so that its previous MAC is not a duplicate."""
    third, last = rows(ten)[2], rows(ten)[-1]
    tamper(ten, sa.insert(LOG).values({**third, "seq": 11, "prev_mac": last["mac"]}))
    assert_broken_at(check(ten), 11)


def test_the_database_refuses_two_entries_with_the_same_previous_mac(ten: Runtime) -> None:
    """Refuse a fork: an exact copy of an entry shares its previous MAC (B5)."""
    third = rows(ten)[2]
    with pytest.raises(sa.exc.IntegrityError):
        tamper(ten, sa.insert(LOG).values({**third, "seq": 11}))


def test_a_forged_row_with_an_unkeyed_hash_breaks_at_the_forgery(ten: Runtime) -> None:
    """Catch an appended entry whose MAC is plain SHA-256, as someone without K_log would compute it."""
    last = rows(ten)[-1]
    forged = entry_of(last, seq=11, object_id="rec-forged")
    mac = hashlib.sha256(last["mac"] + audit_vocab.canonical(forged)).digest()
    tamper(
        ten,
        sa.insert(LOG).values(
            {**last, "seq": 11, "object_id": "rec-forged", "prev_mac": last["mac"], "mac": mac}
        ),
    )
    assert_broken_at(check(ten), 11)


@pytest.mark.parametrize("claims_our_key", [True, False], ids=["claiming-our-key-id", "naming-its-own-key"])
def test_a_chain_recomputed_under_another_key_breaks_at_the_first_entry(
    ten: Runtime, claims_our_key: bool
) -> None:
    """Catch a whole chain rewritten with a log key this instance does not hold."""
    other = crypto.Keyring.generate()
    prev = audit_vocab.GENESIS_MAC
    statements = []
    for row in rows(ten):
        key_id = row["key_id"] if claims_our_key else other.log_key.id
        mac = other.log_mac(other.log_key.id, prev, audit_vocab.canonical(entry_of(row, key_id=key_id)))
        statements.append(
            sa.update(LOG).where(LOG.c.seq == row["seq"]).values(key_id=key_id, prev_mac=prev, mac=mac)
        )
        prev = mac
    tamper(ten, *statements)
    assert_broken_at(check(ten), 1)


def test_truncating_the_tail_is_caught_by_the_exported_checkpoint_file(ten: Runtime) -> None:
    """Catch a shortened log though the attacker also deleted the database's checkpoints."""
    write_checkpoint(ten)
    tamper(ten, truncate_after(7), sa.delete(CHECKPOINTS))
    for full in (True, False):
        verdict = check(ten, full=full)
        assert_broken_at(verdict, 8)
        assert verdict.head_seq == 7


def test_truncating_the_tail_is_caught_by_the_checkpoint_table_without_a_file(ten: Runtime) -> None:
    """Catch a shortened log from a database checkpoint past the head when the file is gone."""
    write_checkpoint(ten)
    checkpoints.path_in(ten.env.settings.checkpoint_dir).unlink()
    tamper(ten, truncate_after(7))
    assert_broken_at(check(ten), 8)


def test_truncating_the_tail_past_every_checkpoint_is_caught_by_the_head_record(runtime: Runtime) -> None:
    """Catch a tail no checkpoint signed: the instance recorded entry 10 as its head (heads.py)."""
    append_entries(runtime, 5)
    write_checkpoint(runtime)
    append_entries(runtime, 5)
    tamper(runtime, truncate_after(7))
    for full in (True, False):
        verdict = check(runtime, full=full)
        assert_broken_at(verdict, 8)
        assert verdict.reason.startswith(
            "truncated: the log ends at entry 7 but this instance last wrote entry 10"
        )


def test_a_tail_truncated_and_written_again_is_caught_by_the_head_record(runtime: Runtime) -> None:
    """Catch entry 10 written anew after the truncation: it is not the entry 10 the instance recorded."""
    append_entries(runtime, 5)
    write_checkpoint(runtime)
    append_entries(runtime, 5)
    tamper(runtime, truncate_after(7))
    append_entries(runtime, 3)
    verdict = check(runtime)
    assert_broken_at(verdict, 10)
    assert "is not the one this instance last wrote" in verdict.reason


def test_truncating_the_tail_and_the_head_record_leaves_a_verifier_that_cannot_vouch(
    runtime: Runtime,
) -> None:
    """Without the head record nothing outside the database knows the tail: the verifier cannot vouch."""
    append_entries(runtime, 5)
    write_checkpoint(runtime)
    append_entries(runtime, 5)
    tamper(runtime, truncate_after(7))
    heads.path_in(runtime.env.settings.checkpoint_dir).unlink()
    verdict = check(runtime)
    assert (verdict.intact, verdict.first_break_seq, verdict.head_seq) == (False, None, 7)
    assert verdict.reason.startswith("cannot vouch: the head record")


def test_an_archived_head_record_begins_again_at_the_next_checkpoint(runtime: Runtime) -> None:
    """After a known loss is recorded: archive head.json, sign a checkpoint, and the log verifies again."""
    append_entries(runtime, 5)
    write_checkpoint(runtime)
    append_entries(runtime, 5)
    tamper(runtime, truncate_after(7))
    record = heads.path_in(runtime.env.settings.checkpoint_dir)
    record.rename(record.with_name("head.json.archived"))
    write_checkpoint(runtime)
    verdict = check(runtime)
    assert (verdict.intact, verdict.head_seq, verdict.unanchored) == (True, 7, 0)


def test_a_tail_truncated_behind_a_lowered_head_record_is_reported_unanchored(runtime: Runtime) -> None:
    """Document the limit: a head record rewritten too leaves a valid prefix, never claimed as signed (B7).

    Nothing signed says entries 8-10 existed, so the verifier counts the entries past the newest checkpoint
    as not yet anchored; checkpoint often (checkpoint_every) to keep that window short.
    """
    append_entries(runtime, 5)
    write_checkpoint(runtime)
    append_entries(runtime, 5)
    tamper(runtime, truncate_after(7))
    folder = runtime.env.settings.checkpoint_dir
    with runtime.sessions() as session:
        seq, mac = audit.head(session)
    heads.record(folder, seq, mac, reset=True)
    verdict = check(runtime)
    assert (verdict.intact, verdict.head_seq, verdict.verified, verdict.unanchored) == (True, 7, 7, 2)


def test_entries_past_the_newest_checkpoint_are_counted_as_not_yet_anchored(ten: Runtime) -> None:
    """Ten entries after init's checkpoint, then a checkpoint at 10 and three more: 10, then 3 unanchored."""
    assert check(ten).unanchored == 10
    write_checkpoint(ten)
    assert check(ten).unanchored == 0
    append_entries(ten, 3)
    verdict = check(ten, full=False)
    assert (verdict.intact, verdict.unanchored) == (True, 3)


@pytest.mark.parametrize("store", ["file", "table", "both"])
def test_a_missing_or_emptied_checkpoint_store_cannot_be_vouched_for(ten: Runtime, store: str) -> None:
    """Delete the checkpoint file, empty the checkpoints table, or both: never intact, with the reason."""
    if store in ("file", "both"):
        checkpoints.path_in(ten.env.settings.checkpoint_dir).unlink()
    if store in ("table", "both"):
        tamper(ten, sa.delete(CHECKPOINTS))
    for full in (True, False):
        verdict = check(ten, full=full)
        assert (verdict.intact, verdict.first_break_seq) == (False, None), verdict
        assert verdict.cannot_vouch.startswith("cannot vouch: the ")
        assert verdict.reason == verdict.cannot_vouch
    words = "checkpoints table is empty" if store == "table" else "checkpoint file"
    assert words in check(ten).cannot_vouch


def test_a_new_log_with_no_entries_needs_no_checkpoint(runtime: Runtime) -> None:
    """An instance with no entries yet verifies intact even with no checkpoint store at all."""
    folder = runtime.env.settings.checkpoint_dir
    checkpoints.path_in(folder).unlink()
    heads.path_in(folder).unlink()
    tamper(runtime, sa.delete(CHECKPOINTS))
    verdict = check(runtime)
    assert (verdict.intact, verdict.head_seq, verdict.unanchored, verdict.cannot_vouch) == (True, 0, 0, "")


def test_a_corrupted_checkpoint_signature_in_the_file_breaks_at_its_head(ten: Runtime) -> None:
    """Catch a checkpoint line whose signature no longer verifies."""
    write_checkpoint(ten)
    corrupt_signature_in_file(ten)
    for full in (True, False):
        verdict = check(ten, full=full)
        assert_broken_at(verdict, 10)
        assert "invalid signature" in verdict.reason


def test_a_trusted_checkpoint_past_the_head_is_caught_by_incremental_verification(ten: Runtime) -> None:
    """Catch an older copy of the database restored under a checkpoint held in both places."""
    write_checkpoint(ten)
    tamper(ten, truncate_after(7))
    for full in (True, False):
        verdict = check(ten, full=full)
        assert_broken_at(verdict, 8)
        assert verdict.head_seq == 7


def test_an_unreadable_checkpoint_file_breaks_at_the_first_entry(ten: Runtime) -> None:
    """Catch a checkpoint file whose lines were replaced by something else."""
    write_checkpoint(ten)
    checkpoints.path_in(ten.env.settings.checkpoint_dir).write_text("not json\n", encoding="utf-8")
    assert_broken_at(check(ten), 1)


@pytest.mark.skipif(not ON_POSTGRES, reason="the append-only trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "statement",
    [
        sa.update(LOG).where(LOG.c.seq == 5).values(object_id="rec-other"),
        sa.delete(LOG).where(LOG.c.seq == 5),
        sa.text("TRUNCATE audit_log CASCADE"),
    ],
    ids=["update", "delete", "truncate"],
)
def test_update_and_delete_on_the_log_are_refused_on_postgresql(ten: Runtime, statement: Any) -> None:
    """Refuse UPDATE, DELETE and TRUNCATE through the append-only trigger (B6)."""
    with ten.sessions() as session, pytest.raises(sa.exc.DBAPIError, match="append-only"):
        session.execute(statement)
    verdict = check(ten)
    assert (verdict.intact, verdict.head_seq) == (True, 10)


def test_a_gap_spanning_a_corrupted_checkpoint_is_reported_where_it_begins(ten: Runtime) -> None:
    """Report the start of a gap that spans a corrupted checkpoint, not the checkpoint."""
    write_checkpoint(ten)
    append_entries(ten, 5)
    corrupt_signature_in_file(ten)
    tamper(ten, sa.delete(LOG).where(LOG.c.seq.between(8, 11)))
    assert_broken_at(check(ten), 8)
