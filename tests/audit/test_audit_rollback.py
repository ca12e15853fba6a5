"""A restored older copy of the database, seen from the checkpoint file: reported as a rollback (B7, B8)."""

from __future__ import annotations

import sqlalchemy as sa

from roi_tracker.runtime import Runtime
from tests.audit.test_audit_tamper import CHECKPOINTS
from tests.audit.test_audit_tamper import append_entries
from tests.audit.test_audit_tamper import assert_broken_at
from tests.audit.test_audit_tamper import check
from tests.audit.test_audit_tamper import tamper
from tests.audit.test_audit_tamper import truncate_after
from tests.audit.test_audit_tamper import write_checkpoint


def restore_older_copy(runtime: Runtime) -> None:
    """Sign entry 10, then entry 15; put back the database as it was at entry 10 (the file keeps both).

    Checkpoint 1 signed the empty log at init (conftest), so these are checkpoints 2 and 3.
    """
    append_entries(runtime, 10)
    write_checkpoint(runtime)
    append_entries(runtime, 5)
    write_checkpoint(runtime)
    tamper(runtime, truncate_after(10), sa.delete(CHECKPOINTS).where(CHECKPOINTS.c.id == 3))


def assert_rollback(runtime: Runtime, seq: int, words: str) -> None:
    """Both walks report a rollback first at entry `seq`, in words naming the checkpoint of the file."""
    for full in (True, False):
        verdict = check(runtime, full=full)
        assert_broken_at(verdict, seq)
        assert "checkpoint 3 of the checkpoint file" in verdict.reason
        assert "a rollback: an older copy of the database was restored" in verdict.reason
        assert words in verdict.reason


def test_a_restored_copy_behind_the_newest_checkpoint_is_a_rollback(runtime: Runtime) -> None:
    """The log ends before the entry the file's newest checkpoint signed."""
    restore_older_copy(runtime)
    assert_rollback(runtime, 11, "the log ends at entry 10")


def test_a_restored_copy_that_went_on_past_the_checkpoint_is_still_a_rollback(runtime: Runtime) -> None:
    """New entries after the restore reach entry 15 again, but it is not the entry the file signed."""
    restore_older_copy(runtime)
    append_entries(runtime, 7)
    assert_rollback(runtime, 15, "entry 15 is not the one")


def test_a_restored_copy_that_signed_checkpoints_anew_is_still_a_rollback(runtime: Runtime) -> None:
    """The database's new checkpoint 3 differs from the file's checkpoint 3."""
    restore_older_copy(runtime)
    append_entries(runtime, 7)
    write_checkpoint(runtime)
    assert_rollback(runtime, 15, "differs from the database's")


def test_a_checkpoint_missing_only_from_the_table_is_no_rollback(runtime: Runtime) -> None:
    """While the chain still ends in the entry the file's checkpoint signed, nothing went back in time."""
    append_entries(runtime, 10)
    write_checkpoint(runtime)
    # Only the newest: a table emptied of every checkpoint is one the verifier cannot vouch for (tail.py).
    tamper(runtime, sa.delete(CHECKPOINTS).where(CHECKPOINTS.c.id == 2))
    append_entries(runtime, 3)
    assert check(runtime).intact
