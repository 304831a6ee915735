"""Living with Telegram's errors: patient retries of safe calls, and button presses answered once.

What the Bot API may answer, and what the bot does about it:

    429 Too Many Requests   wait ``retry_after`` seconds, then repeat (PTB's AIORateLimiter)
    5xx (502 Bad Gateway …) an error answer: Telegram did not carry the call out; repeat it with
                            back-off (every method)
    time-out, dropped       no answer: the call may or may not have been carried out; repeat only
    connection              calls that are safe to repeat (reads, edits, deletes, answers, set*)
    400, 403, 401/404       never repeated: the caller decides (fall back, mark blocked, stop)

A send that timed out is not repeated here: from a handler the person is told to try again, and
the outbox (bot.telegram.delivery) retries it later, accepting that it may then arrive twice —
the remaining window, measured and described in SECURITY.md.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, ProgrammingError
from telegram import CallbackQuery
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter, BaseRateLimiter

from bot.errors import StorageError

__all__ = [
    "AnsweredPresses",
    "PatientRateLimiter",
    "answer_once",
    "database_hiccup",
    "safe_to_repeat",
    "server_error",
]

logger = logging.getLogger(__name__)

# Prefixes of methods whose repetition changes nothing (reads, edits to the same content, deletes,
# answers) — a lost answer to one of them can be made up for by asking again.
_REPEATABLE_PREFIXES = ("get", "set", "delete", "edit", "answer", "unpin", "pin", "leave")


def safe_to_repeat(endpoint: str) -> bool:
    """Whether calling ``endpoint`` twice has the same effect as calling it once."""
    return endpoint.startswith(_REPEATABLE_PREFIXES)


def server_error(error: BaseException) -> bool:
    """Whether Telegram answered with an error status of its own (5xx), not "no answer at all".

    PTB raises :class:`~telegram.error.NetworkError` for both; a transport failure (time-out,
    dropped connection) carries the HTTP client's failure as its cause
    (:class:`bot.telegram.transport.TransportFailure`), an error status does not.
    """
    return (
        isinstance(error, NetworkError)
        and not isinstance(error, BadRequest | TimedOut)
        and error.__cause__ is None
    )


def database_hiccup(error: BaseException) -> bool:
    """Whether the database failed for a moment (gone, restarted, a deadlock), not for a bug."""
    if isinstance(error, StorageError):
        return True
    return isinstance(error, DBAPIError) and not isinstance(
        error, IntegrityError | ProgrammingError | DataError
    )


def _no_answer(error: BaseException) -> bool:
    return (
        isinstance(error, NetworkError)
        and not isinstance(error, BadRequest)
        and not (server_error(error))
    )


class PatientRateLimiter(BaseRateLimiter):
    """A rate limiter (Telegram's flood limits, 429) that also repeats failed calls.

    It wraps the limiter that keeps the budget — PTB's :class:`~telegram.ext.AIORateLimiter` for
    one process, or the budget shared through Redis (:mod:`bot.telegram.rate_limit`) — so that a
    repetition waits for the budget like any other call.

    Args:
        delays: Seconds to wait before each repetition (their number is how often a call is
            repeated after a 5xx or a lost answer).
        inner: The limiter that keeps the budget; by default PTB's, made with ``**kwargs``.
        **kwargs: Passed to :class:`telegram.ext.AIORateLimiter` (rates, ``max_retries`` for 429).
    """

    def __init__(
        self,
        delays: Sequence[float] = (0.2, 0.5, 1.0, 2.0, 4.0),
        *,
        inner: BaseRateLimiter | None = None,
        **kwargs: Any,
    ) -> None:
        self._inner = inner if inner is not None else AIORateLimiter(**kwargs)
        self._delays = tuple(delays)

    @property
    def inner(self) -> BaseRateLimiter:
        """The wrapped limiter that keeps the budget (broadcasts take their tokens from it)."""
        return self._inner

    async def initialize(self) -> None:
        """Initialise the wrapped limiter."""
        await self._inner.initialize()

    async def shutdown(self) -> None:
        """Shut the wrapped limiter down."""
        await self._inner.shutdown()

    async def process_request(
        self,
        callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Any,
    ):
        """Make the call through the limiter; repeat it after 5xx (and lost answers if safe)."""
        for delay in (*self._delays, None):
            try:
                return await self._inner.process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except NetworkError as error:
                repeatable = server_error(error) or (_no_answer(error) and safe_to_repeat(endpoint))
                if delay is None or not repeatable:
                    raise
                logger.info("%s failed (%s); repeating in %.1f s", endpoint, error, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover


class AnsweredPresses:
    """The button presses this Application has answered, most recent last (a bounded memory).

    The error handler must not answer a press a second time: Telegram refuses, and the person
    would see nothing at all.
    """

    def __init__(self, remembered: int = 10_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._remembered = remembered

    def __contains__(self, query_id: object) -> bool:
        return query_id in self._ids

    def add(self, query_id: str) -> None:
        """Remember that ``query_id`` is answered (or being answered)."""
        self._ids[query_id] = None
        while len(self._ids) > self._remembered:
            self._ids.popitem(last=False)

    def discard(self, query_id: str) -> None:
        """Forget ``query_id`` (its answer failed)."""
        self._ids.pop(query_id, None)


async def answer_once(
    answered: AnsweredPresses, query: CallbackQuery, text: str | None = None, **kwargs: Any
) -> None:
    """Answer a button press, unless it was answered already (by a handler or the error handler)."""
    if query.id in answered:
        return
    answered.add(query.id)
    try:
        await query.answer(text, **kwargs)
    except Exception:
        answered.discard(query.id)  # not answered after all: the error handler may try
        raise
