"""The leader lease: one process holds it; when its connection goes, another takes it."""

from __future__ import annotations

from bot.ops.leader import LeaderLease
from bot.storage.database import Database


async def test_one_leader_at_a_time_and_take_over(database, database_url, database_schema):
    if database.dialect != "postgresql":
        assert await LeaderLease(database).hold()  # SQLite: one process, always the leader
        return
    other_process = Database(database_url, schema=database_schema)
    try:
        first, second = LeaderLease(database), LeaderLease(other_process)
        assert await first.hold()
        assert not await second.hold()
        assert await first.hold()  # kept
        # The leader's connection dies (its process was killed): the lock goes with it.
        await first._drop()
        assert await second.hold()
        assert not await first.hold()
        await second.release()
        assert await first.hold()
        await first.release()
    finally:
        await other_process.dispose()
