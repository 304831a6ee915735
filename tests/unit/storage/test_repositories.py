"""UserRepository: creating a person once, even from two processes; arriving; locking; forgetting."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select

from bot.storage.database import Database
from bot.storage.models import User
from bot.storage.repositories import UserRepository

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


async def _count_users(database: Database) -> int:
    async with database.unit_of_work() as session:
        return (await session.execute(select(func.count()).select_from(User))).scalar_one()


async def test_get_returns_none_for_someone_who_never_wrote(database):
    async with database.unit_of_work() as session:
        assert await UserRepository(session).get(404) is None


async def test_get_or_create_creates_once_and_marks_the_person_seen(database):
    later = NOW + dt.timedelta(hours=3)
    async with database.unit_of_work() as session:
        first = await UserRepository(session).get_or_create(3001, NOW)
        first_id = first.id
    async with database.unit_of_work() as session:
        again = await UserRepository(session).get_or_create(3001, later)

    assert again.id == first_id
    assert (again.first_seen, again.last_seen) == (NOW, later)
    assert await _count_users(database) == 1


async def test_two_processes_creating_the_same_person_at_once_make_one_row(
    database, database_url, database_schema
):
    # Two engines stand for two bot processes. The second inserts while the first has inserted
    # but not yet committed: on PostgreSQL its insert waits on the unique key, then does nothing.
    other_process = Database(database_url, schema=database_schema)
    first_inserted = asyncio.Event()

    async def first() -> int:
        async with database.unit_of_work() as session:
            user = await UserRepository(session).get_or_create(3002, NOW)
            first_inserted.set()
            await asyncio.sleep(0.2)
            return user.id

    async def second() -> int:
        await first_inserted.wait()
        async with other_process.unit_of_work() as session:
            user = await UserRepository(session).get_or_create(3002, NOW)
            return user.id

    try:
        ids = await asyncio.gather(first(), second())
    finally:
        await other_process.dispose()

    assert ids[0] == ids[1]
    assert await _count_users(database) == 1


@pytest.mark.parametrize("arrival", ["get_or_create", "arrive"])
async def test_many_concurrent_first_visits_make_one_row(
    database, database_url, database_schema, arrival
):
    other_process = Database(database_url, schema=database_schema)

    async def visit(db: Database) -> int:
        async with db.unit_of_work() as session:
            return (await getattr(UserRepository(session), arrival)(3003, NOW)).id

    try:
        ids = await asyncio.gather(*(visit(db) for db in [database, other_process] * 4))
    finally:
        await other_process.dispose()

    assert len(set(ids)) == 1
    assert await _count_users(database) == 1


async def _hold(users: UserRepository, how: str, telegram_id: int, now: dt.datetime) -> User | None:
    """Take the person for the unit of work the way a handler does: ``lock`` or ``arrive``."""
    if how == "lock":
        return await users.lock(telegram_id)
    return await users.arrive(telegram_id, now)


@pytest.mark.parametrize("how", ["lock", "arrive"])
async def test_lock_makes_a_second_process_wait_and_then_see_the_change(
    database, database_url, database_schema, how
):
    async with database.unit_of_work() as session:
        await UserRepository(session).get_or_create(3004, NOW)
    other_process = Database(database_url, schema=database_schema)
    first_locked = asyncio.Event()
    events: list[str] = []

    async def first() -> None:
        async with database.unit_of_work() as session:
            user = await _hold(UserRepository(session), how, 3004, NOW)
            assert user is not None
            first_locked.set()
            await asyncio.sleep(0.3)
            user.language = "ar"
            events.append("first done")

    async def second() -> str | None:
        await first_locked.wait()
        async with other_process.unit_of_work() as session:
            users = UserRepository(session)
            # As a handler does. On PostgreSQL this reads the row before the first process has
            # committed, so the session holds an older copy that lock() must refresh. (SQLite
            # has already waited for the first process when the unit of work began.)
            read_before = await users.get_or_create(3004, NOW + dt.timedelta(minutes=1))
            user = await _hold(users, how, 3004, NOW + dt.timedelta(minutes=2))
            events.append("second locked")
            assert user is read_before
            return user.language

    try:
        _, language_seen = await asyncio.gather(first(), second())
    finally:
        await other_process.dispose()

    assert events == ["first done", "second locked"]
    assert language_seen == "ar"


async def test_lock_returns_none_for_someone_who_never_wrote(database):
    async with database.unit_of_work() as session:
        assert await UserRepository(session).lock(404) is None


async def test_delete_forgets_the_person(database):
    async with database.unit_of_work() as session:
        await UserRepository(session).get_or_create(3005, NOW)

    async with database.unit_of_work() as session:
        users = UserRepository(session)
        assert await users.delete(3005) is True
        assert await users.delete(3005) is False

    assert await _count_users(database) == 0


async def test_arrive_creates_once_and_marks_the_person_seen(database):
    later = NOW + dt.timedelta(hours=3)
    async with database.unit_of_work() as session:
        first = await UserRepository(session).arrive(3101, NOW)
        first_id = first.id
        first.language = "fa"
    async with database.unit_of_work() as session:
        again = await UserRepository(session).arrive(3101, later)

    assert again.id == first_id
    assert (again.first_seen, again.last_seen, again.language) == (NOW, later, "fa")
    assert await _count_users(database) == 1


async def test_arrive_with_update_says_whether_the_update_is_new(database):
    later = NOW + dt.timedelta(minutes=1)
    async with database.unit_of_work() as session:
        person, first_time = await UserRepository(session).arrive_with_update(3201, 77, NOW)
        person.language = "ti"
        assert first_time is True
    async with database.unit_of_work() as session:
        again, first_time = await UserRepository(session).arrive_with_update(3201, 77, later)
        assert first_time is False  # delivered again after a restart
    async with database.unit_of_work() as session:
        person, first_time = await UserRepository(session).arrive_with_update(3201, 78, later)
        assert first_time is True

    assert (person.language, person.first_seen, person.last_seen) == ("ti", NOW, later)
    assert again.id == person.id
    assert await _count_users(database) == 1
