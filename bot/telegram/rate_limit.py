"""The rate limiter that keeps all processes of one bot within Telegram's limits together.

With Redis configured, every call into a chat waits for the shared budget
(:class:`~bot.ops.sendbudget.SharedSendBudget`); without it, python-telegram-bot's own
:class:`~telegram.ext.AIORateLimiter` limits this process alone (enough for one process).
Either way a 429 from Telegram is waited out and the call retried a few times.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter

from bot.ops.metrics import Metrics
from bot.ops.sendbudget import SharedSendBudget

__all__ = ["SharedRateLimiter", "build_rate_limiter"]

logger = logging.getLogger(__name__)
MAX_RETRIES = 3


class SharedRateLimiter(BaseRateLimiter[int]):
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

    async def process_request(
        self,
        callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ):
        """Take a token for the chat (if the call names one), then call; retry after a 429."""
        chat_id = data.get("chat_id")
        retries = rate_limit_args or MAX_RETRIES
        for attempt in range(retries + 1):
            if chat_id is not None:
                waited = await self._budget.acquire(_chat_key(chat_id))
                if waited:
                    self._metrics.budget_waits.inc()
                    self._metrics.budget_wait_seconds.inc(waited)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self._metrics.flood_waits.inc()
                if attempt == retries:
                    raise
                seconds = exc.retry_after
                seconds = seconds if isinstance(seconds, int | float) else seconds.total_seconds()
                logger.info("Telegram asked to wait %.1f s (%s)", seconds, endpoint)
                await asyncio.sleep(seconds + 0.1)  # Telegram's own instruction: wait, then retry
        raise AssertionError("unreachable")  # pragma: no cover


def _chat_key(chat_id: Any) -> int | str:
    try:
        return int(chat_id)
    except (TypeError, ValueError):
        return str(chat_id)


def build_rate_limiter(
    redis_url: str | None, budget, metrics: Metrics, *, bot_id: str
) -> BaseRateLimiter:
    """The shared limiter if Redis is configured, else PTB's limiter for this process alone.

    Args:
        bot_id: The bot's id (the token's part before the colon): the budget is the bot's.
    """
    if not redis_url:
        return AIORateLimiter(
            overall_max_rate=budget.per_second,
            group_max_rate=budget.per_group_per_minute,
            max_retries=MAX_RETRIES,
        )
    from redis.asyncio import Redis

    shared = SharedSendBudget(Redis.from_url(redis_url), budget, prefix=f"lotse:budget:{bot_id}")
    return SharedRateLimiter(shared, metrics)
