"""Broadcasts: every subscriber once, blocked people dropped, stop, answers first, progress."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import time

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import insert, select

from bot.config import ProductionSettings, SendBudget, Settings
from bot.emulator import BotApiEmulator
from bot.storage.models import BroadcastRecipient, User
from tests.e2e.test_news import announced, announcements, subscribe, with_events_and_news
from tests.helpers.botharness import START, running_bot
from tests.helpers.clock import FakeClock

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def add_subscribers(bot, count: int, region: str = "dortmund", language: str = "en"):
    """People who subscribed to news of ``region`` earlier (rows as the menu leaves them)."""
    people = [bot.person(f"Sub {n}", language) for n in range(count)]
    for person in people:
        person.mark_started()
    now = bot.clock.now()
    async with bot.runtime.database.unit_of_work() as session:
        await session.execute(
            insert(User),
            [
                {
                    "telegram_id": person.id, "language": language, "language_confirmed": True,
                    "region": region, "news_subscribed": True, "first_seen": now, "last_seen": now,
                }
                for person in people
            ],
        )  # fmt: skip
    return people


def admin_bot(
    database, emulator, clock, token, admin, per_second: float = 30.0, redis_url: str | None = None
):
    production = ProductionSettings(
        send_budget=SendBudget(per_second=per_second), redis_url=redis_url
    )
    settings = Settings(admins=(admin.id,), production=production)
    return running_bot(database, settings=settings, emulator=emulator, clock=clock, token=token)


async def _redis_url() -> str:
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except RedisConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL} (set TEST_REDIS_URL)")
    finally:
        await redis.aclose()
    return REDIS_URL


def fresh_token(emulator: BotApiEmulator) -> str:
    # A bot id of its own: the budget's keys in Redis are per bot, other tests run meanwhile.
    bot_id = secrets.randbelow(10**9) + 10**9
    return emulator.create_bot(f"{bot_id}:AA{secrets.token_urlsafe(33)[:33]}")


def done_message(number: int):
    return lambda m: f"Rundsendung {number} ist fertig" in (m.text or "")


async def test_a_broadcast_reaches_every_subscriber_once_and_drops_who_blocked(database):
    clock = FakeClock(START)
    async with BotApiEmulator(clock=clock.now) as emulator:
        token = emulator.create_bot()
        admin = emulator.add_user("Anna", language_code="de")
        async with admin_bot(database, emulator, clock, token, admin) as bot:
            with_events_and_news(bot, events=())
            amal = bot.person("Amal", "en")
            await subscribe(bot, amal, "Dortmund")
            bilal = bot.person("Bilal", "en")
            await subscribe(bot, bilal, "Düsseldorf")  # another region
            people = await add_subscribers(bot, 8)
            gone = people[3]
            # Telegram answers 403: the person blocked the bot (no update told us yet).
            emulator.inject_fault(
                "sendMessage", status=403, description="Forbidden: bot was blocked by the user",
                chat_id=gone.id,
            )  # fmt: skip

            await admin.send_text("/announce sommerfest")
            started = await admin.wait_for_bot_message()
            assert "Abonnentinnen und Abonnenten: 9" in started.text
            assert "Rundsendung 1" in started.text
            done = await admin.wait_for_bot_message(done_message(1), timeout=15)
            assert "8 gesendet, 1 fehlgeschlagen, 0 unbekannt" in done.text
            await admin.send_text("/announce sommerfest")
            assert "schon angekündigt" in (await admin.wait_for_bot_message()).text
            await bot.idle()

            for person in [amal, *people]:
                expected = [] if person is gone else ["📣 The summer party is on 1 July."]
                assert announcements(person) == expected, person.first_name
            assert announcements(bilal) == []
            async with bot.runtime.database.unit_of_work() as session:
                row = (
                    await session.execute(select(User).where(User.telegram_id == gone.id))
                ).scalar_one()
                assert (row.news_subscribed, row.blocked_bot) == (False, True)

            metrics = bot.runtime.metrics.registry
            for outcome, count in (("sent", 8), ("blocked", 1)):
                value = metrics.get_sample_value(
                    "lotse_broadcast_messages_total", {"outcome": outcome}
                )
                assert value == count, outcome

            await admin.send_text("/broadcasts")
            progress = await admin.wait_for_bot_message()
            assert "Rundsendung 1 · news:sommerfest · fertig" in progress.text
            assert "gesendet 8 · offen 0 · fehlgeschlagen 1 · unbekannt 0" in progress.text


async def test_an_admin_stops_a_broadcast(database):
    clock = FakeClock(START)
    async with BotApiEmulator(clock=clock.now) as emulator:
        token = emulator.create_bot()
        admin = emulator.add_user("Anna", language_code="de")
        async with admin_bot(database, emulator, clock, token, admin) as bot:
            with_events_and_news(bot, events=())
            people = await add_subscribers(bot, 10)
            for person in people:  # slow answers: the broadcast takes a while
                emulator.inject_fault("sendMessage", delay=0.3, times=None, chat_id=person.id)
            await bot.person("Olga").send_text("/broadcasts")  # not an admin
            await admin.send_text("/announce sommerfest")
            await admin.wait_for_bot_message()
            await people[1].wait_for_bot_message(announced, timeout=10)

            await admin.send_text("/broadcast_stop 1")
            stopped = await admin.wait_for_bot_message()
            assert "Rundsendung 1 gestoppt." in stopped.text
            sender = bot.application.bot_data.broadcasts
            await asyncio.wait_for(sender.idle(), 10)
            reached = [p for p in people if announcements(p)]
            assert 2 <= len(reached) <= 4  # the call under way when it stopped may finish
            assert all(len(announcements(p)) == 1 for p in reached)
            assert reached == people[: len(reached)]

            await admin.send_text("/broadcasts")
            progress = await admin.wait_for_bot_message()
            assert "Rundsendung 1 · news:sommerfest · gestoppt" in progress.text
            assert f"gesendet {len(reached)} · offen {10 - len(reached)}" in progress.text
            await admin.send_text("/broadcast_stop 1")
            assert "Keine laufende Rundsendung 1" in (await admin.wait_for_bot_message()).text
            bot.runtime.kick_delivery()  # a later round sends nobody
            await bot.idle()
            assert [p for p in people if announcements(p)] == reached
            assert not any(done_message(1)(m) for m in admin.bot_messages())


@pytest.mark.parametrize("budget", ["this process", "Redis"])
async def test_people_using_the_menu_are_answered_during_a_broadcast(database, budget):
    redis_url = await _redis_url() if budget == "Redis" else None
    clock = FakeClock(START)
    async with BotApiEmulator(clock=clock.now) as emulator:
        token = fresh_token(emulator)
        admin = emulator.add_user("Anna", language_code="de")
        # A small budget (10 a second): 50 recipients keep the broadcast busy for 5 seconds.
        async with admin_bot(
            database, emulator, clock, token, admin, per_second=10, redis_url=redis_url
        ) as bot:
            with_events_and_news(bot, events=())
            people = await add_subscribers(bot, 50)
            olga = bot.person("Olga", "de")
            await olga.send_text("/start")
            screen = await olga.wait_for_bot_message()
            await admin.send_text("/announce sommerfest")
            await admin.wait_for_bot_message()
            await people[1].wait_for_bot_message(announced, timeout=10)

            sender = bot.application.bot_data.broadcasts
            waits = []
            for press in range(4):  # a press a second (Telegram's pace for one chat)
                started = time.perf_counter()
                if press % 2 == 0:
                    await olga.press_button(screen.buttons[0], message=screen)
                else:
                    back = next(b for b in screen.buttons if b.startswith("‹"))
                    await olga.press_button(back, message=screen)
                screen = await olga.wait_for_bot_message()
                waits.append(time.perf_counter() - started)
                await asyncio.sleep(max(0.0, 1.0 - waits[-1]))  # the person reads
            assert sender.running, "the broadcast was still under way"
            assert max(waits) < 1.0, waits

            await admin.wait_for_bot_message(done_message(1), timeout=20)
            assert all(len(announcements(p)) == 1 for p in people)


async def test_recipients_are_the_subscribers_when_it_starts(database):
    """A person who unsubscribes before their turn is skipped; erasure removes their row."""
    clock = FakeClock(START)
    async with BotApiEmulator(clock=clock.now) as emulator:
        token = emulator.create_bot()
        admin = emulator.add_user("Anna", language_code="de")
        async with admin_bot(database, emulator, clock, token, admin) as bot:
            with_events_and_news(bot, events=())
            people = await add_subscribers(bot, 3)
            async with bot.runtime.database.unit_of_work() as session:
                from bot.events.news import announce_news

                await announce_news(session, bot.content, "sommerfest", clock.now())
                row = (
                    await session.execute(select(User).where(User.telegram_id == people[2].id))
                ).scalar_one()
                row.news_subscribed = False
            bot.runtime.kick_delivery()
            await people[1].wait_for_bot_message(announced, timeout=10)
            sender = bot.application.bot_data.broadcasts
            await asyncio.wait_for(sender.idle(), 10)
            assert [len(announcements(p)) for p in people] == [1, 1, 0]
            async with bot.runtime.database.unit_of_work() as session:
                states = (await session.execute(select(BroadcastRecipient.state))).scalars()
                assert sorted(states) == ["sent", "sent", "skipped"]


async def test_a_429_pauses_the_broadcast_for_retry_after(database, caplog):
    caplog.set_level(logging.INFO, logger="bot")
    clock = FakeClock(START)
    async with BotApiEmulator() as emulator:  # arrival times on the real clock
        token = emulator.create_bot()
        admin = emulator.add_user("Anna", language_code="de")
        async with admin_bot(database, emulator, clock, token, admin) as bot:
            with_events_and_news(bot, events=())
            people = await add_subscribers(bot, 6)
            emulator.inject_fault("sendMessage", status=429, retry_after=1, chat_id=people[2].id)
            await admin.send_text("/announce sommerfest")
            await admin.wait_for_bot_message()
            done = await admin.wait_for_bot_message(done_message(1), timeout=15)
            assert "6 gesendet, 0 fehlgeschlagen, 0 unbekannt" in done.text
            assert all(len(announcements(p)) == 1 for p in people)

            chats = {p.id for p in people}
            calls = [
                r for r in emulator.requests
                if r.method == "sendMessage" and int(r.params["chat_id"]) in chats
            ]  # fmt: skip
            refused = next(i for i, r in enumerate(calls) if r.status == 429)
            pause = (calls[refused + 1].at - calls[refused].at).total_seconds()
            assert pause >= 0.95, pause  # Telegram's retry_after, then the same person again
            assert int(calls[refused + 1].params["chat_id"]) == people[2].id
            # The broadcast itself paused (its calls are not retried by the answers' limiter).
            assert "broadcasts: Telegram asked to wait 1.0 s; paused" in caplog.text


async def test_a_call_without_an_answer_is_never_repeated_and_counted_unknown(database):
    clock = FakeClock(START)
    async with BotApiEmulator(clock=clock.now) as emulator:
        token = emulator.create_bot()
        admin = emulator.add_user("Anna", language_code="de")
        async with admin_bot(database, emulator, clock, token, admin) as bot:
            with_events_and_news(bot, events=())
            people = await add_subscribers(bot, 4)
            # Telegram carries the call out, the answer is lost: the bot cannot know it arrived.
            emulator.inject_fault("sendMessage", drop="after", chat_id=people[1].id)
            await admin.send_text("/announce sommerfest")
            await admin.wait_for_bot_message()
            done = await admin.wait_for_bot_message(done_message(1), timeout=15)
            assert "3 gesendet, 0 fehlgeschlagen, 1 unbekannt" in done.text
            await bot.idle()
            assert [len(announcements(p)) for p in people] == [1, 1, 1, 1]  # nobody twice
