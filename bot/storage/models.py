"""The database tables as SQLAlchemy models, and the column types they share.

Only what the bot needs to serve a person is stored: their Telegram id, the language and the page
they are on, the step of a flow they are in. No names, usernames or phone numbers — except in a
contact request the person wrote, whose contents (texts, captions, file ids, a phone number they
chose to share) are stored encrypted (see :mod:`bot.contact.crypto`): the columns that hold them
are mapped to attributes named ``encrypted_…`` so that nobody mistakes a token for the text.

The same models run on SQLite and PostgreSQL, so types are chosen to behave alike on both: times
go through :class:`UtcDateTime`, flows through :class:`IntEnumType`, and every constraint gets a
name from :data:`NAMING_CONVENTION` (PostgreSQL would otherwise invent names that SQLite does not
know, and migrations that drop or alter a constraint could not name it on both).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "NAMING_CONVENTION",
    "Announcement",
    "Base",
    "Broadcast",
    "BroadcastRecipient",
    "BroadcastStatus",
    "ChatMessage",
    "ContactMethod",
    "ContactRequest",
    "Direction",
    "EventReminder",
    "Flow",
    "IntEnumType",
    "MessageKind",
    "OutboxEntry",
    "OutboxStatus",
    "RecipientState",
    "RequestMessage",
    "RequestStatus",
    "UsageCount",
    "User",
    "UtcDateTime",
]

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
    CONTACT_PHONE = 7  # waiting for the person to share their phone number
    CONVERSATION = 8  # a request was sent: further messages go to the team


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
    # When the person agreed to what a contact request means (who reads it, how long it is kept).
    consented_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # Flood protection: messages counted in the current window, which started at this time.
    flood_window_start: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    flood_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # The region the person chose for events near them (a region id of the content).
    region: Mapped[str | None] = mapped_column(String(64))
    # Opted in to news of that region (announcements of its events, the network's news).
    news_subscribed: Mapped[bool] = mapped_column(default=False, server_default=false())

    def __repr__(self) -> str:
        return f"<User id={self.id} language={self.language!r} flow={self.flow!r}>"


class RequestStatus(enum.IntEnum):
    """Where a contact request stands. Stored: never renumber or reuse a value."""

    DRAFT = 0  # the person is still writing it; no team has seen it
    OPEN = 1  # sent, waiting for a coordinator
    CLAIMED = 2  # a coordinator took it up
    CLOSED = 3  # done; purged after the retention period
    WITHDRAWN = 4  # the person withdrew it (or erased their data)


# The values below are stored as strings; StrEnum members compare equal to them, so both
# ``message.direction == Direction.IN`` and ``== "in"`` work on rows read back.


class ContactMethod(enum.StrEnum):
    """How the person wants to be answered."""

    CHAT = "chat"  # only in this chat
    PHONE = "phone"  # they shared their number
    CALL = "call"  # a call in their preferred language (``call_language``)


class Direction(enum.StrEnum):
    """Which way a message of a request went."""

    IN = "in"  # from the person to the team
    OUT = "out"  # from the team to the person
    NOTE = "note"  # a coordinators' internal note, never relayed


class MessageKind(enum.StrEnum):
    """What a relayed message carries."""

    TEXT = "text"
    VOICE = "voice"
    PHOTO = "photo"
    DOCUMENT = "document"
    AUDIO = "audio"
    VIDEO = "video"


class OutboxStatus(enum.StrEnum):
    """Where a message waiting in the outbox stands."""

    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # a process took it; if that process dies, the lease runs out
    SENT = "sent"
    FAILED = "failed"  # gave up: too many attempts, or an error that no retry can fix


class ContactRequest(Base):
    """A confidential request of a person to a coordinator team, known to the team by reference.

    The team sees the reference, topic, region and language, never who the person is; the link
    to the person (``user_id``) stays in the database. Erasing the person deletes their requests
    (ON DELETE CASCADE), and with them their messages and pending outbox entries.
    """

    __tablename__ = "contact_requests"
    __table_args__ = (
        # The follow-up jobs: open requests by the time they were sent.
        Index("ix_contact_requests_status_submitted_at", "status", "submitted_at"),
        # Messages of coordinators: which request a forum topic belongs to.
        Index("ix_contact_requests_team_chat_id_thread_id", "team_chat_id", "thread_id"),
        # Ids appear in outbox keys ("request:17:card"); SQLite would hand the id of a deleted
        # last row out again, and the new row's entry would pass for the old, sent one.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Shown as "#K7QF"; stored without the "#" (see bot.contact.references).
    reference: Mapped[str] = mapped_column(String(8), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(40))
    # The team key from the configuration; None until sent (or if no team is configured).
    team: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(16))
    contact_method: Mapped[str] = mapped_column(
        String(16), default=ContactMethod.CHAT.value, server_default=ContactMethod.CHAT.value
    )
    encrypted_phone: Mapped[str | None] = mapped_column("phone", Text)
    call_language: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[RequestStatus] = mapped_column(
        IntEnumType(RequestStatus), default=RequestStatus.DRAFT, server_default="0"
    )
    urgent: Mapped[bool] = mapped_column(default=False, server_default=false())
    team_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    # The request's forum topic, in a forum supergroup.
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    # The message in the team chat that introduces the request (replies to it are matched).
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # The coordinator's first name, shown to the other coordinators; never to the person.
    claimed_by_name: Mapped[str | None] = mapped_column(String(64))
    claimed_by_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    first_answer_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_person_message_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_team_message_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    escalated: Mapped[bool] = mapped_column(default=False, server_default=false())
    # What the team chat shows of the request's state (see bot.contact.queue): the forum topic's
    # title, or the state line of the card in a plain group; None before it is shown.
    shown_state: Mapped[str | None] = mapped_column(String(128))
    topic_closed: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The team wrote last (times can be equal, so the order of messages decides).
    waiting_for_person: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Counts the state changes, so that each one gets its own outbox entry (key).
    state_changes: Mapped[int] = mapped_column(default=0, server_default="0")

    def __repr__(self) -> str:
        # No contents, no phone: reprs end up in logs and tracebacks.
        return f"<ContactRequest id={self.id} #{self.reference} status={self.status!r}>"


class RequestMessage(Base):
    """One message of a request: from the person, to the person, or a coordinators' note."""

    __tablename__ = "request_messages"
    __table_args__ = (
        # Replies of coordinators in a plain group: which relayed message they answer.
        Index(
            "ix_request_messages_team_chat_id_team_message_id", "team_chat_id", "team_message_id"
        ),
        # Ids appear in outbox keys ("message:42:to-team"): never reuse one (see above).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("contact_requests.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(12))
    # The text, or the caption of a medium.
    encrypted_body: Mapped[str | None] = mapped_column("body", Text)
    encrypted_file_id: Mapped[str | None] = mapped_column("file_id", Text)
    # The message's id in the person's chat with the bot.
    person_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # The chat and id of its copy in the team chat. The chat is kept per message because an
    # escalated request moves to another chat, where message ids start anew.
    team_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    team_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # A coordinator's first name, for notes and the team's view only.
    author_name: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return (
            f"<RequestMessage id={self.id} request={self.request_id} {self.direction} {self.kind}>"
        )


class OutboxEntry(Base):
    """Something to send to Telegram, stored in the same unit of work as the change it reports.

    A delivery process claims due entries, sends them and marks them sent; see
    :class:`bot.contact.repositories.OutboxRepository`. The payload holds ids of rows, never
    message contents: the deliverer reads (and decrypts) what it sends at sending time.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The idempotency key, e.g. "request:17:card" or "message:42:to-team".
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The request the entry belongs to, if any: its entries go when it is purged or erased.
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_requests.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(
        String(12), default=OutboxStatus.PENDING.value, server_default=OutboxStatus.PENDING.value
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    # The error's class or Telegram's description; never the content that was being sent.
    last_error: Mapped[str | None] = mapped_column(String(200))
    # What Telegram answered that later steps need, e.g. {"message_id": 42}.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"<OutboxEntry id={self.id} {self.key!r} {self.status} attempts={self.attempts}>"


class ChatMessage(Base):
    """A message in a person's private chat with the bot, kept so that /clear can delete it.

    Only the message id and when it was sent — never its content. Telegram lets a bot delete
    messages of a private chat for 48 hours; older rows are dropped when the chat is cleared.
    """

    __tablename__ = "chat_messages"
    __table_args__ = (Index("ix_chat_messages_user_sent", "user_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(BigInteger)
    sent_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class HandledUpdate(Base):
    """An update whose handling was committed, so that one delivered again is not handled twice.

    The bot confirms updates to Telegram only after handling them; a process that dies in
    between gets them again after a restart. Only the update id and when — nothing of its
    content. Rows older than a day are dropped (Telegram keeps updates for 24 hours).
    """

    __tablename__ = "handled_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)


class EventReminder(Base):
    """A person asked to be reminded of an event of the content the day before it starts.

    Only the event's id and when the reminder went out; the person's row owns it (erased with
    them). ``sent_at`` is set in the same unit of work that puts the message into the outbox.
    """

    __tablename__ = "event_reminders"
    __table_args__ = (
        UniqueConstraint("user_id", "event_id", name="uq_event_reminders_user_id"),
        Index("ix_event_reminders_pending", "sent_at", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class Announcement(Base):
    """Something announced to the subscribers of regions: a new event, or news of the network.

    The key (``event:<id>``, ``news:<id>``) makes it happen once: the row and the outbox entries
    for every subscriber are written in one unit of work, so a restart never announces it twice.
    """

    __tablename__ = "announcements"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    recipients: Mapped[int] = mapped_column(default=0, server_default="0")


class UsageCount(Base):
    """How often something was shown on one day, e.g. service results per topic — counts only.

    Nothing links a count to a person: the reports for funders are built from these and from
    aggregates of the other tables.
    """

    __tablename__ = "usage_counts"
    __table_args__ = (UniqueConstraint("day", "kind", "key", name="uq_usage_counts_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(default=0, server_default="0")


class BroadcastStatus(enum.StrEnum):
    """Where a broadcast stands."""

    SENDING = "sending"  # recipients are being sent to (or wait for the budget)
    DONE = "done"  # every recipient was tried once
    STOPPED = "stopped"  # an admin stopped it; the recipients left were never sent to


class Broadcast(Base):
    """An announcement to many people, stored with its recipients before the first one is sent.

    The payload names what is sent (``{"news": id}`` or ``{"event": id}``); the text is rendered
    in each recipient's language when it is their turn. ``paused_until`` keeps a 429's
    ``retry_after`` across restarts and processes.
    """

    __tablename__ = "broadcasts"
    __table_args__ = (
        Index("ix_broadcasts_status", "status"),
        # Ids are shown to admins (/broadcast_stop 3): never reuse one.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The announcement it sends (``news:<id>``, ``event:<id>``): one broadcast per announcement.
    key: Mapped[str] = mapped_column(String(80), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(
        String(12), default=BroadcastStatus.SENDING.value, server_default="sending"
    )
    # The admin's Telegram id, told when it is done (None for announcements of the content).
    started_by: Mapped[int | None] = mapped_column(BigInteger)
    recipients: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    paused_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"<Broadcast id={self.id} {self.key!r} {self.status}>"


class RecipientState(enum.StrEnum):
    """Where one recipient of a broadcast stands. Sent at most once: see bot.events.broadcasts."""

    PENDING = "pending"  # not tried yet
    SENDING = "sending"  # the call is under way; found so after a crash it becomes UNKNOWN
    SENT = "sent"
    FAILED = "failed"  # Telegram refused (chat not found, …): nothing to retry
    BLOCKED = "blocked"  # the person blocked the bot: dropped from the news
    UNKNOWN = "unknown"  # the process died (or the network failed) during the call
    SKIPPED = "skipped"  # unsubscribed (or blocked) before their turn


class BroadcastRecipient(Base):
    """One person a broadcast goes to, and how far it got; erased with the person."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "user_id", name="uq_broadcast_recipients_broadcast_id"),
        Index("ix_broadcast_recipients_broadcast_state", "broadcast_id", "state", "id"),
        Index("ix_broadcast_recipients_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(
        String(12), default=RecipientState.PENDING.value, server_default="pending"
    )
    # When the call was begun: a SENDING row older than any call can take is UNKNOWN.
    attempted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
