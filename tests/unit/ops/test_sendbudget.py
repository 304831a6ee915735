"""The send budget shared through Redis: token buckets in one Lua script (needs Redis on loopback)."""

from __future__ import annotations

import os
import secrets
import time

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.config import SendBudget
from bot.ops.sendbudget import LocalSendBudget, SharedSendBudget, broadcast_reserve

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
async def budget_of():
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except RedisConnectionError:
        await redis.aclose()
        pytest.skip(f"no Redis at {REDIS_URL} (set TEST_REDIS_URL)")
    prefix = f"lotse:test:{secrets.token_hex(4)}"

    def make(budget: SendBudget) -> SharedSendBudget:
        return SharedSendBudget(redis, budget, prefix=prefix)

    yield make
    keys = [key async for key in redis.scan_iter(f"{prefix}:*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


async def _take(budget: SharedSendBudget, chat) -> int:
    """One attempt: 0 if a token was taken, else the milliseconds to wait (nothing taken)."""
    buckets = budget.buckets(chat)
    args = [value for bucket in buckets for value in (bucket.rate, bucket.burst)]
    return int(await budget._script(keys=[b.key for b in buckets], args=args))


async def test_a_person_gets_a_short_burst_then_one_message_a_second(budget_of):
    budget = budget_of(SendBudget(per_second=1000, per_chat_per_second=1, per_group_per_minute=20))
    assert [await _take(budget, 42) for _ in range(3)] == [0, 0, 0]
    wait = await _take(budget, 42)
    assert 500 < wait <= 1000
    assert await _take(budget, 43) == 0  # another person is not held up


async def test_a_group_gets_twenty_a_minute(budget_of):
    budget = budget_of(SendBudget(per_second=1000, per_chat_per_second=1, per_group_per_minute=20))
    assert await _take(budget, -100123) == 0
    wait = await _take(budget, -100123)
    assert 2500 < wait <= 3000  # 60 s / 20


async def test_the_overall_budget_holds_for_all_chats_together(budget_of):
    budget = budget_of(SendBudget(per_second=10, per_chat_per_second=1, per_group_per_minute=20))
    results = [await _take(budget, chat) for chat in range(1, 6)]
    assert results[:2] == [0, 0]  # the overall burst is a fifth of the rate
    assert all(wait > 0 for wait in results[2:])


async def test_acquire_waits_for_the_next_token(budget_of):
    budget = budget_of(SendBudget(per_second=1000, per_chat_per_second=20, per_group_per_minute=20))
    waited = [await budget.acquire(7) for _ in range(4)]
    assert waited[:3] == [0, 0, 0] and 0 < waited[3] <= 0.1


async def _take_spare(budget: SharedSendBudget, chat) -> int:
    """One attempt of a broadcast: it needs a token above the reserve for answers."""
    buckets = budget.buckets(chat)
    args = [value for bucket in buckets for value in (bucket.rate, bucket.burst)]
    args.append(broadcast_reserve(buckets[0].burst))
    return int(await budget._script(keys=[b.key for b in buckets], args=args))


async def test_a_broadcast_leaves_the_reserve_to_answers(budget_of):
    # 30 a second: the overall bucket holds 6 tokens, a broadcast leaves 3 of them to answers.
    budget = budget_of(SendBudget(per_second=30, per_chat_per_second=1, per_group_per_minute=20))
    taken = [await _take_spare(budget, chat) for chat in range(1, 5)]
    assert taken[:3] == [0, 0, 0] and taken[3] > 0  # the broadcast stops at the reserve
    answers = [await _take(budget, chat) for chat in range(100, 103)]
    assert answers == [0, 0, 0]  # answers get the reserve at once
    assert await _take_spare(budget, 5) > await _take(budget, 103) > 0  # and the next token


async def test_a_broadcast_gets_the_whole_rate_when_nobody_is_answered(budget_of):
    budget = budget_of(SendBudget(per_second=50, per_chat_per_second=1, per_group_per_minute=20))
    started = time.monotonic()
    for chat in range(1, 31):
        await budget.acquire(chat, spare=True)
    seconds = time.monotonic() - started
    # 30 calls: 5 from the bucket (10 minus the reserve of 5), 25 at 50 a second = 0.5 s.
    assert 0.4 < seconds < 0.8, seconds


async def test_the_local_budget_gives_broadcasts_what_answers_leave():
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    budget = LocalSendBudget(SendBudget(per_second=10), clock=lambda: now[0], sleep=sleep)
    # The bucket holds 2 tokens; a broadcast leaves 1 of them to answers.
    assert await budget.acquire_spare(1) == 0
    budget.note_answer()
    budget.note_answer()  # answers go into debt (down to one burst), broadcasts wait
    # From -1 token to 2 (one above the reserve of 1) at 10 a second: 0.3 s.
    assert abs(await budget.acquire_spare(2) - 0.3) < 1e-9
    # One message a second per chat for broadcasts too.
    assert abs(await budget.acquire_spare(2) - 1.0) < 1e-9
