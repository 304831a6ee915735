"""The local Telegram Bot API emulator and its test API for people and groups.

The emulator is an HTTP server on 127.0.0.1 that answers Bot API calls as Telegram does, so the
real python-telegram-bot ``Application`` runs against it unchanged, and a Python API that plays
the people using the bot::

    async with BotApiEmulator() as emulator:
        token = emulator.create_bot()
        application = (
            ApplicationBuilder().token(token)
            .base_url(emulator.base_url).base_file_url(emulator.base_file_url).build()
        )
        alice = emulator.add_user("Alice", language_code="ar")
        await alice.send_text("/start")
        welcome = await alice.wait_for_bot_message()
        await alice.press_button("Deutsch")
        assert not emulator.rejected_requests()

Module map:

    _emulator   BotApiEmulator: server life cycle, world building, faults, waiting
    _people     EmulatedUser: writing, buttons, blocking, reading the private chat
    _groups     EmulatedGroup: members, forum topics, reading per topic
    _views      EmulatedMessage: snapshots of messages for assertions
    _server     tornado handlers: request parsing and Telegram's envelope
    _dispatch   one request's way: token, faults, validation, method, request log
    _params     parameter validation against api_facts.json
    _content    text, caption and keyboard rules;  _text: HTML parse mode and entities
    _store      the state and its id counters;  _records: bots, people, chats, messages…
    _updates    update queue: long polling and webhook delivery
    _faults     fault injection and the request log
    _flood      Telegram's flood limits (off unless asked for): token buckets, 429 beyond
    _methods_*  the Bot API methods (bot, send, edit, chats)
"""

from bot.emulator._dispatch import CLIENT_GONE
from bot.emulator._emulator import BotApiEmulator
from bot.emulator._errors import ApiError
from bot.emulator._faults import Fault, RandomFaults, RecordedRequest
from bot.emulator._flood import FloodLimits, FloodRefusal
from bot.emulator._groups import EmulatedGroup
from bot.emulator._methods_edit import CALLBACK_ANSWER_TIMEOUT, DELETE_WINDOW
from bot.emulator._params import UploadedFile
from bot.emulator._people import ANY_THREAD, EmulatedUser
from bot.emulator._records import CallbackQueryRecord, TopicRecord
from bot.emulator._store import Clock
from bot.emulator._views import EmulatedMessage

__all__ = [
    "ANY_THREAD",
    "CALLBACK_ANSWER_TIMEOUT",
    "CLIENT_GONE",
    "DELETE_WINDOW",
    "ApiError",
    "BotApiEmulator",
    "CallbackQueryRecord",
    "Clock",
    "EmulatedGroup",
    "EmulatedMessage",
    "EmulatedUser",
    "Fault",
    "FloodLimits",
    "FloodRefusal",
    "RandomFaults",
    "RecordedRequest",
    "TopicRecord",
    "UploadedFile",
]
