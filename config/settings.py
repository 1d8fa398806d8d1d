"""Typed, frozen settings: defaults from ``config/xinan.toml``, overridden by ``XINAN_*`` variables.

The environment is read here and nowhere else. Tests build ``Settings(...)`` directly.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULTS_FILE = Path(__file__).resolve().with_name("xinan.toml")
ENV_PREFIX = "XINAN_"
SCHEDULER_MODES = ("embedded", "external", "off")
# Cybersecurity Law art. 21: logs are kept at least six months; 184 days covers any six months.
MIN_AUDIT_RETENTION_DAYS = 184
_CLOCK = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")


class SettingsError(ValueError):
    """A setting has a value Xinan cannot use; the message names the setting."""


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one Xinan instance."""

    instance_path: Path = PROJECT_ROOT / "instance"
    database_url: str = ""
    key_file: Path | None = None
    generate_keys: bool = True
    demo: bool = True
    timezone: str = "Asia/Shanghai"
    scheduler: str = "embedded"
    log_level: str = "INFO"
    log_file: Path | None = None
    max_content_length: int = 2 * 1024 * 1024
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    login_attempts_per_minute: int = 5
    # Reverse proxies in front of the app; None (unset) is refused when demo is off.
    proxy_count: int | None = None
    demo_totp_secret: str = ""
    retention_login_attempts_days: int = 30
    retention_notifications_days: int = 30
    retention_audit_days: int = 365
    retention_purge_minutes: int = 60
    # Waves, invitations and the notification outbox (survey/, notifications/).
    base_url: str = "http://127.0.0.1:5000"
    notify_channels: str = "sms,email"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = "xinan@localhost"
    sms_gateway_url: str = ""
    sms_gateway_token: str = ""
    sms_quiet_start: str = "21:00"
    sms_quiet_end: str = "08:00"
    reminder_days: str = "3,6"
    reminder_hour: int = 10
    outbox_max_attempts: int = 8
    outbox_backoff_seconds: int = 60
    outbox_sweep_seconds: int = 30
    wave_sweep_seconds: int = 60
    open_case_cap: int = 15
    # Bureau reports: a group or count below this is never shown (protection.md: never below 5).
    disclosure_k: int = 10
    # Reminders and escalation of case deadlines (alerts/sweeps.py).
    case_sweep_seconds: int = 60
    case_step_batch: int = 5000
    crisis_reminder_minutes: int = 30
    high_reminder_hours: int = 24
    crisis_escalation_repeat_minutes: int = 60
    high_escalation_repeat_working_days: int = 1
    # Case routing and work (alerts/routing.py, alerts/states.py); empty lists keep the defaults.
    route_exclude_own_school: bool = True
    case_outcomes: str = ""
    case_referral_types: str = ""
    case_unreachable_attempts: int = 3
    lost_link_per_staff_no_per_hour: int = 3
    lost_link_per_ip_per_hour: int = 20
    pin_code_per_ip_per_hour: int = 20
    # Guessing at the teacher's gate across links (survey/teacher/gate_throttle.py).
    gate_failures_per_address_per_hour: int = 30
    gate_lock_burst: int = 20
    gate_lock_burst_minutes: int = 10
    testing: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.scheduler not in SCHEDULER_MODES:
            raise SettingsError(
                f"scheduler must be one of {SCHEDULER_MODES}, not {self.scheduler!r}"
            )
        if self.max_content_length <= 0:
            raise SettingsError("max_content_length must be positive")
        if self.proxy_count is not None and self.proxy_count < 0:
            raise SettingsError("proxy_count must be 0 or more (the reverse proxies in front)")
        # OWASP's floor for argon2id; only the test suite may go lower, to stay fast.
        if not self.testing and (self.argon2_memory_kib < 19456 or self.argon2_time_cost < 2):
            raise SettingsError("argon2_memory_kib must be >= 19456 and argon2_time_cost >= 2")
        self._check_retention()
        self._check_notifications()

    def _check_retention(self) -> None:
        # Not relaxed for tests: a shorter audit retention must never be configurable at all.
        if self.retention_audit_days < MIN_AUDIT_RETENTION_DAYS:
            raise SettingsError(
                f"retention_audit_days must be at least {MIN_AUDIT_RETENTION_DAYS} "
                "(audit logs are kept six months or more: Cybersecurity Law art. 21)"
            )
        if self.retention_login_attempts_days < 1:
            raise SettingsError("retention_login_attempts_days must be at least 1")
        if self.retention_notifications_days < 1:
            raise SettingsError("retention_notifications_days must be at least 1")
        if self.retention_purge_minutes < 1:
            raise SettingsError("retention_purge_minutes must be at least 1")

    def _check_notifications(self) -> None:
        for name in self.notify_channel_list:
            if name not in ("email", "sms"):
                raise SettingsError(f"notify_channels: unknown channel {name!r} (email, sms)")
        for day in self.reminder_day_list:
            if day < 2:
                raise SettingsError("reminder_days: each day is 2 or later (day 1 is the opening)")
        for name in ("sms_quiet_start", "sms_quiet_end"):
            if not _CLOCK.fullmatch(getattr(self, name)):
                raise SettingsError(f"{name} must be a time of day such as 21:00")
        if not 0 <= self.reminder_hour <= 23:
            raise SettingsError("reminder_hour must be 0-23")
        if self.outbox_max_attempts < 1 or self.outbox_backoff_seconds < 1:
            raise SettingsError("outbox_max_attempts and outbox_backoff_seconds must be >= 1")
        if self.outbox_sweep_seconds < 1 or self.wave_sweep_seconds < 1:
            raise SettingsError("outbox_sweep_seconds and wave_sweep_seconds must be >= 1")
        if self.open_case_cap < 1:
            raise SettingsError("open_case_cap must be at least 1")
        if self.disclosure_k < 5:
            raise SettingsError("disclosure_k must be at least 5 (k is never below 5)")
        self._check_escalation()
        self._check_gate()

    def _check_gate(self) -> None:
        if self.gate_failures_per_address_per_hour < 1 or self.gate_lock_burst < 1:
            raise SettingsError(
                "gate_failures_per_address_per_hour and gate_lock_burst must be at least 1"
            )
        # The throttle table keeps a day of rows (survey/invitations/jobs.py): a longer window
        # would be cut.
        if not 1 <= self.gate_lock_burst_minutes <= 1440:
            raise SettingsError("gate_lock_burst_minutes must be 1-1440")

    def _check_escalation(self) -> None:
        for name in (
            "case_sweep_seconds",
            "case_step_batch",
            "crisis_escalation_repeat_minutes",
            "high_escalation_repeat_working_days",
        ):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be at least 1")
        if self.crisis_reminder_minutes < 0 or self.high_reminder_hours < 0:
            raise SettingsError("crisis_reminder_minutes and high_reminder_hours must be >= 0")

    def check_serving(self) -> None:
        """Refuse to serve real teachers (``demo`` off) behind a proxy Xinan cannot see through.

        Unset, ``proxy_count`` means no proxy: behind one, every request would seem to come from
        the proxy's address (the per-address limits would throttle the whole city) over plain
        HTTP (no HSTS, no Secure cookies). So production must say how many proxies there are
        (0 for a server facing the internet itself) and publish its links over HTTPS.
        """
        if self.demo:
            return
        problems = []
        if self.proxy_count is None:
            problems.append(
                "proxy_count is not set (XINAN_PROXY_COUNT: how many reverse proxies stand in "
                "front of Xinan, e.g. 1 behind nginx terminating TLS; 0 if none)"
            )
        if not self.base_url.lower().startswith("https://"):
            problems.append(
                f"base_url is {self.base_url!r} (XINAN_BASE_URL: the public https:// address)"
            )
        if problems:
            raise SettingsError(
                "refusing to start with demo = false: "
                + "; and ".join(problems)
                + ". See the README, Deployment for production."
            )

    @property
    def notify_channel_list(self) -> tuple[str, ...]:
        """Channels for invitations and reminders, in order of preference."""
        return tuple(c.strip() for c in self.notify_channels.split(",") if c.strip())

    @property
    def reminder_day_list(self) -> tuple[int, ...]:
        """Days of the window (day 1 is the opening day) on which reminders go out."""
        try:
            return tuple(sorted({int(d) for d in self.reminder_days.split(",") if d.strip()}))
        except ValueError:
            raise SettingsError("reminder_days must be whole numbers such as 3,6") from None

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to SQLite in the instance folder."""
        return self.database_url or f"sqlite:///{self.instance_path / 'xinan.db'}"

    @property
    def effective_key_file(self) -> Path:
        """Where the key ring lives, defaulting to the instance folder."""
        return self.key_file or self.instance_path / "keys.json"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, toml_path: Path = DEFAULTS_FILE
    ) -> Settings:
        """Read the TOML defaults, then let ``XINAN_*`` environment variables override them."""
        environ = os.environ if environ is None else environ
        with toml_path.open("rb") as fh:
            raw: dict[str, Any] = tomllib.load(fh)
        known = {f.name: f for f in dataclasses.fields(cls) if f.name not in ("extra", "testing")}
        unknown = sorted(set(raw) - set(known))
        if unknown:
            raise SettingsError(f"{toml_path}: unknown setting(s) {', '.join(unknown)}")
        for name in known:
            env_value = environ.get(ENV_PREFIX + name.upper())
            if env_value is not None:
                raw[name] = env_value
        return cls(**{name: _coerce(name, known[name].type, raw[name]) for name in raw})


def _coerce(name: str, declared: Any, value: Any) -> Any:
    """Turn a TOML or environment value into the field's type, naming the field on failure."""
    kind = str(declared)
    try:
        if "Path" in kind:
            return None if value in ("", None) and "None" in kind else _path(value)
        if kind == "bool":
            return _boolean(value)
        if kind == "int":
            return int(value)
        if kind == "int | None":
            return None if value in ("", None) else int(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"setting {name}: {exc}") from None


def _path(value: Any) -> Path:
    path = Path(str(value)).expanduser() if value else PROJECT_ROOT / "instance"
    return path if path.is_absolute() else PROJECT_ROOT / path


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, not {value!r}")
