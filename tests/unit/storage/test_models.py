"""Column types that must behave alike on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from bot.storage.models import Flow, User
from bot.storage.repositories import UserRepository

BERLIN_SUMMER = dt.timezone(dt.timedelta(hours=2))


async def test_datetimes_come_back_aware_in_utc(database):
    written = dt.datetime(2026, 6, 1, 12, 30, 15, 123456, tzinfo=BERLIN_SUMMER)
    async with database.unit_of_work() as session:
        await UserRepository(session).get_or_create(2001, written)

    async with database.unit_of_work() as session:
        user = await UserRepository(session).get(2001)

    assert user is not None
    assert user.first_seen == written
    assert user.first_seen.tzinfo is dt.UTC
    assert user.first_seen.hour == 10


async def test_sqlite_stores_the_utc_wall_time(database):
    if database.dialect != "sqlite":
        pytest.skip("checks SQLite's text storage")
    async with database.unit_of_work() as session:
        await UserRepository(session).get_or_create(
            2002, dt.datetime(2026, 6, 1, 12, 0, tzinfo=BERLIN_SUMMER)
        )

    async with database.unit_of_work() as session:
        stored = (await session.execute(text("SELECT first_seen FROM users"))).scalar_one()

    assert stored.startswith("2026-06-01 10:00:00")


async def test_naive_datetimes_are_refused(database):
    with pytest.raises(StatementError, match="naive datetime"):
        async with database.unit_of_work() as session:
            await UserRepository(session).get_or_create(2003, dt.datetime(2026, 6, 1, 12, 0))


async def test_a_new_user_has_the_defaults(database):
    now = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
    async with database.unit_of_work() as session:
        await UserRepository(session).get_or_create(2004, now)

    async with database.unit_of_work() as session:
        user = (await session.execute(select(User))).scalar_one()

    assert user.flow is Flow.MENU
    assert (user.language, user.current_node, user.menu_message_id, user.flow_data) == (
        None,
        None,
        None,
        None,
    )
    assert not (user.language_confirmed or user.discreet_mode or user.blocked_bot or user.banned)
    assert user.first_seen == user.last_seen == now


async def test_flow_and_flow_data_round_trip(database):
    now = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
    async with database.unit_of_work() as session:
        user = await UserRepository(session).get_or_create(2005, now)
        user.flow = Flow.CONTACT_REGION
        user.flow_data = {"region": "berlin"}
    async with database.unit_of_work() as session:
        user = await UserRepository(session).get(2005)
        assert user is not None
        user.flow_data["method"] = "telegram"  # an in-place change is noticed, too

    async with database.unit_of_work() as session:
        user = await UserRepository(session).get(2005)

    assert user is not None
    assert user.flow is Flow.CONTACT_REGION
    assert user.flow_data == {"region": "berlin", "method": "telegram"}


async def test_a_big_telegram_id_fits(database):
    big = 9_000_000_000  # Telegram ids exceed 32 bits
    async with database.unit_of_work() as session:
        user = await UserRepository(session).get_or_create(big, dt.datetime.now(dt.UTC))
        user.menu_message_id = big

    async with database.unit_of_work() as session:
        user = await UserRepository(session).get(big)

    assert user is not None
    assert user.menu_message_id == big
