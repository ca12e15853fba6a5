"""PostgreSQL backups are pg_dump's and pg_restore's: the README's commands, run on a test schema, restore
into a fresh database whose log `roi-tracker audit verify` finds intact; `backup` points at them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from roi_tracker import cli
from roi_tracker.audit import checkpoints
from roi_tracker.runtime import Runtime
from tests.conftest import ON_POSTGRES
from tests.conftest import PG_URL
from tests.helpers import person

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only (set ROI_TEST_DATABASE_URL)")


def tool(name: str) -> str:
    """Return a PostgreSQL client program; when missing, skip with a reason (under CI, fail)."""
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is not installed (install postgresql-client)")
        pytest.skip(f"{name} is not installed")
    return found


def schema_of(url: str) -> str:
    """Return the schema a test URL's search_path names."""
    match = re.search(r"search_path%3D(\w+)", url) or re.search(r"search_path=(\w+)", url)
    assert match, "no search_path in the test URL"
    return match.group(1)


def libpq(url: str) -> list[str]:
    """Return pg_dump's and pg_restore's connection options for a SQLAlchemy URL."""
    u = make_url(url)
    return ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres"]


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """A new, empty database in the test cluster, dropped afterwards."""
    name = f"roi_restore_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    yield name
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def invoke(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Run the command in-process with `env` and return (exit code, stdout, stderr)."""
    result = CliRunner().invoke(cli.main, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_pg_dump_and_pg_restore_give_a_database_whose_log_verifies(
    runtime: Runtime, fresh_database: str, tmp_path: Path
) -> None:
    """pg_dump -Fc of the schema in use, pg_restore into a fresh database, then audit verify exits 0."""
    for name in ("dana", "eli", "fay"):
        person(runtime, name, "clinician")
    with runtime.sessions() as session:
        checkpoints.write(session, runtime.env.keyring, runtime.env.settings.checkpoint_dir)
    url = runtime.env.settings.database_url
    schema = schema_of(url)
    dump = tmp_path / "roi.dump"
    u = make_url(url)
    command = [tool("pg_dump"), *libpq(url), "-Fc", "-n", schema, "-f", str(dump), u.database or "test"]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    command = [tool("pg_restore"), *libpq(url), "--exit-on-error", "-d", fresh_database, str(dump)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    restored = url.replace(f"/{u.database}?", f"/{fresh_database}?")
    env = {
        "ROI_DATABASE_URL": restored,
        "ROI_INSTANCE_PATH": str(runtime.env.settings.instance_path),
        "ROI_KEY_FILE": str(runtime.env.settings.key_file),
        "ROI_CHECKPOINT_DIR": str(runtime.env.settings.checkpoint_dir),
    }
    code, out, err = invoke(env, "audit", "verify", "--full")
    assert (code, err) == (0, "")
    assert out.startswith("intact")
    code, out, err = invoke(env, "users", "list")
    assert code == 0
    assert {line.split("\t")[0] for line in out.splitlines()} == {"dana", "eli", "fay"}


def test_the_backup_command_points_postgresql_at_pg_dump(runtime: Runtime, tmp_path: Path) -> None:
    """On PostgreSQL `roi-tracker backup` refuses with one line naming pg_dump, and writes nothing."""
    env = {
        "ROI_DATABASE_URL": runtime.env.settings.database_url,
        "ROI_INSTANCE_PATH": str(runtime.env.settings.instance_path),
        "ROI_KEY_FILE": str(runtime.env.settings.key_file),
    }
    code, _, err = invoke(env, "backup", str(tmp_path / "b.sqlite3"))
    assert code == 1
    assert "pg_dump -Fc and pg_restore" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "b.sqlite3").exists()
