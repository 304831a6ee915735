"""The shipped facts table: where it came from, what it holds, that it matches its generator."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from bot.emulator._facts import load_facts

REPO = Path(__file__).resolve().parents[3]
SPEC = REPO.parent / "shared" / "spec" / "telegram-bot-api.json"


def test_facts_say_where_they_came_from() -> None:
    facts = load_facts()

    assert facts.version == "Bot API 10.1"
    assert "PaulSonOfLars/telegram-bot-api-spec" in facts.source
    assert "MIT" in facts.source


def test_facts_describe_methods_and_types() -> None:
    facts = load_facts()

    assert facts.canonical_method("SENDMESSAGE") == "sendMessage"
    chat_id = facts.parameters("sendMessage")["chat_id"]
    assert (chat_id.types, chat_id.required) == (("Integer", "String"), True)
    assert "BotCommandScopeChat" in facts.subtypes("BotCommandScope")
    assert facts.tag("BotCommandScopeChat") == ("type", "chat")
    assert facts.fields("InlineKeyboardButton")["callback_data"].types == ("String",)


@pytest.mark.skipif(not SPEC.exists(), reason="the full specification is not checked out")
def test_shipped_table_matches_the_generator() -> None:
    path = REPO / "scripts" / "generate_api_facts.py"
    module_spec = importlib.util.spec_from_file_location("generate_api_facts", path)
    assert module_spec and module_spec.loader
    generator = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(generator)

    expected = generator.dump_facts(generator.build_facts(json.loads(SPEC.read_text())))

    shipped = REPO / "bot" / "emulator" / "api_facts.json"
    assert shipped.read_text(encoding="utf-8") == expected
