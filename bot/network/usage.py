"""Counting what the bot showed, per day and key, without anything that points to a person."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.database import conflict_insert
from bot.storage.models import UsageCount

__all__ = ["SERVICES_SHOWN", "UsageCounter"]

SERVICES_SHOWN = "services"  # key: the topic whose services were listed


class UsageCounter:
    """Daily counters (one repository for the aggregate)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, day: dt.date, kind: str, key: str, amount: int = 1) -> None:
        """Count ``amount`` more of ``kind``/``key`` on ``day`` (one upsert, safe under load)."""
        insert = conflict_insert(self._session.get_bind().dialect.name)
        statement = insert(UsageCount).values(day=day, kind=kind, key=key, count=amount)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[UsageCount.day, UsageCount.kind, UsageCount.key],
                set_={"count": UsageCount.count + amount},
            )
        )
