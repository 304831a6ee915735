"""Run the real bot Application against the local Bot API emulator, for end-to-end tests."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

from telegram.ext import Application

from bot.app import LOCALES
from bot.config import Settings
from bot.content.models import Content
from bot.emulator import BotApiEmulator, EmulatedUser
from bot.i18n.catalogs import Catalogs
from bot.runtime import Runtime
from bot.storage.database import Database
from bot.telegram.application import ALLOWED_UPDATES, build_application, prepare
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


@contextlib.asynccontextmanager
async def running_bot(
    database: Database, *, settings: Settings | None = None
) -> AsyncIterator[BotHarness]:
    """Start the emulator and the bot (long polling) on ``database``; stop both afterwards."""
    clock = FakeClock(START)
    runtime = Runtime(
        settings=settings or Settings(),
        content=default_content(),
        content_root=CONTENT,
        catalogs=default_catalogs(),
        database=database,
        clock=clock,
    )
    async with BotApiEmulator(clock=clock.now) as emulator:
        token = emulator.create_bot()
        application = build_application(
            runtime, token=token, base_url=emulator.base_url, base_file_url=emulator.base_file_url
        )
        await prepare(application)
        try:
            await application.start()
            await application.updater.start_polling(
                poll_interval=0, timeout=10, allowed_updates=ALLOWED_UPDATES
            )
            await emulator.wait_until_polling()
            harness = BotHarness(emulator, application, runtime, clock)
            try:
                yield harness
            finally:
                await application.updater.stop()
                await application.stop()
        finally:
            await application.shutdown()
