"""The rate limiter that keeps all processes of one bot within Telegram's limits together.

With Redis configured, every call into a chat waits for the shared budget
(:class:`~bot.ops.sendbudget.SharedSendBudget`); without it, python-telegram-bot's own
:class:`~telegram.ext.AIORateLimiter` limits this process alone (enough for one process).
Either way a 429 from Telegram is waited out and the call retried a few times.

Two lanes: answers (every call made by default) and broadcasts. A broadcast first takes its
token with :meth:`LaneRateLimiter.acquire_spare` — only what answers leave of the budget — and
then makes its call with ``rate_limit_args=BROADCAST``, which passes through without taking a
second token and without retrying: a 429 goes back to the broadcast, which pauses.
"""

from __future__ import annotations

import abc
import asyncio
import logging
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter

from bot.ops.metrics import Metrics
from bot.ops.sendbudget import LocalSendBudget, SharedSendBudget

__all__ = [
    "BROADCAST",
    "LaneRateLimiter",
    "LocalRateLimiter",
    "SharedRateLimiter",
    "build_rate_limiter",
]

logger = logging.getLogger(__name__)
MAX_RETRIES = 3
# The rate_limit_args of a broadcast's call: its token was taken with acquire_spare.
BROADCAST = {"lane": "broadcast"}


class LaneRateLimiter(BaseRateLimiter[dict]):
    """A limiter with a second, lower lane for broadcasts (see the module docstring).

    Its ``process_request`` lets a call with ``rate_limit_args=BROADCAST`` straight through (its
    token was taken with :meth:`acquire_spare`) and limits every other call as an answer.
    """

    @abc.abstractmethod
    async def acquire_spare(self, chat_id: int | str) -> float:
        """Wait for a token that answers leave over for a call into ``chat_id``; seconds waited."""


class SharedRateLimiter(LaneRateLimiter):
    """Waits for the budget shared through Redis before each call that sends into a chat.

    Args:
        budget: The shared token buckets.
        metrics: Where the waits are counted.
    """

    def __init__(self, budget: SharedSendBudget, metrics: Metrics) -> None:
        self._budget = budget
        self._metrics = metrics

    async def initialize(self) -> None:
        """Nothing to prepare: Redis is connected on first use."""

    async def shutdown(self) -> None:
        """Close the Redis connections."""
        await self._budget.close()

    async def acquire_spare(self, chat_id: int | str) -> float:
        """The shared buckets' token, taken only while the reserve for answers stays."""
        return await self._budget.acquire(_chat_key(chat_id), spare=True)

    async def process_request(
        self,
        callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict | None,
    ):
        """A broadcast's call goes straight out (its token is taken); an answer takes a token
        for the chat (if the call names one), then calls, and is retried after a 429."""
        if _is_broadcast(rate_limit_args):
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        for attempt in range(MAX_RETRIES + 1):
            if chat_id is not None:
                waited = await self._budget.acquire(_chat_key(chat_id))
                if waited:
                    self._metrics.budget_waits.inc()
                    self._metrics.budget_wait_seconds.inc(waited)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self._metrics.flood_waits.inc()
                if attempt == MAX_RETRIES:
                    raise
                seconds = retry_after_seconds(exc)
                logger.info("Telegram asked to wait %.1f s (%s)", seconds, endpoint)
                await asyncio.sleep(seconds + 0.1)  # Telegram's own instruction: wait, then retry
        raise AssertionError("unreachable")  # pragma: no cover


class LocalRateLimiter(AIORateLimiter, LaneRateLimiter):
    """One process's limiter: python-telegram-bot's for answers, a local bucket for broadcasts.

    Args:
        budget: The limits.
    """

    def __init__(self, budget) -> None:
        super().__init__(
            overall_max_rate=budget.per_second,
            group_max_rate=budget.per_group_per_minute,
            max_retries=MAX_RETRIES,
        )
        self._spare = LocalSendBudget(budget)

    async def acquire_spare(self, chat_id: int | str) -> float:
        """A token of this process's bucket, taken only while the reserve for answers stays."""
        return await self._spare.acquire_spare(_chat_key(chat_id))

    async def process_request(
        self,
        callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict | None,
    ):
        """A broadcast's call goes straight out; an answer is noted in the broadcasts' bucket
        and then limited by python-telegram-bot's limiter."""
        if _is_broadcast(rate_limit_args):
            return await callback(*args, **kwargs)
        if data.get("chat_id") is not None:
            self._spare.note_answer()
        return await super().process_request(callback, args, kwargs, endpoint, data, None)


def _is_broadcast(rate_limit_args: Any) -> bool:
    return isinstance(rate_limit_args, dict) and rate_limit_args.get("lane") == BROADCAST["lane"]


def retry_after_seconds(exc: RetryAfter) -> float:
    """A 429's ``retry_after`` in seconds (python-telegram-bot gives an int or a timedelta)."""
    seconds = exc.retry_after
    return float(seconds if isinstance(seconds, int | float) else seconds.total_seconds())


def _chat_key(chat_id: Any) -> int | str:
    try:
        return int(chat_id)
    except (TypeError, ValueError):
        return str(chat_id)


def build_rate_limiter(
    redis_url: str | None, budget, metrics: Metrics, *, bot_id: str
) -> LaneRateLimiter:
    """The shared limiter if Redis is configured, else one for this process alone.

    Args:
        bot_id: The bot's id (the token's part before the colon): the budget is the bot's.
    """
    if not redis_url:
        return LocalRateLimiter(budget)
    from redis.asyncio import Redis

    shared = SharedSendBudget(Redis.from_url(redis_url), budget, prefix=f"lotse:budget:{bot_id}")
    return SharedRateLimiter(shared, metrics)
