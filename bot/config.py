"""Settings of a Lotse installation: read from a YAML file, overridden by the environment, validated.

The file (``config.yaml``, or ``--config PATH``) holds what an operator decides once; secrets and
deployment values may come from the environment instead, which wins over the file:

=========================  ==================================
environment variable       setting
=========================  ==================================
``BOT_TOKEN``              ``telegram.token``
``BOT_API_BASE_URL``       ``telegram.base_url``
``BOT_MODE``               ``telegram.mode``
``BOT_START_PATIENCE``     ``telegram.start_patience``
``BOT_WEBHOOK_URL``        ``telegram.webhook.url``
``BOT_WEBHOOK_SECRET``     ``telegram.webhook.secret_token``
``BOT_WEBHOOK_LISTEN``     ``telegram.webhook.listen``
``BOT_WEBHOOK_PORT``       ``telegram.webhook.port``
``DATABASE_URL``           ``database.url``
``BOT_ENCRYPTION_KEY``     ``encryption_key`` (several keys: comma-separated, newest first)
``BOT_CONTENT_PATH``       ``content.path``
``BOT_ENVIRONMENT``        ``environment``
``BOT_TIMEZONE``           ``timezone``
``BOT_REDIS_URL``          ``production.redis_url``
``BOT_LOG_FORMAT``         ``production.log_format``
=========================  ==================================

Any problem raises :class:`~bot.errors.ConfigError` naming the file and the key, which the command
line prints as one line before exiting with code 2.
"""

from __future__ import annotations

import os
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from bot.content.yamlread import did_you_mean, yaml_problem
from bot.errors import ConfigError

__all__ = [
    "DEFAULT_BASE_URL",
    "FollowUpSettings",
    "ProductionSettings",
    "SendBudget",
    "Settings",
    "TeamSettings",
    "TelegramSettings",
    "WebhookSettings",
    "load_settings",
]

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/lotse.db"
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_BOT_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")

ENVIRONMENT_OVERRIDES: dict[str, tuple[str, ...]] = {
    "BOT_TOKEN": ("telegram", "token"),
    "BOT_API_BASE_URL": ("telegram", "base_url"),
    "BOT_MODE": ("telegram", "mode"),
    "BOT_START_PATIENCE": ("telegram", "start_patience"),
    "BOT_WEBHOOK_URL": ("telegram", "webhook", "url"),
    "BOT_WEBHOOK_SECRET": ("telegram", "webhook", "secret_token"),
    "BOT_WEBHOOK_LISTEN": ("telegram", "webhook", "listen"),
    "BOT_WEBHOOK_PORT": ("telegram", "webhook", "port"),
    "DATABASE_URL": ("database", "url"),
    "BOT_ENCRYPTION_KEY": ("encryption_key",),
    "BOT_CONTENT_PATH": ("content", "path"),
    "BOT_ENVIRONMENT": ("environment",),
    "BOT_TIMEZONE": ("timezone",),
    "BOT_REDIS_URL": ("production", "redis_url"),
    "BOT_LOG_FORMAT": ("production", "log_format"),
}

_KEYS: dict[str, Any] = {
    "telegram": {
        "token": None,
        "base_url": None,
        "base_file_url": None,
        "mode": None,
        "start_patience": None,
        "webhook": {"listen": None, "port": None, "url": None, "secret_token": None},
    },
    "database": {"url": None},
    "content": {"path": None},
    "timezone": None,
    "environment": None,
    "admins": None,
    "teams": None,
    "fallback_team": None,
    "retention_days": None,
    "encryption_key": None,
    "follow_up": {"remind_after_hours": None, "escalate_after_hours": None, "digest_time": None},
    "production": {
        "redis_url": None,
        "log_format": None,
        "leader_lease_seconds": None,
        "outbox_lease_seconds": None,
        "send_budget": {
            "per_second": None,
            "per_chat_per_second": None,
            "per_group_per_minute": None,
        },
    },
}
_TEAM_KEYS = ("name", "chat_id", "languages", "office_hours")


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """Where Telegram delivers updates in webhook mode."""

    listen: str = "127.0.0.1"
    port: int = 8443
    url: str | None = None
    secret_token: str | None = None


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    """How the bot reaches the Bot API."""

    token: str | None = None
    base_url: str = DEFAULT_BASE_URL
    base_file_url: str | None = None
    mode: str = "polling"
    webhook: WebhookSettings = field(default_factory=WebhookSettings)
    # Seconds to keep trying to reach the Bot API at start (network errors, 5xx) before giving up.
    start_patience: int = 600


