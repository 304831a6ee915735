"""Leaving no trace: which messages of a private chat the bot can still delete, and forgetting them.

Telegram lets a bot delete messages of a private chat — its own and the person's — for 48 hours.
We keep the ids (never the content) of the messages in each person's chat for that long, so that
/clear and discreet mode can delete them; older ids are useless and are dropped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

from bot.storage.models import ChatMessage, User

__all__ = ["DELETABLE_FOR", "ChatTrace", "batches"]

# Telegram's limit is 48 hours; a few minutes less, so that a deletion never races the limit.
DELETABLE_FOR = dt.timedelta(hours=48) - dt.timedelta(minutes=5)
BATCH = 100  # deleteMessages takes at most 100 ids


def batches(ids: list[int], size: int = BATCH) -> list[list[int]]:
    """``ids`` in chunks that deleteMessages accepts."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


# Where a session keeps the ids recorded but not written yet.
_RECORDED = "lotse.chat_trace.recorded"


def _write_recorded(session: Session) -> None:
    """Write the ids :meth:`ChatTrace.record` kept in ``session``, all in one statement.

    A unit of work records a message or two (the person's and the answer); as ORM objects each
    would be an INSERT … RETURNING of its own, with a round trip to the database and the ORM's
    bookkeeping for an object nobody reads again.
    """
    rows = session.info.pop(_RECORDED, None)
    if rows:
        session.connection().execute(ChatMessage.__table__.insert(), rows)


@event.listens_for(Session, "do_orm_execute")
def _before_statement(state: ORMExecuteState) -> None:
    _write_recorded(state.session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    _write_recorded(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _transaction: Any) -> None:
    session.info.pop(_RECORDED, None)


class ChatTrace:
    """The message ids of people's private chats (one repository for the aggregate)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def record(self, user_id: int, message_id: int, now: dt.datetime) -> None:
        """Remember one message of the person's chat (theirs or the bot's).

        The id is written with the others of the unit of work in one statement, before the
        session's next statement or its commit (see :func:`_write_recorded`), so that it is
        there for whatever runs after, as if it had been written at once.
        """
        row = {"user_id": user_id, "message_id": message_id, "sent_at": now}
        self._session.sync_session.info.setdefault(_RECORDED, []).append(row)

    async def take_deletable(self, user_id: int, now: dt.datetime) -> tuple[list[int], int]:
        """Forget every recorded message; return the ids still deletable and how many are too old."""
        rows = (
            await self._session.execute(
                select(ChatMessage.message_id, ChatMessage.sent_at).where(
                    ChatMessage.user_id == user_id
                )
            )
        ).all()
        await self._session.execute(delete(ChatMessage).where(ChatMessage.user_id == user_id))
        fresh = sorted({m for m, sent in rows if now - sent < DELETABLE_FOR})
        return fresh, len({m for m, _ in rows}) - len(fresh)

    async def idle_discreet_users(self, now: dt.datetime, after: dt.timedelta) -> list[User]:
        """People in discreet mode, inactive for ``after``, whose chat still holds messages."""
        has_messages = select(ChatMessage.user_id).distinct()
        result = await self._session.execute(
            select(User).where(
                User.discreet_mode.is_(True),
                User.last_seen <= now - after,
                User.id.in_(has_messages),
            )
        )
        return list(result.scalars())

    async def forget_old(self, now: dt.datetime) -> None:
        """Drop ids that can no longer be deleted anyway."""
        await self._session.execute(
            delete(ChatMessage).where(ChatMessage.sent_at < now - DELETABLE_FOR)
        )
