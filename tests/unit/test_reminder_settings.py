"""Reminder settings: the mail server URL, the sender and the sign-in base, checked at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from roi_tracker import config


def load(tmp_path: Path, **env: str) -> config.Settings:
    """Read settings for an instance in `tmp_path` with `env`."""
    return config.load({"ROI_INSTANCE_PATH": str(tmp_path), **env})


def test_reminders_are_unset_by_default(tmp_path: Path) -> None:
    """No server, sender or base URL unless given: `notify` then refuses to run."""
    s = load(tmp_path)
    assert (s.smtp_url, s.notify_from, s.base_url) == ("", "", "")


def test_smtp_and_smtps_urls_the_sender_and_the_base_are_read(tmp_path: Path) -> None:
    """The base URL loses a trailing slash so links join cleanly."""
    s = load(
        tmp_path,
        ROI_SMTP_URL="smtps://roi:pw@mail.example:465",
        ROI_NOTIFY_FROM=" roi@practice.example ",
        ROI_BASE_URL="https://roi.practice.example/",
    )
    assert (s.smtp_url, s.notify_from, s.base_url) == (
        "smtps://roi:pw@mail.example:465",
        "roi@practice.example",
        "https://roi.practice.example",
    )
    assert load(tmp_path, ROI_SMTP_URL="smtp://mail.example:587").smtp_url == "smtp://mail.example:587"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        (
            "ROI_SMTP_URL",
            "http://roi:s3cret@mail.example",
            "ROI_SMTP_URL must start with smtp:// or smtps://",
        ),
        ("ROI_BASE_URL", "roi.example", "ROI_BASE_URL must start with https:// or http://"),
    ],
)
def test_another_scheme_is_refused_without_quoting_the_secret(
    tmp_path: Path, name: str, value: str, says: str
) -> None:
    """One line naming the setting and the scheme only."""
    with pytest.raises(config.ConfigError) as refused:
        load(tmp_path, **{name: value})
    assert says in str(refused.value)
    assert "s3cret" not in str(refused.value)
