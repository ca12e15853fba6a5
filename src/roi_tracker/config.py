"""Settings from the environment; fail fast, with one line, on anything missing or malformed."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

DEMO_MARKER = "DEMO"


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class PasswordHashing:
    """argon2id cost; the production figures are ASVS 11.4.2's floor."""

    time_cost: int = 2
    memory_kib: int = 19 * 1024
    parallelism: int = 1


# A cheap profile that only tests construct; no environment variable can select it.
TEST_PASSWORD_HASHING = PasswordHashing(time_cost=1, memory_kib=8, parallelism=1)


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment."""

    instance_path: Path
    database_url: str
    key_file: Path
    checkpoint_dir: Path
    session_idle_minutes: int = 15
    session_max_hours: int = 12
    require_mfa: bool = True
    demo: bool = False
    checkpoint_every: int = 1000
    checkpoint_minutes: int = 60
    bulk_access_threshold: int = 50
    business_hours: tuple[int, int] = (7, 20)
    timezone: str = "UTC"
    max_upload_mb: int = 20
    retention_years: int = 6
    # State law sets the age of majority; 18 unless the practice's state says otherwise (H-C7, P2-8).
    age_of_majority: int = 18
    practice_name: str = "The practice"
    practice_address: str = ""
    practice_phone: str = ""
    expiring_days: int = 30
    practice_state: str = ""
    # How a client reaches the practice (telephone, address, e-mail): printed on breach notices (H-B4).
    practice_contact: str = ""
    duty_to_warn_override: str = ""
    emergency_access_minutes: int = 60
    review_overdue_days: int = 7
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = ""
    accounting_fee_cents: int = 0
    # Reminders (issue 21): smtp:// (STARTTLS) or smtps:// server URL, the sender, the sign-in link base.
    smtp_url: str = ""
    notify_from: str = ""
    base_url: str = ""
    secure_cookies: bool = False
    # The request desk (regulatory.md section 8): a state may shorten the 30 days (H-A2), never lengthen;
    # the flat electronic fee is at most 6.50 (H-A5); the letters name how to reach the practice (H-A8).
    request_access_days: int = 30
    request_authorized_days: int = 30
    request_fee_per_page_cents: int = 0
    request_fee_supplies_cents: int = 0
    request_fee_postage_cents: int = 0
    request_fee_flat_cents: int = 650
    privacy_contact: str = "Privacy Officer"
    # Kinds whose packet a second staff member confirms before release (issue 18: default on for legal).
    request_qa_kinds: tuple[str, ...] = ("legal",)
    password_hashing: PasswordHashing = field(default_factory=PasswordHashing)

    @property
    def is_sqlite(self) -> bool:
        """Tell whether the database is SQLite."""
        return self.database_url.startswith("sqlite")


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _at_most(env: Mapping[str, str], name: str, default: int, maximum: int, *, minimum: int = 1) -> int:
    value = _int(env, name, default, minimum=minimum)
    if value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {value} (the federal limit)")
    return value


def _kinds(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name)
    if raw is None:
        return default
    kinds = tuple(k.strip() for k in raw.split(",") if k.strip())
    unknown = sorted(set(kinds) - {"access", "authorized", "legal"})
    if unknown:
        raise ConfigError(
            f"{name} lists unknown request kinds: {', '.join(unknown)} (access, authorized, legal)"
        )
    return kinds


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _hours(env: Mapping[str, str], name: str, default: tuple[int, int]) -> tuple[int, int]:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        start_text, end_text = raw.split("-")
        start, end = int(start_text), int(end_text)
    except ValueError:
        raise ConfigError(f"{name} must look like 7-20 (start and end hour), got {raw!r}") from None
    if not (0 <= start < end <= 24):
        raise ConfigError(f"{name} must have 0 <= start < end <= 24, got {raw!r}")
    return (start, end)


def _timezone(env: Mapping[str, str], name: str) -> str:
    raw = env.get(name) or "UTC"
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name} must be an IANA time zone such as America/Chicago, got {raw!r}") from None
    return raw


def _state(env: Mapping[str, str], name: str) -> str:
    raw = (env.get(name) or "").strip().upper()
    if raw and (len(raw) != 2 or not raw.isalpha()):
        raise ConfigError(f"{name} must be a two-letter US state code such as CA, got {raw!r}")
    return raw


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    raw = (env.get(name) or "").strip().lower()
    if raw not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(a for a in allowed if a)}, got {raw!r}")
    return raw


def _database_url(env: Mapping[str, str], instance: Path) -> str:
    url = env.get("ROI_DATABASE_URL") or f"sqlite:///{instance / 'roi-tracker.sqlite3'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not (url.startswith("sqlite:///") or url.startswith("postgresql+psycopg://")):
        raise ConfigError(
            "ROI_DATABASE_URL must start with sqlite:/// or postgresql+psycopg:// "
            f"(got a URL starting {url.split(':', 1)[0]!r})"
        )
    return url


def _url(env: Mapping[str, str], name: str, schemes: tuple[str, ...]) -> str:
    raw = (env.get(name) or "").strip()
    if raw and not raw.startswith(tuple(f"{s}://" for s in schemes)):
        # Only the scheme is quoted back: the rest may hold a password.
        raise ConfigError(
            f"{name} must start with {' or '.join(s + '://' for s in schemes)} "
            f"(got a URL starting {raw.split(':', 1)[0]!r})"
        )
    return raw


def load(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from `env` (default: the process environment)."""
    env = os.environ if env is None else env
    instance = Path(env.get("ROI_INSTANCE_PATH") or "instance").resolve()
    demo = (instance / DEMO_MARKER).exists()
    return Settings(
        instance_path=instance,
        database_url=_database_url(env, instance),
        key_file=Path(env.get("ROI_KEY_FILE") or instance / "keys.json").resolve(),
        checkpoint_dir=Path(env.get("ROI_CHECKPOINT_DIR") or instance / "checkpoints").resolve(),
        session_idle_minutes=_int(env, "ROI_SESSION_IDLE_MINUTES", 15),
        session_max_hours=_int(env, "ROI_SESSION_MAX_HOURS", 12),
        # MFA is required outside demo instances and tests (interface.md).
        require_mfa=_bool(env, "ROI_REQUIRE_MFA", not demo),
        demo=demo,
        checkpoint_every=_int(env, "ROI_CHECKPOINT_EVERY", 1000),
        checkpoint_minutes=_int(env, "ROI_CHECKPOINT_MINUTES", 60),
        bulk_access_threshold=_int(env, "ROI_BULK_ACCESS_THRESHOLD", 50),
        business_hours=_hours(env, "ROI_BUSINESS_HOURS", (7, 20)),
        secure_cookies=_bool(env, "ROI_SECURE_COOKIES", False),
        timezone=_timezone(env, "ROI_TIMEZONE"),
        max_upload_mb=_int(env, "ROI_MAX_UPLOAD_MB", 20),
        # 164.530(j)(2), 164.528(d): signed forms and accountings are kept 6 years; never a shorter setting.
        retention_years=_int(env, "ROI_RETENTION_YEARS", 6, minimum=6),
        age_of_majority=_int(env, "ROI_AGE_OF_MAJORITY", 18, minimum=14),
        practice_name=(env.get("ROI_PRACTICE_NAME") or "The practice").strip()[:200],
        practice_address=(env.get("ROI_PRACTICE_ADDRESS") or "").strip()[:500],
        practice_phone=(env.get("ROI_PRACTICE_PHONE") or "").strip()[:40],
        expiring_days=_int(env, "ROI_EXPIRING_DAYS", 30),
        practice_state=_state(env, "ROI_PRACTICE_STATE"),
        practice_contact=(env.get("ROI_PRACTICE_CONTACT") or "").strip()[:500],
        duty_to_warn_override=_choice(env, "ROI_DUTY_TO_WARN", ("", "mandatory", "permissive", "none")),
        emergency_access_minutes=_int(env, "ROI_EMERGENCY_ACCESS_MINUTES", 60),
        review_overdue_days=_int(env, "ROI_REVIEW_OVERDUE_DAYS", 7),
        smtp_host=(env.get("ROI_SMTP_HOST") or "").strip(),
        smtp_port=_int(env, "ROI_SMTP_PORT", 25),
        smtp_from=(env.get("ROI_SMTP_FROM") or "").strip(),
        accounting_fee_cents=_int(env, "ROI_ACCOUNTING_FEE_CENTS", 0, minimum=0),
        smtp_url=_url(env, "ROI_SMTP_URL", ("smtp", "smtps")),
        notify_from=(env.get("ROI_NOTIFY_FROM") or "").strip(),
        base_url=_url(env, "ROI_BASE_URL", ("https", "http")).rstrip("/"),
        request_access_days=_at_most(env, "ROI_REQUEST_ACCESS_DAYS", 30, 30),
        request_authorized_days=_int(env, "ROI_REQUEST_AUTHORIZED_DAYS", 30),
        request_fee_per_page_cents=_int(env, "ROI_REQUEST_FEE_PER_PAGE_CENTS", 0, minimum=0),
        request_fee_supplies_cents=_int(env, "ROI_REQUEST_FEE_SUPPLIES_CENTS", 0, minimum=0),
        request_fee_postage_cents=_int(env, "ROI_REQUEST_FEE_POSTAGE_CENTS", 0, minimum=0),
        request_fee_flat_cents=_at_most(env, "ROI_REQUEST_FEE_FLAT_CENTS", 650, 650, minimum=0),
        privacy_contact=(env.get("ROI_PRIVACY_CONTACT") or "Privacy Officer").strip()[:120],
        request_qa_kinds=_kinds(env, "ROI_REQUEST_QA_KINDS", ("legal",)),
    )
