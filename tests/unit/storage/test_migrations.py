"""The migrations create the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from bot.errors import StorageError
from bot.storage.database import build_engine
from bot.storage.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    upgrade_database,
    upgrade_database_sync,
)
from bot.storage.models import Base

REPOSITORY = Path(__file__).resolve().parents[3]
ALL_TABLES = {
    "alembic_version",
    "users",
    "contact_requests",
    "request_messages",
    "outbox",
    "chat_messages",
    "handled_updates",
    "event_reminders",
    "announcements",
    "usage_counts",
    "broadcasts",
    "broadcast_recipients",
}


async def test_upgrade_creates_the_tables_of_an_empty_database(database_url, database_schema):
    assert await current_revision(database_url, schema=database_schema) is None

    await upgrade_database(database_url, schema=database_schema)

    assert await current_revision(database_url, schema=database_schema) == head_revision()
    assert await _table_names(database_url, database_schema) == ALL_TABLES


async def test_upgrade_twice_changes_nothing(database_url, database_schema):
    await upgrade_database(database_url, schema=database_schema)
    await upgrade_database(database_url, schema=database_schema)

    assert await current_revision(database_url, schema=database_schema) == head_revision()


async def test_two_processes_upgrading_at_once_both_succeed(database_url, database_schema):
    await asyncio.gather(
        upgrade_database(database_url, schema=database_schema),
        upgrade_database(database_url, schema=database_schema),
    )

    assert await current_revision(database_url, schema=database_schema) == head_revision()


async def test_migrations_match_the_models(database, database_schema):
    def differences(connection: Connection) -> list:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with database.engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_the_postgresql_tables_stay_in_the_test_schema(database, database_schema):
    if database_schema is None:
        pytest.skip("SQLite has no schemas")
    async with database.engine.connect() as connection:
        found = await connection.execute(
            text(
                "SELECT current_schema(), to_regclass(:schema || '.users') IS NOT NULL,"
                " to_regclass(:schema || '.alembic_version') IS NOT NULL"
            ),
            {"schema": database_schema},
        )
        assert tuple(found.one()) == (database_schema, True, True)


async def test_downgrade_to_base_and_up_again_from_the_command_line(database_url, database_schema):
    # The alembic command line path of env.py: no connection given, it runs its own event loop
    # (here in a worker thread, as the test itself runs in one).
    config = Config(str(REPOSITORY / "alembic.ini"))
    config.attributes.update(url=database_url, schema=database_schema)

    await asyncio.to_thread(command.upgrade, config, "head")
    await asyncio.to_thread(command.downgrade, config, "base")
    assert await _table_names(database_url, database_schema) == {"alembic_version"}
    await asyncio.to_thread(command.upgrade, config, "head")

    assert await current_revision(database_url, schema=database_schema) == head_revision()


async def test_0002_keeps_the_users_of_0001_and_gives_them_back_on_downgrade(
    database_url, database_schema
):
    # 0002 alters the users table; on SQLite dropping its column again rebuilds the table
    # (batch mode), which must carry the rows over.
    config = Config(str(REPOSITORY / "alembic.ini"))
    config.attributes.update(url=database_url, schema=database_schema)
    await asyncio.to_thread(command.upgrade, config, "0001")
    engine = build_engine(database_url, schema=database_schema)
    insert_user = text(
        "INSERT INTO users (telegram_id, first_seen, last_seen)"
        " VALUES (77, '2026-11-25 10:00:00', '2026-11-25 10:00:00')"
    )
    try:
        async with engine.begin() as connection:
            await connection.execute(insert_user)

        await asyncio.to_thread(command.upgrade, config, "0002")
        async with engine.connect() as connection:
            found = await connection.execute(text("SELECT telegram_id, consented_at FROM users"))
            assert [tuple(row) for row in found] == [(77, None)]

        await asyncio.to_thread(command.downgrade, config, "0001")
        async with engine.connect() as connection:
            found = await connection.execute(text("SELECT telegram_id FROM users"))
            assert found.scalars().all() == [77]
    finally:
        await engine.dispose()
    assert await _table_names(database_url, database_schema) == {"alembic_version", "users"}


def test_upgrade_database_sync_works_without_an_event_loop(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'folder' / 'lotse.db'}"

    upgrade_database_sync(url)

    assert asyncio.run(current_revision(url)) == head_revision()


def test_the_revisions_form_one_line_starting_at_0001():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    revisions = list(script.walk_revisions())

    assert len(script.get_heads()) == 1
    assert revisions[-1].revision == "0001"


async def test_a_database_from_a_newer_version_is_refused_with_one_line(database, database_url):
    async with database.unit_of_work() as session:
        await session.execute(text("UPDATE alembic_version SET version_num = '9999'"))

    with pytest.raises(StorageError) as raised:
        await upgrade_database(database_url, schema=database.schema)

    message = str(raised.value)
    assert "\n" not in message
    assert "9999" in message
    assert "newer version of Lotse" in message


async def _table_names(url: str, schema: str | None) -> set[str]:
    engine = build_engine(url, schema=schema)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()
