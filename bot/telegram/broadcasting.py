"""Send broadcasts: one recipient at a time, within what answers leave of Telegram's budget.

The process holding the leader lease runs one :class:`BroadcastSender` task while broadcasts are
due. For each recipient it takes a spare token (:meth:`LaneRateLimiter.acquire_spare`: answers to
people come first), marks the recipient ``sending`` and commits, makes the one call, and records
the outcome (see :mod:`bot.events.broadcasts` for why a crash leaves at most one ``unknown``).
A 429 puts the recipient back and pauses the broadcast for Telegram's ``retry_after``; a 403
(the person blocked the bot) drops them from the list and from the news.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.contact.repositories import OutboxRepository
from bot.errors import StorageError
from bot.events.broadcasts import BroadcastRepository, NextRecipient
from bot.events.news import announcement_html
from bot.i18n.catalogs import N_
from bot.i18n.formatting import format_number
from bot.runtime import Runtime
from bot.safety.traces import ChatTrace
from bot.storage.models import Broadcast, RecipientState
from bot.telegram.rate_limit import BROADCAST, LaneRateLimiter, retry_after_seconds
from bot.telegram.resilience import server_error

__all__ = ["BroadcastSender"]

logger = logging.getLogger(__name__)
BATCH = 50  # recipients read at a time (each is still claimed on its own)
RECORD_TRIES = 5  # a recipient's outcome is written again if the database fails for a moment

DONE_TEXT = N_(
    "📣 Broadcast %(id)s is done: %(sent)s sent, %(failed)s failed, %(unknown)s unknown."
)


class BroadcastSender:
    """The one task of this process that sends broadcasts (started again by each kick).

    Args:
        application: The running Application: its bot, and its runtime (which a content reload
            replaces, so it is read anew for every recipient).
    """

    def __init__(self, application: Application) -> None:
        self._application = application
        self._task: asyncio.Task | None = None
        self._stopping = False

    @property
    def running(self) -> bool:
        """Whether the task is sending (or waiting for the budget) right now."""
        return self._task is not None and not self._task.done()

    def kick(self) -> None:
        """Start sending if broadcasts are due and this process leads (no-op while running)."""
        if self.running or self._stopping:
            return
        self._task = asyncio.get_running_loop().create_task(self._run(), name="broadcasts")

    async def idle(self) -> None:
        """Wait until the task has nothing more to send (or stopped)."""
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._task)

    async def stop(self, timeout: float = 10.0) -> None:
        """Let the call under way finish and stop (at shutdown); nobody is left ``sending``."""
        self._stopping = True
        if self._task is None:
            return
        with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        if not self._task.done():
            self._task.cancel()

    @property
    def _runtime(self) -> Runtime:
        return self._application.bot_data.runtime

    async def _run(self) -> None:
        try:
            first = True
            while not self._stopping and self._runtime.lease.is_leader:
                if not await self._round(recover=first):
                    return
                first = False
        except (SQLAlchemyError, StorageError) as exc:
            # The database was busy (SQLite's lock, held while a person's answer waits) or gone
            # for a moment: nothing is lost, the next kick reads where this one stopped.
            logger.warning(
                "broadcasts: database error %s; the next round resumes", type(exc).__name__
            )
        except Exception:
            logger.exception("broadcasts: the sender failed; the next round resumes")

    async def _round(self, *, recover: bool = False) -> bool:
        """Send to the next few recipients of the oldest due broadcast; False if none is due.

        Args:
            recover: The sender starts: recipients left ``sending`` by a sender that died
                (a restart, a take-over) are counted ``unknown``, never sent to again.
        """
        runtime = self._runtime
        now = runtime.clock.now()
        async with runtime.database.unit_of_work() as session:
            broadcasts = BroadcastRepository(session)
            if recover:
                lost = await broadcasts.recover()
                if lost:
                    logger.warning("broadcasts: %d recipients left by a crash are unknown", lost)
            due = await broadcasts.due(now)
            if not due:
                return False
            broadcast_id = due[0].id
            payload = dict(due[0].payload or {})
            batch = await broadcasts.next_pending(broadcast_id, BATCH)
        if not batch:
            await self._finish(broadcast_id)
            return True
        for recipient in batch:
            if self._stopping or not self._runtime.lease.is_leader:
                return False
            if not await self._send_one(broadcast_id, payload, recipient):
                return True  # stopped, taken by another process, or paused: read anew
        return True

    async def _send_one(self, broadcast_id: int, payload: dict, recipient: NextRecipient) -> bool:
        """Send to one recipient; False when the broadcast should be read again."""
        runtime = self._runtime
        bot: Bot = self._application.bot
        if not recipient.still_subscribed:
            await self._settle(recipient, RecipientState.SKIPPED)
            return True
        tr = runtime.translator(recipient.language)
        text = announcement_html(runtime, payload, tr)
        limiter = _lane_of(bot.rate_limiter)
        lane = limiter is not None
        if limiter is not None:
            waited = await limiter.acquire_spare(recipient.chat_id)
            if waited:
                runtime.metrics.budget_waits.inc()
                runtime.metrics.budget_wait_seconds.inc(waited)
        async with runtime.database.unit_of_work() as session:
            claimed = await BroadcastRepository(session).claim(
                recipient.id, broadcast_id, runtime.clock.now()
            )
        if not claimed:
            return False
        if text is None:  # the editors removed the news or event since
            await self._settle(recipient, RecipientState.SKIPPED)
            return True
        extra = {"rate_limit_args": BROADCAST} if lane else {}
        message_id = None
        try:
            sent = await bot.send_message(recipient.chat_id, text, parse_mode="HTML", **extra)
        except RetryAfter as exc:
            await self._pause(broadcast_id, recipient, retry_after_seconds(exc))
            return False
        except Forbidden:
            outcome = RecipientState.BLOCKED  # they blocked the bot: dropped from the news
        except BadRequest as exc:
            logger.warning("broadcasts: Telegram refused a message: %s", exc.message[:120])
            outcome = RecipientState.FAILED
        except NetworkError as exc:
            # An error status means Telegram did not carry the call out (the patient limiter
            # repeated it already); no answer at all means it may have: at most once, so the
            # recipient is never sent to again.
            failed = server_error(exc)
            logger.warning("broadcasts: a call failed (%s)", type(exc).__name__)
            outcome = RecipientState.FAILED if failed else RecipientState.UNKNOWN
        except TelegramError as exc:
            logger.warning("broadcasts: Telegram refused a message: %s", exc.message[:120])
            outcome = RecipientState.FAILED
        else:
            outcome, message_id = RecipientState.SENT, sent.message_id
        await self._settle(recipient, outcome, message_id)
        return True

    async def _pause(self, broadcast_id: int, recipient: NextRecipient, seconds: float) -> None:
        """Telegram refused the call with 429 (nothing was sent): back to pending, wait."""
        runtime = self._runtime
        runtime.metrics.flood_waits.inc()
        logger.info("broadcasts: Telegram asked to wait %.1f s; paused", seconds)
        async with runtime.database.unit_of_work() as session:
            broadcasts = BroadcastRepository(session)
            await broadcasts.release(recipient.id)
            until = runtime.clock.now() + dt.timedelta(seconds=seconds)
            await broadcasts.pause(broadcast_id, until)  # for a restart, or another process
        await asyncio.sleep(seconds)
        async with runtime.database.unit_of_work() as session:
            await BroadcastRepository(session).pause(broadcast_id, None)

    async def _settle(
        self, recipient: NextRecipient, state: RecipientState, message_id: int | None = None
    ) -> None:
        """Record a recipient's outcome, tried again if the database fails for a moment.

        After a call Telegram carried out, giving up here would leave the recipient ``sending``
        and so counted unknown although they have the message.
        """
        runtime = self._runtime
        for attempt in range(RECORD_TRIES):
            try:
                async with runtime.database.unit_of_work() as session:
                    broadcasts = BroadcastRepository(session)
                    await broadcasts.settle(recipient.id, state)
                    if state is RecipientState.BLOCKED:
                        await broadcasts.drop_blocked(recipient.user_id)
                    if message_id is not None:  # for /clear
                        ChatTrace(session).record(
                            recipient.user_id, message_id, runtime.clock.now()
                        )
                break
            except (SQLAlchemyError, StorageError) as exc:
                if attempt == RECORD_TRIES - 1:
                    raise
                logger.warning("broadcasts: recording failed (%s); again", type(exc).__name__)
                await asyncio.sleep(0.2 * 2**attempt)
        runtime.metrics.broadcast_messages.labels(outcome=state.value).inc()

    async def _finish(self, broadcast_id: int) -> None:
        """Mark the broadcast done and tell the admin who started it."""
        runtime = self._runtime
        now = runtime.clock.now()
        async with runtime.database.unit_of_work() as session:
            broadcasts = BroadcastRepository(session)
            done = await broadcasts.finish_if_done(broadcast_id, now)
            if done is None:
                return
            logger.info("broadcast %d done", broadcast_id)
            if done.started_by is not None:
                await _tell_admin(session, runtime, done, now)
        runtime.kick_delivery()


def _lane_of(limiter) -> LaneRateLimiter | None:
    """The limiter with the broadcasts' lane, inside the ones that wrap it (None: no budget)."""
    while limiter is not None and not isinstance(limiter, LaneRateLimiter):
        limiter = getattr(limiter, "inner", None)
    return limiter


async def _tell_admin(session, runtime: Runtime, broadcast: Broadcast, now: dt.datetime) -> None:
    progress = await BroadcastRepository(session).progress(broadcast)
    locale = runtime.translator(runtime.content.source_language).locale
    values = {
        "id": str(broadcast.id),
        "sent": format_number(progress.sent, locale),
        "failed": format_number(progress.failed, locale),
        "unknown": format_number(progress.unknown, locale),
    }
    await OutboxRepository(session).enqueue(
        f"broadcast:{broadcast.id}:done",
        "team-text",
        {"chat": broadcast.started_by, "text": DONE_TEXT, "values": values},
        now,
    )
