"""The emulated world's state and the id counters Telegram would own."""

from __future__ import annotations

import base64
import datetime as dtm
import itertools
import secrets
from collections.abc import Callable
from typing import Any

from bot.emulator._errors import ApiError
from bot.emulator._records import (
    BotRecord,
    CallbackQueryRecord,
    ChatState,
    GroupRecord,
    MessageRecord,
    PersonRecord,
    StoredFile,
)
from bot.emulator._signal import ChangeSignal
from bot.emulator._updates import UpdateQueue

__all__ = ["Clock", "Store", "utc_now"]

Clock = Callable[[], dtm.datetime]
"""A callable returning the current time as an aware UTC datetime."""


def utc_now() -> dtm.datetime:
    """The default clock: the real time in UTC."""
    return dtm.datetime.now(dtm.UTC)


class Store:
    """All state of one emulator, with the id counters Telegram would own.

    Args:
        clock: Returns the current time (aware, UTC); message dates and age rules use it.
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.changed = ChangeSignal()
        self.bots_by_token: dict[str, BotRecord] = {}
        self.people: dict[int, PersonRecord] = {}
        self.groups: dict[int, GroupRecord] = {}
        self.files: dict[str, StoredFile] = {}
        self._seq = itertools.count(1)
        self._bot_ids = itertools.count(7000000001)
        self._person_ids = itertools.count(100000001)
        self._group_ids = itertools.count(1)
        self._file_numbers = itertools.count(1)
        self._query_ids = itertools.count(1)

    def next_seq(self) -> int:
        """A number that increases with every change, to order messages and edits."""
        return next(self._seq)

    def now_timestamp(self) -> int:
        """The clock's time as Unix seconds, the form of every ``date`` field."""
        return int(self.clock().timestamp())

    # Bots and people ---------------------------------------------------------------------------

    def add_bot(self, token: str | None, username: str, first_name: str) -> BotRecord:
        """Register a bot; a token is generated in Telegram's format unless given."""
        bot_id = int(token.split(":", 1)[0]) if token else next(self._bot_ids)
        token = token or f"{bot_id}:AA{secrets.token_urlsafe(33)[:33]}"
        user = {
            "id": bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        bot = BotRecord(id=bot_id, token=token, user=user, updates=UpdateQueue(self.changed))
        self.bots_by_token[token] = bot
        return bot

    def add_person(self, **details: Any) -> PersonRecord:
        """Create an emulated user with the next free id."""
        person = PersonRecord(id=next(self._person_ids), **details)
        self.people[person.id] = person
        return person

    def add_group(self, title: str, *, supergroup: bool, forum: bool) -> GroupRecord:
        """Create a group (negative id) or supergroup (id starting with -100)."""
        number = next(self._group_ids)
        chat_id = -(1000000000000 + 1000000000 + number) if supergroup else -(4000000000 + number)
        group = GroupRecord(
            id=chat_id, title=title, type="supergroup" if supergroup else "group", is_forum=forum
        )
        self.groups[chat_id] = group
        return group

    # Chats and messages ------------------------------------------------------------------------

    def chat_state(self, bot: BotRecord, chat_id: int | str) -> ChatState:
        """Return the bot's view of a chat, or fail as Telegram does for chats it cannot reach.

        Raises:
            ApiError: ``chat not found`` for unknown ids and groups without the bot; 403 for a
                private chat whose user never started the bot or blocked it.
        """
        chat_id = self._resolve_chat_id(chat_id)
        if chat_id in self.people:
            person = self.people[chat_id]
            if bot.id in person.blocked_bots:
                raise ApiError.blocked()
            if bot.id not in person.started_bots:
                raise ApiError.forbidden("bot can't initiate conversation with a user")
            return self.ensure_chat(bot, person.as_private_chat())
        group = self.groups.get(chat_id)
        if group is None or group.members.get(bot.id) not in ("administrator", "member"):
            raise ApiError.chat_not_found()
        return self.ensure_chat(bot, group.as_chat())

    def ensure_chat(self, bot: BotRecord, chat: dict[str, Any]) -> ChatState:
        """Return the bot's view of a chat, creating it on first contact."""
        state = bot.chats.get(chat["id"])
        if state is None:
            state = bot.chats[chat["id"]] = ChatState(chat=chat)
        return state

    def _resolve_chat_id(self, chat_id: int | str) -> int:
        if isinstance(chat_id, int):
            return chat_id
        if chat_id.lstrip("-").isdigit():
            return int(chat_id)
        username = chat_id.removeprefix("@").lower()
        for person in self.people.values():
            if person.username and person.username.lower() == username:
                return person.id
        raise ApiError.chat_not_found()

    def add_message(
        self,
        state: ChatState,
        *,
        sender: dict[str, Any],
        from_bot: bool,
        content: dict[str, Any],
        thread_id: int | None = None,
        reply_to: MessageRecord | None = None,
    ) -> MessageRecord:
        """Store a new message with the next id, the clock's date and the thread's reply quirk.

        In forum topics Telegram sets ``reply_to_message`` of a message that replies to nothing
        to the topic's creation message; bots that treat every reply as a reply to one of their
        own messages trip over this, so the emulator reproduces it.
        """
        message_id = state.next_message_id
        state.next_message_id += 1
        data: dict[str, Any] = {
            "message_id": message_id,
            "from": sender,
            "chat": state.chat,
            "date": self.now_timestamp(),
        }
        if thread_id is not None:
            data["message_thread_id"] = thread_id
            data["is_topic_message"] = True
            if reply_to is None:
                reply_to = state.messages.get(thread_id)
        if reply_to is not None:
            data["reply_to_message"] = reply_to.as_reply()
        data.update(content)
        record = MessageRecord(data=data, from_bot=from_bot, seq=self.next_seq())
        state.messages[message_id] = record
        self.changed.notify()
        return record

    def touch(self, record: MessageRecord) -> None:
        """Mark a message as changed (edited) so waiters see it again."""
        record.seq = self.next_seq()
        self.changed.notify()

    # Files and callback queries ----------------------------------------------------------------

    def add_file(
        self,
        content: bytes,
        kind: str,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        """Store file content and give it ids shaped like Telegram's."""
        number = next(self._file_numbers)
        token = base64.urlsafe_b64encode(f"lotse-emulator:{kind}:{number:08d}".encode()).decode()
        unique = base64.urlsafe_b64encode(f"u{number:08d}".encode()).decode().rstrip("=")
        extension = (
            (file_name or "").rpartition(".")[2] if file_name and "." in file_name else "bin"
        )
        stored = StoredFile(
            file_id=f"BQACAgIAAxk{token.rstrip('=')}",
            file_unique_id=f"AQAD{unique}",
            content=content,
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
            file_path=f"{kind}s/file_{number}.{extension}",
        )
        self.files[stored.file_id] = stored
        return stored

    def new_callback_query(
        self, bot: BotRecord, person: PersonRecord, chat_id: int, message_id: int, data: str
    ) -> CallbackQueryRecord:
        """Record a button press and return it with a fresh query id."""
        query = CallbackQueryRecord(
            id=str(4000000000000000000 + next(self._query_ids)),
            user_id=person.id,
            chat_id=chat_id,
            message_id=message_id,
            data=data,
            created=self.clock(),
        )
        bot.callback_queries[query.id] = query
        return query
