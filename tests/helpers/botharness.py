"""Run the real bot Application against the local Bot API emulator, for end-to-end tests."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from cryptography.fernet import Fernet
from telegram.ext import Application

from bot.app import LOCALES
from bot.config import Settings, TeamSettings
from bot.contact.crypto import Cipher
from bot.contact.references import ReferenceGenerator
from bot.content.models import Content
from bot.emulator import BotApiEmulator, EmulatedGroup, EmulatedUser
from bot.i18n.catalogs import Catalogs
from bot.runtime import Runtime
from bot.storage.database import Database
from bot.telegram.application import build_application, prepare, start_polling
from tests.helpers.clock import FakeClock
from tests.helpers.content import CONTENT, default_content

START = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)  # a Wednesday, within office hours

_catalogs_cache: dict[Path, Catalogs] = {}


def default_catalogs() -> Catalogs:
    if LOCALES not in _catalogs_cache:
        _catalogs_cache[LOCALES] = Catalogs.load(LOCALES)
    return _catalogs_cache[LOCALES]


@dataclass
class BotHarness:
    """The emulator, the running Application and its runtime."""

    emulator: BotApiEmulator
    application: Application
    runtime: Runtime
    clock: FakeClock
    token: str = ""

    @property
    def content(self) -> Content:
        return self.runtime.content

    def person(self, name: str = "Amal", language_code: str | None = "de") -> EmulatedUser:
        return self.emulator.add_user(name, language_code=language_code)

    def swap_content(self, content: Content) -> None:
        """Give the running bot new content (as after an editor's change and a restart)."""
        self.runtime = replace(self.runtime, content=content)
        self.application.bot_data.runtime = self.runtime

    async def idle(self) -> None:
        await self.emulator.wait_until_idle(timeout=10)


TEST_KEY = Fernet.generate_key().decode()


def test_runtime(database: Database, clock: FakeClock, settings: Settings | None = None) -> Runtime:
    """A runtime on ``database`` with the repository's content and catalogs and a fixed key."""
    return Runtime(
        settings=settings or Settings(),
        content=default_content(),
        content_root=CONTENT,
        catalogs=default_catalogs(),
        database=database,
        clock=clock,
        cipher=Cipher.from_keys((TEST_KEY,)),
        references=ReferenceGenerator(random.Random(7)),
    )


@contextlib.asynccontextmanager
async def running_bot(
    database: Database,
    *,
    settings: Settings | None = None,
    emulator: BotApiEmulator | None = None,
    clock: FakeClock | None = None,
    token: str | None = None,
    deliver: bool = True,
    **options,
) -> AsyncIterator[BotHarness]:
    """Start the bot (long polling) on ``database`` against ``emulator`` (a new one by default).

    Passing the same emulator (and token) to a second ``running_bot`` restarts the bot as after
    a crash: the chats and the database stay, the process is new. ``options`` go to
    :func:`~bot.telegram.application.build_application` (rate limiter, read time-out).
    """
    clock = clock or FakeClock(START)
    runtime = test_runtime(database, clock, settings)
    async with contextlib.AsyncExitStack() as stack:
        if emulator is None:
            emulator = await stack.enter_async_context(BotApiEmulator(clock=clock.now))
        token = token or emulator.create_bot()
        application = build_application(
            runtime,
            token=token,
            base_url=emulator.base_url,
            base_file_url=emulator.base_file_url,
            deliver=deliver,
            **options,
        )
        await prepare(application)
        try:
            await application.start()
            poller = await start_polling(application, timeout=10)
            await emulator.wait_until_polling()
            harness = BotHarness(emulator, application, runtime, clock, token)
            try:
                yield harness
            finally:
                await poller.stop()
                await application.stop()
        finally:
            await application.shutdown()


@dataclass
class Network:
    """The emulator and the bot's token before the bot runs: add coordinators and team groups."""

    emulator: BotApiEmulator
    token: str
    clock: FakeClock
    teams: dict[str, TeamSettings] = field(default_factory=dict)

    def coordinator(self, name: str) -> EmulatedUser:
        return self.emulator.add_user(name, language_code="de")

    def team(
        self,
        key: str,
        title: str,
        *,
        members: tuple[EmulatedUser, ...] = (),
        forum: bool = True,
        languages: tuple[str, ...] = ("de",),
        office_hours: str | None = None,
        chat_id: int | None = None,
    ) -> EmulatedGroup | None:
        """A team with its group chat (none when ``chat_id`` names a chat that does not exist)."""
        group = (
            None
            if chat_id is not None
            else self.emulator.add_group(title, forum=forum, members=members)
        )
        chat = chat_id if group is None else group.id
        self.teams[key] = TeamSettings(key, title, chat, languages, office_hours)
        return group

    def run(
        self,
        database: Database,
        *,
        fallback: str,
        admins: tuple[int, ...] = (),
        deliver: bool = True,
        **options,
    ):
        """Start the bot with these teams (again, for a restart) on ``database``."""
        settings = Settings(teams=dict(self.teams), fallback_team=fallback, admins=admins)
        return running_bot(
            database,
            settings=settings,
            emulator=self.emulator,
            clock=self.clock,
            token=self.token,
            deliver=deliver,
            **options,
        )


@contextlib.asynccontextmanager
async def emulated_network() -> AsyncIterator[Network]:
    """An emulator with a registered bot, on a fake clock, for tests that set up teams."""
    clock = FakeClock(START)
    async with BotApiEmulator(clock=clock.now) as emulator:
        yield Network(emulator, emulator.create_bot(), clock)
