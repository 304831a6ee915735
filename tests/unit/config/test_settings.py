"""Settings: the example file is valid, the environment wins, and mistakes name file and key."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import DEFAULT_BASE_URL, load_settings
from bot.errors import ConfigError
from bot.storage.keys import encryption_keys

EXAMPLE = Path(__file__).resolve().parents[3] / "config.example.yaml"
KEY = "x" * 43 + "="


def test_example_config_documents_and_loads():
    settings = load_settings(EXAMPLE, environ={})
    assert settings.telegram.base_url == DEFAULT_BASE_URL
    assert settings.telegram.mode == "polling"
    assert settings.timezone == "Europe/Berlin"
    assert set(settings.teams) == {"dortmund", "duesseldorf", "moenchengladbach"}
    assert settings.teams["dortmund"].chat_id == -1001000000001
    assert settings.fallback_team == "dortmund"
    assert settings.database_url.startswith("sqlite+aiosqlite:///")


def test_every_key_of_the_example_has_a_comment():
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    in_teams = False
    for number, line in enumerate(lines):
        match = re.match(r"^( *)([a-z_]+):(.*)$", line)
        if not match:
            continue
        indent, key, value = len(match.group(1)), match.group(2), match.group(3).strip()
        if indent == 0:
            in_teams = key == "teams"
        elif in_teams:
            continue  # the example teams are explained by the comment above teams:
        following = lines[number + 1] if number + 1 < len(lines) else ""
        is_header = not value and following.startswith(" " * (indent + 2))
        assert is_header or lines[number - 1].strip().startswith("#"), (
            f"config.example.yaml:{number + 1}: {key} has no comment"
        )


def test_environment_overrides_secrets_and_deployment_values(tmp_path):
    environ = {
        "BOT_TOKEN": "123456:" + "A" * 35,
        "DATABASE_URL": "postgresql://lotse@db/lotse",
        "BOT_ENCRYPTION_KEY": f"{KEY}, {KEY}",
        "BOT_MODE": "webhook",
        "BOT_WEBHOOK_URL": "https://bot.example.org/hook",
        "BOT_WEBHOOK_SECRET": "s3cret",
        "BOT_ENVIRONMENT": "production",
    }
    settings = load_settings(EXAMPLE, environ=environ)
    assert settings.telegram.token == environ["BOT_TOKEN"]
    assert settings.database_url == "postgresql+asyncpg://lotse@db/lotse"
    assert settings.encryption_keys == (KEY, KEY)
    assert settings.telegram.webhook.secret_token == "s3cret"
    assert settings.is_production


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        (
            "telegram:\n  mode: poll\n",
            "telegram.mode",
            'must be "polling" or "webhook", not "poll" (did you mean "polling"?)',
        ),
        ("telegram:\n  tokn: x\n", "telegram.tokn", 'unknown setting (did you mean "token"?)'),
        ("telegram:\n  mode: webhook\n", "telegram.webhook.url", "required in webhook mode"),
        ("timezone: Berlin\n", "timezone", "not a time zone"),
        ("teams:\n  a: {name: A}\n", "teams.a.chat_id", "is missing"),
        (
            "teams:\n  a: {chat_id: -1, office_hours: 'Mo-Fr 9 bis 5'}\n",
            "teams.a.office_hours",
            "OpenStreetMap",
        ),
        ("fallback_team: nobody\n", "fallback_team", "not a key under teams"),
        ("environment: production\n", "encryption_key", "required in production"),
        ("database:\n  url: mysql://x\n", "database.url", "postgresql://"),
        ("retention_days: soon\n", "retention_days", "whole number"),
    ],
)
def test_bad_settings_name_file_and_key(tmp_path, text, key, fragment):
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert caught.value.key == key
    assert str(caught.value).startswith(f"{path}: {key}: ")
    assert fragment in str(caught.value)


def test_bad_config_is_one_line_and_exit_code_2(tmp_path, capsys):
    path = tmp_path / "x.yaml"
    path.write_text("telegram:\n  mode: poll\n", encoding="utf-8")
    code = main(["content", "check", "content", "--config", str(path)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.count("\n") == 1
    assert "telegram.mode" in captured.err and str(path) in captured.err
    assert "Traceback" not in captured.err


def test_broken_yaml_config_names_the_line(tmp_path, capsys):
    path = tmp_path / "config.yaml"
    path.write_text("telegram:\n  mode: [\n", encoding="utf-8")
    assert main(["run", "--config", str(path)]) == 2
    assert f"{path}:3" in capsys.readouterr().err


def test_missing_named_config_file(tmp_path, capsys):
    assert main(["run", "--config", str(tmp_path / "nope.yaml")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_development_key_is_created_once_with_mode_0600(tmp_path, caplog):
    settings = load_settings(None, environ={"DATABASE_URL": f"sqlite:///{tmp_path}/db/lotse.db"})
    first = encryption_keys(settings)
    path = tmp_path / "db" / "encryption.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "created" in caplog.text
    caplog.clear()
    assert encryption_keys(settings) == first
    assert "created" not in caplog.text
