"""When checkpoints are written: every N entries, every T minutes while the log grows, and on demand."""

from __future__ import annotations

from datetime import timedelta

from roi_tracker import audit
from roi_tracker import db
from roi_tracker.audit import checkpoints
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.runtime import Runtime
from roi_tracker.server import checkpoint_if_due

ACTOR = audit.Actor("tester", "admin")


def _append(rt: Runtime, log: audit.Log, count: int) -> None:
    with rt.sessions() as session:
        for _ in range(count):
            log.append(session, ACTOR, Action.USER_CREATED, Outcome.ALLOWED)
            audit.commit(session)


def test_a_checkpoint_is_signed_every_n_entries(runtime: Runtime) -> None:
    """With checkpoint_every=5, twelve entries leave checkpoints at entries 5 and 10 in the file and table.

    Checkpoint 1, at entry 0, is the one init signs.
    """
    log = audit.Log(
        runtime.env.keyring, checkpoint_every=5, checkpoint_dir=runtime.env.settings.checkpoint_dir
    )
    _append(runtime, log, 12)
    in_file = checkpoints.read_file(runtime.env.settings.checkpoint_dir)
    assert [cp.head_seq for cp in in_file] == [0, 5, 10]
    with runtime.sessions() as session:
        assert checkpoints.read_table(session) == in_file


def test_periodic_checkpoint_waits_for_the_interval_and_for_new_entries(runtime: Runtime) -> None:
    """The timer signs only when the head moved and the last checkpoint is older than the interval."""
    log = audit.Log(runtime.env.keyring)
    folder = runtime.env.settings.checkpoint_dir
    interval = timedelta(minutes=runtime.env.settings.checkpoint_minutes + 1)
    _append(runtime, log, 3)
    checkpoint_if_due(runtime)  # too soon after init's checkpoint at entry 0
    assert [cp.head_seq for cp in checkpoints.read_file(folder)] == [0]
    later = db.utcnow() + interval
    object.__setattr__(runtime.env, "clock", lambda: later)
    checkpoint_if_due(runtime)
    assert [cp.head_seq for cp in checkpoints.read_file(folder)] == [0, 3]
    _append(runtime, log, 2)
    object.__setattr__(runtime.env, "clock", db.utcnow)  # entry 3 was signed at the real time
    checkpoint_if_due(runtime)  # too soon: the interval has not passed since entry 3 was signed
    assert len(checkpoints.read_file(folder)) == 2
    much_later = db.utcnow() + interval
    object.__setattr__(runtime.env, "clock", lambda: much_later)
    checkpoint_if_due(runtime)
    assert [cp.head_seq for cp in checkpoints.read_file(folder)] == [0, 3, 5]
    checkpoint_if_due(runtime, force=True)  # nothing new since: no checkpoint even when forced
    assert len(checkpoints.read_file(folder)) == 3


def test_each_checkpoint_signs_the_one_before(runtime: Runtime) -> None:
    """Checkpoints form a chain of signatures."""
    log = audit.Log(runtime.env.keyring)
    with runtime.sessions() as session:
        for _ in range(3):
            _append(runtime, log, 1)
            checkpoints.write(session, runtime.env.keyring, runtime.env.settings.checkpoint_dir)
    written = checkpoints.read_file(runtime.env.settings.checkpoint_dir)
    assert written[0].prev_signature == checkpoints.NO_SIGNATURE
    assert [cp.prev_signature for cp in written[1:]] == [cp.signature for cp in written[:-1]]
