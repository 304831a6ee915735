"""The broadcasts' repository: recipients fixed at the start, claimed once, stopped, recovered."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from bot.events.broadcasts import BroadcastRepository
from bot.storage.models import RecipientState, User

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


async def _people(database, rows):
    async with database.unit_of_work() as session:
        await session.execute(
            insert(User),
            [
                {"telegram_id": 500 + n, "region": region, "news_subscribed": subscribed,
                 "blocked_bot": blocked, "first_seen": NOW, "last_seen": NOW}
                for n, (region, subscribed, blocked) in enumerate(rows)
            ],
        )  # fmt: skip


async def test_recipients_are_the_subscribers_of_its_regions_and_each_is_claimed_once(database):
    await _people(
        database,
        [
            ("dortmund", True, False),
            ("dortmund", False, False),  # not subscribed
            ("dortmund", True, True),  # blocked the bot
            ("duesseldorf", True, False),  # another region
            ("dortmund", True, False),
        ],
    )
    async with database.unit_of_work() as session:
        broadcast = await BroadcastRepository(session).create(
            "news:x", {"news": "x"}, ("dortmund",), NOW
        )
        assert broadcast.recipients == 2
        broadcast_id = broadcast.id
    async with database.unit_of_work() as session:
        broadcasts = BroadcastRepository(session)
        pending = await broadcasts.next_pending(broadcast_id, 10)
        assert [p.chat_id for p in pending] == [500, 504]
        assert await broadcasts.claim(pending[0].id, broadcast_id, NOW)
        assert not await broadcasts.claim(pending[0].id, broadcast_id, NOW)  # taken already
    async with database.unit_of_work() as session:
        broadcasts = BroadcastRepository(session)
        assert [p.chat_id for p in await broadcasts.next_pending(broadcast_id, 10)] == [504]
        # A sender that starts finds the first one "sending": its process died in the call.
        assert await broadcasts.recover() == 1
        assert (await broadcasts.recent())[0].unknown == 1


async def test_a_stopped_broadcast_claims_nobody(database):
    await _people(database, [("dortmund", True, False)] * 3)
    async with database.unit_of_work() as session:
        broadcast_id = (
            await BroadcastRepository(session).create("news:y", {"news": "y"}, (), NOW)
        ).id
    async with database.unit_of_work() as session:
        broadcasts = BroadcastRepository(session)
        first = (await broadcasts.next_pending(broadcast_id, 10))[0]
        assert await broadcasts.claim(first.id, broadcast_id, NOW)
        await broadcasts.settle(first.id, RecipientState.SENT)
        assert await broadcasts.stop(broadcast_id, NOW) is not None
    async with database.unit_of_work() as session:
        broadcasts = BroadcastRepository(session)
        second = (await broadcasts.next_pending(broadcast_id, 10))[0]
        assert not await broadcasts.claim(second.id, broadcast_id, NOW)
        assert await broadcasts.stop(broadcast_id, NOW) is None  # stopped already
        progress = (await broadcasts.recent())[0]
        assert (progress.status, progress.sent, progress.left) == ("stopped", 1, 2)
        assert await broadcasts.due(NOW) == []
    async with database.unit_of_work() as session:
        broadcasts = BroadcastRepository(session)
        assert await broadcasts.forget_recipients(NOW + dt.timedelta(days=1)) == 3
        assert (await broadcasts.recent())[0].recipients == 3  # the number stays
