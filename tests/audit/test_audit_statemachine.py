"""A Hypothesis state machine of appends, checkpoints, tampering and verification (security.md B8).

A model tracks which rows exist (each with a token standing for its MAC), which were edited, and what each
checkpoint signed; after every step the verifier must report exactly the first break the model predicts.
"""

from __future__ import annotations

import itertools
import json
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import invariant
from hypothesis.stateful import precondition
from hypothesis.stateful import rule

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import db
from roi_tracker import migrate
from roi_tracker import models
from roi_tracker.audit import checkpoints
from roi_tracker.audit import verify
from roi_tracker.domain import audit_vocab
from tests.conftest import ON_POSTGRES
from tests.conftest import PG_URL

LOG = models.AuditEntry.__table__
ACTOR = audit.Actor(user_id="user-7", role="clinician", request_id="req-1")
EDITABLE = ("actor", "object_id", "client_id", "basis")


@dataclass
class Signed:
    """What one checkpoint signed, as the model sees it; `corrupted` applies to its line in the file."""

    head_seq: int
    token: int | None
    corrupted: bool = False


def as_admin(statement: str) -> None:
    """Run one statement on the PostgreSQL test database outside any schema."""
    admin = sa.create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(statement))
    finally:
        admin.dispose()


class Database:
    """A fresh, migrated database of this run's kind: an SQLite file, or a PostgreSQL schema."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="roi-audit-sm-"))
        self.schema = ""
        if ON_POSTGRES:
            self.schema = f"sm_{uuid.uuid4().hex[:12]}"
            as_admin(f"CREATE SCHEMA {self.schema}")
            sep = "&" if "?" in PG_URL else "?"
            url = f"{PG_URL}{sep}options=-csearch_path%3D{self.schema}"
        else:
            url = f"sqlite:///{self.folder / 'roi.sqlite3'}"
        migrate.upgrade(url)
        self.engine = db.make_engine(url)
        self.sessions = db.make_session_factory(self.engine)

    def drop(self) -> None:
        """Release the connections and remove the database."""
        self.engine.dispose()
        if self.schema:
            as_admin(f"DROP SCHEMA {self.schema} CASCADE")
        shutil.rmtree(self.folder, ignore_errors=True)


class AccessLogMachine(RuleBasedStateMachine):
    """Append, checkpoint, tamper and verify; the verifier must agree with the model at every step."""

    def __init__(self) -> None:
        super().__init__()
        self.database = Database()
        self.keyring = crypto.Keyring.generate()
        self.checkpoint_dir = self.database.folder / "checkpoints"
        self.log = audit.Log(self.keyring, checkpoint_dir=self.checkpoint_dir)
        self.tokens = itertools.count(1)
        self.rows: dict[int, int] = {}
        self.edited: set[int] = set()
        self.signed: list[Signed] = []
        # The head record (heads.py): the newest entry written, moving forward only.
        self.recorded = Signed(0, None)
        self.checkpoint()  # as `roi-tracker init` does: checkpoint 1 signs the empty log

    def teardown(self) -> None:
        """Drop this example's database."""
        self.database.drop()

    # -- the model -----------------------------------------------------------------------------------------
    @property
    def head(self) -> int:
        """Return the newest sequence number the log holds."""
        return max(self.rows, default=0)

    @property
    def newest_signed(self) -> int:
        """Return the highest sequence number any checkpoint signed."""
        return max((s.head_seq for s in self.signed), default=0)

    def expected_break(self) -> int | None:
        """Return the first broken sequence number the verifier should report, or None when intact."""
        head = self.head
        found = set(self.edited) | {seq for seq in range(1, head) if seq not in self.rows}
        for i, signed in enumerate(self.signed):
            if signed.corrupted or (i > 0 and self.signed[i - 1].corrupted):
                found.add(max(signed.head_seq, 1))
            if signed.head_seq > head:
                found.add(head + 1)
            elif signed.head_seq in self.rows and self.rows[signed.head_seq] != signed.token:
                found.add(signed.head_seq)
        recorded = self.recorded
        if recorded.head_seq > head:
            found.add(head + 1)
        elif recorded.head_seq > 0 and self.rows.get(recorded.head_seq) != recorded.token:
            found.add(recorded.head_seq)
        return min(found, default=None)

    def drop_rows_after(self, seq: int) -> None:
        """Forget the rows after `seq`, as a truncation removes them."""
        self.rows = {s: t for s, t in self.rows.items() if s <= seq}
        self.edited = {s for s in self.edited if s <= seq}

    # -- the system ----------------------------------------------------------------------------------------
    def attack(self, statement: sa.Executable) -> None:
        """Run one statement as a database superuser, the append-only trigger switched off."""
        with self.database.sessions() as session:
            if ON_POSTGRES:
                session.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
            session.execute(statement)
            session.commit()

    def verdict(self, *, full: bool) -> verify.Verdict:
        """Run the verifier."""
        with self.database.sessions() as session:
            return verify.verify(session, self.keyring, self.checkpoint_dir, full=full)

    # -- rules ---------------------------------------------------------------------------------------------
    @rule(count=st.integers(min_value=1, max_value=4))
    def append(self, count: int) -> None:
        """Append entries in one transaction."""
        with self.database.sessions() as session:
            for _ in range(count):
                token = next(self.tokens)
                seq = self.log.append(
                    session,
                    ACTOR,
                    audit_vocab.Action.CLIENT_RECORD_READ,
                    audit_vocab.Outcome.ALLOWED,
                    object_type="client_record",
                    object_id=f"rec-{token}",
                )
                assert seq == self.head + 1
                self.rows[seq] = token
            audit.commit(session)
        if self.head > self.recorded.head_seq:
            self.recorded = Signed(self.head, self.rows[self.head])

    @rule()
    def checkpoint(self) -> None:
        """Sign the head into the table and the file."""
        with self.database.sessions() as session:
            written = checkpoints.write(session, self.keyring, self.checkpoint_dir)
        assert written.head_seq == self.head
        self.signed.append(Signed(self.head, self.rows.get(self.head)))

    @precondition(lambda self: self.rows)
    @rule(data=st.data(), field=st.sampled_from(EDITABLE))
    def edit_a_row(self, data: st.DataObject, field: str) -> None:
        """Change one field of a stored entry."""
        seq = data.draw(st.sampled_from(sorted(self.rows)), label="seq")
        self.attack(sa.update(LOG).where(LOG.c.seq == seq).values({field: LOG.c[field] + "~"}))
        self.edited.add(seq)

    @precondition(lambda self: len(self.rows) >= 2)
    @rule(data=st.data())
    def delete_a_row_below_the_head(self, data: st.DataObject) -> None:
        """Delete one entry that has a successor."""
        seq = data.draw(st.sampled_from(sorted(self.rows)[:-1]), label="seq")
        self.attack(sa.delete(LOG).where(LOG.c.seq == seq))
        del self.rows[seq]
        self.edited.discard(seq)

    @precondition(lambda self: self.head >= 1 and self.newest_signed >= 1)
    @rule(data=st.data())
    def truncate_a_signed_tail(self, data: st.DataObject) -> None:
        """Drop entries after a point some checkpoint has signed past."""
        keep = data.draw(st.integers(0, min(self.head, self.newest_signed) - 1), label="keep")
        self.attack(sa.delete(LOG).where(LOG.c.seq > keep))
        self.drop_rows_after(keep)

    @precondition(lambda self: self.head > self.newest_signed)
    @rule(data=st.data())
    def truncate_an_unsigned_tail(self, data: st.DataObject) -> None:
        """Drop entries no checkpoint covers: the head record shows it until the log grows past it again."""
        keep = data.draw(st.integers(self.newest_signed, self.head - 1), label="keep")
        self.attack(sa.delete(LOG).where(LOG.c.seq > keep))
        self.drop_rows_after(keep)

    @precondition(lambda self: any(not s.corrupted for s in self.signed))
    @rule(data=st.data())
    def corrupt_a_signature_in_the_file(self, data: st.DataObject) -> None:
        """Flip one hex digit of a checkpoint's signature in the external file."""
        index = data.draw(st.sampled_from([i for i, s in enumerate(self.signed) if not s.corrupted]))
        path = checkpoints.path_in(self.checkpoint_dir)
        lines = path.read_text(encoding="utf-8").splitlines()
        doc = json.loads(lines[index])
        doc["signature"] = ("1" if doc["signature"][0] == "0" else "0") + doc["signature"][1:]
        lines[index] = json.dumps(doc, sort_keys=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.signed[index].corrupted = True

    @rule()
    def verify_incrementally(self) -> None:
        """Verify from the last trusted checkpoint: intact on an untouched log, never earlier than in full."""
        verdict = self.verdict(full=False)
        expected = self.expected_break()
        if expected is None:
            start = self.signed[-1].head_seq + 1 if self.signed else 1
            assert (verdict.intact, verdict.started_at_seq) == (True, start), verdict
            assert verdict.verified == self.head - start + 1, verdict
        elif not verdict.intact:
            assert verdict.first_break_seq is not None
            assert verdict.first_break_seq >= expected, verdict

    @invariant()
    def full_verification_reports_the_first_break_the_model_predicts(self) -> None:
        """Verify every link and checkpoint and compare with the model."""
        verdict = self.verdict(full=True)
        expected = self.expected_break()
        assert verdict.first_break_seq == expected, (verdict, self.rows, self.edited, self.signed)
        assert verdict.intact is (expected is None)
        assert verdict.head_seq == self.head


AccessLogMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=15, deadline=None)
TestTheVerifierAgreesWithAModelOfTheLog = AccessLogMachine.TestCase
