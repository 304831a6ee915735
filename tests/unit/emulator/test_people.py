"""The test API: people press buttons, wait for answers, and the bot's answers are tracked."""

from __future__ import annotations

import asyncio

import pytest

from bot.emulator import BotApiEmulator, EmulatedUser
from tests.unit.emulator.conftest import FakeClock, RawClient

pytestmark = pytest.mark.asyncio

KEYBOARD = {
    "inline_keyboard": [
        [{"text": "Deutsch", "callback_data": "lang:de"}],
        [{"text": "Website", "url": "https://lotse.example"}],
    ]
}
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


async def test_press_button_sends_a_callback_query(
    api: RawClient, emulator: BotApiEmulator, alice: EmulatedUser
) -> None:
    sent = await api.ok("sendMessage", chat_id=alice.id, text="Sprache?", reply_markup=KEYBOARD)

    query = await alice.press_button("Deutsch")

    update = (await api.ok("getUpdates", timeout=0))[-1]["callback_query"]
    assert update["id"] == query.id
    assert update["data"] == "lang:de"
    assert update["from"]["language_code"] == "ar"
    assert update["message"]["message_id"] == sent["message_id"]
    assert emulator.unanswered_callback_queries() == [query]

    await api.ok("answerCallbackQuery", callback_query_id=query.id, text="Gespeichert")

    assert query.answered and query.text == "Gespeichert"
    assert emulator.unanswered_callback_queries() == []


async def test_press_button_by_callback_data(api: RawClient, alice: EmulatedUser) -> None:
    await api.ok("sendMessage", chat_id=alice.id, text="Sprache?", reply_markup=KEYBOARD)

    query = await alice.press_button("lang:de")

    assert query.data == "lang:de"


async def test_missing_button_lists_what_exists(api: RawClient, alice: EmulatedUser) -> None:
    await api.ok("sendMessage", chat_id=alice.id, text="Sprache?", reply_markup=KEYBOARD)

    with pytest.raises(AssertionError, match=r"no inline button 'English'.*Deutsch"):
        await alice.press_button("English")
    with pytest.raises(AssertionError, match="has no callback_data"):
        await alice.press_button("Website")


async def test_callback_query_is_answered_once(api: RawClient, alice: EmulatedUser) -> None:
    await api.ok("sendMessage", chat_id=alice.id, text="?", reply_markup=KEYBOARD)
    query = await alice.press_button("Deutsch")

    await api.ok("answerCallbackQuery", callback_query_id=query.id)
    status, body = await api.call("answerCallbackQuery", callback_query_id=query.id)

    assert (status, body["description"]) == (400, TOO_OLD)


async def test_late_answer_is_too_old(
    api: RawClient, alice: EmulatedUser, clock: FakeClock
) -> None:
    await api.ok("sendMessage", chat_id=alice.id, text="?", reply_markup=KEYBOARD)
    query = await alice.press_button("Deutsch")
    clock.advance(minutes=1)

    status, body = await api.call("answerCallbackQuery", callback_query_id=query.id)

    assert (status, body["description"]) == (400, TOO_OLD)


async def test_wait_for_bot_message_returns_what_came_after_the_action(
    api: RawClient, alice: EmulatedUser
) -> None:
    await api.ok("sendMessage", chat_id=alice.id, text="before")
    await alice.send_text("question")

    async def bot_answers() -> None:
        await api.ok("sendMessage", chat_id=alice.id, text="answer 1")
        await api.ok("sendMessage", chat_id=alice.id, text="answer 2")

    task = asyncio.create_task(bot_answers())
    first = await alice.wait_for_bot_message()
    second = await alice.wait_for_bot_message()
    await task

    assert (first.text, second.text) == ("answer 1", "answer 2")


async def test_wait_for_bot_message_sees_edits(api: RawClient, alice: EmulatedUser) -> None:
    sent = await api.ok("sendMessage", chat_id=alice.id, text="?", reply_markup=KEYBOARD)
    await alice.press_button("Deutsch")

    await api.ok("editMessageText", chat_id=alice.id, message_id=sent["message_id"], text="ok")
    edited = await alice.wait_for_bot_message()

    assert (edited.message_id, edited.text, edited.edited) == (sent["message_id"], "ok", True)


async def test_wait_for_bot_message_with_predicate_and_timeout(
    api: RawClient, alice: EmulatedUser
) -> None:
    await api.ok("sendMessage", chat_id=alice.id, text="unrelated")

    with pytest.raises(AssertionError, match=r"no matching bot message.*unrelated"):
        await alice.wait_for_bot_message(lambda m: m.text == "never", timeout=0.05)


async def test_user_media_can_be_downloaded_by_the_bot(
    api: RawClient, emulator: BotApiEmulator, alice: EmulatedUser
) -> None:
    document = await alice.send_document("brief.pdf", b"%PDF-1.7 letter")

    described = await api.ok("getFile", file_id=document.file_id)

    assert described["file_path"].endswith(".pdf")
    assert emulator.file_content(document.file_id) == b"%PDF-1.7 letter"


async def test_unsupported_content_arrives_as_telegram_sends_it(
    api: RawClient, alice: EmulatedUser
) -> None:
    await alice.send_sticker()
    await alice.send_poll("Wann?", ("Heute", "Morgen"))
    await alice.share_contact()

    updates = await api.ok("getUpdates", timeout=0)

    kinds = [set(update["message"]) & {"sticker", "poll", "contact"} for update in updates[-3:]]
    assert kinds == [{"sticker"}, {"poll"}, {"contact"}]
    assert updates[-1]["message"]["contact"]["user_id"] == alice.id


async def test_commands_per_scope_and_language(api: RawClient, emulator: BotApiEmulator) -> None:
    commands = [{"command": "start", "description": "Beginnen"}]
    await api.ok("setMyCommands", commands=commands, language_code="de")
    await api.ok(
        "setMyCommands",
        commands=[{"command": "hilfe", "description": "Hilfe"}],
        scope={"type": "all_private_chats"},
    )

    assert await api.ok("getMyCommands", language_code="de") == commands
    assert await api.ok("getMyCommands") == []
    assert emulator.commands(scope={"type": "all_private_chats"})[0]["command"] == "hilfe"
    await api.ok("deleteMyCommands", language_code="de")
    assert emulator.commands(language_code="de") == []
    status, body = await api.call(
        "setMyCommands", commands=[{"command": "Start!", "description": "x"}]
    )
    assert (status, body["description"]) == (400, "Bad Request: BOT_COMMAND_INVALID")


async def test_scope_objects_are_validated(api: RawClient) -> None:
    status, body = await api.call(
        "setMyCommands",
        commands=[{"command": "start", "description": "x"}],
        scope={"type": "chat"},
    )

    assert status == 400
    assert ".chat_id" in body["description"]


async def test_descriptions_and_menu_button_are_accepted(api: RawClient) -> None:
    await api.ok("setMyDescription", description="Lotse hilft", language_code="de")
    await api.ok("setMyShortDescription", short_description="Hilfe")
    await api.ok("setChatMenuButton", menu_button={"type": "commands"})

    assert await api.ok("getMyDescription", language_code="de") == {"description": "Lotse hilft"}


async def test_wait_until_idle_needs_a_consumer(emulator: BotApiEmulator, token: str) -> None:
    await emulator.add_user("Bob").send_text("/start")

    with pytest.raises(AssertionError, match="1 pending update"):
        await emulator.wait_until_idle(timeout=0.05)
