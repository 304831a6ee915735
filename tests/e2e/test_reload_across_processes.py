"""A content reload in one process reaches the bot's other processes (PostgreSQL LISTEN/NOTIFY)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from bot.content.loader import load_content_or_raise
from bot.telegram.application import build_application, prepare
from tests.e2e.test_content_reload import bot_on_a_copy, edit


async def test_a_reload_in_one_process_reaches_the_other(database, tmp_path):
    if database.dialect != "postgresql":
        pytest.skip("several processes need PostgreSQL")
    async with bot_on_a_copy(database, tmp_path) as (bot, admin, folder):
        # A second process of the same bot on the same database and content folder (it gets no
        # updates here: the reload has to reach it by the database alone).
        other_runtime = dataclasses.replace(
            bot.runtime, content=load_content_or_raise(folder), metrics=type(bot.runtime.metrics)(),
            lease=None,
        )  # fmt: skip
        other = build_application(
            other_runtime, token=bot.token, base_url=bot.emulator.base_url,
            base_file_url=bot.emulator.base_file_url,
        )  # fmt: skip
        await prepare(other)
        await other.start()
        try:
            before = other.bot_data.runtime.content.version
            edit(folder, "Willkommen! Hier finden Sie Hilfe", "Hallo! Hier finden Sie Hilfe")
            await admin.send_text("/reload")
            report = await admin.wait_for_bot_message(timeout=15)
            assert report.text.startswith("✅")
            await asyncio.wait_for(other.bot_data.content_signal.heard.wait(), 15)
            reloaded = other.bot_data.runtime.content
            assert reloaded.version != before
            assert reloaded.version == bot.application.bot_data.runtime.content.version
        finally:
            await other.stop()
            await other.shutdown()
        await bot.idle()
