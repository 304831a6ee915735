"""Telegram's send budget shared by every process of one bot: token buckets in Redis, one Lua script.

Telegram's flood limits hold per bot, not per process: about 30 messages a second overall, one a
second in a chat, 20 a minute in a group. Each call that sends into a chat takes a token from the
overall bucket and from its chat's bucket in one atomic script (Redis' own clock, so processes on
different machines agree); when a bucket is empty the script says how long to wait and takes
nothing. A bucket holds at most ``burst`` tokens, so in any window of T seconds a bucket passes
at most ``burst + rate × T`` calls; the overall bucket's burst is a fifth of its rate.

Answers to people come first: a broadcast takes a token only while the overall bucket keeps a
reserve for answers (``reserve``: half its burst). While people are answered, the broadcast
waits; when nobody is, it gets every token the bucket refills — the whole rate.
:class:`LocalSendBudget` is the same arithmetic in one process, for bots without Redis.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.config import SendBudget

__all__ = [
    "BUCKET_SCRIPT",
    "Bucket",
    "LocalSendBudget",
    "SharedSendBudget",
    "broadcast_reserve",
    "overall_burst",
]

# KEYS: the buckets. ARGV: per bucket its rate (tokens per second) and its burst (capacity),
# then optionally the reserve the first bucket keeps (a broadcast's token: 1 + reserve needed).
# Returns 0 if a token was taken from every bucket, else the milliseconds to wait (nothing taken).
BUCKET_SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local reserve = tonumber(ARGV[2 * #KEYS + 1]) or 0
local wait = 0
local levels = {}
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[2 * i - 1]) / 1000
  local burst = tonumber(ARGV[2 * i])
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(state[1]) or burst
  local at = tonumber(state[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
  levels[i] = tokens
  local needed = 1
  if i == 1 then
    needed = 1 + reserve
  end
  if tokens < needed then
    wait = math.max(wait, math.ceil((needed - tokens) / rate))
  end
end
if wait > 0 then
  return wait
end
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[2 * i - 1]) / 1000
  local burst = tonumber(ARGV[2 * i])
  redis.call('HSET', key, 'tokens', levels[i] - 1, 'at', now)
  redis.call('PEXPIRE', key, math.ceil(burst / rate) + 1000)
end
return 0
"""


@dataclass(frozen=True, slots=True)
class Bucket:
    """One token bucket: its Redis key, refill rate per second, and capacity."""

    key: str
    rate: float
    burst: float


class SharedSendBudget:
    """Waits until the bot may send into a chat, across all processes sharing one Redis.

    Args:
        redis: The client (``redis.asyncio.Redis.from_url(settings.production.redis_url)``).
        budget: The limits.
        prefix: Keys' prefix: one per bot, so that two bots on one Redis do not share a budget.
    """

    def __init__(self, redis: Redis, budget: SendBudget, *, prefix: str = "lotse:budget") -> None:
        self._redis = redis
        self._budget = budget
        self._prefix = prefix
        self._script = redis.register_script(BUCKET_SCRIPT)

    def buckets(self, chat_id: int | str) -> tuple[Bucket, ...]:
        """The buckets a call into ``chat_id`` draws from (groups have negative ids or @names)."""
        budget = self._budget
        # A small burst only: any one second then sees at most 1.2 × the rate.
        overall = Bucket(f"{self._prefix}:all", budget.per_second, overall_burst(budget))
        if isinstance(chat_id, str) or chat_id < 0:
            per_second = budget.per_group_per_minute / 60
            return overall, Bucket(f"{self._prefix}:chat:{chat_id}", per_second, 1)
        # A person pressing two buttons quickly gets both answers at once: a small burst.
        chat = Bucket(f"{self._prefix}:chat:{chat_id}", budget.per_chat_per_second, 3)
        return overall, chat

    async def acquire(self, chat_id: int | str, *, spare: bool = False) -> float:
        """Wait for a token of every bucket of ``chat_id``; returns the seconds waited.

        Args:
            spare: Take only what answers leave (a broadcast): the overall bucket keeps its
                reserve for answers.
        """
        buckets = self.buckets(chat_id)
        keys = [bucket.key for bucket in buckets]
        args: list[float] = []
        for bucket in buckets:
            args += [bucket.rate, bucket.burst]
        if spare:
            args.append(broadcast_reserve(buckets[0].burst))
        waited = 0.0
        while True:
            wait_ms = int(await self._script(keys=keys, args=args))
            if wait_ms <= 0:
                return waited
            seconds = wait_ms / 1000
            waited += seconds
            await asyncio.sleep(seconds)  # the budget refills with time; nothing to poll for

    async def close(self) -> None:
        """Close the Redis connections."""
        await self._redis.aclose()


def overall_burst(budget: SendBudget) -> float:
    """The overall bucket's capacity: a fifth of a second's calls (at least one)."""
    return max(1.0, budget.per_second / 5)


def broadcast_reserve(burst: float) -> float:
    """The tokens the overall bucket keeps for answers while a broadcast runs: half its burst.

    A broadcast needs one token above the reserve, so the reserve leaves room for that one
    (a budget under 10 a second, with a burst of 1, has no reserve: answers cannot come first).
    """
    return max(0.0, min(burst / 2, burst - 1))


class LocalSendBudget:
    """The overall bucket of one process (no Redis), with the broadcasts' lane.

    Answers are limited by python-telegram-bot's own limiter and only *noted* here (they never
    wait for this bucket, but what they use is not there for a broadcast); a broadcast waits
    until a token is left above the reserve, and for its chat's one message a second.

    Args:
        budget: The limits.
        clock: Seconds on a monotonic clock, and ``sleep`` to wait on it (injected by tests).
    """

    def __init__(self, budget: SendBudget, clock=time.monotonic, sleep=asyncio.sleep) -> None:
        self._sleep = sleep
        self._rate = budget.per_second
        self._burst = overall_burst(budget)
        self._reserve = broadcast_reserve(self._burst)
        self._chat_interval = 1 / budget.per_chat_per_second
        self._clock = clock
        self._tokens = self._burst
        self._at = clock()
        self._chats: dict[int | str, float] = {}  # when a broadcast last sent into a chat

    def _refill(self) -> float:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
        self._at = now
        return now

    def note_answer(self) -> None:
        """An answer is being sent: it uses a token (down to one burst of debt)."""
        self._refill()
        self._tokens = max(-self._burst, self._tokens - 1)

    async def acquire_spare(self, chat_id: int | str) -> float:
        """Wait for a token left above the reserve (and for the chat's pace); seconds waited."""
        waited = 0.0
        while True:
            now = self._refill()
            if len(self._chats) > 1000:  # forget chats that are free again
                self._chats = {c: t for c, t in self._chats.items() if t > now}
            chat_wait = self._chats.get(chat_id, now) - now
            wait = max(chat_wait, (1 + self._reserve - self._tokens) / self._rate)
            if wait <= 0:
                self._tokens -= 1
                self._chats[chat_id] = now + self._chat_interval
                return waited
            waited += wait
            await self._sleep(wait)  # the bucket refills with time; nothing to poll for
