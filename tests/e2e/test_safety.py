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
    assert not any(b.startswith("🆘") for b in card.buttons), "the card itself needs no 🆘"
    assert any(b.startswith("🧹") for b in card.buttons), "and offers to clear the chat"


async def test_clear_leaves_the_chat_empty(bot, monkeypatch):
    from bot.telegram.handlers import safety

    monkeypatch.setattr(safety, "NOTE_SECONDS", 0.05)
    content = bot.content
    amal = bot.person("Amal", "de")
    await amal.send_text("/start")
    await amal.wait_for_bot_message()
    await amal.press_button(page_address(content.version, "violence"))
    await amal.wait_for_bot_message()
    await amal.send_text("Frauenhaus")
    await amal.wait_for_bot_message()
    assert len(amal.messages()) >= 4
    await amal.send_text("/clear")
    note = await amal.wait_for_bot_message()
    assert "🧹" in note.text
    assert [m.message_id for m in amal.messages()] == [note.message_id], "only the note is left"
    for _ in range(50):  # the note removes itself shortly after
        await bot.emulator.wait_until_idle(quiet=0.1)
        if not amal.messages():
            break
    assert amal.messages() == []


async def test_messages_older_than_48_hours_are_explained(bot):
    amal = bot.person("Amal", "de")
    await amal.send_text("/start")
    await amal.wait_for_bot_message()
    bot.clock.advance(60 * 60 * 49)
    await amal.send_text("/clear")
    note = await amal.wait_for_bot_message(lambda m: "🧹" in (m.text or ""))
    assert "48" in note.text
    remaining = [m for m in amal.messages() if m.message_id != note.message_id]
    assert len(remaining) == 2, (
        "the two old messages stay: Telegram allows no deletion after 48 hours"
    )


async def test_discreet_mode_clears_after_inactivity(bot):
    from bot.telegram.handlers.safety import clear_idle_discreet_chats

    amal = bot.person("Amal", "de")
    await amal.send_text("/discreet")
    switched = await amal.wait_for_bot_message()
    assert "🕶" in switched.text
    await amal.send_text("/start")
    menu = await amal.wait_for_bot_message()
    assert menu.text.startswith("🔔"), "notifications do not show the topic"
    await bot.idle()
    bot.clock.advance(60 * 5)
    assert await clear_idle_discreet_chats(bot.application.bot, bot.runtime) == 0, "not yet"
    bot.clock.advance(60 * 6)
    assert await clear_idle_discreet_chats(bot.application.bot, bot.runtime) == 4
    assert amal.messages() == []


async def test_flood_of_200_messages_while_another_person_is_served(bot):
    flooder = bot.person("Flood", "de")
    other = bot.person("Other", "ar")
    for number in range(200):
        await flooder.send_text(f"spam {number}")
    await other.send_text("/start")
    menu = await other.wait_for_bot_message(timeout=30)
    assert menu.buttons
    await bot.emulator.wait_until_idle(timeout=60)
    answers = flooder.bot_messages()
    slow_down = [m for m in answers if "⏳" in (m.text or "")]
    assert len(slow_down) == 1
    assert len(answers) <= 21 + 1, "at most the limit's answers and one slow-down note"


async def test_an_admin_blocks_the_person_of_a_request(database):
    from tests.e2e.test_contact_requests import SECRET, write_request
    from tests.helpers.botharness import emulated_network

    async with emulated_network() as network:
        anna, admin = network.coordinator("Anna"), network.coordinator("Admin")
        group = network.team("dortmund", "Team", members=(anna, admin))
        async with network.run(database, fallback="dortmund", admins=(admin.id,)) as bot:
            troll = bot.person("Troll", "de")
            await write_request(bot, troll)
            copied = await group.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
            await anna.send_text("/block", chat=group, thread_id=copied.thread_id)
            refused = await group.wait_for_bot_message(thread_id=copied.thread_id)
            assert "⛔" not in refused.text
            await admin.send_text("/block", chat=group, thread_id=copied.thread_id)
            await group.wait_for_bot_message(lambda m: "⛔" in (m.text or ""))
            before = len(troll.bot_messages())
            await troll.send_text("/start")
            await bot.idle()
            assert len(troll.bot_messages()) == before


async def test_the_list_of_numbers_comes_as_a_file_in_the_persons_language(bot):
    content = bot.content
    person = bot.person("Amal", "ar")
    page = await walk(person, content, "emergency", "emergency_file")
    assert page.kind == "text"
    sent = await person.wait_for_bot_message()
    assert sent.kind == "document"
    assert sent.raw["document"]["file_name"] == "numbers-ar.txt"
    listed = bot.emulator.file_content(sent.file_id).decode("utf-8")
    for mark in ("\u2066", "\u2069", "\u200f"):  # direction marks keep numbers in one piece
        listed = listed.replace(mark, "")
    assert "أرقام هواتف مهمة" in listed and "لستم وحدكم." in listed
    for helpline in content.helplines:
        assert helpline.phone in listed and helpline.name.get("ar") in listed


async def walk(person, content, *pages):
    """Start the bot and press the buttons of ``pages`` in turn; the last message the bot sent."""
    await person.send_text("/start")
    shown = await person.wait_for_bot_message()
    for page in pages:
        await person.press_button(page_address(content.version, page))
        shown = await person.wait_for_bot_message()
    return shown
