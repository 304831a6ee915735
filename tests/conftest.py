"""Fixtures shared by all tests.

Databases: a test that asks for ``database`` (or ``database_url``) runs twice, once on SQLite and
once on PostgreSQL (ids ``sqlite`` and ``postgresql``, the latter marked ``postgres``):

* ``database``: a :class:`~bot.storage.database.Database` with all migrations applied, empty.
  Most tests need only this.
* ``database_url`` and ``database_schema``: the address and the schema (None on SQLite) of that
  empty, not yet migrated database, for tests of migrations or of code that opens its own
  connections. Always pass both: ``Database(database_url, schema=database_schema)``.

SQLite is a new file in the test's ``tmp_path``. PostgreSQL is the server at
``TEST_DATABASE_URL`` (e.g. ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``), where each
test gets a schema of its own, dropped afterwards; without that variable those tests skip.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import text

from bot.storage.database import Database, build_engine
from bot.storage.migrate import upgrade_database

POSTGRESQL_URL_VARIABLE = "TEST_DATABASE_URL"

# Property-based tests draw the same examples on every run (CI stays reproducible and fast);
# HYPOTHESIS_PROFILE=long draws fresh, and more, examples for a longer hunt.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("long", derandomize=False, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@dataclass(frozen=True, slots=True)
class _TestDatabase:
    url: str
    schema: str | None


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
    ids=["sqlite", "postgresql"],
)
async def _test_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[_TestDatabase]:
    if request.param == "sqlite":
        yield _TestDatabase(f"sqlite+aiosqlite:///{tmp_path / 'lotse.db'}", None)
        return
    url = os.environ.get(POSTGRESQL_URL_VARIABLE)
    if not url:
        pytest.skip(f"{POSTGRESQL_URL_VARIABLE} is not set: PostgreSQL tests skipped")
    schema = f"test_{secrets.token_hex(6)}"
    admin = build_engine(url)
    try:
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield _TestDatabase(url, schema)
        finally:
            async with admin.begin() as connection:
                await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        await admin.dispose()


@pytest.fixture
def database_url(_test_database: _TestDatabase) -> str:
    """The address of an empty database (see the module docstring)."""
    return _test_database.url


@pytest.fixture
def database_schema(_test_database: _TestDatabase) -> str | None:
    """The schema that goes with ``database_url``: a fresh one on PostgreSQL, None on SQLite."""
    return _test_database.schema


@pytest.fixture
async def database(database_url: str, database_schema: str | None) -> AsyncIterator[Database]:
    """An empty database with all migrations applied, on SQLite and on PostgreSQL."""
    await upgrade_database(database_url, schema=database_schema)
    database = Database(database_url, schema=database_schema)
    try:
        yield database
    finally:
        await database.dispose()