@dataclass(frozen=True, slots=True)
class TeamSettings:
    """A coordinator team: its group chat, the languages its members speak, its office hours."""

    key: str
    name: str
    chat_id: int
    languages: tuple[str, ...] = ()
    office_hours: str | None = None


@dataclass(frozen=True, slots=True)
class FollowUpSettings:
    """When teams are reminded of unanswered requests, when those escalate, when the digest comes."""

    remind_after_hours: int = 24
    escalate_after_hours: int = 72
    digest_time: str = "08:00"


@dataclass(frozen=True, slots=True)
class SendBudget:
    """Telegram's flood limits, which hold per bot: shared by all processes of one bot."""

    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_group_per_minute: float = 20.0


@dataclass(frozen=True, slots=True)
class ProductionSettings:
    """Running several processes: shared send budget, leader lease, logs."""

    redis_url: str | None = None
    log_format: str = "text"
    leader_lease_seconds: int = 15
    outbox_lease_seconds: int = 60
    send_budget: SendBudget = field(default_factory=SendBudget)


@dataclass(frozen=True, slots=True)
class Settings:
    """All settings of one installation, validated and frozen."""

    source: str = "(defaults)"
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    database_url: str = DEFAULT_DATABASE_URL
    content_path: Path = Path("content")
    timezone: str = "Europe/Berlin"
    environment: str = "development"
    admins: tuple[int, ...] = ()
    teams: Mapping[str, TeamSettings] = field(default_factory=lambda: MappingProxyType({}))
    fallback_team: str | None = None
    retention_days: int = 90
    encryption_keys: tuple[str, ...] = ()
    follow_up: FollowUpSettings = field(default_factory=FollowUpSettings)
    production: ProductionSettings = field(default_factory=ProductionSettings)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(text)
    except OSError as exc:
        raise ConfigError(f"cannot be read ({exc.strerror})", source=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("is not UTF-8 text", source=str(path)) from None
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc, text)
        raise ConfigError(problem, source=f"{path}:{line}" if line else str(path)) from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError("must be a mapping of settings (key: value)", source=str(path))
    return raw


def _check_keys(data: dict[str, Any], schema: dict[str, Any], prefix: str, source: str) -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if key not in schema:
            raise ConfigError(
                f"unknown setting{did_you_mean(str(key), list(schema))}", source=source, key=name
            )
        if isinstance(schema[key], dict):
            if value is None:
                continue
            if not isinstance(value, dict):
                raise ConfigError("must be a mapping (key: value)", source=source, key=name)
            _check_keys(value, schema[key], f"{name}.", source)


def _apply_environment(data: dict[str, Any], environ: Mapping[str, str]) -> None:
    for variable, path in ENVIRONMENT_OVERRIDES.items():
        value = environ.get(variable)
        if value is None or value == "":
            continue
        target = data
        for part in path[:-1]:
            if not isinstance(target.get(part), dict):
                target[part] = {}
            target = target[part]
        target[path[-1]] = value


class _Reader:
    """Typed access to nested settings that raises ConfigError naming the key."""

    def __init__(self, data: dict[str, Any], source: str) -> None:
        self.data = data
        self.source = source

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or node.get(part) is None:
                return default
            node = node[part]
        return node

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(message, source=self.source, key=key)

    def text(self, key: str, default: str | None = None) -> str | None:
        value = self.get(key, default)
        if value is None:
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(key, f"must be text, not {value!r}")
        return str(value).strip()

    def integer(
        self, key: str, default: int | None = None, minimum: int | None = None
    ) -> int | None:
        value = self.get(key, default)
        if value is None:
            return None
        try:
            number = int(str(value).strip())
        except ValueError:
            raise self.fail(key, f"must be a whole number, not {value!r}") from None
        if minimum is not None and number < minimum:
            raise self.fail(key, f"must be at least {minimum}, not {number}")
        return number

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.text(key, default) or default
        if value not in choices:
            options = " or ".join(f'"{c}"' for c in choices)
            raise self.fail(key, f'must be {options}, not "{value}"{did_you_mean(value, choices)}')
        return value


