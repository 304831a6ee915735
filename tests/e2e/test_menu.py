"""A person opens the bot, gets it in their language and walks the menu — through the emulator."""

from __future__ import annotations

import dataclasses

from bot.content.navigation import find_pages

RLM = "\u200f"


def title(bot, node, language):
    return bot.content.nodes[node].title.resolve(bot.content.language_chain(language))[0]


async def test_arabic_person_gets_the_main_menu_in_arabic(bot):
    amal = bot.person("Amal", "ar")
    await amal.send_text("/start")
    menu = await amal.wait_for_bot_message()
    content = bot.content
    assert menu.text.startswith(RLM), "right-to-left text starts with a direction mark"
    assert title(bot, "violence", "ar") in menu.buttons
    assert content.nodes["violence"].title.get("ar") != content.nodes["violence"].title.source
    assert "Deutsch" not in menu.buttons


async def test_unknown_language_code_gets_the_picker_then_the_chosen_language(bot):
    li = bot.person("Li", "zh-hans")
    await li.send_text("/start")
    picker = await li.wait_for_bot_message()
    assert {"Deutsch", "العربية", "Türkçe", "Українська", "ትግርኛ"} <= set(picker.buttons)
    await li.press_button("Türkçe")
    menu = await li.wait_for_bot_message()
    assert menu.message_id == picker.message_id, "the picker is replaced in place"
    assert title(bot, "violence", "tr") in menu.buttons


async def test_navigation_down_and_back_edits_one_message(bot):
    anna = bot.person("Anna", "uk")
    await anna.send_text("/start")
    main = await anna.wait_for_bot_message()
    await anna.press_button(title(bot, "violence", "uk"))
    page = await anna.wait_for_bot_message()
    assert page.message_id == main.message_id
    assert title(bot, "violence", "uk") in page.text
    assert any(label.startswith("‹") for label in page.buttons)
    await anna.press_button(next(b for b in page.buttons if b.startswith("‹")))  # Back
    again = await anna.wait_for_bot_message()
    assert again.buttons == main.buttons


async def test_language_switch_is_remembered(bot):
    omid = bot.person("Omid", "de")
    await omid.send_text("/start")
    await omid.wait_for_bot_message()
    await omid.send_text("/language")
    await omid.wait_for_bot_message()
    await omid.press_button("فارسی / دری")
    menu = await omid.wait_for_bot_message()
    assert title(bot, "violence", "fa") in menu.buttons
    await omid.send_text("/start")
    again = await omid.wait_for_bot_message()
    assert title(bot, "violence", "fa") in again.buttons


async def test_stale_button_after_a_content_change(bot):
    sara = bot.person("Sara", "en")
    await sara.send_text("/start")
    await sara.wait_for_bot_message()
    bot.swap_content(dataclasses.replace(bot.content, version="zzzz"))
    query = await sara.press_button(title(bot, "violence", "en"))
    page = await sara.wait_for_bot_message()
    await bot.idle()
    assert query.answered
    assert "updated" in (query.text or "")
    assert title(bot, "violence", "en") in page.text


async def test_forged_button_gets_the_menu(bot):
    sara = bot.person("Sara", "en")
    await sara.send_text("/start")
    await sara.wait_for_bot_message()
    for data in ("p:zz", "x" * 64, "l:xx", "💣", "p:abcd:../../etc", "s:zzzz:0:P1:0:0"):
        query = await sara.send_callback_data(data)
        await bot.emulator.wait_for_answer(query)
    assert sara.last_bot_message().buttons, "the menu is still there"


async def test_typed_words_find_pages(bot):
    amal = bot.person("Amal", "de")
    await amal.send_text("/start")
    await amal.wait_for_bot_message()
    await amal.send_text("Mein Mann schlägt mich, ich habe Angst")
    emergency = await amal.wait_for_bot_message()
    assert "110" in emergency.text, "crisis words: the emergency card comes first"
    answer = await amal.wait_for_bot_message()
    expected = [
        m.node_id for m in find_pages(bot.content, "Mein Mann schlägt mich, ich habe Angst", "de")
    ]
    assert expected, "the default content's keywords find something"
    assert title(bot, expected[0], "de") in answer.buttons


async def test_gibberish_gets_a_helpful_answer(bot):
    amal = bot.person("Amal", "ar")
    await amal.send_text("/start")
    await amal.wait_for_bot_message()
    await amal.send_text("qqqq zzzz")
    answer = await amal.wait_for_bot_message()
    assert answer.text and answer.buttons
    await amal.send_sticker()
    sticker_answer = await amal.wait_for_bot_message()
    assert sticker_answer.buttons


async def test_person_who_blocked_the_bot(bot):
    amal = bot.person("Amal", "de")
    await amal.send_text("/start")
    await amal.wait_for_bot_message()
    bot.emulator.inject_fault(
        method="sendMessage", status=403, description="Forbidden: bot was blocked by the user"
    )
    await amal.send_text("/start")
    await bot.idle()
    await amal.send_text("/start")
    menu = await amal.wait_for_bot_message()
    assert menu.buttons


async def test_flood_limit_answered_with_retry_after(bot):
    amal = bot.person("Amal", "de")
    fault = bot.emulator.inject_fault(method="sendMessage", status=429, retry_after=1)
    await amal.send_text("/start")
    menu = await amal.wait_for_bot_message(timeout=10)
    assert fault.hits == 1
    assert menu.buttons


async def test_commands_are_registered_per_language(bot):
    await bot.idle()
    arabic = bot.emulator.commands(language_code="ar")
    german = bot.emulator.commands(language_code="de")
    assert [c["command"] for c in arabic] == [c["command"] for c in german]
    assert arabic != german
