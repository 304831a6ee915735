"""The test API for people: emulated users who write, press buttons and read their chats."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.emulator._records import BotRecord, CallbackQueryRecord, ChatState, PersonRecord
from bot.emulator._text import detect_entities
from bot.emulator._views import EmulatedMessage

if TYPE_CHECKING:
    from bot.emulator._emulator import BotApiEmulator
    from bot.emulator._groups import EmulatedGroup

__all__ = ["ANY_THREAD", "EmulatedUser", "MessagePredicate"]

MessagePredicate = Callable[[EmulatedMessage], bool]
ANY_THREAD: Any = object()
"""Pass as ``thread_id`` to read messages of every topic of a forum."""
_DEFAULT_CONTENT = {
    "voice": (b"OggS\x00\x02emulated-voice", "audio/ogg"),
    "photo": (b"\xff\xd8\xff\xe0emulated-photo", "image/jpeg"),
    "sticker": (b"RIFFemulated-sticker", "image/webp"),
}


class EmulatedUser:
    """A person talking to the bot, in their private chat or in groups.

    Every action enqueues the update Telegram would send (valid for PTB's ``Update.de_json``) and
    moves this user's read cursor, so :meth:`wait_for_bot_message` returns what the bot did
    *after* the action. Create users with :meth:`BotApiEmulator.add_user`.
    """

    def __init__(self, emulator: BotApiEmulator, record: PersonRecord) -> None:
        self._emulator = emulator
        self.record = record
        self._cursors: dict[int, int] = {}

    @property
    def id(self) -> int:
        """The user id (also the id of the private chat with the bot)."""
        return self.record.id

    @property
    def first_name(self) -> str:
        """The first name."""
        return self.record.first_name

    @property
    def language_code(self) -> str | None:
        """The language the Telegram app reports for this user."""
        return self.record.language_code

    def __repr__(self) -> str:
        return f"EmulatedUser(id={self.id}, first_name={self.first_name!r})"

    # Writing -----------------------------------------------------------------------------------

    async def send_text(
        self,
        text: str,
        *,
        chat: EmulatedGroup | None = None,
        thread_id: int | None = None,
        reply_to: EmulatedMessage | int | None = None,
    ) -> EmulatedMessage:
        """Write a text message; ``/commands``, URLs and @mentions get their entities.

        Args:
            text: The text as typed.
            chat: A group to write in; the private chat with the bot when None.
            thread_id: The forum topic to write in.
            reply_to: The message (or its id) this one replies to.

        Returns:
            The message as stored.
        """
        content: dict[str, Any] = {"text": text}
        entities = detect_entities(text, [])
        if entities:
            content["entities"] = entities
        return self._post(content, chat=chat, thread_id=thread_id, reply_to=reply_to)

    async def share_location(
        self, latitude: float, longitude: float, *, chat: EmulatedGroup | None = None
    ) -> EmulatedMessage:
        """Send a location (as the paperclip menu or a location button does)."""
        return self._post({"location": {"latitude": latitude, "longitude": longitude}}, chat=chat)

    async def share_contact(self, phone_number: str | None = None) -> EmulatedMessage:
        """Send this user's own contact (as a contact-request button does)."""
        contact = {
            "phone_number": phone_number or self.record.phone_number,
            "first_name": self.first_name,
            "user_id": self.id,
        }
        return self._post({"contact": contact})

    async def send_voice(
        self, duration: int = 3, content: bytes | None = None, **where: Any
    ) -> EmulatedMessage:
        """Send a voice message (the bytes are downloadable by the bot via getFile)."""
        return self._post_media("voice", content, {"duration": duration}, **where)

    async def send_photo(
        self, content: bytes | None = None, *, caption: str | None = None, **where: Any
    ) -> EmulatedMessage:
        """Send a photo."""
        return self._post_media("photo", content, {}, caption=caption, **where)

    async def send_document(
        self,
        filename: str = "document.pdf",
        content: bytes = b"%PDF-1.4 emulated",
        *,
        mime_type: str = "application/pdf",
        caption: str | None = None,
        **where: Any,
    ) -> EmulatedMessage:
        """Send a file as a document."""
        stored = self._store.add_file(content, "document", file_name=filename, mime_type=mime_type)
        return self._post_file(stored, "document", {}, caption=caption, **where)

    async def send_sticker(self, **where: Any) -> EmulatedMessage:
        """Send a sticker (content a text bot usually does not understand)."""
        return self._post_media("sticker", None, {}, **where)

    async def send_poll(
        self, question: str = "Which?", options: tuple[str, ...] = ("Yes", "No"), **where: Any
    ) -> EmulatedMessage:
        """Send a poll (content a text bot usually does not understand)."""
        poll = {
            "id": str(5000000000000000000 + self._store.next_seq()),
            "question": question,
            "options": [{"text": option, "voter_count": 0} for option in options],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
        }
        return self._post({"poll": poll}, **where)

    def _post_media(
        self, kind: str, content: bytes | None, extra: dict[str, Any], **where: Any
    ) -> EmulatedMessage:
        default, mime_type = _DEFAULT_CONTENT[kind]
        stored = self._store.add_file(content or default, kind, mime_type=mime_type)
        return self._post_file(stored, kind, extra, **where)

    def _post_file(
        self, stored: Any, kind: str, extra: dict[str, Any], caption: str | None = None, **where
    ) -> EmulatedMessage:
        from bot.emulator._methods_send import media_object  # the bot's and users' media match

        content: dict[str, Any] = {kind: media_object(stored, kind, **extra)}
        if caption:
            content["caption"] = caption
        return self._post(content, **where)

    # Buttons -----------------------------------------------------------------------------------

    async def press_button(
        self, text_or_data: str, *, message: EmulatedMessage | None = None
    ) -> CallbackQueryRecord:
        """Press an inline button, found by its text or callback_data.

        Args:
            text_or_data: The button's text or callback_data.
            message: The message carrying the button (also in a group); by default the latest
                bot message in the private chat that has such a button. A snapshot of a message
                the bot has deleted since can still be pressed, as on a phone that has not yet
                caught up with the deletion.

        Returns:
            The callback query; its ``answered`` turns True once the bot answers it.

        Raises:
            AssertionError: If no such button exists, listing the buttons that do.
        """
        bot = self._bot()
        state = bot.chats.get(message.chat_id) if message else self._private_state(bot)
        if state is None:
            raise AssertionError(f"the bot has no chat {message.chat_id}")
        if message is not None:
            record = state.messages.get(message.message_id)
            candidates = [EmulatedMessage.of(record) if record is not None else message]
        else:
            candidates = [
                EmulatedMessage.of(record)
                for record in reversed(state.messages.values())
                if record.from_bot
            ]
        for shown in candidates:
            button = shown.button(text_or_data)
            if button is None:
                continue
            if "callback_data" not in button:
                raise AssertionError(f"button {button['text']!r} has no callback_data: {button}")
            return self._callback(bot, state, shown.raw, button["callback_data"])
        available = [str(EmulatedMessage.of(r)) for r in state.messages.values() if r.from_bot]
        raise AssertionError(
            f"{self.first_name} sees no inline button {text_or_data!r}; bot messages with "
            f"buttons: {[line for line in available if '[' in line] or 'none'}"
        )

    def reply_keyboard(self) -> list[list[dict[str, Any]]]:
        """The rows of the reply keyboard the bot currently shows me (empty when none)."""
        keyboard = self._private_state(self._bot()).reply_keyboard
        return keyboard["keyboard"] if keyboard else []

    async def send_callback_data(
        self, data: str, *, message: EmulatedMessage | None = None
    ) -> CallbackQueryRecord:
        """Send a callback query with any data on a bot message, as a forged client could.

        Args:
            data: The callback data, which need not belong to any button.
            message: The bot message it is pressed on; by default the latest bot message.
        """
        bot = self._bot()
        state = bot.chats.get(message.chat_id) if message else self._private_state(bot)
        records = [r for r in reversed(state.messages.values()) if r.from_bot] if state else []
        if message is not None and state is not None:
            records = [state.messages[message.message_id]]
        if not records:
            raise AssertionError(f"{self.first_name} has no bot message to press on")
        return self._callback(bot, state, records[0].data, data)

    def _callback(
        self, bot: BotRecord, state: ChatState, message: dict[str, Any], data: str
    ) -> CallbackQueryRecord:
        query = self._store.new_callback_query(
            bot, self.record, state.id, message["message_id"], data
        )
        instance = hashlib.sha256(f"{bot.id}:{state.id}".encode()).hexdigest()[:16]
        bot.updates.push(
            {
                "callback_query": {
                    "id": query.id,
                    "from": self.record.as_user(),
                    "message": copy.deepcopy(message),
                    "chat_instance": str(int(instance, 16)),
                    "data": data,
                }
            }
        )
        self._cursors[state.id] = self._store.next_seq()
        return query

    async def press_reply_button(
        self, text: str, *, location: tuple[float, float] = (51.5136, 7.4653)
    ) -> EmulatedMessage:
        """Press a button of the reply keyboard the bot currently shows in the private chat.

        A ``request_location`` button shares ``location``; a ``request_contact`` button shares
        this user's phone number; any other button sends its text.

        Raises:
            AssertionError: If the current keyboard has no such button (or there is none).
        """
        keyboard = self._private_state(self._bot()).reply_keyboard
        rows = keyboard["keyboard"] if keyboard else []
        buttons = [b if isinstance(b, dict) else {"text": b} for row in rows for b in row]
        for button in buttons:
            if button["text"] != text:
                continue
            if button.get("request_location"):
                return await self.share_location(*location)
            if button.get("request_contact"):
                return await self.share_contact()
            return await self.send_text(text)
        raise AssertionError(
            f"{self.first_name} sees no reply button {text!r}; the reply keyboard has "
            f"{[button['text'] for button in buttons] or 'no buttons (none is shown)'}"
        )

    def mark_started(self) -> None:
        """The person started the bot earlier (people seeded into the bot's database, e.g. for a
        benchmark): the bot may write to them. No update is sent."""
        self.record.started_bots.add(self._bot().id)

    # Blocking ----------------------------------------------------------------------------------

    async def block_bot(self) -> None:
        """Block the bot: sends to this user fail with 403 and the bot gets ``my_chat_member``."""
        bot = self._bot()
        if bot.id not in self.record.blocked_bots:
            self.record.blocked_bots.add(bot.id)
            self._push_my_chat_member(bot, "member", "kicked")

    async def unblock_bot(self) -> None:
        """Unblock the bot (as the "Restart" button does, without sending /start)."""
        bot = self._bot()
        if bot.id in self.record.blocked_bots:
            self.record.blocked_bots.discard(bot.id)
            self._push_my_chat_member(bot, "kicked", "member")

    def _push_my_chat_member(self, bot: BotRecord, old: str, new: str) -> None:
        from bot.emulator._methods_chats import chat_member

        update = {
            "chat": self.record.as_private_chat(),
            "from": self.record.as_user(),
            "date": self._store.now_timestamp(),
            "old_chat_member": chat_member(bot.user, old),
            "new_chat_member": chat_member(bot.user, new),
        }
        bot.updates.push({"my_chat_member": update})

    # Reading -----------------------------------------------------------------------------------

    def messages(self) -> list[EmulatedMessage]:
        """All messages that still exist in the private chat with the bot, oldest first."""
        state = self._bot().chats.get(self.id)
        return [EmulatedMessage.of(record) for record in state.messages.values()] if state else []

    def bot_messages(self) -> list[EmulatedMessage]:
        """The bot's messages that still exist in the private chat, oldest first."""
        return [message for message in self.messages() if message.from_bot]

    def last_bot_message(self) -> EmulatedMessage | None:
        """The newest bot message still existing in the private chat, or None."""
        messages = self.bot_messages()
        return messages[-1] if messages else None

    def chat_actions(self) -> list[str]:
        """The chat actions ("typing", ...) the bot sent to the private chat, in order."""
        state = self._bot().chats.get(self.id)
        return list(state.chat_actions) if state else []

    async def wait_for_bot_message(
        self, predicate: MessagePredicate | None = None, *, timeout: float = 5.0
    ) -> EmulatedMessage:
        """Wait for the bot to send or edit a message in the private chat after my last action.

        Returns the oldest such message matching ``predicate`` and moves the cursor past it, so
        consecutive calls return consecutive messages. Waits on state changes, never by polling.

        Raises:
            AssertionError: If nothing matching arrived within ``timeout`` seconds.
        """
        bot = self._bot()
        found = await self._emulator._wait_for_message(
            lambda: bot.chats.get(self.id),
            self._cursors.get(self.id, 0),
            predicate,
            timeout,
            describe=f"{self.first_name}'s private chat",
        )
        self._cursors[self.id] = found[1]
        return found[0]

    # Plumbing ----------------------------------------------------------------------------------

    @property
    def _store(self):
        return self._emulator._store

    def _bot(self) -> BotRecord:
        return self._emulator._primary_bot()

    def _private_state(self, bot: BotRecord) -> ChatState:
        return self._store.ensure_chat(bot, self.record.as_private_chat())

    def _post(
        self,
        content: dict[str, Any],
        *,
        chat: EmulatedGroup | None = None,
        thread_id: int | None = None,
        reply_to: EmulatedMessage | int | None = None,
    ) -> EmulatedMessage:
        bot = self._bot()
        if chat is None:
            if bot.id in self.record.blocked_bots:
                # Writing to a blocked bot unblocks it, as the Telegram apps do.
                self.record.blocked_bots.discard(bot.id)
                self._push_my_chat_member(bot, "kicked", "member")
            self.record.started_bots.add(bot.id)
            state = self._private_state(bot)
        else:
            state = chat._state_for_member(bot, self, thread_id)
        reply_id = reply_to.message_id if isinstance(reply_to, EmulatedMessage) else reply_to
        reply = state.messages.get(reply_id) if reply_id is not None else None
        if reply_id is not None and reply is None:
            raise AssertionError(f"message {reply_id} to reply to does not exist in the chat")
        record = self._store.add_message(
            state,
            sender=self.record.as_user(),
            from_bot=False,
            content=content,
            thread_id=thread_id,
            reply_to=reply,
        )
        if chat is None or chat.bot_status in ("member", "administrator"):
            # A group the bot has left sends it nothing more.
            bot.updates.push({"message": copy.deepcopy(record.data)})
        self._cursors[state.id] = record.seq
        if chat is not None:
            chat._cursor = record.seq
        return EmulatedMessage.of(record)
