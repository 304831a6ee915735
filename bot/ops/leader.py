"""The leader lease: scheduled jobs run in exactly one process, and another takes over if it dies.

On PostgreSQL the leader holds a session-level advisory lock on a connection of its own. The lock
lives exactly as long as that connection: when the leader's process dies (even by SIGKILL) its
socket closes, PostgreSQL releases the lock, and the next process that asks — every process asks
every ``lease_seconds`` — becomes the leader. On SQLite only one process serves a bot, so that
process is always the leader.
"""

from __future__ import annotations

import contextlib
import logging
import zlib

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.database import Database

__all__ = ["LeaderLease", "lease_key"]

logger = logging.getLogger(__name__)


def lease_key(database: Database) -> int:
    """The advisory lock's number: one per bot database (and per schema, so tests do not meet)."""
    return zlib.crc32(f"lotse-jobs:{database.schema or ''}".encode()) & 0x7FFFFFFF


class LeaderLease:
    """Whether this process runs the scheduled jobs right now.

    Args:
        database: The bot's database; the lease needs one connection of its own on PostgreSQL.
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        self._key = lease_key(database)
        self._connection: AsyncConnection | None = None

    @property
    def is_leader(self) -> bool:
        """The result of the last :meth:`hold` (True on SQLite)."""
        return self._database.dialect != "postgresql" or self._connection is not None

    async def hold(self) -> bool:
        """Keep the lease, or take it if it is free; returns whether this process leads now.

        A lost connection loses the lease (another process may hold it already): the next call
        tries again from scratch.
        """
        if self._database.dialect != "postgresql":
            return True
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                await self._connection.commit()
                return True
            except Exception as exc:  # any failure means the lock may be gone
                logger.warning("leader lease lost: %s", type(exc).__name__)
                await self._drop()
                return False
        connection = await self._database.connect_apart()
        try:
            taken = (
                await connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
                )
            ).scalar_one()
            await connection.commit()
        except Exception:
            await connection.close()
            raise
        if not taken:
            await connection.close()
            return False
        self._connection = connection
        logger.info("leader lease taken: this process runs the scheduled jobs")
        return True

    async def release(self) -> None:
        """Give the lease up (at shutdown), so that another process takes over at once."""
        if self._connection is None:
            return
        connection = self._connection
        try:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            await connection.commit()
        except Exception:  # closing the connection releases it anyway
            logger.debug("leader lease: unlock failed, closing the connection", exc_info=True)
            await self._drop()
            return
        self._connection = None
        await connection.close()  # back to the pool, without the lock

    async def _drop(self) -> None:
        """Forget the connection and close it for good (it may still hold the lock)."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        with contextlib.suppress(Exception):
            await connection.invalidate()
        with contextlib.suppress(Exception):
            await connection.close()
