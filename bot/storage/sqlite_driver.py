"""aiosqlite with fewer hand-offs to its thread: one per statement instead of four.

aiosqlite runs every sqlite3 call on a thread of its own and hands each call over with a queue
and a wake-up of the event loop. SQLAlchemy's adapter makes four such calls for one statement:
create a cursor, execute, fetch the rows, close the cursor. Only executing and fetching touch
the database. Here a cursor is created and closed on the event loop's thread (both are plain
Python objects until a statement runs; sqlite3 is used in its serialized threading mode), and a
statement that returns rows is executed and fetched in the same hand-off. Each hand-off costs
about 0.1 ms of CPU time on both threads and a wake-up of the event loop. A unit of work that
served one update made 17 of them; with the two measures below it makes 2 (the first statement
with its ``BEGIN``, and the ``COMMIT``).

A transaction's ``BEGIN`` (:meth:`Connection.begin_with_next_statement`) is run in the same
hand-off as the transaction's first statement, and a transaction that ran none ends without
any. If the ``BEGIN`` fails (another process holds the database past the busy timeout), that
statement fails with :class:`BeginRefused`, an ``sqlite3.OperationalError`` carrying SQLite's
own message, and the statement itself is not run.

A brief transaction (:meth:`Connection.run_on_loop_once_locked`: the unit of work of one
person's update) runs its statements after the first on the event loop's thread, without a
hand-off: once ``BEGIN IMMEDIATE`` holds the write lock, a statement never waits for another
connection, and one person's rows take microseconds. Waiting for the lock, ``COMMIT`` (its
``fsync`` and any WAL checkpoint) and all other transactions stay on aiosqlite's thread.

Nothing else changes: the rows, errors, ``rowcount`` and ``lastrowid`` are sqlite3's own, and
fetching in parts (``fetchone``, ``fetchmany``) serves the rows fetched with the statement.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager

__all__ = ["BeginRefused", "Connection", "connector"]


class BeginRefused(sqlite3.OperationalError):
    """The transaction's ``BEGIN``, run with its first statement, failed (the database is locked)."""


def _begin(cursor: sqlite3.Cursor, begin: str | None) -> None:
    # On aiosqlite's thread, before the statement the BEGIN was deferred to.
    if begin is None:
        return
    try:
        cursor.execute(begin)
    except sqlite3.OperationalError as exc:
        raise BeginRefused(*exc.args) from exc


class _Cursor(aiosqlite.Cursor):
    """A cursor whose statement brings its rows back with it."""

    _conn: Connection

    def __init__(self, connection: Connection, cursor: sqlite3.Cursor) -> None:
        super().__init__(connection, cursor)
        self._rows: collections.deque | None = None

    def _run(
        self, begin: str | None, sql: str, parameters: Iterable[Any]
    ) -> collections.deque | None:
        # On aiosqlite's thread.
        _begin(self._cursor, begin)
        self._cursor.execute(sql, parameters)
        return collections.deque(self._cursor.fetchall()) if self._cursor.description else None

    def _run_many(self, begin: str | None, sql: str, parameters: Iterable[Iterable[Any]]) -> None:
        # On aiosqlite's thread.
        _begin(self._cursor, begin)
        self._cursor.executemany(sql, parameters)

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> _Cursor:
        parameters = [] if parameters is None else parameters
        if self._conn.on_loop:
            self._rows = self._run(None, sql, parameters)
            return self
        self._rows = await self._execute(self._run, self._conn.take_begin(), sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> _Cursor:
        self._rows = None
        if self._conn.on_loop:
            self._run_many(None, sql, parameters)
            return self
        await self._execute(self._run_many, self._conn.take_begin(), sql, parameters)
        return self

    async def fetchone(self) -> Any:
        if self._rows is None:
            return await super().fetchone()
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list:
        if self._rows is None:
            return await super().fetchmany(size)
        count = self._cursor.arraysize if size is None else size
        return [self._rows.popleft() for _ in range(min(count, len(self._rows)))]

    async def fetchall(self) -> list:
        if self._rows is None:
            return await super().fetchall()
        rows, self._rows = list(self._rows), collections.deque()
        return rows

    async def close(self) -> None:
        self._rows = None
        self._cursor.close()


class Connection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors are :class:`_Cursor`, with deferred ``BEGIN``."""

    _deferred_begin: str | None = None
    _brief = False  # this transaction's later statements may run on the loop (see the module)

    def begin_with_next_statement(self, begin: str = "BEGIN") -> None:
        """Start a transaction with ``begin``, run together with the next statement."""
        self._deferred_begin = begin

    def run_on_loop_once_locked(self) -> None:
        """Run this transaction's statements on the event loop's thread once it holds the write
        lock (``BEGIN IMMEDIATE``, deferred, not run yet): for a brief transaction only."""
        self._brief = self._deferred_begin is not None and self._deferred_begin.upper() == (
            "BEGIN IMMEDIATE"
        )

    def take_begin(self) -> str | None:
        """The deferred ``BEGIN``, if any, now to be run (once)."""
        begin, self._deferred_begin = self._deferred_begin, None
        return begin

    @property
    def on_loop(self) -> bool:
        """Whether the next statement runs on the event loop's thread: the transaction is brief
        and its ``BEGIN IMMEDIATE`` has run and holds the write lock (see the module)."""
        return self._brief and self._deferred_begin is None and self._conn.in_transaction

    def end_transaction(self) -> str | None:
        """Forget the transaction's deferred ``BEGIN`` and brevity; the ``BEGIN`` if it never ran."""
        self._brief = False
        return self.take_begin()

    @contextmanager  # as aiosqlite's: awaited, or entered with ``async with``
    async def cursor(self) -> _Cursor:
        return _Cursor(self, self._conn.cursor())

    async def commit(self) -> None:
        if self.end_transaction() is None:  # else no statement ran: nothing to commit
            await super().commit()

    async def rollback(self) -> None:
        if self.end_transaction() is None:
            await super().rollback()


def connector(database: str, **options: Any) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    """What SQLAlchemy calls to open a connection (``create_async_engine(async_creator=…)``).

    Args:
        database: The file (or ``:memory:``, or a ``file:`` URI with ``uri=True``).
        **options: Passed to :func:`sqlite3.connect`; cursors are used across threads.
    """

    def open_sqlite() -> sqlite3.Connection:
        return sqlite3.connect(database, **options, check_same_thread=False)

    async def connect() -> aiosqlite.Connection:
        connection = Connection(open_sqlite, iter_chunk_size=64)
        connection._thread.daemon = True  # as SQLAlchemy makes it: never keeps Python alive
        return await connection

    return connect
