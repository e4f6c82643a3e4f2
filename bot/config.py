"""Settings, read once from the environment and `.env`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
LOCALES_DIR = PACKAGE_DIR.parent / "locales"
SUPPORTED_LOCALES = ("ru", "en")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # `TELEGRAM_API_URL=` copied from .env.example means "not set", not "invalid".
        env_ignore_empty=True,
        frozen=True,
    )

    # Needed only to talk to Telegram (`run`, an import asking for the bot's username):
    # `require_token` refuses its absence there; backup, restore and migrate run without it.
    bot_token: SecretStr | None = None
    telegram_api_url: AnyHttpUrl | None = None
    database_path: Path = Path("data/bot.sqlite3")
    # The database as a SQLAlchemy URL; wins over DATABASE_PATH when set. SQLite
    # (sqlite+aiosqlite:///data/bot.sqlite3) or PostgreSQL
    # (postgresql+asyncpg://user:password@host:5432/dbname), which several replicas share.
    database_url: SecretStr | None = None
    # Comma-separated Telegram user ids, e.g. "111,222"; NoDecode keeps pydantic from
    # expecting JSON here.
    superadmin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "Europe/Moscow"
    default_locale: str = "ru"
    # The region's name as Russian and as English speakers read it (`region_name_in`).
    region_name: str = "Пензенская область"
    region_name_en: str = "Penza region"
    territories_file: Path = PACKAGE_DIR / "data" / "territories_penza.csv"
    # Region-wide milestones: every `region_milestone_step` and the region's goal.
    region_milestone_step: int = Field(default=50_000, gt=0)
    region_goal: int = Field(default=1_000_000, gt=0)
    # A territory's milestones: every `territory_milestone_step`.
    territory_milestone_step: int = Field(default=50_000, gt=0)
    # A page's milestones: these (comma-separated, e.g. "1000,5000"), then every
    # `page_milestone_step` above the largest of them (0: none beyond the list).
    page_milestones: Annotated[tuple[int, ...], NoDecode] = (
        1_000,
        5_000,
        10_000,
        25_000,
        50_000,
        100_000,
    )
    page_milestone_step: int = Field(default=100_000, ge=0)
    invite_ttl_days: int = Field(default=7, gt=0)
    # Days the personal invite links an import makes stay valid (they go out by mail).
    import_invite_ttl_days: int = Field(default=60, gt=0)
    # How long a stopping bot waits for handlers in flight before closing the database.
    shutdown_grace_seconds: float = Field(default=8.0, ge=0)
    # The delivery queue (everything the bot sends on its own): messages a second for the
    # whole bot, seconds between two messages to one chat, tries before a message is
    # given up on (network errors, 5xx), and the longest wait between two tries.
    delivery_rate_per_second: float = Field(default=30, ge=1)
    delivery_per_chat_interval_seconds: float = Field(default=1.0, ge=0)
    delivery_max_attempts: int = Field(default=6, gt=0)
    delivery_backoff_cap_seconds: float = Field(default=300, ge=0)
    # Flood control of every request (answers included): messages one private chat may
    # get at once before DELIVERY_PER_CHAT_INTERVAL_SECONDS applies (Telegram allows a
    # burst of about 3), and messages a minute to one group (Telegram: 20).
    per_chat_burst: int = Field(default=2, ge=1)
    group_messages_per_minute: int = Field(default=20, ge=3)
    # Seconds of 429 waits a direct answer sits out before it is given up (a callback
    # answer at most 10: Telegram forgets a tap after about 15 s).
    flood_max_wait_seconds: float = Field(default=30.0, ge=0)
    # Tries of a direct answer that meets a 5xx or a network error.
    request_max_attempts: int = Field(default=4, gt=0)
    # A user's update that arrives with this many of their updates still queued ahead
    # is skipped (one "please slow down" note per flood).
    flood_backlog: int = Field(default=5, gt=0)
    # How often a broadcast's progress message is edited (Telegram frowns on faster edits).
    broadcast_progress_seconds: float = Field(default=3.0, gt=0)
    # An export that takes longer than this shows a progress message, edited at most
    # this often (0: from the first batch, after every batch).
    export_progress_seconds: float = Field(default=5.0, ge=0)
    # Seminar attendance: the check-in code works from this many minutes before the start
    # (coordinators mark the list from then on too) to this many after the end.
    checkin_opens_minutes: int = Field(default=30, ge=0, le=24 * 60)
    checkin_closes_minutes: int = Field(default=60, ge=0, le=24 * 60)
    # Off only for tests that drive the jobs themselves.
    scheduler_enabled: bool = True
    # Scheduled jobs, in cron syntax (minute hour day month weekday) in TIMEZONE.
    snapshot_cron: str = "10 0 * * *"
    reminder_cron: str = "0 10 * * *"
    # The weekly digest: Monday 09:00 regional time by default.
    digest_cron: str = "0 9 * * mon"
    # Administrators of pages with no report for this many days get a reminder, at most
    # once per that many days per page.
    reminder_days: int = Field(default=7, gt=0)
    # The nightly backup (cron in TIMEZONE), the folder of backups (a relative path is
    # read from the database's folder: data/backups beside data/bot.sqlite3, /data/backups
    # in the image) and how many of the newest are kept there.
    backup_cron: str = "30 3 * * *"
    backup_dir: Path = Path("backups")
    backup_keep: int = Field(default=7, gt=0)
    # Seminar reminders go this many minutes before the start (comma-separated, e.g.
    # "1440,60": 24 hours and 1 hour) to everyone registered by then.
    seminar_reminder_leads: Annotated[tuple[int, ...], NoDecode] = (60, 1_440)
    # The nightly collection of subscriber counts from the platforms (cron in TIMEZONE;
    # /collect runs it at once), before the report reminders so that collected pages get
    # none.
    collect_cron: str = "0 4 * * *"
    # Percent: a report further than this from the same day's observation is flagged.
    discrepancy_threshold: float = Field(default=5.0, gt=0)
    # Percent: an observed count that grew more than this in a day is flagged (bought?).
    jump_threshold: float = Field(default=20.0, gt=0)
    log_level: str = "INFO"
    # Seconds: how often a process that does not lead tries to take over, and the leader
    # checks it still leads. A dead leader is replaced within about this long.
    leader_heartbeat_seconds: float = Field(default=2.0, gt=0, le=60)
    # How updates arrive: "polling" (getUpdates, one process) or "webhook" (Telegram
    # posts them to WEBHOOK_URL + WEBHOOK_PATH; several replicas may serve that).
    run_mode: Literal["polling", "webhook"] = "polling"
    # The public https base URL Telegram posts to (e.g. https://bot.example.org), the path
    # below it, and the secret Telegram sends in every post (Bot API setWebhook's
    # secret_token). `require_webhook` refuses webhook mode without the URL or the secret.
    webhook_url: AnyHttpUrl | None = None
    webhook_path: str = "/telegram/webhook"
    # Out of repr and dumps, as OK_APPLICATION_SECRET_KEY is.
    webhook_secret: SecretStr | None = Field(default=None, repr=False, exclude=True)
    # Where this process listens for the posts and for GET /healthz.
    # All interfaces by default: a replica in a container is reached through nginx.
    webhook_host: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    # Collectors of subscriber counts: each platform's API base, credentials and pace
    # (requests a second). A platform whose credentials are not set is skipped.
    # VK: a service token of a VK app; VK_API_URL is the method prefix.
    vk_service_token: SecretStr | None = None
    vk_api_url: AnyHttpUrl = AnyHttpUrl("https://api.vk.com/method")
    vk_api_version: str = "5.199"
    vk_requests_per_second: float = Field(default=3, gt=0)
    # Odnoklassniki: the application's public and secret keys, and optionally the
    # application's access token (requests are then signed in its session).
    ok_api_url: AnyHttpUrl = AnyHttpUrl("https://api.ok.ru/fb.do")
    ok_application_key: str | None = None
    # Kept out of repr and dumps: its name alone would read like a leaked secret in a log.
    ok_application_secret_key: SecretStr | None = Field(default=None, repr=False, exclude=True)
    ok_access_token: SecretStr | None = None
    ok_requests_per_second: float = Field(default=3, gt=0)
    # MAX: a bot's token from the MAX partner platform (business.max.ru).
    max_api_url: AnyHttpUrl = AnyHttpUrl("https://platform-api2.max.ru")
    max_bot_token: SecretStr | None = None
    max_requests_per_second: float = Field(default=20, gt=0)
    # Telegram counts go through this bot's own connection (getChatMemberCount).
    telegram_collect_requests_per_second: float = Field(default=10, gt=0)

    @field_validator(
        "vk_service_token", "ok_application_secret_key", "ok_access_token", "max_bot_token"
    )
    @classmethod
    def _empty_secret(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value().strip() else None

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None  # `WEBHOOK_SECRET=` as .env.example has it: not set
        if not WEBHOOK_SECRET_SHAPE.fullmatch(value.get_secret_value()):
            raise ValueError("expected 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("webhook_path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        if not value.startswith("/") or "?" in value or "#" in value:
            raise ValueError('expected a path beginning with "/", e.g. /telegram/webhook')
        return value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None  # `BOT_TOKEN=` as .env.example has it: not set
        bot_id, sep, secret = value.get_secret_value().partition(":")
        if not sep or not bot_id.isdigit() or not secret:
            raise ValueError("expected the form 123456789:AA... given by @BotFather")
        return value

    @field_validator("superadmin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            return frozenset(int(part) for part in parts if part)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("snapshot_cron", "reminder_cron", "digest_cron", "backup_cron", "collect_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(f"not a cron expression: {exc}") from exc
        return value

    @field_validator("page_milestones", "seminar_reminder_leads", mode="before")
    @classmethod
    def _split_thresholds(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            return tuple(int(part) for part in parts if part)
        if isinstance(value, int):
            return (value,)
        return value

    @field_validator("page_milestones", "seminar_reminder_leads")
    @classmethod
    def _positive_thresholds(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(threshold <= 0 for threshold in value):
            raise ValueError("thresholds must be positive")
        return tuple(sorted(set(value)))

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def region_name_in(self, locale: str) -> str:
        """The region's name in `locale` ("ru" or "en"): REGION_NAME for Russian,
        REGION_NAME_EN for any other language. Not escaped: HTML callers escape it."""
        return self.region_name if locale == "ru" else self.region_name_en

    @property
    def database(self) -> str | Path:
        """What `bot.storage.database.Database` opens: DATABASE_URL when set (it may hold a
        password: never log it), else the SQLite file DATABASE_PATH."""
        return self.database_url.get_secret_value() if self.database_url else self.database_path

    def require_token(self) -> SecretStr:
        """BOT_TOKEN, for what talks to Telegram. Raises SettingsError (saying where to put
        the token, never echoing anything) when it is not set."""
        if self.bot_token is None:
            raise SettingsError(TOKEN_MISSING)
        return self.bot_token

    def require_webhook(self) -> WebhookTarget:
        """Where Telegram posts updates in webhook mode: WEBHOOK_URL joined with
        WEBHOOK_PATH, and WEBHOOK_SECRET. Raises SettingsError (naming the setting, never
        echoing a value) when the URL or the secret is not set."""
        if self.webhook_url is None:
            raise SettingsError(WEBHOOK_URL_MISSING)
        if self.webhook_secret is None:
            raise SettingsError(WEBHOOK_SECRET_MISSING)
        base = str(self.webhook_url).rstrip("/")
        return WebhookTarget(base + self.webhook_path, self.webhook_secret.get_secret_value())

    @property
    def bot_id(self) -> int:
        """The bot's Telegram id, the token's part before ":"; SettingsError without one."""
        return int(self.require_token().get_secret_value().partition(":")[0])


#: Bot API setWebhook: secret_token is 1-256 characters, only A-Z, a-z, 0-9, _ and -.
WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """What setWebhook is given: the full URL and the secret token."""

    url: str
    secret: str


WEBHOOK_URL_MISSING = (
    "WEBHOOK_URL is not set: webhook mode needs the public https address Telegram posts "
    "to, e.g. WEBHOOK_URL=https://bot.example.org (see README, Webhook mode)"
)
WEBHOOK_SECRET_MISSING = (
    "WEBHOOK_SECRET is not set: webhook mode needs a secret of 1 to 256 characters "
    "(A-Z, a-z, 0-9, _ and -) that Telegram sends with every update, e.g. the output "
    "of: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
)

TOKEN_MISSING = (
    "BOT_TOKEN is not set: copy .env.example to .env and put the token "
    "that @BotFather gave you after BOT_TOKEN="
)


class SettingsError(Exception):
    """Settings are missing or malformed; the message names the setting and is safe to print."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(describe_settings_error(exc)) from None


def describe_settings_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    name = str(error["loc"][0]).upper() if error["loc"] else "?"
    if error["type"] == "missing":
        return f"{name} is not set: add it to .env"
    # The message never echoes the input value: it may be the token.
    return f"{name} is malformed: {error['msg']}"
