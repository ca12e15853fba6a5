"""CLI fixtures: a throwaway instance the command points at, and running the command in-process."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from roi_tracker import cli


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the command at a throwaway instance and this run's database."""
    inst = tmp_path / "inst"
    monkeypatch.setenv("ROI_INSTANCE_PATH", str(inst))
    monkeypatch.setenv("ROI_DATABASE_URL", database_url)
    for name in ("ROI_KEY_FILE", "ROI_CHECKPOINT_DIR", "ROI_REQUIRE_MFA"):
        monkeypatch.delenv(name, raising=False)
    return inst


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Run the command in-process and return (exit code, stdout, stderr)."""
    result = CliRunner().invoke(cli.main, list(args), input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr
