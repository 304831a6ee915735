"""Reminders of events: who asked for one, and sending them the day before.

Like the follow-up of requests, nothing is kept in memory: a reminder is due when the clock has
passed its moment, and it is handed to the outbox under a key of its own in the same unit of work
that marks it sent — so a restart or a second bot process never sends it twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.contact.repositories import OutboxRepository
from bot.content.models import Content
from bot.events.listing import event_period
from bot.runtime import Runtime
from bot.storage.models import EventReminder

__all__ = ["REMIND_AT", "EventReminderRepository", "reminder_due_at", "run_event_reminders"]

logger = logging.getLogger(__name__)

REMIND_AT = dt.time(9, 0)  # local time on the day before the event


class EventReminderRepository:
    """The reminders people asked for (one repository for the aggregate)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def events_of(self, user_id: int) -> set[str]:
        """The ids of the events ``user_id`` asked to be reminded of."""
        result = await self._session.execute(
            select(EventReminder.event_id).where(EventReminder.user_id == user_id)
        )
        return set(result.scalars())

    async def toggle(self, user_id: int, event_id: str, now: dt.datetime) -> bool:
        """Switch the reminder of one event on or off; True if it is on afterwards."""
        result = await self._session.execute(
            select(EventReminder).where(
                EventReminder.user_id == user_id, EventReminder.event_id == event_id
            )
        )
        existing = result.scalar_one_or_none()
        if existing is not None:
            await self._session.delete(existing)
            return False
        self._session.add(EventReminder(user_id=user_id, event_id=event_id, created_at=now))
        return True

    async def forget_user(self, user_id: int) -> None:
        """Delete every reminder of a person (their data is erased)."""
        await self._session.execute(delete(EventReminder).where(EventReminder.user_id == user_id))

    async def pending(self) -> list[EventReminder]:
        """Reminders not sent yet."""
        result = await self._session.execute(
            select(EventReminder).where(EventReminder.sent_at.is_(None)).order_by(EventReminder.id)
        )
        return list(result.scalars())

    async def forget_events(self, event_ids: set[str]) -> int:
        """Delete every reminder of these events (over, or no longer in the content)."""
        if not event_ids:
            return 0
        result = await self._session.execute(
            delete(EventReminder).where(EventReminder.event_id.in_(event_ids))
        )
        return result.rowcount or 0


def reminder_due_at(content: Content, event_id: str, timezone: str) -> dt.datetime | None:
    """When the reminder of an event goes out (the day before, at REMIND_AT), None if gone."""
    event = next((e for e in content.events if e.id == event_id), None)
    if event is None:
        return None
    start, _ = event_period(event, timezone)
    day_before = start.date() - dt.timedelta(days=1)
    return dt.datetime.combine(day_before, REMIND_AT, tzinfo=start.tzinfo)


async def run_event_reminders(runtime: Runtime) -> int:
    """One round: hand due reminders to the outbox, forget those of past or removed events.

    Returns:
        How many reminders were handed to the outbox.
    """
    content, timezone = runtime.content, runtime.settings.timezone
    now = runtime.clock.now()
    events = {event.id: event for event in content.events}
    handed = 0
    async with runtime.database.unit_of_work() as session:
        reminders = EventReminderRepository(session)
        outbox = OutboxRepository(session)
        over = set()
        for reminder in await reminders.pending():
            event = events.get(reminder.event_id)
            if event is None:
                over.add(reminder.event_id)
                continue
            start, end = event_period(event, timezone)
            if (end or start) < now:
                over.add(reminder.event_id)
                continue
            due = reminder_due_at(content, event.id, timezone)
            if due is not None and now >= due:
                reminder.sent_at = now
                await outbox.enqueue(
                    f"event-reminder:{reminder.id}",
                    "event-reminder",
                    {"user": reminder.user_id, "event": event.id},
                    now,
                )
                handed += 1
        # Sent reminders of events that are over are not needed any more either.
        for event_id, event in events.items():
            start, end = event_period(event, timezone)
            if (end or start) < now:
                over.add(event_id)
        forgotten = await reminders.forget_events(over)
        if forgotten:
            logger.info("event reminders: %d of past or removed events deleted", forgotten)
    if handed:
        runtime.kick_delivery()
    return handed
