"""The SQLite driver: the same rows and errors as aiosqlite's, in one hand-off per statement."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import text

from bot.storage import sqlite_driver
from bot.storage.database import build_engine


@pytest.fixture
async def connection(tmp_path):
    opened = await sqlite_driver.connector(str(tmp_path / "driver.db"))()
    await opened.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, word TEXT)")
    await opened.executemany("INSERT INTO t VALUES (?, ?)", [(n, f"w{n}") for n in range(1, 6)])
    yield opened
    await opened.close()


@pytest.fixture
async def managed(tmp_path):
    """A connection whose transactions are begun explicitly, as Lotse's engine makes them."""
    opened = await sqlite_driver.connector(str(tmp_path / "managed.db"), isolation_level=None)()
    await opened.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, word TEXT)")
    await opened.executemany("INSERT INTO t VALUES (?, ?)", [(n, f"w{n}") for n in range(1, 6)])
    yield opened
    await opened.close()


def _count_hand_offs(connection, monkeypatch) -> list:
    calls: list = []
    hand_off = connection._execute

    async def counted(fn, *args, **kwargs):
        calls.append(fn)
        return await hand_off(fn, *args, **kwargs)

    monkeypatch.setattr(connection, "_execute", counted)
    return calls


async def test_a_query_is_one_hand_off_from_cursor_to_close(connection, monkeypatch):
    calls = _count_hand_offs(connection, monkeypatch)
    async with connection.cursor() as cursor:
        await cursor.execute("SELECT n, word FROM t WHERE n > ?", (3,))
        rows = await cursor.fetchall()

    assert rows == [(4, "w4"), (5, "w5")]
    assert len(calls) == 1


async def test_rows_fetched_in_parts_come_in_order_and_then_end(connection):
    cursor = await connection.cursor()
    await cursor.execute("SELECT n FROM t ORDER BY n")

    assert await cursor.fetchone() == (1,)
    assert await cursor.fetchmany(2) == [(2,), (3,)]
    assert await cursor.fetchall() == [(4,), (5,)]
    assert await cursor.fetchone() is None
    assert await cursor.fetchmany(3) == []
    await cursor.close()


async def test_a_write_reports_its_row_count_and_row_id(connection):
    cursor = await connection.cursor()
    await cursor.execute("UPDATE t SET word = 'x' WHERE n <= 2")
    assert cursor.rowcount == 2
    await cursor.execute("INSERT INTO t (word) VALUES ('new')")
    assert cursor.lastrowid == 6
    assert await cursor.fetchall() == []


async def test_an_error_is_sqlite3_s_own(connection):
    cursor = await connection.cursor()
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        await cursor.execute("INSERT INTO t VALUES (1, 'again')")
    await cursor.execute("SELECT count(*) FROM t")  # the cursor is still usable
    assert await cursor.fetchone() == (5,)


async def test_sqlalchemy_reads_and_streams_through_it(tmp_path):
    engine = build_engine(f"sqlite+aiosqlite:///{tmp_path}/engine.db")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (n INTEGER)"))
            await conn.execute(text("INSERT INTO t VALUES (:n)"), [{"n": n} for n in range(250)])
        async with engine.connect() as conn:
            total = (await conn.execute(text("SELECT sum(n) FROM t"))).scalar_one()
            streamed = [row.n async for row in await conn.stream(text("SELECT n FROM t"))]
    finally:
        await engine.dispose()

    assert total == sum(range(250))
    assert streamed == list(range(250))


async def test_a_transaction_begins_with_its_first_statement_in_the_same_hand_off(
    managed, monkeypatch, tmp_path
):
    calls = _count_hand_offs(managed, monkeypatch)
    managed.begin_with_next_statement("BEGIN IMMEDIATE")
    async with managed.cursor() as cursor:
        await cursor.execute("SELECT count(*) FROM t")  # a read, yet the write lock is taken
        assert await cursor.fetchone() == (5,)
    other = sqlite3.connect(tmp_path / "managed.db", timeout=0)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("INSERT INTO t (word) VALUES ('other')")
        await managed.commit()
        other.execute("INSERT INTO t (word) VALUES ('other')")
        other.commit()
    finally:
        other.close()

    assert len(calls) == 2  # the BEGIN with the statement, then the COMMIT
    assert not managed.in_transaction


