"""The engine and the unit of work: commits, rollbacks, SQLite settings, clear errors."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest
from sqlalchemy import text

from bot.errors import StorageError
from bot.storage.database import Database, display_url
from bot.storage.migrate import current_revision, upgrade_database
from bot.storage.repositories import UserRepository

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
UNREACHABLE = "postgresql+asyncpg://lotse:s3cret-pw@127.0.0.1:1/lotse"


@pytest.mark.parametrize("brief", [False, True])
async def test_unit_of_work_commits_when_the_block_succeeds(database, brief):
    async with database.unit_of_work(brief=brief) as session:
        user = await UserRepository(session).get_or_create(1001, NOW)
        user.language = "ps"

    async with database.unit_of_work() as session:
        assert (await UserRepository(session).get(1001)).language == "ps"


@pytest.mark.parametrize("brief", [False, True])
async def test_unit_of_work_rolls_back_when_the_block_raises(database, brief):
    with pytest.raises(RuntimeError, match="handler failed"):
        async with database.unit_of_work(brief=brief) as session:
            user = await UserRepository(session).get_or_create(1002, NOW)
            user.language = "uk"
            await session.flush()
            raise RuntimeError("handler failed")

    async with database.unit_of_work() as session:
        assert await UserRepository(session).get(1002) is None


async def test_sqlite_connections_have_foreign_keys_wal_and_a_busy_timeout(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'new' / 'folder' / 'lotse.db'}")
    try:
        async with database.unit_of_work() as session:
            pragmas = {
                name: (await session.execute(text(f"PRAGMA {name}"))).scalar_one()
                for name in ("foreign_keys", "journal_mode", "busy_timeout")
            }
    finally:
        await database.dispose()

    assert pragmas == {"foreign_keys": 1, "journal_mode": "wal", "busy_timeout": 5000}
    assert (tmp_path / "new" / "folder" / "lotse.db").exists()


async def test_a_sqlite_connection_given_back_inside_a_transaction_is_rolled_back(tmp_path):
    # The pool's reset runs only for a connection still in a transaction (see on_reset): one
    # left holding BEGIN IMMEDIATE would keep every later unit of work waiting for the lock.
    url = f"sqlite+aiosqlite:///{tmp_path / 'lotse.db'}"
    await upgrade_database(url)
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            await raw.driver_connection.execute("BEGIN IMMEDIATE")
            await raw.driver_connection.execute(
                "INSERT INTO users (telegram_id, language_confirmed, flow, discreet_mode, "
                "blocked_bot, banned, first_seen, last_seen, flood_count, news_subscribed) "
                "VALUES (1003, 0, 'menu', 0, 0, 0, '2026-11-25', '2026-11-25', 0, 0)"
            )
            assert raw.driver_connection.in_transaction

        async with database.unit_of_work() as session:
            assert await UserRepository(session).get(1003) is None
            await UserRepository(session).get_or_create(1004, NOW)
        async with database.unit_of_work() as session:
            assert await UserRepository(session).get(1004) is not None
    finally:
        await database.dispose()


@pytest.mark.parametrize("use", ["unit_of_work", "upgrade", "current_revision"])
async def test_an_unreachable_postgresql_gives_one_line_without_the_password(use):
    database = Database(UNREACHABLE)
    with pytest.raises(StorageError) as raised:
        if use == "unit_of_work":
            async with database.unit_of_work():
                pass
        elif use == "upgrade":
            await upgrade_database(UNREACHABLE)
        else:
            await current_revision(UNREACHABLE)
    await database.dispose()

    message = str(raised.value)
    assert message == (
        "cannot reach the database postgresql+asyncpg://lotse@127.0.0.1:1/lotse: connection refused"
    )


async def test_check_raises_storage_error_for_a_folder_that_cannot_exist(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    with pytest.raises(StorageError, match=r"^cannot reach the database sqlite\+aiosqlite:///"):
        Database(f"sqlite+aiosqlite:///{blocker / 'lotse.db'}")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://lotse:pw@db/lotse", "not a database Lotse supports"),
        ("not a url", "is not a URL"),
    ],
)
def test_unsupported_addresses_are_refused_at_once(url, expected):
    with pytest.raises(StorageError, match=expected) as raised:
        Database(url)

    assert "pw" not in str(raised.value)


def test_sqlite_refuses_a_schema(tmp_path):
    with pytest.raises(StorageError, match="SQLite has no schemas"):
        Database(f"sqlite+aiosqlite:///{tmp_path / 'lotse.db'}", schema="lotse")


async def test_database_names_its_dialect(database, database_schema):
    expected = "sqlite" if database_schema is None else "postgresql"

    assert database.dialect == expected


def test_display_url_drops_the_password_only():
    url = "postgresql+asyncpg://lotse:p%40ss@db.example:5433/lotse?ssl=require"

    assert display_url(url) == "postgresql+asyncpg://lotse@db.example:5433/lotse?ssl=require"


async def test_a_database_error_does_not_carry_its_parameters_into_the_log(database):
    from sqlalchemy.exc import IntegrityError

    from bot.storage.models import User

    telegram_id = 987654321987
    async with database.unit_of_work() as session:
        session.add(User(telegram_id=telegram_id, first_seen=NOW, last_seen=NOW))
    with pytest.raises(IntegrityError) as raised:
        async with database.unit_of_work() as session:
            session.add(User(telegram_id=telegram_id, first_seen=NOW, last_seen=NOW))
    assert str(telegram_id) not in str(raised.value)


async def test_units_of_work_on_sqlite_take_turns_in_the_order_they_came(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/turns.db")
    await upgrade_database(database.engine.url.render_as_string())
    order: list[str] = []
    first_holds = asyncio.Event()

    async def work(name: str, hold: float = 0.0) -> None:
        async with database.unit_of_work() as session:
            order.append(f"{name} starts")
            if name == "first":
                first_holds.set()
            await UserRepository(session).get_or_create(len(order), NOW)
            await asyncio.sleep(hold)
            order.append(f"{name} ends")

    try:
        first = asyncio.create_task(work("first", hold=0.2))
        await first_holds.wait()
        started = time.perf_counter()
        await asyncio.gather(first, work("second"), work("third"))
        waited = time.perf_counter() - started
    finally:
        await database.dispose()

    assert order == [
        "first starts", "first ends", "second starts", "second ends", "third starts", "third ends"
    ]  # fmt: skip
    # The second started when the first ended, not at SQLite's next poll for the lock.
    assert waited < 1.0


async def test_a_unit_of_work_that_waits_too_long_for_its_turn_says_the_database_is_locked(
    tmp_path, monkeypatch
):
    import bot.storage.database as database_module

    monkeypatch.setattr(database_module, "_SQLITE_BUSY_TIMEOUT_MS", 100)
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/locked.db")
    await upgrade_database(database.engine.url.render_as_string())
    holding = asyncio.Event()
    release = asyncio.Event()

    async def hold() -> None:
        async with database.unit_of_work():
            holding.set()
            await release.wait()

    try:
        holder = asyncio.create_task(hold())
        await holding.wait()
        with pytest.raises(StorageError, match=r"locked\.db: database is locked"):
            async with database.unit_of_work():
                pass
        release.set()
        await holder
        async with database.unit_of_work() as session:  # free again
            await UserRepository(session).get_or_create(7, NOW)
    finally:
        await database.dispose()


async def test_after_the_server_closed_the_pooled_connections_the_next_unit_of_work_just_works(
    database, database_schema
):
    """A restarted PostgreSQL closes every connection; the next update must not fail for it."""
    if database.dialect != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no server to lose")
    async with database.unit_of_work() as session:
        await UserRepository(session).get_or_create(1003, NOW)
    admin = Database(database.engine.url.render_as_string(hide_password=False))
    try:
        async with admin.engine.connect() as connection:
            closed = (
                await connection.execute(
                    text(
                        "select count(pg_terminate_backend(pid)) from pg_stat_activity "
                        "where application_name = :name and pid <> pg_backend_pid()"
                    ),
                    {"name": f"lotse:{database_schema}"},
                )
            ).scalar_one()
    finally:
        await admin.dispose()
    assert closed >= 1
    await asyncio.sleep(0.2)  # the server's goodbye reaches the pooled connection

    async with database.unit_of_work() as session:
        assert await UserRepository(session).get(1003) is not None


async def test_sqlite_held_by_another_process_past_the_busy_timeout_says_the_database_is_locked(
    tmp_path, monkeypatch
):
    import sqlite3

    import bot.storage.database as database_module

    monkeypatch.setattr(database_module, "_SQLITE_BUSY_TIMEOUT_MS", 100)
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/held.db")
    await upgrade_database(database.engine.url.render_as_string())
    other = sqlite3.connect(tmp_path / "held.db", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # e.g. a command-line tool writing
        with pytest.raises(StorageError, match=r"held\.db: database is locked"):
            async with database.unit_of_work() as session:
                await UserRepository(session).get_or_create(8, NOW)
        other.execute("ROLLBACK")
        async with database.unit_of_work() as session:  # free again
            await UserRepository(session).get_or_create(8, NOW)
        async with database.unit_of_work() as session:
            assert await UserRepository(session).get(8) is not None
    finally:
        other.close()
        await database.dispose()
