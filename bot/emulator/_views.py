"""Read-only snapshots of messages for test assertions."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from bot.emulator._records import MessageRecord
from bot.emulator._text import entity_text

__all__ = ["EmulatedMessage"]

_KINDS = (
    "text",
    "photo",
    "document",
    "voice",
    "audio",
    "video",
    "animation",
    "sticker",
    "video_note",
    "venue",
    "location",
    "contact",
    "poll",
    "forum_topic_created",
    "forum_topic_edited",
    "forum_topic_closed",
    "forum_topic_reopened",
)


@dataclass(frozen=True)
class EmulatedMessage:
    """A message as a person in the chat sees it at the moment of the snapshot.

    Attributes:
        raw: The full ``Message`` JSON (a copy; changing it changes nothing).
        from_bot: Whether the bot sent it.
    """

    raw: dict[str, Any]
    from_bot: bool

    @classmethod
    def of(cls, record: MessageRecord) -> EmulatedMessage:
        """Snapshot a stored message."""
        return cls(raw=copy.deepcopy(record.data), from_bot=record.from_bot)

    @property
    def message_id(self) -> int:
        """The message id within its chat."""
        return self.raw["message_id"]

    @property
    def chat_id(self) -> int:
        """The chat id."""
        return self.raw["chat"]["id"]

    @property
    def kind(self) -> str:
        """What the message is: ``"text"``, ``"photo"``, ``"voice"``, ``"forum_topic_created"``…"""
        return next((kind for kind in _KINDS if kind in self.raw), "other")

    @property
    def text(self) -> str | None:
        """The text, or the caption of a media message, as the user sees it (no markup)."""
        return self.raw.get("text", self.raw.get("caption"))

    @property
    def entities(self) -> list[dict[str, Any]]:
        """The entities of the text or caption (offsets in UTF-16 code units)."""
        return self.raw.get("entities", self.raw.get("caption_entities", []))

    @property
    def thread_id(self) -> int | None:
        """The forum topic id, or None."""
        return self.raw.get("message_thread_id")

    @property
    def reply_to_message_id(self) -> int | None:
        """The id of the message this one replies to (in topics: the topic's first message)."""
        reply = self.raw.get("reply_to_message")
        return reply["message_id"] if reply else None

    @property
    def edited(self) -> bool:
        """Whether the message was edited."""
        return "edit_date" in self.raw

    @property
    def file_id(self) -> str | None:
        """The file_id of the media (largest photo size for photos), or None."""
        media = self.raw.get(self.kind)
        if isinstance(media, list) and media:
            media = media[-1]
        return media.get("file_id") if isinstance(media, dict) else None

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        """The inline keyboard (``{"inline_keyboard": [...]}``), or None."""
        return self.raw.get("reply_markup")

    @property
    def button_rows(self) -> list[list[dict[str, Any]]]:
        """The inline keyboard's rows of buttons (empty without a keyboard)."""
        return (self.reply_markup or {}).get("inline_keyboard", [])

    @property
    def buttons(self) -> list[str]:
        """The texts of all inline buttons, row by row."""
        return [button["text"] for row in self.button_rows for button in row]

    def button(self, text_or_data: str) -> dict[str, Any] | None:
        """Return the inline button with this text or callback_data, or None."""
        for row in self.button_rows:
            for button in row:
                if text_or_data in (button["text"], button.get("callback_data")):
                    return button
        return None

    def entity_texts(self, kind: str) -> list[str]:
        """Return the texts covered by entities of one type, e.g. ``"bold"`` or ``"text_link"``."""
        return [
            entity_text(self.text or "", entity)
            for entity in self.entities
            if entity["type"] == kind
        ]

    def links(self) -> dict[str, str]:
        """Return link text → URL for every ``text_link`` entity."""
        return {
            entity_text(self.text or "", entity): entity["url"]
            for entity in self.entities
            if entity["type"] == "text_link"
        }

    def __str__(self) -> str:
        author = "bot" if self.from_bot else self.raw.get("from", {}).get("first_name", "?")
        body = self.text if self.text is not None else f"<{self.kind}>"
        buttons = f" {self.buttons}" if self.buttons else ""
        return f"#{self.message_id} {author}: {body}{buttons}"