async def test_a_transaction_without_statements_makes_no_hand_off(managed, monkeypatch):
    calls = _count_hand_offs(managed, monkeypatch)
    managed.begin_with_next_statement("BEGIN IMMEDIATE")
    await managed.commit()
    managed.begin_with_next_statement("BEGIN IMMEDIATE")
    await managed.rollback()

    assert calls == []
    async with managed.cursor() as cursor:  # and nothing is left over for the next one
        await cursor.execute("SELECT 1")
    assert not managed.in_transaction


async def test_a_refused_begin_fails_the_statement_and_runs_nothing(managed, tmp_path):
    other = sqlite3.connect(tmp_path / "managed.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    await managed.execute("PRAGMA busy_timeout = 50")
    try:
        managed.begin_with_next_statement("BEGIN IMMEDIATE")
        cursor = await managed.cursor()
        with pytest.raises(sqlite_driver.BeginRefused, match="locked"):
            await cursor.execute("INSERT INTO t (word) VALUES ('mine')")
        await managed.rollback()
    finally:
        other.execute("ROLLBACK")
        other.close()
    await cursor.execute("SELECT count(*) FROM t WHERE word = 'mine'")

    assert await cursor.fetchone() == (0,)
    assert isinstance(sqlite_driver.BeginRefused("x"), sqlite3.OperationalError)


def _thread_of_each_statement(connection) -> None:
    """SQL function ``thread()``: the id of the thread that runs the statement."""
    connection._conn.create_function("thread", 0, threading.get_ident)


async def _threads(connection, statements: int) -> list[int]:
    threads = []
    async with connection.cursor() as cursor:
        for n in range(statements):
            await cursor.execute("UPDATE t SET word = ? WHERE n = 1", (f"v{n}",))
            await cursor.execute("SELECT thread()")
            threads.append((await cursor.fetchone())[0])
    return threads


async def test_a_brief_transaction_runs_its_later_statements_on_the_loop(managed, monkeypatch):
    _thread_of_each_statement(managed)
    calls = _count_hand_offs(managed, monkeypatch)
    managed.begin_with_next_statement("BEGIN IMMEDIATE")
    managed.run_on_loop_once_locked()
    threads = await _threads(managed, 3)
    await managed.commit()

    loop_thread = threading.get_ident()
    assert threads == [loop_thread] * 3  # the first UPDATE (with the BEGIN) was handed off
    assert len(calls) == 2  # BEGIN + first UPDATE, COMMIT
    async with managed.cursor() as cursor:
        await cursor.execute("SELECT word FROM t WHERE n = 1")
        assert await cursor.fetchone() == ("v2",)


async def test_other_transactions_run_every_statement_on_aiosqlite_s_thread(managed, monkeypatch):
    _thread_of_each_statement(managed)
    managed.begin_with_next_statement("BEGIN IMMEDIATE")
    managed.run_on_loop_once_locked()
    await _threads(managed, 1)
    await managed.commit()
    calls = _count_hand_offs(managed, monkeypatch)

    managed.begin_with_next_statement("BEGIN IMMEDIATE")  # not brief: the last one's brevity
    threads = await _threads(managed, 2)  # does not carry over
    await managed.rollback()
    managed.begin_with_next_statement("BEGIN")  # brief, but without the write lock held
    managed.run_on_loop_once_locked()
    threads += await _threads(managed, 1)
    await managed.commit()

    assert threading.get_ident() not in threads
    assert len(calls) == 4 + 1 + 2 + 1


async def test_a_brief_transaction_whose_begin_is_refused_runs_nothing_on_the_loop(
    managed, tmp_path
):
    _thread_of_each_statement(managed)
    other = sqlite3.connect(tmp_path / "managed.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    await managed.execute("PRAGMA busy_timeout = 50")
    try:
        managed.begin_with_next_statement("BEGIN IMMEDIATE")
        managed.run_on_loop_once_locked()
        with pytest.raises(sqlite_driver.BeginRefused):
            await _threads(managed, 1)
        assert not managed.on_loop
        await managed.rollback()
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert threading.get_ident() not in await _threads(managed, 1)
