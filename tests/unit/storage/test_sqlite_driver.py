"""The SQLite driver: the same rows and errors as aiosqlite's, in one hand-off per statement."""

from __future__ import annotations

import sqlite3

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
