"""The records the emulator keeps: bots, people, groups, chats, messages, files, queries."""

from __future__ import annotations

import datetime as dtm
from dataclasses import dataclass, field
from typing import Any

from bot.emulator._updates import UpdateQueue

__all__ = [
    "ADMIN_RIGHTS",
    "BotRecord",
    "CallbackQueryRecord",
    "ChatState",
    "GroupRecord",
    "MessageRecord",
    "PersonRecord",
    "StoredFile",
    "TopicRecord",
]

ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
    "can_manage_topics": True,
}


@dataclass(eq=False)
class StoredFile:
    """A file the emulator knows: uploaded by the bot or sent by an emulated person."""

    file_id: str
    file_unique_id: str
    content: bytes
    kind: str
    file_name: str | None = None
    mime_type: str | None = None
    file_path: str = ""

    @property
    def size(self) -> int:
        """The size in bytes."""
        return len(self.content)


@dataclass(eq=False)
class PersonRecord:
    """An emulated Telegram user (never a bot)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    phone_number: str = "+491701234567"
    started_bots: set[int] = field(default_factory=set)
    blocked_bots: set[int] = field(default_factory=set)

    def as_user(self) -> dict[str, Any]:
        """The ``User`` object Telegram puts in ``from``."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                user[key] = getattr(self, key)
        return user

    def as_private_chat(self) -> dict[str, Any]:
        """The ``Chat`` object of this person's private chat with a bot."""
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        for key in ("last_name", "username"):
            if getattr(self, key):
                chat[key] = getattr(self, key)
        return chat


@dataclass(eq=False)
class GroupRecord:
    """An emulated group or supergroup; ``members`` maps a user id to its status."""

    id: int
    title: str
    type: str
    is_forum: bool = False
    members: dict[int, str] = field(default_factory=dict)

    def as_chat(self) -> dict[str, Any]:
        """The ``Chat`` object Telegram puts in messages."""
        chat: dict[str, Any] = {"id": self.id, "type": self.type, "title": self.title}
        if self.is_forum:
            chat["is_forum"] = True
        return chat


@dataclass(eq=False)
class MessageRecord:
    """One message as Telegram stores it; ``data`` is the exact ``Message`` JSON."""

    data: dict[str, Any]
    from_bot: bool
    seq: int

    @property
    def message_id(self) -> int:
        """The message id, unique within its chat."""
        return self.data["message_id"]

    @property
    def thread_id(self) -> int | None:
        """The forum topic (message thread) id, or None outside topics."""
        return self.data.get("message_thread_id")

    def as_reply(self) -> dict[str, Any]:
        """This message as ``reply_to_message`` (Telegram never nests replies deeper)."""
        return {key: value for key, value in self.data.items() if key != "reply_to_message"}


@dataclass(eq=False)
class TopicRecord:
    """A forum topic; its id is the id of the service message that created it."""

    thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False

    def as_forum_topic(self) -> dict[str, Any]:
        """The ``ForumTopic`` object."""
        topic: dict[str, Any] = {
            "message_thread_id": self.thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            topic["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return topic


@dataclass(eq=False)
class ChatState:
    """What one bot sees of one chat: messages still existing, topics, the reply keyboard."""

    chat: dict[str, Any]
    messages: dict[int, MessageRecord] = field(default_factory=dict)
    next_message_id: int = 1
    topics: dict[int, TopicRecord] = field(default_factory=dict)
    reply_keyboard: dict[str, Any] | None = None
    chat_actions: list[str] = field(default_factory=list)

    @property
    def id(self) -> int:
        """The chat id."""
        return self.chat["id"]


@dataclass(eq=False)
class CallbackQueryRecord:
    """A pressed inline button and whether (and how) the bot answered it.

    Attributes:
        id: The callback query id sent to the bot.
        user_id: Who pressed.
        chat_id: The chat of the message carrying the button.
        message_id: The message carrying the button.
        data: The button's callback_data.
        created: When the button was pressed (by the emulator's clock).
        answered: Whether answerCallbackQuery was called for it.
        text: The notification text of the answer, if any.
        show_alert: Whether the answer asked for an alert instead of a notification.
        url: The URL of the answer, if any.
    """

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created: dtm.datetime
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None


@dataclass(eq=False)
class BotRecord:
    """One bot account: its identity, its view of chats and its update queue."""

    id: int
    token: str
    user: dict[str, Any]
    updates: UpdateQueue
    chats: dict[int, ChatState] = field(default_factory=dict)
    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    callback_queries: dict[str, CallbackQueryRecord] = field(default_factory=dict)
