"""Long polling that confirms an update to Telegram only after it has been handled.

PTB's Updater confirms a batch of updates (by asking for the next one) as soon as it has fetched
it, before the handlers ran: a process that dies in between loses those updates — a person's
words, a coordinator's reply — without anyone noticing. Here the next ``getUpdates`` is made only
after the batch is handled, so a restart gets the unfinished updates again; the ids of handled
updates are committed together with what their handlers changed
(:class:`~bot.storage.repositories.HandledUpdates`), so none is handled twice. An update whose
handling the database interrupted (nothing of it was saved) is handled again after a pause.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

__all__ = ["ConfirmingPoller"]

logger = logging.getLogger(__name__)
_BACKOFF_FIRST, _BACKOFF_CAP = 0.5, 30.0
# Waits before handling again an update the database interrupted (a restart, a failover).
_DATABASE_RETRIES = (0.5, 1.0, 2.0, 4.0, 8.0)


class ConfirmingPoller:
    """Fetch updates by long polling, handle each batch, then confirm it.

    Updates of one person (or group) are handled in order; on a database that serves several
    updates at once (PostgreSQL), different people's updates of a batch are handled concurrently.

    Args:
        application: The initialised and started Application.
        allowed_updates: The update types to ask for.
        timeout: Seconds a long poll waits for updates.
    """

    def __init__(
        self, application: Application, *, allowed_updates: list[str], timeout: int = 10
    ) -> None:
        self._application = application
        self._allowed = allowed_updates
        self._timeout = timeout
        self._task: asyncio.Task | None = None
        self._batch: asyncio.Future | None = None

    async def start(self) -> None:
        """Start polling in the background."""
        self._task = asyncio.create_task(self._poll(), name="lotse-polling")

    async def stop(self) -> None:
        """Stop polling; a batch being handled is finished first (and left unconfirmed)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._batch is not None:
            await self._batch
            self._batch = None

    async def _poll(self) -> None:
        bot = self._application.bot
        offset: int | None = None
        delay = _BACKOFF_FIRST
        while True:
            try:
                updates = await bot.get_updates(
                    offset=offset, timeout=self._timeout, allowed_updates=self._allowed
                )
            except RetryAfter as exc:
                await asyncio.sleep(_seconds(exc.retry_after))
                continue
            except (InvalidToken, Conflict) as exc:
                # Nothing a retry soon would fix (token revoked, a second poller): say so, wait.
                logger.error("cannot get updates from Telegram: %s", exc.message)
                await asyncio.sleep(_BACKOFF_CAP)
                continue
            except (NetworkError, TelegramError) as exc:
                logger.warning("could not get updates from Telegram (trying again): %s", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, _BACKOFF_CAP)
                continue
            delay = _BACKOFF_FIRST
            if updates:
                # Shielded: stopping waits for the batch instead of cutting a handler in half.
                self._batch = asyncio.ensure_future(self._handle(updates))
                await asyncio.shield(self._batch)
                self._batch = None
                offset = updates[-1].update_id + 1

    async def _handle(self, updates: list[Update]) -> None:
        """Handle a batch; updates the database interrupted are handled again with back-off."""
        data = self._application.bot_data
        for update in updates:
            data.tries_left[update.update_id] = len(_DATABASE_RETRIES)
        try:
            await self._handle_once(updates)
            for delay in _DATABASE_RETRIES:
                again = [u for u in updates if u.update_id in data.try_again]
                if not again:
                    break
                await asyncio.sleep(delay)
                for update in again:
                    data.try_again.discard(update.update_id)
                    data.tries_left[update.update_id] -= 1
                await self._handle_once(again)
        finally:
            for update in updates:
                data.tries_left.pop(update.update_id, None)
                data.try_again.discard(update.update_id)

    async def _handle_once(self, updates: list[Update]) -> None:
        application = self._application
        if application.update_processor.max_concurrent_updates <= 1:
            for update in updates:
                await application.process_update(update)
            return
        queues: dict[object, list[Update]] = defaultdict(list)
        for update in updates:
            queues[_owner(update)].append(update)

        async def in_order(queue: list[Update]) -> None:
            for update in queue:
                await application.process_update(update)

        await asyncio.gather(*(in_order(q) for q in queues.values()))


def _owner(update: Update) -> object:
    """Whose update it is: the chat (groups, private chats), else the person, else itself."""
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return ("update", update.update_id)


def _seconds(value) -> float:
    return value if isinstance(value, int | float) else value.total_seconds()
