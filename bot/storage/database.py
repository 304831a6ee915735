"""The database: one async engine per process, and a unit of work (a session) per update.

Two databases are supported with the same code:

* SQLite (``sqlite+aiosqlite:///data/lotse.db``) for a small installation and for development.
  Every connection turns on foreign keys, write-ahead logging and a busy timeout, and every
  transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock at once, so two units of
  work never both read and then both try to write (SQLite would fail one of them immediately,
  whatever the busy timeout). Units of work on SQLite therefore run one after the other: within
  a process they queue for their turn on a lock, so that each starts the moment the one before
  ends instead of polling SQLite for the write lock.
* PostgreSQL (``postgresql+asyncpg://user:password@host/db``) for everything else, with a small
  pool that checks connections before use. An optional schema puts Lotse's tables (and Alembic's
  version table) in a schema of their own, which the tests use to isolate each test.

Whoever cannot reach the database gets a :class:`~bot.errors.StorageError` with one line naming
the database (without its password) and the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from bot.errors import StorageError
from bot.storage import sqlite_driver

__all__ = ["Database", "build_engine", "conflict_insert", "describe_failure", "display_url"]

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# asyncpg waits 60 seconds for a host that does not answer; an operator should hear sooner.
_CONNECT_TIMEOUT_SECONDS = 10
_SQLITE_BUSY_TIMEOUT_MS = 5000


class Database:
    """The engine and sessions of one database.

    Args:
        url: A ``sqlite+aiosqlite:///path`` or ``postgresql+asyncpg://…`` address.
        schema: PostgreSQL only: the schema that holds the tables (default: the server's
            search path, usually ``public``).

    Raises:
        StorageError: If the address is not one Lotse can use.
    """

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        self.engine = build_engine(url, schema=schema)
        self.schema = schema
        self.name = display_url(url)
        # expire_on_commit=False: objects stay readable after the commit without a hidden query,
        # which on asyncio would fail instead of quietly blocking.
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._apart: AsyncEngine | None = None
        self._turns: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @contextlib.asynccontextmanager
    async def unit_of_work(self, *, brief: bool = False) -> AsyncIterator[AsyncSession]:
        """Open a session in a transaction; commit if the block succeeds, roll back if it raises.

        This is the only place that commits: repositories work in the session they are given.
        On SQLite the unit of work holds the database's write lock from start to end, so others
        wait (up to 5 seconds) until it is done: keep it short.

        Args:
            brief: A few statements on a few rows (one person's update): on SQLite, those after
                the first then run on the event loop's thread (bot.storage.sqlite_driver).

        Raises:
            StorageError: If the database cannot be reached, or the connection is lost.
        """
        async with self._turn(), self._sessions() as session, session.begin():
            try:
                # Connect (and BEGIN) now, so that "cannot reach" is told apart from errors
                # of the work inside the block.
                connection = await session.connection()
            except (OSError, SQLAlchemyError) as exc:
                raise StorageError(
                    f"cannot reach the database {self.name}: {describe_failure(exc)}"
                ) from exc
            if brief:
                driver = connection.sync_connection.connection.driver_connection
                if isinstance(driver, sqlite_driver.Connection):
                    driver.run_on_loop_once_locked()
            try:
                yield session
            except DBAPIError as exc:
                if exc.connection_invalidated:
                    raise StorageError(
                        f"lost the connection to the database {self.name}: {describe_failure(exc)}"
                    ) from exc
                if isinstance(exc.orig, sqlite_driver.BeginRefused):
                    # SQLite's BEGIN runs with the first statement (locked by another process).
                    raise StorageError(
                        f"cannot reach the database {self.name}: {describe_failure(exc)}"
                    ) from exc
                raise

    @contextlib.asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        """On SQLite: wait for this process's other units of work first, in the order they came.

        SQLite lets one transaction write at a time; a second one would poll for the lock in
        growing sleeps (up to 100 ms each) while the first one holds it. Here it waits its turn
        and starts the moment the first one ends; the busy timeout still covers other processes
        (a command-line tool). PostgreSQL serves units of work side by side.
        """
        if self.dialect != "sqlite":
            yield
            return
        loop = asyncio.get_running_loop()
        if self._turns is None or self._turns[0] is not loop:
            self._turns = (loop, asyncio.Lock())
        lock = self._turns[1]
        try:
            async with asyncio.timeout(_SQLITE_BUSY_TIMEOUT_MS / 1000):
                await lock.acquire()
        except TimeoutError:
            raise StorageError(
                f"cannot reach the database {self.name}: database is locked"
            ) from None
        try:
            yield
        finally:
            lock.release()

    async def connect_apart(self) -> AsyncConnection:
        """A connection of its own, outside the pool (for locks and listeners held for long).

        The leader lease and the reload listener must not wait for a pooled connection while
        every pooled one is busy with updates: that would delay a take-over by the pool's timeout.
        """
        if self._apart is None:
            self._apart = create_async_engine(
                self.engine.url,
                poolclass=NullPool,
                connect_args=_connect_args(self.schema),
                hide_parameters=True,
            )
        return await self._apart.connect()

    async def check(self) -> None:
        """Open a connection once, to fail at start rather than at the first message.

        Raises:
            StorageError: If the database cannot be reached.
        """
        async with self.unit_of_work():
            pass

    async def dispose(self) -> None:
        """Close all pooled connections."""
        await self.engine.dispose()
        if self._apart is not None:
            await self._apart.dispose()

    def __repr__(self) -> str:
        return f"<Database {self.name}>"


def build_engine(url: str, *, schema: str | None = None, foreign_keys: bool = True) -> AsyncEngine:
    """Create the async engine for ``url`` with the settings Lotse relies on.

    Args:
        url: A ``sqlite+aiosqlite:///path`` or ``postgresql+asyncpg://…`` address.
        schema: PostgreSQL only: put this schema first (and alone) on the search path.
        foreign_keys: SQLite only: enforce foreign keys. Migrations turn this off because
            rebuilding a table (SQLite's way of altering one) would otherwise trip over them.

    Raises:
        StorageError: If the address is not one Lotse can use.
    """
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if schema is not None:
            raise StorageError(f"{display_url(url)}: SQLite has no schemas (asked for {schema!r})")
        return _sqlite_engine(parsed, foreign_keys=foreign_keys)
    if backend == "postgresql":
        return _postgresql_engine(parsed, schema=schema)
    raise StorageError(
        f"{display_url(url)}: not a database Lotse supports "
        "(use sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/name)"
    )


def conflict_insert(dialect: str) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL alike)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def display_url(url: str | URL) -> str:
    """The address without its password, for messages and logs."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "(an address that is not a database URL)"
    # URL.set(password=None) would keep the password: None there means "unchanged".
    safe = URL.create(
        parsed.drivername,
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query={key: value for key, value in parsed.query.items() if key.lower() != "password"},
    )
    return safe.render_as_string(hide_password=False)


def describe_failure(exc: BaseException) -> str:
    """Why a database operation failed, in a few words on one line (never a password)."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    if isinstance(cause, socket.gaierror):
        return "unknown host"
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, TimeoutError):
        return "no answer (timed out)"
    if isinstance(cause, OSError) and cause.errno is not None:
        return (cause.strerror or errno.errorcode.get(cause.errno, "error")).lower()
    text = str(cause).strip() or type(cause).__name__
    # asyncio joins the failures of every address it tried ("Multiple exceptions: [Errno 111]
    # Connect call failed …"); they all say the same thing for a host that refuses.
    if "Connect call failed" in text:
        return "connection refused"
    return text.splitlines()[0]


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise StorageError(
            "the database address is not a URL "
            "(use sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/name)"
        ) from None


def _sqlite_engine(url: URL, *, foreign_keys: bool) -> AsyncEngine:
    if url.get_driver_name() != "aiosqlite":
        url = url.set(drivername="sqlite+aiosqlite")
    path = url.database or ""
    if path and path != ":memory:" and not path.startswith("file:"):
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"cannot reach the database {display_url(url)}: cannot create the folder "
                f"{Path(path).parent} ({describe_failure(exc)})"
            ) from exc
    # Errors would otherwise carry the statement's parameters (Telegram ids, ciphertexts) into
    # the log through the error handler's traceback.
    # No rollback whenever a connection goes back to the pool: see on_reset below.
    # Connections from bot.storage.sqlite_driver: one hand-off to aiosqlite's thread per
    # statement instead of four. The file and options are read from the address as SQLAlchemy
    # reads them.
    (database, *_), options = url.get_dialect()().create_connect_args(url)
    options.pop("check_same_thread", None)
    engine = create_async_engine(
        url,
        hide_parameters=True,
        pool_reset_on_return=None,
        async_creator=sqlite_driver.connector(database, **options),
    )
    _configure_sqlite(engine, foreign_keys=foreign_keys)
    return engine


def _configure_sqlite(engine: AsyncEngine, *, foreign_keys: bool) -> None:
    pragmas = (
        f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}",
        "PRAGMA journal_mode=WAL",
        f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}",
    )

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Stop the sqlite3 module from starting transactions itself (it would skip SELECT and
        # DDL); SQLAlchemy's "begin" event below starts them instead, for every statement.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in pragmas:
                cursor.execute(pragma)
        finally:
            cursor.close()

    def on_begin(connection: Connection) -> None:
        driver = connection.connection.driver_connection
        if isinstance(driver, sqlite_driver.Connection):
            # Run with the transaction's first statement: one hand-off to aiosqlite's thread
            # less for every unit of work (bot.storage.sqlite_driver).
            driver.begin_with_next_statement("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    def on_reset(dbapi_connection: Any, record: Any, state: Any) -> None:
        # The pool's own reset rolls back every connection it gets back, a round trip to
        # aiosqlite's thread after every unit of work, though nearly all have committed: only
        # a connection still in a transaction needs it (with the pool's reset switched off).
        driver = record.driver_connection
        if isinstance(driver, sqlite_driver.Connection):
            driver.end_transaction()  # one that ran no statement: nothing to undo
        if state.asyncio_safe and driver.in_transaction:
            dbapi_connection.rollback()

    event.listen(engine.sync_engine, "connect", on_connect)
    event.listen(engine.sync_engine, "begin", on_begin)
    event.listen(engine.sync_engine.pool, "reset", on_reset)


def _postgresql_engine(url: URL, *, schema: str | None) -> AsyncEngine:
    if url.get_driver_name() != "asyncpg":
        url = url.set(drivername="postgresql+asyncpg")
    engine = create_async_engine(
        url,
        connect_args=_connect_args(schema),
        pool_size=5,
        max_overflow=10,
        # A proxy that drops idle connections without telling leaves dead ones in the pool.
        pool_recycle=1800,
        hide_parameters=True,  # no Telegram ids in the log through an error's message
    )
    event.listen(engine.sync_engine.pool, "checkout", _closed_by_the_server)
    return engine


def _closed_by_the_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Refuse a pooled connection the server has closed; the pool then opens a new one.

    A restarted server (or ``pg_terminate_backend``) closes its end, and asyncpg notices it as
    it happens. SQLAlchemy's ``pool_pre_ping`` would find out with a round trip to the server
    before every unit of work, about a third of a millisecond of CPU time for each update. A
    connection lost without the server closing it (a network cut) is still found out by the
    first statement: the unit of work fails, the pool drops all its connections, and the update
    is handled again (:mod:`bot.telegram.polling`, the webhook's refusal).

    Raises:
        DisconnectionError: The connection is closed.
    """
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this connection")


def _connect_args(schema: str | None) -> dict[str, Any]:
    # The application name shows in pg_stat_activity: an operator (or a test) can tell the
    # bot's connections from others.
    settings = {"application_name": f"lotse:{schema or 'public'}"}
    connect_args: dict[str, Any] = {
        "timeout": _CONNECT_TIMEOUT_SECONDS,
        "server_settings": settings,
    }
    if schema is not None:
        if not _SCHEMA_NAME.match(schema):
            raise StorageError(f"{schema!r} is not a schema name (lower-case letters, digits, _)")
        settings["search_path"] = schema
    return connect_args
