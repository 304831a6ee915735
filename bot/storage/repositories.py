"""Repositories: the queries of one aggregate each, inside a session they are given.

A repository never commits; the unit of work around it does (see
:meth:`bot.storage.database.Database.unit_of_work`), so that everything one update changes is
saved together or not at all.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import Row, bindparam, delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, make_transient_to_detached

from bot.storage.database import conflict_insert
from bot.storage.models import ChatMessage, ContactRequest, HandledUpdate, User

__all__ = ["HandledUpdates", "UserRepository"]


@functools.cache
def _arrival(dialect: str):
    """The statement of :meth:`UserRepository.arrive` for ``dialect``, built once per process.

    Building it (the ``excluded`` alias above all) costs more than running it. It is a Core
    statement returning the row's columns: the ORM's own INSERT … RETURNING path costs about
    twice as much per update for the one row it loads (see :func:`_as_loaded`).
    """
    insert = conflict_insert(dialect)
    table = User.__table__
    statement = insert(table).values(
        # The columns' defaults written out: SQLAlchemy names them in an INSERT that carries a
        # WITH of its own (_arrival_with_update) but sends NULL for them.
        **{c.key: c.default.arg for c in table.c if c.default is not None and c.default.is_scalar},
        telegram_id=bindparam("telegram_id", type_=table.c.telegram_id.type),
        first_seen=bindparam("now", type_=table.c.first_seen.type),
        last_seen=bindparam("now", type_=table.c.last_seen.type),
    )
    return statement.on_conflict_do_update(
        index_elements=[table.c.telegram_id], set_={"last_seen": statement.excluded.last_seen}
    ).returning(*(table.c[column] for _, column in _USER_COLUMNS))


# (attribute, column) of every column the User mapping loads.
_USER_COLUMNS = tuple(
    (attribute.key, attribute.columns[0].key) for attribute in User.__mapper__.column_attrs
)


def _as_loaded(session: Session, row: Row) -> User | None:
    """The person of ``row``, joined to ``session`` as if the ORM had just loaded them.

    Only what the handlers then change is written at commit. Built through the constructor,
    so that ``flow_data`` becomes a :class:`~sqlalchemy.ext.mutable.MutableDict` that notices
    changes, as on a load. None if the session already holds a copy (to be refreshed instead).
    """
    values = dict(zip((attribute for attribute, _ in _USER_COLUMNS), row, strict=True))
    if session.identity_key(User, (values["id"],)) in session.identity_map:
        return None
    user = User(**values)
    make_transient_to_detached(user)
    session.add(user)
    return user


@functools.cache
def _arrival_with_update() -> Any:
    """PostgreSQL: :func:`_arrival` and :func:`_first_handling` in one statement, built once.

    The update's id is inserted in a data-modifying ``WITH``; the person's row comes back with
    ``first_time``, whether that insert took place. The person's row is locked first, as when
    the two run one after the other (the ``WITH`` runs when ``RETURNING`` reads it).
    """
    handled = _first_handling("postgresql").returning(HandledUpdate.__table__.c.update_id)
    handled = handled.cte("handled_now")
    first_time = select(func.count()).select_from(handled).scalar_subquery() > 0
    arrival = _arrival("postgresql")
    return arrival.add_cte(handled).returning(first_time.label("first_time"))


@functools.cache
def _first_handling(dialect: str):
    """The statement of :meth:`HandledUpdates.first_time` for ``dialect``, built once."""
    insert = conflict_insert(dialect)
    table = HandledUpdate.__table__
    return (
        insert(table)
        .values(
            update_id=bindparam("update_id", type_=table.c.update_id.type),
            handled_at=bindparam("now", type_=table.c.handled_at.type),
        )
        .on_conflict_do_nothing(index_elements=[table.c.update_id])
    )


class UserRepository:
    """The people who use the bot, by Telegram id.

    Args:
        session: The unit of work's session.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, telegram_id: int) -> User | None:
        """The person with this Telegram id, or None if they never wrote."""
        result = await self._session.execute(select(User).where(User.telegram_id == telegram_id))
        return result.scalar_one_or_none()

    async def get_or_create(self, telegram_id: int, now: dt.datetime) -> User:
        """The person with this Telegram id, created on their first visit; marks them seen now.

        Safe when two bot processes see a new person at once: the insert skips an existing row
        (ON CONFLICT DO NOTHING, which waits for the other transaction on PostgreSQL) instead
        of failing on the unique Telegram id, and the row is then read back.

        Args:
            telegram_id: The person's Telegram user id.
            now: The current time (aware), for ``first_seen`` and ``last_seen``.
        """
        insert = conflict_insert(self._session.get_bind().dialect.name)
        await self._session.execute(
            insert(User)
            .values(telegram_id=telegram_id, first_seen=now, last_seen=now)
            .on_conflict_do_nothing(index_elements=[User.telegram_id])
        )
        user = await self.get(telegram_id)
        if user is None:  # pragma: no cover - only if someone deletes the row in between
            raise LookupError("the user row vanished right after it was inserted")
        user.last_seen = now
        return user

    async def arrive(self, telegram_id: int, now: dt.datetime) -> User:
        """The person with this Telegram id, seen now and held until the unit of work ends.

        What :meth:`get_or_create` and then :meth:`lock` do, in one statement (one round trip
        per update instead of three): ``INSERT … ON CONFLICT (telegram_id) DO UPDATE SET
        last_seen … RETURNING``. The update of an existing row locks it on PostgreSQL as
        ``SELECT … FOR UPDATE`` would (a second process waits, then reads the committed row);
        on SQLite the unit of work already holds the database. The person is created on their
        first visit.

        Args:
            telegram_id: The person's Telegram user id.
            now: The current time (aware), for ``first_seen`` and ``last_seen``.
        """
        connection = await self._session.connection()
        row = (
            await connection.execute(
                _arrival(connection.dialect.name), {"telegram_id": telegram_id, "now": now}
            )
        ).one()
        return await self._held(row)

    async def _held(self, row: Row) -> User:
        """The person of an arrival's ``row`` (its columns first), joined to the session."""
        user = _as_loaded(self._session.sync_session, row[: len(_USER_COLUMNS)])
        if user is None:
            # The session held an older copy: the row as stored now must win over it.
            user = await self._session.get(User, row.id, populate_existing=True)
        return user

    async def arrive_with_update(
        self, telegram_id: int, update_id: int, now: dt.datetime
    ) -> tuple[User, bool]:
        """:meth:`arrive`, and :meth:`HandledUpdates.first_time` for the person's update.

        On PostgreSQL in one statement (one round trip less for every update); on SQLite, whose
        ``WITH`` cannot insert, in two.

        Returns:
            The person, and whether ``update_id`` is handled here for the first time.
        """
        connection = await self._session.connection()
        if connection.dialect.name != "postgresql":
            user = await self.arrive(telegram_id, now)
            return user, await HandledUpdates(self._session).first_time(update_id, now)
        row = (
            await connection.execute(
                _arrival_with_update(),
                {"telegram_id": telegram_id, "now": now, "update_id": update_id},
            )
        ).one()
        return await self._held(row), row.first_time

    async def lock(self, telegram_id: int) -> User | None:
        """Read the person and hold them until the unit of work ends.

        Two bot processes serving updates of one person then take turns instead of overwriting
        each other's changes. On PostgreSQL this is ``SELECT … FOR UPDATE``; SQLite has no row
        locks and needs none, because every unit of work there starts with ``BEGIN IMMEDIATE``
        and so holds the whole database (see :mod:`bot.storage.database`).

        Returns:
            The person as stored now (fresh, even if this session had read them before), or
            None if they never wrote.
        """
        result = await self._session.execute(
            select(User)
            .where(User.telegram_id == telegram_id)
            .with_for_update()
            # The session may hold an older copy (from get_or_create); once we hold the lock,
            # the row may have changed, and the copy must not win over the stored values.
            .execution_options(populate_existing=True)
        )
        return result.scalar_one_or_none()

    async def delete(self, telegram_id: int) -> bool:
        """Forget the person entirely; returns whether there was anyone to forget."""
        user = await self.get(telegram_id)
        if user is None:
            return False
        await self._session.delete(user)
        await self._session.flush()
        return True

    async def forget_inactive(self, cutoff: dt.datetime) -> int:
        """Forget people last seen before ``cutoff`` who have no contact request; returns how many.

        What such a person left (their language, where they were in the menu) serves no one
        after the retention period. People with a request stay until the request is purged;
        people an admin blocked stay blocked.
        """
        inactive = select(User.id).where(
            User.last_seen < cutoff,
            User.banned.is_(False),
            ~exists().where(ContactRequest.user_id == User.id),
        )
        ids = list((await self._session.execute(inactive)).scalars())
        if ids:
            await self._session.execute(delete(ChatMessage).where(ChatMessage.user_id.in_(ids)))
            await self._session.execute(delete(User).where(User.id.in_(ids)))
        return len(ids)


class HandledUpdates:
    """The ids of updates whose handling was committed (see :class:`~bot.storage.models.HandledUpdate`).

    Args:
        session: The unit of work's session.
    """

    KEPT = dt.timedelta(days=1)

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def first_time(self, update_id: int, now: dt.datetime) -> bool:
        """Record ``update_id`` as handled in this unit of work; False if it was already.

        On PostgreSQL a second process handling the same update at the same time waits for the
        first one's transaction and then sees its row.
        """
        connection = await self._session.connection()
        result = await connection.execute(
            _first_handling(connection.dialect.name), {"update_id": update_id, "now": now}
        )
        return result.rowcount == 1

    async def forget_old(self, now: dt.datetime) -> int:
        """Drop the ids of updates handled more than a day ago (Telegram no longer resends them)."""
        result = await self._session.execute(
            delete(HandledUpdate)
            .where(HandledUpdate.handled_at < now - self.KEPT)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount
