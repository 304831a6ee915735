"""Broadcasts: announcements to many people, stored with each recipient's state, sent at most once.

A broadcast and its recipients (the subscribers of its regions at that moment, opt-in only) are
written in one unit of work before anything is sent. The sender then takes one recipient at a
time: it marks them ``sending`` and commits, makes the one Bot API call, and records the outcome.
A restart resumes with the recipients still ``pending``.

Telegram cannot say whether a call it accepted was answered before our process died: a recipient
found ``sending`` after a crash may or may not have the message. Broadcasts choose *at most
once*: such a recipient is never sent to again but counted as ``unknown``. The sender makes one
call at a time, so a crash leaves at most one such recipient per process.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, exists, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import (
    Broadcast,
    BroadcastRecipient,
    BroadcastStatus,
    RecipientState,
    User,
)

__all__ = ["BroadcastProgress", "BroadcastRepository", "NextRecipient", "subscribed"]


def subscribed():
    """The condition on users for news: opted in, not blocked, not banned."""
    return User.news_subscribed.is_(True) & User.blocked_bot.is_(False) & User.banned.is_(False)


@dataclass(frozen=True, slots=True)
class NextRecipient:
    """A pending recipient with what sending needs: their chat and language."""

    id: int
    user_id: int
    chat_id: int
    language: str | None
    still_subscribed: bool


@dataclass(frozen=True, slots=True)
class BroadcastProgress:
    """How far a broadcast got: counts of its recipients by state."""

    id: int
    key: str
    status: str
    created_at: dt.datetime
    recipients: int
    sent: int
    left: int  # pending, or being sent right now
    failed: int  # refused by Telegram, or blocked the bot
    blocked: int
    unknown: int
    skipped: int


class BroadcastRepository:
    """Broadcasts and their recipients; the caller's unit of work commits.

    Args:
        session: The unit of work's session.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_key(self, key: str) -> Broadcast | None:
        """The broadcast of an announcement, if it was made."""
        result = await self._session.execute(select(Broadcast).where(Broadcast.key == key))
        return result.scalar_one_or_none()

    async def create(
        self,
        key: str,
        payload: dict,
        regions: tuple[str, ...],
        now: dt.datetime,
        *,
        started_by: int | None = None,
    ) -> Broadcast:
        """Store a broadcast and its recipients: the subscribers of ``regions`` (all if empty)."""
        broadcast = Broadcast(key=key, payload=payload, created_at=now, started_by=started_by)
        self._session.add(broadcast)
        await self._session.flush()
        people = select(
            literal(broadcast.id), User.id, literal(RecipientState.PENDING.value)
        ).where(subscribed())
        if regions:
            people = people.where(User.region.in_(regions))
        await self._session.execute(
            insert(BroadcastRecipient).from_select(
                ["broadcast_id", "user_id", "state"], people.order_by(User.id)
            )
        )
        broadcast.recipients = (
            await self._session.execute(
                select(func.count(BroadcastRecipient.id)).where(
                    BroadcastRecipient.broadcast_id == broadcast.id
                )
            )
        ).scalar_one()
        return broadcast

    async def due(self, now: dt.datetime) -> list[Broadcast]:
        """Broadcasts being sent and not paused, oldest first."""
        result = await self._session.execute(
            select(Broadcast)
            .where(Broadcast.status == BroadcastStatus.SENDING.value)
            .order_by(Broadcast.id)
        )
        return [b for b in result.scalars() if b.paused_until is None or b.paused_until <= now]

    async def next_pending(self, broadcast_id: int, limit: int) -> list[NextRecipient]:
        """The next ``limit`` recipients not tried yet, in the order they were stored."""
        result = await self._session.execute(
            select(
                BroadcastRecipient.id,
                User.id,
                User.telegram_id,
                User.language,
                subscribed(),
            )
            .join(User, User.id == BroadcastRecipient.user_id)
            .where(
                BroadcastRecipient.broadcast_id == broadcast_id,
                BroadcastRecipient.state == RecipientState.PENDING.value,
            )
            .order_by(BroadcastRecipient.id)
            .limit(limit)
        )
        return [NextRecipient(*row[:4], bool(row[4])) for row in result.all()]

    async def claim(self, recipient_id: int, broadcast_id: int, now: dt.datetime) -> bool:
        """Mark a pending recipient ``sending`` (commit before the call); False if it is not.

        Not pending any more (another process took it) or the broadcast was stopped: the
        conditional update changes nothing, so nobody is sent to twice.
        """
        running = exists().where(
            Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SENDING.value
        )
        result = await self._session.execute(
            update(BroadcastRecipient)
            .where(
                BroadcastRecipient.id == recipient_id,
                BroadcastRecipient.state == RecipientState.PENDING.value,
                running,
            )
            .values(state=RecipientState.SENDING.value, attempted_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def settle(self, recipient_id: int, state: RecipientState) -> None:
        """Record how a recipient's call ended (or that they were skipped)."""
        await self._session.execute(
            update(BroadcastRecipient)
            .where(BroadcastRecipient.id == recipient_id)
            .values(state=state.value)
            .execution_options(synchronize_session=False)
        )

    async def release(self, recipient_id: int) -> None:
        """Back to ``pending``: Telegram refused the call with 429, so nothing was sent."""
        await self.settle(recipient_id, RecipientState.PENDING)

    async def drop_blocked(self, user_id: int) -> None:
        """The person blocked the bot: no more news for them (they can subscribe again)."""
        person = await self._session.get(User, user_id)
        if person is not None:
            person.blocked_bot = True
            person.news_subscribed = False

    async def recover(self) -> int:
        """Recipients left ``sending`` by a sender that died become ``unknown``; how many.

        Called when a sender starts: no call of its own is under way. Should the process that
        made the call be alive after all (it lost the leader lease during the call), its result
        still settles the row; either way the recipient is never sent to again.
        """
        running = select(Broadcast.id).where(Broadcast.status == BroadcastStatus.SENDING.value)
        result = await self._session.execute(
            update(BroadcastRecipient)
            .where(
                BroadcastRecipient.broadcast_id.in_(running),
                BroadcastRecipient.state == RecipientState.SENDING.value,
            )
            .values(state=RecipientState.UNKNOWN.value)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount

    async def pause(self, broadcast_id: int, until: dt.datetime | None) -> None:
        """Pause a broadcast until ``until`` (Telegram's 429), or go on (None)."""
        broadcast = await self._session.get(Broadcast, broadcast_id)
        if broadcast is not None:
            broadcast.paused_until = until

    async def finish_if_done(self, broadcast_id: int, now: dt.datetime) -> Broadcast | None:
        """Mark a broadcast done once nobody is left to try; returns it when it was just done."""
        broadcast = await self._session.get(Broadcast, broadcast_id)
        if broadcast is None or broadcast.status != BroadcastStatus.SENDING.value:
            return None
        left = await self._session.execute(
            select(BroadcastRecipient.id)
            .where(
                BroadcastRecipient.broadcast_id == broadcast_id,
                BroadcastRecipient.state.in_(
                    (RecipientState.PENDING.value, RecipientState.SENDING.value)
                ),
            )
            .limit(1)
        )
        if left.first() is not None:
            return None
        broadcast.status = BroadcastStatus.DONE.value
        broadcast.finished_at = now
        return broadcast

    async def stop(self, broadcast_id: int, now: dt.datetime) -> Broadcast | None:
        """Stop a running broadcast: nobody left is sent to. None if there is none running."""
        broadcast = await self._session.get(Broadcast, broadcast_id, with_for_update=True)
        if broadcast is None or broadcast.status != BroadcastStatus.SENDING.value:
            return None
        broadcast.status = BroadcastStatus.STOPPED.value
        broadcast.finished_at = now
        return broadcast

    async def forget_recipients(self, finished_before: dt.datetime) -> int:
        """Who got a broadcast is kept for the retention period after it ended; how many rows
        went (the broadcast keeps its number of recipients)."""
        old = select(Broadcast.id).where(
            Broadcast.status != BroadcastStatus.SENDING.value,
            Broadcast.finished_at < finished_before,
        )
        result = await self._session.execute(
            delete(BroadcastRecipient)
            .where(BroadcastRecipient.broadcast_id.in_(old))
            .execution_options(synchronize_session=False)
        )
        return result.rowcount

    async def recent(self, limit: int = 5) -> list[BroadcastProgress]:
        """The latest broadcasts with their progress, newest first."""
        broadcasts = list(
            (
                await self._session.execute(
                    select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)
                )
            ).scalars()
        )
        return await self._progress(broadcasts)

    async def progress(self, broadcast: Broadcast) -> BroadcastProgress:
        """One broadcast's progress."""
        return (await self._progress([broadcast]))[0]

    async def _progress(self, broadcasts: list[Broadcast]) -> list[BroadcastProgress]:
        if not broadcasts:
            return []
        counts: dict[int, dict[str, int]] = {b.id: {} for b in broadcasts}
        rows = await self._session.execute(
            select(BroadcastRecipient.broadcast_id, BroadcastRecipient.state, func.count())
            .where(BroadcastRecipient.broadcast_id.in_(counts))
            .group_by(BroadcastRecipient.broadcast_id, BroadcastRecipient.state)
        )
        for broadcast_id, state, count in rows.all():
            counts[broadcast_id][state] = count
        return [_progress(b, counts[b.id]) for b in broadcasts]


def _progress(broadcast: Broadcast, counts: dict[str, int]) -> BroadcastProgress:
    def count(state: RecipientState) -> int:
        return counts.get(state.value, 0)

    return BroadcastProgress(
        id=broadcast.id,
        key=broadcast.key,
        status=broadcast.status,
        created_at=broadcast.created_at,
        recipients=broadcast.recipients,
        sent=count(RecipientState.SENT),
        left=count(RecipientState.PENDING) + count(RecipientState.SENDING),
        failed=count(RecipientState.FAILED) + count(RecipientState.BLOCKED),
        blocked=count(RecipientState.BLOCKED),
        unknown=count(RecipientState.UNKNOWN),
        skipped=count(RecipientState.SKIPPED),
    )