def _database_url(value: str, key: str, reader: _Reader) -> str:
    if value.startswith(("postgres://", "postgresql://")):
        return "postgresql+asyncpg://" + value.split("://", 1)[1]
    if value.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
    if value.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        return value
    raise reader.fail(
        key, f'must be a postgresql:// or sqlite:/// address, not "{value.split(":")[0]}:…"'
    )


def _teams(reader: _Reader) -> dict[str, TeamSettings]:
    raw = reader.get("teams", {})
    if not isinstance(raw, dict):
        raise reader.fail(
            "teams", "must map a team key to {name, chat_id, languages, office_hours}"
        )
    teams: dict[str, TeamSettings] = {}
    for key, value in raw.items():
        prefix = f"teams.{key}"
        if not isinstance(value, dict):
            raise reader.fail(prefix, "must be a mapping with name and chat_id")
        for field_name in value:
            if field_name not in _TEAM_KEYS:
                raise reader.fail(
                    f"{prefix}.{field_name}",
                    f"unknown setting{did_you_mean(str(field_name), _TEAM_KEYS)}",
                )
        chat_id = reader.integer(f"{prefix}.chat_id")
        if chat_id is None:
            raise reader.fail(
                f"{prefix}.chat_id", "is missing: the id of the team's Telegram group"
            )
        languages = value.get("languages") or []
        if not isinstance(languages, list):
            raise reader.fail(
                f"{prefix}.languages", "must be a list of language codes, e.g. [de, ar]"
            )
        office_hours = reader.text(f"{prefix}.office_hours")
        if office_hours:
            _check_hours(office_hours, f"{prefix}.office_hours", reader)
        teams[str(key)] = TeamSettings(
            key=str(key),
            name=reader.text(f"{prefix}.name") or str(key),
            chat_id=chat_id,
            languages=tuple(str(code) for code in languages),
            office_hours=office_hours,
        )
    return teams


def _check_hours(expression: str, key: str, reader: _Reader) -> None:
    from bot.content.validation import opening_hours_problem

    problem = opening_hours_problem(expression)
    if problem:
        raise reader.fail(
            key, f'"{expression}" is not in OpenStreetMap opening_hours format ({problem})'
        )


def _telegram(reader: _Reader) -> TelegramSettings:
    token = reader.text("telegram.token")
    if token and not _BOT_TOKEN.match(token):
        raise reader.fail(
            "telegram.token", "does not look like a bot token from @BotFather (123456:ABC…)"
        )
    mode = reader.choice("telegram.mode", "polling", ("polling", "webhook"))
    webhook = WebhookSettings(
        listen=reader.text("telegram.webhook.listen", "127.0.0.1") or "127.0.0.1",
        port=reader.integer("telegram.webhook.port", 8443, minimum=1) or 8443,
        url=reader.text("telegram.webhook.url"),
        secret_token=reader.text("telegram.webhook.secret_token"),
    )
    if webhook.port > 65535:
        raise reader.fail(
            "telegram.webhook.port", f"must be a port number up to 65535, not {webhook.port}"
        )
    if mode == "webhook":
        if not webhook.url or not webhook.url.startswith("https://"):
            raise reader.fail(
                "telegram.webhook.url", "is required in webhook mode and must start with https://"
            )
        if not webhook.secret_token:
            raise reader.fail("telegram.webhook.secret_token", "is required in webhook mode")
    if webhook.secret_token and not _SECRET_TOKEN.match(webhook.secret_token):
        raise reader.fail(
            "telegram.webhook.secret_token",
            "may only use A-Z, a-z, 0-9, _ and - (1 to 256 characters)",
        )
    base_url = reader.text("telegram.base_url", DEFAULT_BASE_URL) or DEFAULT_BASE_URL
    if not base_url.startswith(("http://", "https://")):
        raise reader.fail(
            "telegram.base_url", "must start with https:// (or http:// for a local server)"
        )
    return TelegramSettings(
        token=token or None,
        base_url=base_url,
        base_file_url=reader.text("telegram.base_file_url"),
        mode=mode,
        webhook=webhook,
        start_patience=reader.integer("telegram.start_patience", 600, minimum=0),
    )


