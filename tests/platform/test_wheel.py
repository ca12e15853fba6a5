"""The wheel, installed into a fresh virtualenv, works without the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
CONSTRAINTS = ROOT / "constraints.txt"

pytestmark = pytest.mark.slow

# Run with the new virtualenv's python in isolated mode (-I: no PYTHONPATH, no current directory on sys.path),
# from a folder outside the repository, so that only the installed package can be imported.
SIGN_IN_CHECK = """
import json
import roi_tracker
from roi_tracker import resources
from roi_tracker.app import create_app

app = create_app()
response = app.test_client().get("/signin")
assert response.status_code == 200, response.status_code
assert "Sign in" in response.text
print(json.dumps({
    "package": roi_tracker.__file__,
    "templates": str(resources.folder("templates")),
    "static": str(resources.folder("static")),
    "migrations": str(resources.folder("migrations")),
}))
"""


def run(args: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command to completion and return its output; fail the test with its stderr when it fails."""
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, f"{' '.join(map(str, args))} exited {result.returncode}:\n{result.stderr}"
    return result.stdout


def clean_environment(**extra: str) -> dict[str, str]:
    """Return this process's environment without roi-tracker settings or Python path overrides."""
    dropped = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROI_") and k not in dropped}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the project's wheel from the working tree."""
    outdir = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--wheel", "--outdir", outdir], cwd=ROOT, env=clean_environment())
    (built,) = outdir.glob("roi_tracker-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the wheel, with the pinned dependencies, into a new virtualenv."""
    path = tmp_path_factory.mktemp("venv")
    env = clean_environment()
    run([sys.executable, "-m", "venv", path], cwd=path, env=env)
    pip: list[str | Path] = [path / "bin" / "python", "-m", "pip", "--disable-pip-version-check", "--quiet"]
    run([*pip, "install", "-c", CONSTRAINTS, wheel], cwd=path, env=env)
    return path


@pytest.fixture(scope="module")
def instance_env(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Initialize an instance with the installed command; return the environment that points at it."""
    home = tmp_path_factory.mktemp("instance-home")
    env = clean_environment(ROI_INSTANCE_PATH=str(home / "instance"))
    run([venv / "bin" / "roi-tracker", "init"], cwd=home, env=env)
    return env


def test_wheel_ships_templates_static_files_and_migrations(wheel: Path) -> None:
    """Find the force-included folders inside the package in the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for expected in (
        "roi_tracker/templates/base.html",
        "roi_tracker/static/app.css",
        "roi_tracker/migrations/env.py",
        "roi_tracker/migrations/script.py.mako",
    ):
        assert expected in names
    assert any(name.startswith("roi_tracker/migrations/versions/") for name in names)


def test_installed_command_prints_its_help(venv: Path, tmp_path: Path) -> None:
    """Run `roi-tracker --help` from the new virtualenv."""
    out = run([venv / "bin" / "roi-tracker", "--help"], cwd=tmp_path, env=clean_environment())
    assert "init" in out
    assert "serve" in out


def test_installed_init_creates_the_instance_and_a_private_key_file(instance_env: dict[str, str]) -> None:
    """Create the key file (0600) and the SQLite database with the installed `roi-tracker init`."""
    instance = Path(instance_env["ROI_INSTANCE_PATH"])
    assert (instance / "keys.json").stat().st_mode & 0o777 == 0o600
    assert (instance / "roi-tracker.sqlite3").is_file()


def test_installed_app_serves_the_sign_in_page_from_outside_the_source_tree(
    venv: Path, instance_env: dict[str, str], tmp_path: Path
) -> None:
    """Render /signin with templates, static files and migrations taken from the installed package."""
    out = run([venv / "bin" / "python", "-I", "-c", SIGN_IN_CHECK], cwd=tmp_path, env=instance_env)
    found = json.loads(out.strip().splitlines()[-1])
    for what in ("package", "templates", "static", "migrations"):
        assert Path(found[what]).resolve().is_relative_to(venv.resolve()), f"{what} came from {found[what]}"
    assert not Path(found["package"]).resolve().is_relative_to(ROOT)
