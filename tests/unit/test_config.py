"""Settings come from the environment and fail fast, with one line, on what is malformed."""

from __future__ import annotations

from pathlib import Path

import pytest

from roi_tracker import config


def test_defaults_put_everything_in_the_instance_folder(tmp_path: Path) -> None:
    """With only ROI_INSTANCE_PATH set, the database, key file and checkpoints live inside it."""
    s = config.load({"ROI_INSTANCE_PATH": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path / 'roi-tracker.sqlite3'}"
    assert s.key_file == tmp_path / "keys.json"
    assert s.checkpoint_dir == tmp_path / "checkpoints"
    assert s.session_idle_minutes == 15


def test_mfa_is_required_outside_demo_instances(tmp_path: Path) -> None:
    """ROI_REQUIRE_MFA defaults to true, and to false only in an instance marked as a demo."""
    assert config.load({"ROI_INSTANCE_PATH": str(tmp_path)}).require_mfa is True
    (tmp_path / config.DEMO_MARKER).write_text("[]")
    assert config.load({"ROI_INSTANCE_PATH": str(tmp_path)}).require_mfa is False
    assert config.load({"ROI_INSTANCE_PATH": str(tmp_path), "ROI_REQUIRE_MFA": "true"}).require_mfa is True


def test_plain_postgresql_urls_use_psycopg_three(tmp_path: Path) -> None:
    """postgresql:// is read as postgresql+psycopg:// (psycopg 3)."""
    s = config.load({"ROI_INSTANCE_PATH": str(tmp_path), "ROI_DATABASE_URL": "postgresql://u@h/db"})
    assert s.database_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ROI_SESSION_IDLE_MINUTES", "soon", "ROI_SESSION_IDLE_MINUTES must be a whole number"),
        ("ROI_SESSION_IDLE_MINUTES", "0", "ROI_SESSION_IDLE_MINUTES must be at least 1"),
        ("ROI_REQUIRE_MFA", "maybe", "ROI_REQUIRE_MFA must be true or false"),
        ("ROI_DATABASE_URL", "mysql://x/y", "ROI_DATABASE_URL must start with"),
        ("ROI_BUSINESS_HOURS", "9to5", "ROI_BUSINESS_HOURS must look like"),
        ("ROI_BUSINESS_HOURS", "20-7", "ROI_BUSINESS_HOURS must have"),
        ("ROI_TIMEZONE", "Mars/Olympus", "ROI_TIMEZONE must be an IANA time zone"),
        ("ROI_CHECKPOINT_EVERY", "-5", "ROI_CHECKPOINT_EVERY must be at least 1"),
    ],
)
def test_malformed_settings_fail_with_a_message_naming_the_variable(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    """A malformed value is refused with one line that names the variable."""
    with pytest.raises(config.ConfigError, match=message) as raised:
        config.load({"ROI_INSTANCE_PATH": str(tmp_path), name: value})
    assert "\n" not in str(raised.value)


def test_database_url_errors_do_not_echo_credentials(tmp_path: Path) -> None:
    """A refused database URL is named by its scheme only, never with its password."""
    with pytest.raises(config.ConfigError) as raised:
        config.load({"ROI_INSTANCE_PATH": str(tmp_path), "ROI_DATABASE_URL": "mysql://u:hunter2@h/db"})
    assert "hunter2" not in str(raised.value)


def test_no_setting_has_a_default_secret() -> None:
    """Settings hold paths and numbers only; secrets come from the key file (STYLE.md rule 15)."""
    fields = {f.lower() for f in config.Settings.__dataclass_fields__}
    assert not {f for f in fields if "secret" in f or f == "key" or f.endswith("_key")}


@pytest.mark.parametrize("years", ["1", "5"])
def test_a_retention_under_six_years_is_refused_under_164_530_j(tmp_path: Path, years: str) -> None:
    """164.530(j)(2), 164.528(d): signed forms and accountings given are kept 6 years; a shorter setting
    would let them go early, so it is refused at start-up."""
    with pytest.raises(config.ConfigError, match="ROI_RETENTION_YEARS must be at least 6"):
        config.load({"ROI_INSTANCE_PATH": str(tmp_path), "ROI_RETENTION_YEARS": years})
    assert config.load({"ROI_INSTANCE_PATH": str(tmp_path), "ROI_RETENTION_YEARS": "7"}).retention_years == 7
