"""Bring a database up to the newest schema with Alembic, from the bot or the command line.

The bot calls :func:`upgrade_database` at start, inside its event loop: the migrations run on an
async connection through ``run_sync``, so nothing needs a loop of its own. ``lotse db upgrade``
calls :func:`upgrade_database_sync`. Both are safe to repeat and to run from two processes at
once (see ``migrations/env.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.errors import StorageError
from bot.storage.database import build_engine, describe_failure, display_url

__all__ = [
    "MIGRATIONS",
    "alembic_config",
    "current_revision",
    "head_revision",
    "upgrade_database",
    "upgrade_database_sync",
]

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None, *, schema: str | None = None) -> Config:
    """An Alembic configuration for Lotse's migrations, without an ini file.

    Args:
        url: The database, for Alembic commands that open their own connection.
        schema: PostgreSQL only: the schema that holds the tables.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Passed as attributes, not main options: those go through configparser, which would
    # choke on the percent signs of an encoded password.
    config.attributes["url"] = url
    config.attributes["schema"] = schema
    return config


def head_revision() -> str:
    """The newest revision this version of Lotse knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package ships its migrations
        raise StorageError(f"no migrations found in {MIGRATIONS}")
    return head


async def upgrade_database(url: str, *, schema: str | None = None) -> None:
    """Apply every migration the database lacks; does nothing if it is up to date.

    Args:
        url: A ``sqlite+aiosqlite:///path`` or ``postgresql+asyncpg://…`` address.
        schema: PostgreSQL only: the schema that holds the tables.

    Raises:
        StorageError: One line: the database cannot be reached, or a migration failed.
    """
    config = alembic_config(url, schema=schema)

    def upgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with _upgrade_lock(), _migration_connection(url, schema) as connection:
        try:
            await connection.run_sync(upgrade)
            await connection.commit()
        except (CommandError, SQLAlchemyError, OSError) as exc:
            reason = describe_failure(exc)
            if isinstance(exc, CommandError) and "Can't locate revision" in reason:
                # The usual cause: an operator went back to an older release of the bot.
                reason += " (the database was set up by a newer version of Lotse)"
            raise StorageError(
                f"cannot bring the database {display_url(url)} up to date: {reason}"
            ) from exc


def upgrade_database_sync(url: str, *, schema: str | None = None) -> None:
    """:func:`upgrade_database` for callers without an event loop, such as the command line."""
    asyncio.run(upgrade_database(url, schema=schema))


async def current_revision(url: str, *, schema: str | None = None) -> str | None:
    """The revision the database is at, or None if it was never migrated.

    Raises:
        StorageError: If the database cannot be reached.
    """

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with _migration_connection(url, schema) as connection:
        return await connection.run_sync(read)


# Alembic keeps the running migration's context in a module global, so two upgrades that
# interleave in one process would run on each other's connection. Upgrades in one event loop
# therefore take turns; other processes wait on a database lock instead (see env.py).
_upgrade_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _upgrade_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    if loop not in _upgrade_locks:
        _upgrade_locks[loop] = asyncio.Lock()
    return _upgrade_locks[loop]


@contextlib.asynccontextmanager
async def _migration_connection(url: str, schema: str | None) -> AsyncIterator[AsyncConnection]:
    """A connection to ``url`` in a transaction, opened with one clear error, always disposed."""
    # Foreign keys off on SQLite: migrations rebuild tables there (see build_engine).
    engine = build_engine(url, schema=schema, foreign_keys=False)
    try:
        try:
            connection = await engine.connect()
        except (OSError, SQLAlchemyError) as exc:
            raise StorageError(
                f"cannot reach the database {display_url(url)}: {describe_failure(exc)}"
            ) from exc
        try:
            await connection.begin()
            yield connection
        finally:
            await connection.close()
    finally:
        await engine.dispose()
