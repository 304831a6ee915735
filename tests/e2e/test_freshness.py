"""The weekly freshness message: admins learn on Monday morning, once a week, what to look at."""

from __future__ import annotations

import datetime as dt

from bot.config import Settings
from bot.emulator import BotApiEmulator
from bot.network.freshness import run_weekly_freshness
from bot.telegram.delivery import deliver_due
from tests.helpers.botharness import START, running_bot
from tests.helpers.clock import FakeClock
from tests.unit.network.test_freshness import aged

BERLIN = dt.timezone(dt.timedelta(hours=1))


def weekly_check(message) -> bool:
    return "Wöchentliche" in (message.text or "")


async def test_admins_get_it_on_monday_morning_once_a_week(database):
    clock = FakeClock(START)  # Wednesday
    async with BotApiEmulator(clock=clock.now) as emulator:
        token = emulator.create_bot()
        anna, ben = (emulator.add_user(n, language_code="de") for n in ("Anna", "Ben"))
        settings = Settings(admins=(anna.id, ben.id))
        async with running_bot(
            database, settings=settings, emulator=emulator, clock=clock, token=token
        ) as bot:
            bot.swap_content(aged(bot.content)[0])
            for admin in (anna, ben):  # admins have started the bot before
                await admin.send_text("/start")
                await admin.wait_for_bot_message()
            assert await run_weekly_freshness(bot.runtime) == 0  # Wednesday
            clock.set(dt.datetime(2026, 11, 30, 8, 59, tzinfo=BERLIN))
            assert await run_weekly_freshness(bot.runtime) == 0  # Monday, before nine
            clock.set(dt.datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN))
            for _ in range(3):  # the job runs every minute: still once
                await run_weekly_freshness(bot.runtime)
                await deliver_due(bot.application.bot, bot.runtime)
            clock.set(dt.datetime(2026, 11, 30, 15, 0, tzinfo=BERLIN))
            await run_weekly_freshness(bot.runtime)
            await deliver_due(bot.application.bot, bot.runtime)
            for admin in (anna, ben):
                # The outbox may also be delivered by the bot's own job: wait for the message.
                await admin.wait_for_bot_message(weekly_check)
            await bot.idle()
            for admin in (anna, ben):
                weekly = [m for m in admin.bot_messages() if weekly_check(m)]
                assert len(weekly) == 1
                assert "Veranstaltungen ohne Übersetzung: 2" in weekly[0].text
            clock.set(dt.datetime(2026, 12, 7, 9, 30, tzinfo=BERLIN))  # the next Monday
            await run_weekly_freshness(bot.runtime)
            await deliver_due(bot.application.bot, bot.runtime)
            await anna.wait_for_bot_message(weekly_check)
            await bot.idle()
            assert sum(weekly_check(m) for m in anna.bot_messages()) == 2
