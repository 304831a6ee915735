"""News by region, opt-in: who subscribed, and announcing new events and the network's news to them.

An announcement is written once: its row (keyed ``event:<id>`` or ``news:<id>``) and a broadcast
with every subscriber as a recipient go into the database in one unit of work, before anything
is sent. The broadcast sender (:mod:`bot.telegram.broadcasting`) then sends it within what
answers to people leave of Telegram's budget, to each recipient at most once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.models import Content
from bot.content.telegram_html import escape
from bot.events.broadcasts import BroadcastRepository, subscribed
from bot.events.listing import event_details, event_period
from bot.i18n.bidi import rtl_message
from bot.i18n.catalogs import Translator
from bot.runtime import Runtime
from bot.storage.models import Announcement, User

__all__ = [
    "AnnouncementResult",
    "announce_new_events",
    "announce_news",
    "announcement_html",
    "subscribers",
]

logger = logging.getLogger(__name__)


async def subscribers(session: AsyncSession, regions: tuple[str, ...]) -> list[int]:
    """The ids of people subscribed to news of any of ``regions`` (all regions if empty).

    People who blocked the bot or were blocked by an admin are left out.
    """
    query = select(User.id).where(subscribed())
    if regions:
        query = query.where(User.region.in_(regions))
    result = await session.execute(query.order_by(User.id))
    return list(result.scalars())


@dataclass(frozen=True, slots=True)
class AnnouncementResult:
    """How many people an announcement goes to, and False for ``new`` if it was made before.

    ``broadcast`` is the id of its broadcast (None for one made before broadcasts existed).
    """

    recipients: int
    new: bool
    broadcast: int | None = None


async def _announce(
    session: AsyncSession,
    key: str,
    regions: tuple[str, ...],
    payload: dict,
    now: dt.datetime,
    started_by: int | None = None,
) -> AnnouncementResult:
    broadcasts = BroadcastRepository(session)
    existing = await session.get(Announcement, key)
    if existing is not None:
        broadcast = await broadcasts.by_key(key)
        return AnnouncementResult(existing.recipients, False, broadcast and broadcast.id)
    broadcast = await broadcasts.create(key, payload, regions, now, started_by=started_by)
    session.add(Announcement(key=key, created_at=now, recipients=broadcast.recipients))
    return AnnouncementResult(broadcast.recipients, True, broadcast.id)


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
    session: AsyncSession,
    content: Content,
    news_id: str,
    now: dt.datetime,
    *,
    started_by: int | None = None,
) -> AnnouncementResult:
    """Broadcast the content's news ``news_id`` to the subscribers of its regions (once).

    Runs in the caller's unit of work; kick the sender after it is committed.

    Args:
        started_by: The admin's Telegram id: told when the broadcast is done.

    Raises:
        KeyError: the content has no such news.
    """
    news = content.news[news_id]
    return await _announce(
        session, f"news:{news.id}", news.regions, {"news": news.id}, now, started_by
    )


def announcement_html(runtime: Runtime, payload: dict, tr: Translator) -> str | None:
    """The announcement a payload names (``event`` or ``news``) in ``tr``'s language, or None.

    None when the content no longer has it (an editor removed it since).
    """
    content = runtime.content
    event = next((e for e in content.events if e.id == payload.get("event")), None)
    news = content.news.get(payload.get("news") or "")
    if event is not None:
        details = event_details(content, event, tr, runtime.settings.timezone)
        text = "📣 " + escape(tr.gettext("New event")) + "\n\n" + details
    elif news is not None:
        text = "📣 " + news.text.resolve(content.language_chain(tr.language))[0]
    else:
        return None
    return rtl_message(text) if tr.is_rtl else text
