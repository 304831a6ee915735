"""A bot's update queue: long polling with getUpdates, or delivery to a webhook."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.emulator._errors import ApiError
from bot.emulator._signal import ChangeSignal

__all__ = ["UpdateQueue", "WebhookConfig"]

_LOGGER = logging.getLogger(__name__)
# Telegram leaves these out unless a bot asks for them in allowed_updates.
_NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_DISCONNECT_GRACE = 0.1
WEBHOOK_CONFLICT = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)


@dataclass
class WebhookConfig:
    """A webhook as set by setWebhook, plus what getWebhookInfo reports about deliveries."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
    delivered: int = 0


@dataclass
class _Poll:
    """One getUpdates call waiting for updates; a newer call or a disconnect ends it."""

    superseded: bool = False
    disconnected: asyncio.Event = field(default_factory=asyncio.Event)


class UpdateQueue:
    """Updates of one bot, waiting to be fetched (getUpdates) or pushed (webhook).

    An update leaves the queue when the bot confirms it: with a higher ``offset`` in a later
    getUpdates call, or with a 2xx answer of its webhook. Until then it is *pending*, which is
    what :meth:`BotApiEmulator.wait_until_idle` waits to drain.

    Args:
        changed: Notified whenever the queue changes, so waiters re-check their conditions.
    """

    webhook_retry_delays: tuple[float, ...] = (0.05, 0.2, 0.5, 1.0)
    """Back-off between webhook delivery attempts; after the last one the update is dropped."""

    def __init__(self, changed: ChangeSignal) -> None:
        self._changed = changed
        self.pending: list[dict[str, Any]] = []
        self.next_update_id = 100000001
        self.allowed_updates: list[str] = []
        self.webhook: WebhookConfig | None = None
        self._poll: _Poll | None = None
        self._delivery: asyncio.Task[None] | None = None
        self._closing = False
        # Set by spread_webhook: a reverse proxy's view of the bot, several processes.
        self.webhook_targets: list[str] = []
        self._next_target = 0
        self._in_flight: set[int] = set()

    # Producing ---------------------------------------------------------------------------------

    def push(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update (``body`` without ``update_id``) unless the bot does not want its type.

        Returns:
            The queued update with its ``update_id``, or None if it was filtered out.
        """
        if not self._wanted(body):
            return None
        update = {"update_id": self.next_update_id, **body}
        self.next_update_id += 1
        self.pending.append(update)
        self._changed.notify()
        return update

    def _wanted(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in _NOT_BY_DEFAULT

    # getUpdates --------------------------------------------------------------------------------

    async def get_updates(
        self,
        *,
        offset: int | None,
        limit: int,
        timeout: float,
        allowed_updates: list[str] | None,
        disconnected: asyncio.Event | None = None,
    ) -> list[dict[str, Any]]:
        """Answer a getUpdates call, waiting up to ``timeout`` seconds when nothing is pending.

        Raises:
            ApiError: 409 while a webhook is set, or when a newer getUpdates call took over.
        """
        if self.webhook is not None:
            raise ApiError.conflict(WEBHOOK_CONFLICT)
        if not 1 <= limit <= 100:
            raise ApiError.bad_request("limit must be between 1 and 100")
        if allowed_updates is not None:
            self.allowed_updates = allowed_updates
            self.pending = [update for update in self.pending if self._wanted(update)]
        self._confirm(offset)
        if self._poll is not None:
            # Telegram answers the older of two concurrent long polls with 409.
            self._poll.superseded = True
        poll = self._poll = _Poll()
        if disconnected is not None:
            poll.disconnected = disconnected
        self._changed.notify()
        try:
            with contextlib.suppress(TimeoutError):
                await self._changed.wait_for(
                    lambda: bool(self.pending) or poll.superseded or self._stopped(poll),
                    timeout,
                )
        finally:
            if self._poll is poll:
                self._poll = None
        if poll.superseded:
            # A client that cancels its long poll and polls again (PTB does on shutdown) is
            # noticed only when the closed connection is processed; give that a moment so the
            # abandoned poll is not reported as a conflict nobody will ever read.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(poll.disconnected.wait(), _DISCONNECT_GRACE)
            if poll.disconnected.is_set():
                return []
            raise ApiError.conflict(
                "terminated by other getUpdates request; make sure that only one bot instance "
                "is running"
            )
        return list(self.pending[:limit])

    def _stopped(self, poll: _Poll) -> bool:
        return self._closing or poll.disconnected.is_set() or self.webhook is not None

    def _confirm(self, offset: int | None) -> None:
        if offset is None:
            return
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [update for update in self.pending if update["update_id"] >= offset]

    @property
    def polling(self) -> bool:
        """Whether a getUpdates call is waiting right now."""
        return self._poll is not None

    # Webhooks ----------------------------------------------------------------------------------

    def set_webhook(
        self,
        config: WebhookConfig,
        *,
        allowed_updates: list[str] | None,
        drop_pending_updates: bool,
        clock: Callable[[], dtm.datetime],
    ) -> None:
        """Start pushing updates to ``config.url`` (replacing any previous webhook)."""
        self.webhook = config
        if allowed_updates is not None:
            self.allowed_updates = allowed_updates
        if drop_pending_updates:
            self.pending.clear()
        self._changed.notify()
        if self._delivery is None or self._delivery.done():
            self._delivery = asyncio.get_running_loop().create_task(self._deliver_forever(clock))

    async def delete_webhook(self, *, drop_pending_updates: bool) -> None:
        """Stop pushing updates; getUpdates works again."""
        self.webhook = None
        if drop_pending_updates:
            self.pending.clear()
        await self._stop_delivery()
        self._changed.notify()

    async def _stop_delivery(self) -> None:
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
            self._delivery = None

    def spread_webhook(self, urls: list[str]) -> None:
        """Deliver to these URLs in turn instead of the webhook's URL (a reverse proxy's view).

        Like Telegram with ``max_connections``, several updates are then under way at once, but
        never two of one chat: a chat's next update waits for the answer to the previous one. A
        delivery that fails (connection refused, 5xx) is retried at the next URL.
        """
        self.webhook_targets = list(urls)
        self._changed.notify()

    async def _deliver_forever(self, clock: Callable[[], dtm.datetime]) -> None:
        # One update at a time, oldest first: this keeps Telegram's per-chat order (for all
        # chats at once, which is stricter than Telegram and makes tests deterministic).
        async with httpx.AsyncClient(timeout=30.0) as client:
            while self.webhook is not None and not self._closing:
                if self.webhook_targets:
                    await self._deliver_spread(client, clock)
                    continue
                await self._changed.wait_for(
                    lambda: bool(self.pending) or self.webhook is None or self._closing, None
                )
                config = self.webhook
                if config is None or self._closing:
                    return
                await self._deliver(client, config, self.pending[0], clock)

    async def _deliver_spread(
        self, client: httpx.AsyncClient, clock: Callable[[], dtm.datetime]
    ) -> None:
        tasks: set[asyncio.Task[None]] = set()
        try:
            while self.webhook is not None and not self._closing and self.webhook_targets:
                config = self.webhook
                limit = max(1, config.max_connections)
                await self._changed.wait_for(
                    lambda: (
                        (len(tasks) < limit and self._next_deliverable() is not None)  # noqa: B023
                        or self.webhook is None
                        or self._closing
                    ),
                    None,
                )
                update = self._next_deliverable()
                if update is None or self.webhook is None or self._closing:
                    continue
                self._in_flight.add(update["update_id"])
                task = asyncio.get_running_loop().create_task(
                    self._deliver(client, config, update, clock)
                )
                tasks.add(task)

                def done(task: asyncio.Task[None], update_id: int = update["update_id"]) -> None:
                    tasks.discard(task)
                    self._in_flight.discard(update_id)
                    self._changed.notify()

                task.add_done_callback(done)
        finally:
            for task in tasks:
                task.cancel()

    def _next_deliverable(self) -> dict[str, Any] | None:
        """The oldest pending update whose chat has nothing older pending or under way."""
        busy = set()
        for update in self.pending:
            chat = _chat_of(update)
            if update["update_id"] in self._in_flight:
                busy.add(chat)
                continue
            if chat in busy:
                continue
            if chat is not None:
                busy.add(chat)
            return update
        return None

    def _targets(self, config: WebhookConfig) -> list[str]:
        """Where the attempts of one delivery go: the next URL first, then each other in turn.

        Like a reverse proxy that passes a failed request to the next upstream, a delivery that
        failed at one process is tried at the others before any of them is tried again.
        """
        if not self.webhook_targets:
            return [config.url]
        start = self._next_target
        self._next_target += 1
        count = len(self.webhook_targets)
        return [self.webhook_targets[(start + i) % count] for i in range(count)]

    async def _deliver(
        self,
        client: httpx.AsyncClient,
        config: WebhookConfig,
        update: dict[str, Any],
        clock: Callable[[], dtm.datetime],
    ) -> None:
        headers = {"Content-Type": "application/json"}
        if config.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = config.secret_token
        targets = self._targets(config)
        for attempt, delay in enumerate((0.0, *self.webhook_retry_delays)):
            if delay:
                await asyncio.sleep(delay)  # back-off between real HTTP attempts, not a poll
            try:
                url = targets[attempt % len(targets)]
                response = await client.post(url, json=update, headers=headers)
            except httpx.HTTPError as error:
                reason = f"Connection failed: {error.__class__.__name__}"
            else:
                if response.is_success:
                    config.delivered += 1
                    self._remove(update)
                    return
                reason = f"Wrong response from the webhook: {response.status_code} "
                reason += response.reason_phrase
            config.last_error_date = int(clock().timestamp())
            config.last_error_message = reason
            _LOGGER.info("webhook delivery of update %s failed: %s", update["update_id"], reason)
        self._remove(update)

    def _remove(self, update: dict[str, Any]) -> None:
        if update in self.pending:
            self.pending.remove(update)
        self._changed.notify()

    async def close(self) -> None:
        """End waiting long polls and webhook delivery (the emulator is stopping)."""
        self._closing = True
        self._changed.notify()
        await self._stop_delivery()


def _chat_of(update: dict[str, Any]) -> Any:
    """The chat an update belongs to (for per-chat order), or None if it names none."""
    for key, body in update.items():
        if key == "update_id" or not isinstance(body, dict):
            continue
        chat = body.get("chat") or (body.get("message") or {}).get("chat")
        if chat is not None:
            return chat.get("id")
        sender = body.get("from")
        return sender.get("id") if sender else None
    return None
