"""The deployment files: docker-compose.yml is valid, and neither it nor the image carries a secret."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

# Runs of base64 or hex: what key material, tokens and generated passwords look like.
TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{24,}")
SECRET_NAMES = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY$")
# An environment setting, in map form (`NAME: value`) or list form (`- NAME=value`).
SETTING = re.compile(r"^\s*(?:-\s*)?([A-Z][A-Z0-9_]*)\s*[:=]\s*(\S.*)$")


def looks_like_key(token: str) -> bool:
    """Tell a base64 or hex secret from a path or a name: secrets of this length hold several digits."""
    return sum(c.isdigit() for c in token) >= 3 and any(c.isalpha() for c in token)


def run_compose(tmp_path: Path, *args: str, password: str | None) -> subprocess.CompletedProcess[str]:
    """Run docker-compose in the repository root with an empty env file and only the given password."""
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip(
            "docker-compose is not installed (apt-get install docker-compose); compose file not checked"
        )
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROI_", "COMPOSE_"))}
    if password is not None:
        env["ROI_DB_PASSWORD"] = password
    return subprocess.run(
        [binary, "--env-file", str(env_file), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_compose_file_is_valid_when_the_database_password_is_supplied(tmp_path: Path) -> None:
    """Validate docker-compose.yml with `docker-compose config -q`."""
    result = run_compose(tmp_path, "config", "-q", password="throwaway-test-password")
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_run_without_a_database_password(tmp_path: Path) -> None:
    """Fail, naming the variable, when ROI_DB_PASSWORD is not set (secrets have no defaults)."""
    result = run_compose(tmp_path, "config", "-q", password=None)
    assert result.returncode != 0
    assert "ROI_DB_PASSWORD" in result.stdout + result.stderr


def test_database_password_reaches_postgres_and_the_app_only_from_the_environment(tmp_path: Path) -> None:
    """Resolve the compose file with a random password and find it wherever the password is used."""
    password = secrets.token_hex(16)
    result = run_compose(tmp_path, "config", password=password)
    assert result.returncode == 0, result.stderr
    resolved = result.stdout
    assert re.search(rf"POSTGRES_PASSWORD:\s*['\"]?{password}\b", resolved)
    assert re.search(rf"ROI_DATABASE_URL:\s*['\"]?postgresql\+psycopg://roi:{password}@postgres:", resolved)
    assert password not in COMPOSE_FILE.read_text()


def test_compose_file_holds_no_key_material_or_literal_passwords() -> None:
    """Find no key-like strings, and take every secret-named setting from a variable or a secret."""
    text = COMPOSE_FILE.read_text()
    config_lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    for line in config_lines:
        keys = [token for token in TOKEN.findall(line) if looks_like_key(token)]
        assert not keys, f"key-like value in docker-compose.yml: {line.strip()}"
        assert not re.search(r"session_key|log_keys|signing_keys|keks", line), line.strip()
        setting = SETTING.match(line)
        if setting and SECRET_NAMES.search(setting[1]):
            value = setting[2]
            assert "${" in value or "/run/secrets/" in value, f"hard-coded secret: {line.strip()}"
            assert ":-" not in value, f"secret with a default: {line.strip()}"
    database_urls = re.findall(r'ROI_DATABASE_URL:\s*"?([^"\n]+)', text)
    assert database_urls, "no ROI_DATABASE_URL in docker-compose.yml"
    for url in database_urls:
        assert re.match(r"postgresql\+psycopg://roi:\$\{ROI_DB_PASSWORD:\?", url), url


def test_app_reads_its_key_file_as_a_secret_mounted_from_outside_the_build_context() -> None:
    """Point ROI_KEY_FILE at /run/secrets and the secret at ./secrets, which .dockerignore leaves out."""
    text = COMPOSE_FILE.read_text()
    assert "ROI_KEY_FILE: /run/secrets/roi_keys" in text
    assert re.search(r"^secrets:\n  roi_keys:\n    file: \./secrets/keys\.json$", text, re.MULTILINE)
    ignored = set(DOCKERIGNORE.read_text().split())
    assert {".venv", "instance", ".git", "secrets", ".env", "**/keys.json", ".pytest_cache"} <= ignored


def test_image_runs_as_a_non_root_user_and_bakes_in_no_secret() -> None:
    """Run as uid 10001, serve with the documented command, and set no secret in the Dockerfile."""
    text = DOCKERFILE.read_text()
    assert re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)[-1] == "10001:10001"
    assert 'CMD ["roi-tracker", "serve", "--host", "0.0.0.0", "--port", "5000"]' in text
    assert "pip install -c constraints.txt ." in text
    instructions = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    for name in ("ROI_KEY_FILE", "ROI_DATABASE_URL", "PASSWORD", "keys.json", "secrets"):
        assert name not in instructions, f"{name} appears in the Dockerfile"
