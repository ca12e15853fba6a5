"""`roi-tracker audit verify` on the tail: entries not yet anchored, truncation, missing checkpoint stores."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import sqlalchemy as sa

from tests.cli.conftest import run


def sql(*statements: str) -> None:
    """Run statements on the instance's database as its superuser, the append-only trigger switched off."""
    engine = sa.create_engine(os.environ["ROI_DATABASE_URL"])
    try:
        with engine.begin() as conn:
            postgres = conn.dialect.name == "postgresql"
            if postgres:
                conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
            for statement in statements:
                conn.execute(sa.text(statement))
            if postgres:
                conn.execute(sa.text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    finally:
        engine.dispose()


def head_seq() -> int:
    """Return the newest sequence number in the log."""
    engine = sa.create_engine(os.environ["ROI_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT max(seq) FROM audit_log")).scalar_one() or 0)
    finally:
        engine.dispose()


def newest_checkpoint(inst: Path) -> int:
    """Return the entry the newest checkpoint in the file signed."""
    lines = (inst / "checkpoints" / "checkpoints.jsonl").read_text(encoding="utf-8").splitlines()
    return int(json.loads(lines[-1])["head_seq"])


def add_users(*names: str) -> None:
    """Create users, each creation one entry in the log."""
    for name in names:
        code, _, err = run(
            "users", "create", name, "--role", "clinician", "--password-stdin", stdin="a long password!\n"
        )
        assert code == 0, err


def test_a_new_instance_with_no_entries_verifies_intact(cli_env: Path) -> None:  # noqa: F811
    """Plain init signs the empty log: verify exits 0 and says intact, in full and incrementally."""
    assert run("init")[0] == 0
    assert head_seq() == 0
    code, out, _ = run("audit", "verify")
    assert code == 0, out
    assert out.startswith("intact")
    assert "not yet anchored" not in out
    # That run logged itself: entry 1, which no checkpoint signs yet.
    code, out, _ = run("audit", "verify", "--full")
    assert code == 0, out
    assert out.startswith("intact: 1 entries verified, from entry 1 to 1; 1 entries not yet anchored")


def test_a_demo_instance_verifies_intact(cli_env: Path) -> None:  # noqa: F811
    """init --demo ends with a checkpoint: verify says intact with nothing unanchored."""
    assert run("init", "--demo")[0] == 0
    code, out, _ = run("audit", "verify")
    assert code == 0, out
    assert out.startswith("intact")
    assert "not yet anchored" not in out


def test_entries_after_the_last_checkpoint_are_named_not_yet_anchored(cli_env: Path) -> None:  # noqa: F811
    """Intact, exit 0, but the entries past the newest signed checkpoint are counted, not vouched for."""
    run("init", "--demo")
    add_users("ana1", "ben2", "cy3")
    expected = head_seq() - newest_checkpoint(cli_env)
    assert expected >= 3
    code, out, _ = run("audit", "verify")
    assert code == 0, out
    assert out.startswith("intact")
    match = re.search(r"; (\d+) entries not yet anchored", out)
    assert match, out
    assert int(match.group(1)) == expected
    run("audit", "checkpoint")
    code, out, _ = run("audit", "verify")
    assert (code, "not yet anchored" in out) == (0, False), out


def test_deleting_the_newest_entries_after_the_last_checkpoint_is_reported_truncated(
    cli_env: Path,  # noqa: F811
) -> None:
    """The instance recorded its head: a tail cut off past the newest checkpoint is truncation, exit 1."""
    run("init", "--demo")
    signed = newest_checkpoint(cli_env)
    add_users("ana1", "ben2", "cy3")
    last = head_seq()
    sql(f"DELETE FROM audit_log WHERE seq > {signed + 1}")  # noqa: S608 - integers from this test
    for mode in ((), ("--full",)):
        now = head_seq()  # each run logs itself, one entry on from the cut
        code, out, _ = run("audit", "verify", *mode)
        assert code == 1, out
        assert out.startswith(f"broken at entry {now + 1}: truncated: the log ends at entry {now} but")
        assert f"this instance last wrote entry {last}" in out


def test_a_deleted_checkpoint_file_cannot_be_vouched_for(cli_env: Path) -> None:  # noqa: F811
    """Without the file nothing outside the database signs the log: cannot vouch, exit 1, never intact."""
    run("init", "--demo")
    (cli_env / "checkpoints" / "checkpoints.jsonl").unlink()
    code, out, _ = run("audit", "verify")
    assert code == 1, out
    assert out.startswith("cannot vouch: the checkpoint file")
    assert "intact" not in out


def test_an_emptied_checkpoints_table_cannot_be_vouched_for(cli_env: Path) -> None:  # noqa: F811
    """Checkpoints deleted from the database: cannot vouch, exit 1, never intact."""
    run("init", "--demo")
    sql("DELETE FROM audit_checkpoints")
    for mode in ((), ("--full",)):
        code, out, _ = run("audit", "verify", *mode)
        assert code == 1, out
        assert out.startswith("cannot vouch: the database's checkpoints table is empty")
        assert "intact" not in out
