"""What a person or coordinator sent, reduced to what a contact request keeps: kind, text, file."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Message

__all__ = ["MessageParts", "parts_of"]


@dataclass(frozen=True, slots=True)
class MessageParts:
    """The kind of a message (text, voice, photo …), its text or caption, and its file id."""

    kind: str
    body: str | None
    file_id: str | None


def parts_of(message: Message) -> MessageParts | None:
    """The parts of ``message``, or None for content a request cannot carry (stickers, polls …)."""
    if message.text is not None:
        return MessageParts("text", message.text, None)
    caption = message.caption
    if message.voice is not None:
        return MessageParts("voice", caption, message.voice.file_id)
    if message.photo:
        return MessageParts("photo", caption, message.photo[-1].file_id)
    if message.document is not None:
        return MessageParts("document", caption, message.document.file_id)
    if message.audio is not None:
        return MessageParts("audio", caption, message.audio.file_id)
    if message.video is not None:
        return MessageParts("video", caption, message.video.file_id)
    return None
