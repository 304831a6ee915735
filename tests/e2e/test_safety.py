"""Safety: the emergency card comes first for crisis words, and is one tap away everywhere."""

from __future__ import annotations

import pytest

from bot.content.addresses import page_address


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("de", "Hilfe, mein Mann schlägt mich"),
        ("ar", "زوجي ضربني"),
        ("uk", "він мене б'є"),
        ("fa", "شوهرم مرا می‌زند"),
    ],
)
async def test_crisis_words_get_the_emergency_card_first(bot, language, words):
    person = bot.person("Amal", language)
    await person.send_text("/start")
    await person.wait_for_bot_message()
    await person.send_text(words)
    first = await person.wait_for_bot_message()
    assert "110" in first.text and "112" in first.text
    assert "116 016" in first.text
    following = await person.wait_for_bot_message()
    assert following.buttons, "then the usual answer"


async def test_emergency_is_one_tap_away_on_every_page(bot):
    content = bot.content
    person = bot.person("Amal", "ar")
    await person.send_text("/start")
    await person.wait_for_bot_message()
    for node in ("violence", "violence_safe", "main", "everyday", "housing"):
        await person.press_button(page_address(content.version, node))
        page = await person.wait_for_bot_message()
        assert any(b.startswith("🆘") for b in page.buttons), node  # main has its own 🆘 page
    await person.send_text("/emergency")
    card = await person.wait_for_bot_message()
    assert "110" in card.text
