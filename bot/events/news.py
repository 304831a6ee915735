"""News by region, opt-in: who subscribed, and announcing new events and the network's news to them.

An announcement is written once: its row (keyed ``event:<id>`` or ``news:<id>``) and one outbox
entry per subscriber go into the database in one unit of work, before anything is sent. The
outbox then delivers them with its retries, and its keys make sure that nobody gets one twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.contact.repositories import OutboxRepository
from bot.content.models import Content
from bot.events.listing import event_period
from bot.runtime import Runtime
from bot.storage.models import Announcement, User

__all__ = ["AnnouncementResult", "announce_new_events", "announce_news", "subscribers"]

logger = logging.getLogger(__name__)


async def subscribers(session: AsyncSession, regions: tuple[str, ...]) -> list[int]:
    """The ids of people subscribed to news of any of ``regions`` (all regions if empty).

    People who blocked the bot or were blocked by an admin are left out.
    """
    query = select(User.id).where(
        User.news_subscribed.is_(True), User.blocked_bot.is_(False), User.banned.is_(False)
    )
    if regions:
        query = query.where(User.region.in_(regions))
    result = await session.execute(query.order_by(User.id))
    return list(result.scalars())


@dataclass(frozen=True, slots=True)
class AnnouncementResult:
    """How many people an announcement goes to, and False for ``new`` if it was made before."""

    recipients: int
    new: bool


async def _announce(
    session: AsyncSession,
    key: str,
    regions: tuple[str, ...],
    payload: dict,
    now: dt.datetime,
) -> AnnouncementResult:
    existing = await session.get(Announcement, key)
    if existing is not None:
        return AnnouncementResult(existing.recipients, False)
    people = await subscribers(session, regions)
    session.add(Announcement(key=key, created_at=now, recipients=len(people)))
    outbox = OutboxRepository(session)
    for user_id in people:
        await outbox.enqueue(f"{key}:{user_id}", "announcement", {**payload, "user": user_id}, now)
    return AnnouncementResult(len(people), True)


async def announce_new_events(runtime: Runtime) -> int:
    """Announce every upcoming event of the content not announced yet; returns how many."""
    now = runtime.clock.now()
    announced = 0
    async with runtime.database.unit_of_work() as session:
        for event in runtime.content.events:
            start, end = event_period(event, runtime.settings.timezone)
            if (end or start) < now:
                continue
            result = await _announce(
                session, f"event:{event.id}", event.regions, {"event": event.id}, now
            )
            if result.new:
                announced += 1
                logger.info("event announced to %d subscribers", result.recipients)
    if announced:
        runtime.kick_delivery()
    return announced


async def announce_news(
    session: AsyncSession, content: Content, news_id: str, now: dt.datetime
) -> AnnouncementResult:
    """Put the content's news ``news_id`` into the outbox for the subscribers of its regions (once).

    Runs in the caller's unit of work; deliver the outbox after it is committed.

    Raises:
        KeyError: the content has no such news.
    """
    news = content.news[news_id]
    return await _announce(session, f"news:{news.id}", news.regions, {"news": news.id}, now)
