"""The database tables as SQLAlchemy models, and the column types they share.

Only what the bot needs to serve a person is stored: their Telegram id, the language and the page
they are on, the step of a flow they are in. No names, usernames or phone numbers.

The same models run on SQLite and PostgreSQL, so types are chosen to behave alike on both: times
go through :class:`UtcDateTime`, flows through :class:`IntEnumType`, and every constraint gets a
name from :data:`NAMING_CONVENTION` (PostgreSQL would otherwise invent names that SQLite does not
know, and migrations that drop or alter a constraint could not name it on both).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, MetaData, SmallInteger, String, false
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = ["NAMING_CONVENTION", "Base", "Flow", "IntEnumType", "User", "UtcDateTime"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A point in time, stored in UTC and always read back timezone-aware in UTC.

    PostgreSQL keeps it as ``timestamp with time zone``. SQLite has no such type and SQLAlchemy
    would drop the offset on the way in and hand back naive values, so there we store the UTC
    wall time and attach UTC when reading. Naive values are refused: a naive datetime in this code
    base is a bug (use the injected :class:`~bot.clock.Clock`).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"refusing to store the naive datetime {value.isoformat()}")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class IntEnumType(TypeDecorator[enum.IntEnum]):
    """An :class:`enum.IntEnum` stored as a small integer, read back as the enum member.

    Args:
        enum_class: The enum whose members the column holds.
    """

    impl = SmallInteger
    cache_ok = True

    def __init__(self, enum_class: type[enum.IntEnum]) -> None:
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value: int | None, dialect: Dialect) -> int | None:
        # Going through the enum rejects numbers that are no member before they reach the table.
        return None if value is None else int(self.enum_class(value))

    def process_result_value(self, value: int | None, dialect: Dialect) -> enum.IntEnum | None:
        return None if value is None else self.enum_class(value)


class Flow(enum.IntEnum):
    """The step a person is in; stored so any bot process can answer their next message.

    Values are stored in the database: never renumber or reuse one, only add new ones.
    """

    MENU = 0
    CHOOSING_LANGUAGE = 1
    SEARCHING_PLACE = 2
    CONTACT_CONSENT = 3
    CONTACT_REGION = 4
    CONTACT_METHOD = 5
    CONTACT_MESSAGE = 6


class Base(DeclarativeBase):
    """The base of all models; its metadata is what the migrations must match."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """A person who has written to the bot, known only by their Telegram id."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    language: Mapped[str | None] = mapped_column(String(16))
    # True once the person chose the language or accepted the one guessed from Telegram.
    language_confirmed: Mapped[bool] = mapped_column(default=False, server_default=false())
    current_node: Mapped[str | None] = mapped_column(String(64))
    # The bot message that is edited in place as the person moves through the menu.
    menu_message_id: Mapped[int | None] = mapped_column(BigInteger)
    flow: Mapped[Flow] = mapped_column(IntEnumType(Flow), default=Flow.MENU, server_default="0")
    # Small answers collected during the current flow. MutableDict notices `data[key] = value`;
    # changes inside nested values still need a fresh dict assigned.
    flow_data: Mapped[dict[str, Any] | None] = mapped_column(
        MutableDict.as_mutable(JSON(none_as_null=True))
    )
    discreet_mode: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The person blocked the bot (Telegram said so), as opposed to `banned` by an admin.
    blocked_bot: Mapped[bool] = mapped_column(default=False, server_default=false())
    banned: Mapped[bool] = mapped_column(default=False, server_default=false())
    first_seen: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[dt.datetime] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"<User id={self.id} language={self.language!r} flow={self.flow!r}>"
