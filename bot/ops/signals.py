"""Tell every process of a bot that the content was reloaded: PostgreSQL's LISTEN and NOTIFY.

A reload happens in one process (the admin's ``/reload``, SIGHUP, the playground). That process
announces the new content version on a channel of the bot's database; every other process
listens on a connection of its own and reloads the same folder when it hears it. On SQLite only
one process serves a bot, so there is nobody to tell.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.database import Database

__all__ = ["ContentSignal"]

logger = logging.getLogger(__name__)


class ContentSignal:
    """Announce reloads to the other processes, and hear theirs.

    Args:
        database: The bot's database (the channel is per schema, so tests do not meet).
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        self._channel = f"lotse_content_{database.schema or 'public'}"
        # Our own announcements come back to us too; they carry this process's mark.
        self._origin = secrets.token_hex(6)
        self._connection: AsyncConnection | None = None
        self._on_reload: Callable[[str], Awaitable[object]] | None = None
        self._tasks: set[asyncio.Task] = set()
        self.heard = asyncio.Event()
        """Set whenever another process's reload was carried out here (tests wait on it)."""

    @property
    def enabled(self) -> bool:
        return self._database.dialect == "postgresql"

    async def listen(self, on_reload: Callable[[str], Awaitable[object]]) -> None:
        """Call ``on_reload(version)`` whenever another process announces a reload."""
        self._on_reload = on_reload
        await self.ensure_listening()

    async def ensure_listening(self) -> None:
        """Listen again if the connection was lost (e.g. the database restarted)."""
        if not self.enabled or self._on_reload is None:
            return
        if self._connection is not None:
            driver = (await self._connection.get_raw_connection()).driver_connection
            if not driver.is_closed():
                return
            await self._close_connection()
        connection = await self._database.connect_apart()
        driver = (await connection.get_raw_connection()).driver_connection
        await driver.add_listener(self._channel, self._notified)
        self._connection = connection

    def _notified(self, _connection, _pid, _channel, payload: str) -> None:
        origin, _, version = payload.partition(":")
        if origin == self._origin or self._on_reload is None:
            return
        logger.info("another process reloaded the content (version %s): reloading", version)
        task = asyncio.get_running_loop().create_task(self._reload(version))
        self._tasks.add(task)  # keep a reference until it is done
        task.add_done_callback(self._tasks.discard)

    async def _reload(self, version: str) -> None:
        try:
            await self._on_reload(version)
        finally:
            self.heard.set()

    async def announce(self, version: str) -> None:
        """Tell the other processes that this one now serves content ``version``."""
        if not self.enabled:
            return
        async with self._database.engine.connect() as connection:
            await connection.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {"channel": self._channel, "payload": f"{self._origin}:{version}"},
            )
            await connection.commit()

    async def close(self) -> None:
        """Stop listening."""
        self._on_reload = None
        for task in list(self._tasks):
            task.cancel()
        await self._close_connection()

    async def _close_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()
            with contextlib.suppress(Exception):
                await connection.close()
