"""The test API for groups: members, forum topics and reading messages per topic."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from bot.emulator._methods_chats import TOPIC_ICON_COLORS
from bot.emulator._people import ANY_THREAD, EmulatedUser, MessagePredicate
from bot.emulator._records import BotRecord, ChatState, GroupRecord, TopicRecord
from bot.emulator._views import EmulatedMessage

if TYPE_CHECKING:
    from bot.emulator._emulator import BotApiEmulator

__all__ = ["EmulatedGroup"]


class EmulatedGroup:
    """A group or (forum) supergroup with the bot as administrator.

    Members write with ``await member.send_text(text, chat=group, thread_id=...)``. Create
    groups with :meth:`BotApiEmulator.add_group`.
    """

    def __init__(self, emulator: BotApiEmulator, record: GroupRecord) -> None:
        self._emulator = emulator
        self.record = record
        self._cursor = 0

    @property
    def id(self) -> int:
        """The chat id (negative; supergroups start with -100)."""
        return self.record.id

    @property
    def title(self) -> str:
        """The group's title."""
        return self.record.title

    @property
    def is_forum(self) -> bool:
        """Whether the group has topics."""
        return self.record.is_forum

    def __repr__(self) -> str:
        return f"EmulatedGroup(id={self.id}, title={self.title!r}, forum={self.is_forum})"

    # Membership --------------------------------------------------------------------------------

    @property
    def bot_status(self) -> str | None:
        """The bot's status in the group (``administrator``, ``member``, ``left`` …), if any."""
        return self.record.members.get(self._bot().id)

    async def add_bot(self, *, by: EmulatedUser) -> None:
        """``by`` adds the bot to this group as a plain member, as anyone may do uninvited.

        The bot gets the ``my_chat_member`` update and the service message Telegram sends.
        """
        from bot.emulator._methods_chats import chat_member

        bot = self._bot()
        old = self.record.members.get(bot.id) or "left"
        self.record.members[bot.id] = "member"
        store = self._emulator._store
        update = {
            "chat": self.record.as_chat(),
            "from": by.record.as_user(),
            "date": store.now_timestamp(),
            "old_chat_member": chat_member(bot.user, old),
            "new_chat_member": chat_member(bot.user, "member"),
        }
        bot.updates.push({"my_chat_member": update})
        record = store.add_message(
            self._state(bot),
            sender=by.record.as_user(),
            from_bot=False,
            content={"new_chat_members": [bot.user]},
            thread_id=None,
            reply_to=None,
        )
        bot.updates.push({"message": copy.deepcopy(record.data)})

    def add_member(self, user: EmulatedUser, status: str = "member") -> None:
        """Add a person as ``member``, ``administrator`` or ``creator``."""
        if status not in ("member", "administrator", "creator"):
            raise ValueError(f"status must be member, administrator or creator, not {status!r}")
        self.record.members[user.id] = status

    def remove_member(self, user: EmulatedUser) -> None:
        """Let a person leave the group."""
        self.record.members[user.id] = "left"

    # Topics ------------------------------------------------------------------------------------

    async def create_topic(self, name: str, *, by: EmulatedUser) -> int:
        """Let a member open a topic (the bot gets the service message); return its thread id."""
        bot = self._bot()
        state = self._state(bot)
        thread_id = state.next_message_id
        state.topics[thread_id] = TopicRecord(
            thread_id=thread_id, name=name, icon_color=TOPIC_ICON_COLORS[0]
        )
        content = {"forum_topic_created": {"name": name, "icon_color": TOPIC_ICON_COLORS[0]}}
        record = self._emulator._store.add_message(
            state, sender=by.record.as_user(), from_bot=False, content=content, thread_id=thread_id
        )
        bot.updates.push({"message": copy.deepcopy(record.data)})
        self._cursor = record.seq
        return thread_id

    def topics(self) -> dict[int, TopicRecord]:
        """The existing topics by thread id."""
        state = self._bot().chats.get(self.id)
        return dict(state.topics) if state else {}

    def topic(self, name: str) -> TopicRecord:
        """The (first) existing topic with this name.

        Raises:
            AssertionError: If there is none, listing the topics that exist.
        """
        for topic in self.topics().values():
            if topic.name == name:
                return topic
        names = [topic.name for topic in self.topics().values()]
        raise AssertionError(f"{self.title} has no topic {name!r}; topics: {names}")

    # Reading -----------------------------------------------------------------------------------

    def messages(self, thread_id: Any = ANY_THREAD) -> list[EmulatedMessage]:
        """Messages still existing in the group, oldest first; one topic if ``thread_id`` given.

        Pass ``thread_id=None`` for messages outside any topic (the General topic).
        """
        state = self._bot().chats.get(self.id)
        if state is None:
            return []
        return [
            EmulatedMessage.of(record)
            for record in state.messages.values()
            if thread_id is ANY_THREAD or record.thread_id == thread_id
        ]

    def bot_messages(self, thread_id: Any = ANY_THREAD) -> list[EmulatedMessage]:
        """The bot's messages still existing (in one topic, if given)."""
        return [message for message in self.messages(thread_id) if message.from_bot]

    def last_bot_message(self, thread_id: Any = ANY_THREAD) -> EmulatedMessage | None:
        """The newest bot message (in one topic, if given), or None."""
        messages = self.bot_messages(thread_id)
        return messages[-1] if messages else None

    async def wait_for_bot_message(
        self,
        predicate: MessagePredicate | None = None,
        *,
        thread_id: Any = ANY_THREAD,
        timeout: float = 5.0,
    ) -> EmulatedMessage:
        """Wait for a bot message in the group (in one topic, if given) after the last action.

        Same cursor semantics as :meth:`EmulatedUser.wait_for_bot_message`; the cursor moves
        with every member's action in this group.
        """

        def matches(message: EmulatedMessage) -> bool:
            in_thread = thread_id is ANY_THREAD or message.thread_id == thread_id
            return in_thread and (predicate is None or predicate(message))

        found = await self._emulator._wait_for_message(
            lambda: self._bot().chats.get(self.id),
            self._cursor,
            matches,
            timeout,
            describe=f"group {self.title!r}",
        )
        self._cursor = found[1]
        return found[0]

    # Plumbing ----------------------------------------------------------------------------------

    def _bot(self) -> BotRecord:
        return self._emulator._primary_bot()

    def _state(self, bot: BotRecord) -> ChatState:
        if self.record.members.get(bot.id) is None:
            # The bot joins every emulated group as administrator when it first looks.
            self.record.members[bot.id] = "administrator"
        return self._emulator._store.ensure_chat(bot, self.record.as_chat())

    def _state_for_member(
        self, bot: BotRecord, user: EmulatedUser, thread_id: int | None
    ) -> ChatState:
        """The chat a member writes in, checking membership and the topic."""
        if self.record.members.get(user.id) not in ("member", "administrator", "creator"):
            raise AssertionError(f"{user.first_name} is not a member of {self.title!r}")
        state = self._state(bot)
        if thread_id is not None and thread_id not in state.topics:
            raise AssertionError(f"{self.title!r} has no topic {thread_id}")
        return state
