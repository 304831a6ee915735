"""A delivery records its result on the entry it claimed, never on a newer one with the same id."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete

from bot.contact.repositories import OutboxRepository
from bot.storage.models import OutboxEntry, OutboxStatus
from bot.telegram import delivery
from tests.helpers.botharness import START
from tests.helpers.botharness import test_runtime as make_runtime
from tests.helpers.clock import FakeClock

LEASE = dt.timedelta(seconds=60)


async def test_a_late_delivery_does_not_mark_the_entry_that_took_its_id(database) -> None:
    runtime = make_runtime(database, FakeClock(START))
    async with database.unit_of_work() as session:
        await OutboxRepository(session).enqueue("first", "to-team", {"message": 1}, START)
    async with database.unit_of_work() as session:
        (claimed,) = await OutboxRepository(session).claim_due(START, 10, LEASE)
        claimed_id = claimed.id
    # While its send is under way, the entry's request is erased, and a new entry is written
    # (on SQLite it may be given the freed id).
    async with database.unit_of_work() as session:
        await session.execute(delete(OutboxEntry).where(OutboxEntry.id == claimed_id))
        await OutboxRepository(session).enqueue("withdrawn", "team-text", {"chat": 1}, START)

    await delivery._sent(runtime, claimed_id, {"message_id": 3}, key="first")
    await delivery._failed(runtime, claimed_id, "late", None, key="first", final=True)

    async with database.unit_of_work() as session:
        newer = await OutboxRepository(session).get("withdrawn")
    assert newer.status == OutboxStatus.PENDING.value and newer.attempts == 0
