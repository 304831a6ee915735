"""``lotse backup`` and ``lotse restore``: every table to one compressed file, and back.

The file is gzip-compressed JSON lines: a header (format, schema revision, tables and their row
counts), then one line per row, tables in foreign-key order. Rows are read and written through the
models' column types, so a backup of SQLite restores into PostgreSQL and back. Message contents stay
encrypted in the file: keep the encryption keys (``BOT_ENCRYPTION_KEY``) apart from the backups, and
keep every key a backup needs until that backup expires.

A restore goes into an empty database only (migrated to the same revision first), in one
transaction; on PostgreSQL the id sequences are moved past the restored ids.
"""

from __future__ import annotations

import datetime as dt
import enum
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select, text

from bot.errors import LotseError
from bot.storage.database import Database
from bot.storage.migrate import current_revision, head_revision, upgrade_database
from bot.storage.models import Base

__all__ = ["BackupSummary", "restore_backup", "write_backup"]

FORMAT = "lotse-backup"
VERSION = 1


@dataclass(frozen=True, slots=True)
class BackupSummary:
    """What a backup holds: the schema revision and the rows per table."""

    revision: str
    rows: dict[str, int]


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$datetime"}:
        return dt.datetime.fromisoformat(value["$datetime"])
    return value


async def write_backup(database: Database, path: Path, *, database_url: str) -> BackupSummary:
    """Write every table of ``database`` to ``path`` (one consistent snapshot).

    Raises:
        LotseError: If the database is not migrated to this version's schema.
    """
    revision = await current_revision(database_url, schema=database.schema)
    if revision != head_revision():
        raise LotseError(
            f"the database is at schema revision {revision}, this Lotse expects "
            f"{head_revision()}: run `lotse db upgrade` first"
        )
    rows: dict[str, int] = {}
    temporary = path.with_name(path.name + ".partial")
    async with database.unit_of_work() as session:
        if database.dialect == "postgresql":
            # One snapshot for all tables, while the bot goes on writing.
            await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        for table in _tables():
            rows[table.name] = (
                await session.execute(select(func.count()).select_from(table))
            ).scalar_one()
        with gzip.open(temporary, "wt", encoding="utf-8") as out:
            header = {"format": FORMAT, "version": VERSION, "revision": revision, "rows": rows}
            out.write(json.dumps(header) + "\n")
            for table in _tables():
                order = list(table.primary_key.columns)
                result = await session.stream(select(table).order_by(*order))
                async for row in result.mappings():
                    line = {"t": table.name, "r": {k: _encode(v) for k, v in row.items()}}
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
    temporary.replace(path)
    return BackupSummary(revision, rows)


async def restore_backup(
    path: Path, database_url: str, *, schema: str | None = None
) -> BackupSummary:
    """Restore the backup at ``path`` into the empty database at ``database_url``.

    Raises:
        LotseError: If the file is no Lotse backup, was made by another schema revision, or the
            database already holds data.
    """
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        try:
            header = json.loads(handle.readline())
        except (OSError, ValueError) as exc:
            raise LotseError(f"{path}: not a Lotse backup ({exc})") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise LotseError(f"{path}: not a Lotse backup")
        if header["revision"] != head_revision():
            raise LotseError(
                f"{path} was made at schema revision {header['revision']}, this Lotse is at "
                f"{head_revision()}: restore with the Lotse version that made it, then upgrade"
            )
        await upgrade_database(database_url, schema=schema)
        database = Database(database_url, schema=schema)
        tables = {table.name: table for table in _tables()}
        try:
            async with database.unit_of_work() as session:
                for table in tables.values():
                    if (
                        await session.execute(select(func.count()).select_from(table))
                    ).scalar_one():
                        raise LotseError(
                            f"the database {database.name} is not empty (table {table.name}): "
                            "restore into a new, empty database"
                        )
                batch: list[dict[str, Any]] = []
                current: Table | None = None
                for line in handle:
                    item = json.loads(line)
                    table = tables[item["t"]]
                    if table is not current and batch:
                        await session.execute(current.insert(), batch)
                        batch = []
                    current = table
                    batch.append({k: _decode(v) for k, v in item["r"].items()})
                    if len(batch) >= 500:
                        await session.execute(current.insert(), batch)
                        batch = []
                if batch and current is not None:
                    await session.execute(current.insert(), batch)
                if database.dialect == "postgresql":
                    await _move_sequences(session, tables.values())
        finally:
            await database.dispose()
    return BackupSummary(header["revision"], dict(header["rows"]))


async def _move_sequences(session, tables) -> None:
    """Let new rows get ids after the restored ones (PostgreSQL keeps ids in sequences)."""
    for table in tables:
        for column in table.primary_key.columns:
            if not column.autoincrement or column.type.python_type is not int:
                continue
            sequence = (
                await session.execute(
                    text("SELECT pg_get_serial_sequence(:table, :column)"),
                    {"table": table.name, "column": column.name},
                )
            ).scalar_one()
            if sequence is None:
                continue
            await session.execute(
                text(
                    f"SELECT setval(:sequence, COALESCE((SELECT MAX({column.name}) FROM "
                    f"{table.name}), 0) + 1, false)"
                ),
                {"sequence": sequence},
            )
