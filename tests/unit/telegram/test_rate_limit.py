"""The rate limiter of several processes of one bot: one budget in Redis, 429s waited out."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from telegram.ext import AIORateLimiter, ExtBot

from bot.config import SendBudget
from bot.emulator import BotApiEmulator, EmulatedUser
from bot.ops.metrics import Metrics
from bot.telegram.rate_limit import SharedRateLimiter, build_rate_limiter

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except RedisConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL} (set TEST_REDIS_URL)")
    finally:
        await redis.aclose()
    yield REDIS_URL


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as running:
        yield running


def process_bot(emulator: BotApiEmulator, token: str, budget: SendBudget, metrics: Metrics):
    """The bot of one process: its own limiter, drawing from the bot's budget in Redis."""
    limiter = build_rate_limiter(REDIS_URL, budget, metrics, bot_id=token.split(":", 1)[0])
    assert isinstance(limiter, SharedRateLimiter)
    return ExtBot(token, base_url=emulator.base_url, rate_limiter=limiter)


async def people(emulator: BotApiEmulator, count: int) -> list[EmulatedUser]:
    found = [emulator.add_user(f"Person {n}") for n in range(count)]
    for person in found:
        await person.send_text("/start")
    return found


def fresh_token(emulator: BotApiEmulator) -> str:
    # A bot id of its own: the budget's keys in Redis are per bot, other tests run meanwhile.
    bot_id = secrets.randbelow(10**9) + 10**9
    return emulator.create_bot(f"{bot_id}:AA{secrets.token_urlsafe(33)[:33]}")


async def test_two_processes_together_keep_to_one_overall_budget(
    redis_url: str, emulator: BotApiEmulator
) -> None:
    budget = SendBudget(per_second=5, per_chat_per_second=1, per_group_per_minute=20)
    token = fresh_token(emulator)
    metrics = [Metrics(), Metrics()]
    bots = [process_bot(emulator, token, budget, m) for m in metrics]
    everyone = await people(emulator, 10)

    async with bots[0], bots[1]:
        started = time.monotonic()
        await asyncio.gather(
            *(bots[n % 2].send_message(p.id, "Hallo") for n, p in enumerate(everyone))
        )
        elapsed = time.monotonic() - started

    # Ten calls at 5 a second with a burst of one (a fifth of the rate): 9 / 5 s at least.
    assert elapsed >= 1.8
    assert all(len(person.bot_messages()) == 1 for person in everyone)
    waits = [m.registry.get_sample_value("lotse_send_budget_waits_total") for m in metrics]
    assert sum(waits) >= 1


async def test_a_person_gets_three_at_once_then_one_a_second(
    redis_url: str, emulator: BotApiEmulator
) -> None:
    budget = SendBudget(per_second=30, per_chat_per_second=1, per_group_per_minute=20)
    token = fresh_token(emulator)
    bots = [process_bot(emulator, token, budget, Metrics()) for _ in range(2)]
    [alice] = await people(emulator, 1)

    async with bots[0], bots[1]:
        started = time.monotonic()
        await asyncio.gather(*(bots[n % 2].send_message(alice.id, f"{n}") for n in range(4)))
        elapsed = time.monotonic() - started

    assert elapsed >= 1.0  # the fourth waited for the chat's next token
    assert len(alice.bot_messages()) == 4


async def test_telegrams_429_is_waited_out_and_the_call_retried(
    redis_url: str, emulator: BotApiEmulator
) -> None:
    budget = SendBudget()
    metrics = Metrics()
    bot = process_bot(emulator, fresh_token(emulator), budget, metrics)
    [alice] = await people(emulator, 1)
    fault = emulator.inject_fault("sendMessage", 429, retry_after=1)

    async with bot:
        await bot.send_message(alice.id, "Hallo")

    sends = emulator.requests_for("sendMessage")
    assert [request.status for request in sends] == [429, 200]
    assert (sends[1].at - sends[0].at).total_seconds() >= 1
    assert fault.hits == 1
    assert [m.text for m in alice.bot_messages()] == ["Hallo"]
    assert metrics.registry.get_sample_value("lotse_telegram_flood_waits_total") == 1


def test_without_redis_each_process_limits_itself() -> None:
    limiter = build_rate_limiter(None, SendBudget(), Metrics(), bot_id="1")
    assert isinstance(limiter, AIORateLimiter)
