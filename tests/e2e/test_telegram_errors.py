"""Telegram's error answers, as a person meets them: never a dead end, never a traceback."""

from __future__ import annotations

import asyncio
import logging

from bot.contact.repositories import OutboxRepository
from bot.content.addresses import page_address
from tests.e2e.test_contact_requests import SECRET, team_setup, write_request
from tests.helpers.botharness import running_bot


def title(bot, node, language="de"):
    return bot.content.nodes[node].title.resolve(bot.content.language_chain(language))[0]


async def outbox_drained(bot, timeout: float = 10.0) -> None:
    """Wait until every outbox entry is sent or given up (the delivery job runs on its own)."""
    async with asyncio.timeout(timeout):
        while True:
            async with bot.runtime.database.unit_of_work() as session:
                if not await OutboxRepository(session).pending_count():
                    break
            await asyncio.sleep(0.05)
    await bot.idle()


def tracebacks(caplog) -> list[str]:
    """Log records that carry a traceback or say ERROR."""
    return [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.exc_info is not None or r.levelno >= logging.ERROR
    ]


async def test_a_button_on_a_cleared_message_answers_with_a_new_message(database, caplog):
    caplog.set_level(logging.INFO)
    async with running_bot(database) as bot:
        amal = bot.person("Amal", "de")
        await amal.send_text("/start")
        menu = await amal.wait_for_bot_message()
        await amal.send_text("/clear")
        await amal.wait_for_bot_message(lambda m: "🧹" in (m.text or ""))
        # Her phone still shows the menu a moment longer; she presses a button on it.
        query = await amal.press_button(title(bot, "violence"), message=menu)
        page = await amal.wait_for_bot_message(lambda m: title(bot, "violence") in (m.text or ""))
        assert page.message_id != menu.message_id
        await bot.emulator.wait_for_answer(query)
        assert query.text is None, "the press is answered by the page, not by an apology"
        await bot.idle()
        assert not bot.emulator.unanswered_callback_queries()
        refused = [r.description for r in bot.emulator.rejected_requests()]
        assert refused == ["Bad Request: message to edit not found"]
    assert not tracebacks(caplog)


async def test_a_press_repeated_changes_nothing_and_is_not_sent_as_an_edit(bot):
    amal = bot.person("Amal", "de")
    await amal.send_text("/start")
    await amal.wait_for_bot_message()
    violence = title(bot, "violence")
    await amal.press_button(violence)
    page = await amal.wait_for_bot_message()
    # A second tap on the same button of the same (old) screen: same page, nothing to edit.
    again = await amal.send_callback_data(
        page_address(bot.content.version, "violence"), message=page
    )
    await bot.emulator.wait_for_answer(again)
    await bot.idle()
    edits = bot.emulator.requests_for("editMessageText")
    assert len(edits) == 1
    # (the fixture checks that Telegram refused nothing: no "message is not modified")


async def test_bad_gateways_do_not_lose_the_place_in_the_contact_flow(database, caplog):
    """Edits, answers and sends answered 502 once or twice: the request still goes out once."""
    caplog.set_level(logging.INFO)
    async with team_setup(database) as (bot, group, _anna):
        emulator = bot.emulator
        amal = bot.person("Amal", "de")
        for method, times in (("editMessageText", 3), ("answerCallbackQuery", 2)):
            emulator.inject_fault(method, 502, times=times)
        emulator.inject_fault("sendMessage", 502, times=2, chat_id=amal.id)
        sent = await write_request(bot, amal)
        assert "#" in sent.text
        copies = await group.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
        await bot.idle()
        assert len([m for m in group.bot_messages() if SECRET in (m.text or "")]) == 1, copies
        texts = [m.text or "" for m in amal.bot_messages()]
        sorry = bot.runtime.translator("de").gettext(
            "Sorry, I did not understand that. Please choose from the menu."
        )
        assert not any(sorry in t for t in texts)
        assert not emulator.unanswered_callback_queries()
        assert sum(f.hits for f in emulator.faults.planned) == 0  # every fault struck
    assert not tracebacks(caplog)


async def test_a_person_who_blocked_the_bot_is_not_written_to_again(database, caplog):
    caplog.set_level(logging.INFO)
    async with team_setup(database) as (bot, group, anna):
        amal = bot.person("Amal", "de")
        await write_request(bot, amal)
        copied = await group.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
        await outbox_drained(bot)  # nothing for her under way any more (notices included)
        # Telegram refuses every message to her from now on (she blocked the bot).
        refusal = bot.emulator.inject_fault(
            None, 403, description="Forbidden: bot was blocked by the user",
            chat_id=amal.id, times=None,
        )  # fmt: skip
        for words in ("Wir rufen Sie an", "Sind Sie noch da?", "Bitte melden Sie sich"):
            await anna.send_text(words, chat=group, thread_id=copied.thread_id)
            await outbox_drained(bot)
        assert refusal.hits == 1, "after the first refusal nothing more is sent to her"
        # She unblocks and writes again: she is served again.
        bot.emulator.clear_faults()
        await amal.send_text("/start")
        await amal.wait_for_bot_message(lambda m: title(bot, "violence") in m.buttons)
    assert not tracebacks(caplog)
