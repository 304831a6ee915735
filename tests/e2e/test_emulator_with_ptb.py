"""A real python-telegram-bot Application runs unchanged against the Bot API emulator."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import pytest_asyncio
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.emulator import BotApiEmulator

pytestmark = pytest.mark.asyncio

LANGUAGES = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Deutsch", callback_data="lang:de")],
        [InlineKeyboardButton("العربية", callback_data="lang:ar")],
    ]
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet and offer the languages."""
    await update.message.reply_html("<b>Willkommen</b> bei Lotse!", reply_markup=LANGUAGES)


async def choose_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Confirm the chosen language by editing the menu."""
    query = update.callback_query
    await query.answer("✓")
    await query.edit_message_text(f"Sprache: <i>{query.data.split(':')[1]}</i>", parse_mode="HTML")


async def echo_voice_size(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download a voice message and report its size."""
    voice_file = await update.message.voice.get_file()
    content = await voice_file.download_as_bytearray()
    await update.message.reply_text(f"{len(content)} Bytes")


def build_application(emulator: BotApiEmulator, token: str, **options: object) -> Application:
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(emulator.base_url)
        .base_file_url(emulator.base_file_url)
    )
    if options.get("rate_limiter"):
        builder = builder.rate_limiter(options["rate_limiter"])
    application = builder.build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(choose_language, pattern=r"^lang:"))
    application.add_handler(MessageHandler(filters.VOICE, echo_voice_size))
    return application


@asynccontextmanager
async def polling(application: Application) -> AsyncIterator[Application]:
    """Run the application with long polling in the test's event loop."""
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=10)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as running:
        yield running


async def test_start_button_edit_and_answer(emulator: BotApiEmulator) -> None:
    application = build_application(emulator, emulator.create_bot())
    alice = emulator.add_user("Alice", language_code="ar")

    async with polling(application):
        await alice.send_text("/start")
        menu = await alice.wait_for_bot_message()
        query = await alice.press_button("Deutsch")
        confirmation = await alice.wait_for_bot_message()
        await emulator.wait_until_idle()

    assert menu.text == "Willkommen bei Lotse!"
    assert menu.entity_texts("bold") == ["Willkommen"]
    assert menu.buttons == ["Deutsch", "العربية"]
    assert confirmation.message_id == menu.message_id
    assert (confirmation.text, confirmation.buttons) == ("Sprache: de", [])
    assert (query.answered, query.text) == (True, "✓")
    assert emulator.unanswered_callback_queries() == []
    assert emulator.rejected_requests() == []


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_rate_limiter_retries_after_429(emulator: BotApiEmulator) -> None:
    application = build_application(
        emulator, emulator.create_bot(), rate_limiter=AIORateLimiter(max_retries=1)
    )
    alice = emulator.add_user("Alice")
    fault = emulator.inject_fault("sendMessage", 429, retry_after=1)

    async with polling(application):
        await alice.send_text("/start")
        menu = await alice.wait_for_bot_message(timeout=5)

    sends = emulator.requests_for("sendMessage")
    assert [request.status for request in sends] == [429, 200]
    assert (sends[1].at - sends[0].at).total_seconds() >= 1  # PTB waited retry_after
    assert fault.hits == 1
    assert menu.buttons == ["Deutsch", "العربية"]
    assert emulator.rejected_requests() == []


async def test_bot_downloads_a_voice_message(emulator: BotApiEmulator) -> None:
    application = build_application(emulator, emulator.create_bot())
    alice = emulator.add_user("Alice")

    async with polling(application):
        await alice.send_voice(content=b"OggS" + bytes(96))
        reply = await alice.wait_for_bot_message()

    assert reply.text == "100 Bytes"
    assert emulator.rejected_requests() == []


async def test_webhook_mode(emulator: BotApiEmulator) -> None:
    application = build_application(emulator, emulator.create_bot())
    alice = emulator.add_user("Alice")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async with application:
        await application.start()
        await application.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="lotse-secret",
        )
        try:
            await alice.send_text("/start")
            menu = await alice.wait_for_bot_message()
        finally:
            await application.updater.stop()
            await application.stop()

    assert menu.text == "Willkommen bei Lotse!"
    assert emulator.requests_for("setWebhook")[0].params["secret_token"] == "lotse-secret"
    assert emulator.rejected_requests() == []
