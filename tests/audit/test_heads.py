"""The head record (audit/heads.py): forward only, reset on request, rewritten in place."""

from __future__ import annotations

from pathlib import Path

import pytest

from roi_tracker.audit import heads


def test_the_head_record_moves_forward_only(tmp_path: Path) -> None:
    """A lower head, as a slower process commits after a faster one, leaves the higher record in place."""
    heads.record(tmp_path, 7, b"\x07" * 32)
    heads.record(tmp_path, 5, b"\x05" * 32)
    assert heads.read(tmp_path) == heads.Head(7, b"\x07" * 32)
    heads.record(tmp_path, 5, b"\x05" * 32, reset=True)
    assert heads.read(tmp_path) == heads.Head(5, b"\x05" * 32)


def test_a_missing_folder_is_created_and_an_unreadable_record_replaced(tmp_path: Path) -> None:
    """The first record makes its folder; garbage in the file is replaced by a true, fixed-width record."""
    folder = tmp_path / "new"
    assert heads.read(folder) is None
    heads.record(folder, 1, b"\x01" * 32)
    heads.path_in(folder).write_text("not a record, and longer than one " * 10, encoding="utf-8")
    with pytest.raises(heads.HeadRecordError):
        heads.read(folder)
    heads.record(folder, 2, b"\x02" * 32)
    assert heads.read(folder) == heads.Head(2, b"\x02" * 32)
    assert len(heads.path_in(folder).read_bytes()) == 128