def load_settings(
    path: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    required: bool = False,
) -> Settings:
    """Read settings from ``path`` (default ``config.yaml`` if present) and the environment.

    Args:
        path: the configuration file; None means ``config.yaml`` in the working directory if it
            exists, otherwise defaults only.
        environ: the environment (default ``os.environ``); tests pass their own.
        required: raise if the file does not exist (set when the operator named it).

    Raises:
        ConfigError: naming the file and the key that is wrong.
    """
    environ = os.environ if environ is None else environ
    file = Path(path) if path is not None else Path("config.yaml")
    source = str(file)
    if file.exists():
        data = _read_file(file)
    elif required or path is not None:
        raise ConfigError("the configuration file does not exist", source=source)
    else:
        data, source = {}, "(defaults and environment)"
    _check_keys(data, _KEYS, "", source)
    _apply_environment(data, environ)
    reader = _Reader(data, source)

    timezone = reader.text("timezone", "Europe/Berlin") or "Europe/Berlin"
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise reader.fail(
            "timezone", f'"{timezone}" is not a time zone like Europe/Berlin'
        ) from None
    environment = reader.choice("environment", "development", ("development", "production"))
    admins_raw = reader.get("admins", [])
    if not isinstance(admins_raw, list):
        raise reader.fail("admins", "must be a list of Telegram user ids, e.g. [12345678]")
    try:
        admins = tuple(int(a) for a in admins_raw)
    except (TypeError, ValueError):
        raise reader.fail("admins", "must be a list of Telegram user ids (numbers)") from None
    teams = _teams(reader)
    fallback = reader.text("fallback_team")
    if fallback is not None and fallback not in teams:
        raise reader.fail(
            "fallback_team",
            f'names "{fallback}", which is not a key under teams{did_you_mean(fallback, list(teams))}',
        )
    key_text = reader.text("encryption_key")
    keys = tuple(k.strip() for k in key_text.split(",") if k.strip()) if key_text else ()
    for key in keys:
        if not re.fullmatch(r"[A-Za-z0-9_-]{43}=", key):
            raise reader.fail(
                "encryption_key", "must be a Fernet key (44 characters, from `lotse keygen`)"
            )
    if environment == "production" and not keys:
        raise reader.fail(
            "encryption_key",
            "is required in production (set BOT_ENCRYPTION_KEY; create one with `lotse keygen`)",
        )
    return Settings(
        source=source,
        telegram=_telegram(reader),
        database_url=_database_url(
            reader.text("database.url", DEFAULT_DATABASE_URL) or DEFAULT_DATABASE_URL,
            "database.url",
            reader,
        ),
        content_path=Path(reader.text("content.path", "content") or "content"),
        timezone=timezone,
        environment=environment,
        admins=admins,
        teams=MappingProxyType(teams),
        fallback_team=fallback,
        retention_days=reader.integer("retention_days", 90, minimum=1) or 90,
        encryption_keys=keys,
        follow_up=_follow_up(reader),
        production=_production(reader),
    )


def _production(reader: _Reader) -> ProductionSettings:
    redis_url = reader.text("production.redis_url")
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise reader.fail(
            "production.redis_url", "must be a redis:// (or rediss://, unix://) address"
        )
    budget = SendBudget(
        per_second=reader.integer("production.send_budget.per_second", 30, minimum=1) or 30,
        per_chat_per_second=reader.integer(
            "production.send_budget.per_chat_per_second", 1, minimum=1
        )
        or 1,
        per_group_per_minute=reader.integer(
            "production.send_budget.per_group_per_minute", 20, minimum=1
        )
        or 20,
    )
    return ProductionSettings(
        redis_url=redis_url or None,
        log_format=reader.choice("production.log_format", "text", ("text", "json")),
        leader_lease_seconds=reader.integer("production.leader_lease_seconds", 15, minimum=2) or 15,
        outbox_lease_seconds=reader.integer("production.outbox_lease_seconds", 60, minimum=5) or 60,
        send_budget=budget,
    )


def _follow_up(reader: _Reader) -> FollowUpSettings:
    remind = reader.integer("follow_up.remind_after_hours", 24, minimum=1) or 24
    escalate = reader.integer("follow_up.escalate_after_hours", 72, minimum=1) or 72
    if escalate <= remind:
        raise reader.fail(
            "follow_up.escalate_after_hours", f"must be later than remind_after_hours ({remind})"
        )
    digest = reader.text("follow_up.digest_time", "08:00") or "08:00"
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", digest):
        raise reader.fail("follow_up.digest_time", f'must be a time like 08:00, not "{digest}"')
    return FollowUpSettings(remind, escalate, digest)
