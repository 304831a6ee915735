"""Methods that create messages: send*, copy*, forward*, plus getFile and sendChatAction."""

from __future__ import annotations

from typing import Any

from bot.emulator._content import check_reply_markup, format_caption, format_text
from bot.emulator._errors import ApiError
from bot.emulator._params import UploadedFile
from bot.emulator._records import ChatState, MessageRecord, StoredFile
from bot.emulator._registry import MethodCall, api_method

__all__ = ["media_object", "message_content"]

# method → (parameter holding the file, message field, whether it takes a caption)
_MEDIA_METHODS = {
    "sendDocument": ("document", "document", True),
    "sendPhoto": ("photo", "photo", True),
    "sendVoice": ("voice", "voice", True),
    "sendAudio": ("audio", "audio", True),
    "sendVideo": ("video", "video", True),
    "sendAnimation": ("animation", "animation", True),
    "sendSticker": ("sticker", "sticker", False),
    "sendVideoNote": ("video_note", "video_note", False),
}
_CONTENT_KEYS = (
    "text",
    "entities",
    "photo",
    "document",
    "voice",
    "audio",
    "video",
    "animation",
    "sticker",
    "video_note",
    "location",
    "venue",
    "contact",
    "poll",
    "caption",
    "caption_entities",
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def media_object(stored: StoredFile, kind: str, **extra: Any) -> Any:
    """Return the message field for a file sent as ``kind`` (PhotoSize list, Voice, ...)."""
    common = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }
    if kind == "photo":
        return [{**common, "width": 1280, "height": 960}]
    if kind == "sticker":
        return {
            **common,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    shaped: dict[str, Any] = dict(common)
    if kind in ("voice", "audio", "video", "animation", "video_note"):
        shaped["duration"] = extra.get("duration", 3)
    if kind in ("video", "animation"):
        shaped.update(width=640, height=480)
    if kind == "video_note":
        shaped["length"] = 240
    if kind in ("document", "audio", "video", "animation") and stored.file_name:
        shaped["file_name"] = stored.file_name
    if kind != "video_note" and stored.mime_type:
        shaped["mime_type"] = stored.mime_type
    return shaped


def message_content(record: MessageRecord) -> dict[str, Any]:
    """Return the content fields of a message (what copyMessage and forwardMessage carry)."""
    return {key: record.data[key] for key in _CONTENT_KEYS if key in record.data}


def _resolve_file(call: MethodCall, value: Any, kind: str) -> StoredFile:
    store = call.store
    if isinstance(value, str) and value.startswith("attach://"):
        value = call.uploads.get(value.removeprefix("attach://"))
        if value is None:
            raise ApiError.bad_request("wrong file identifier/HTTP URL specified")
    if isinstance(value, UploadedFile):
        if not value.content:
            raise ApiError.bad_request("file must be non-empty")
        return store.add_file(
            value.content, kind, file_name=value.filename or None, mime_type=value.content_type
        )
    if value in store.files:
        return store.files[value]
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        # Telegram would download the URL; the emulator has no internet, so it keeps a stand-in.
        name = value.rstrip("/").rpartition("/")[2] or None
        return store.add_file(b"", kind, file_name=name)
    raise ApiError.bad_request("wrong file identifier/HTTP URL specified")


def _target(call: MethodCall) -> tuple[ChatState, int | None, MessageRecord | None]:
    """Return the chat, topic and replied-to message a new message goes to."""
    state = call.chat()
    thread_id = call.get("message_thread_id")
    if thread_id is not None and thread_id not in state.topics:
        raise ApiError.bad_request("message thread not found")
    reply = None
    parameters = call.get("reply_parameters")
    if parameters:
        reply = state.messages.get(parameters["message_id"])
        if reply is None and not parameters.get("allow_sending_without_reply"):
            raise ApiError.bad_request("message to be replied not found")
    return state, thread_id, reply


def post_bot_message(call: MethodCall, content: dict[str, Any]) -> MessageRecord:
    """Store a message the bot sends to the chat in ``chat_id`` and return it."""
    markup = call.get("reply_markup")
    check_reply_markup(markup)
    state, thread_id, reply = _target(call)
    if markup and "inline_keyboard" in markup:
        # Only inline keyboards belong to a message; reply keyboards belong to the chat.
        content = {**content, "reply_markup": markup}
    elif markup and "keyboard" in markup:
        state.reply_keyboard = markup
    elif markup and markup.get("remove_keyboard"):
        state.reply_keyboard = None
    return call.store.add_message(
        state,
        sender=call.bot.user,
        from_bot=True,
        content=content,
        thread_id=thread_id,
        reply_to=reply,
    )


def _caption_content(call: MethodCall) -> dict[str, Any]:
    caption, entities = format_caption(
        call.get("caption"), call.get("parse_mode"), call.get("caption_entities")
    )
    content: dict[str, Any] = {}
    if caption:
        content["caption"] = caption
    if entities:
        content["caption_entities"] = entities
    return content


@api_method("sendMessage")
async def send_message(call: MethodCall) -> dict[str, Any]:
    """Send a text message."""
    text, entities = format_text(call.get("text"), call.get("parse_mode"), call.get("entities"))
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    if call.get("link_preview_options"):
        content["link_preview_options"] = call.get("link_preview_options")
    return post_bot_message(call, content).data


@api_method(*_MEDIA_METHODS)
async def send_media(call: MethodCall) -> dict[str, Any]:
    """Send a file: a new upload, a known file_id, or a URL."""
    parameter, kind, has_caption = _MEDIA_METHODS[call.method]
    content = _caption_content(call) if has_caption else {}
    stored = _resolve_file(call, call.params[parameter], kind)
    content[kind] = media_object(stored, kind, duration=call.get("duration", 3))
    return post_bot_message(call, content).data


@api_method("sendMediaGroup")
async def send_media_group(call: MethodCall) -> list[dict[str, Any]]:
    """Send 2-10 media as an album; every message shares a media_group_id."""
    media = call.params["media"]
    if not 2 <= len(media) <= 10:
        raise ApiError.bad_request("wrong number of media in the album: must be 2-10")
    group_id = str(13000000000000000 + call.store.next_seq())
    messages = []
    for item in media:
        kind = item["type"]
        caption, entities = format_caption(
            item.get("caption"), item.get("parse_mode"), item.get("caption_entities")
        )
        content: dict[str, Any] = {"media_group_id": group_id}
        content[kind] = media_object(_resolve_file(call, item["media"], kind), kind)
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        messages.append(post_bot_message(call, content).data)
    return messages


@api_method("sendLocation")
async def send_location(call: MethodCall) -> dict[str, Any]:
    """Send a point on the map."""
    location = {"latitude": call.params["latitude"], "longitude": call.params["longitude"]}
    return post_bot_message(call, {"location": location}).data


@api_method("sendVenue")
async def send_venue(call: MethodCall) -> dict[str, Any]:
    """Send a venue (a named place with an address)."""
    location = {"latitude": call.params["latitude"], "longitude": call.params["longitude"]}
    venue = {"location": location, "title": call.params["title"], "address": call.params["address"]}
    return post_bot_message(call, {"venue": venue, "location": location}).data


@api_method("sendContact")
async def send_contact(call: MethodCall) -> dict[str, Any]:
    """Send a phone contact."""
    contact = {"phone_number": call.params["phone_number"], "first_name": call.params["first_name"]}
    if call.get("last_name"):
        contact["last_name"] = call.get("last_name")
    return post_bot_message(call, {"contact": contact}).data


@api_method("sendChatAction")
async def send_chat_action(call: MethodCall) -> bool:
    """Show "typing…" and similar; recorded per chat for tests."""
    if call.params["action"] not in _CHAT_ACTIONS:
        raise ApiError.bad_request("wrong parameter action in request")
    state, _, _ = _target(call)
    state.chat_actions.append(call.params["action"])
    return True


def _copy_source(call: MethodCall, message_id: int, verb: str) -> MessageRecord:
    source_chat = call.chat("from_chat_id")
    record = call.message(source_chat, message_id, f"message to {verb} not found")
    if not message_content(record):
        # Service messages (topic created, member joined) have no content to carry over.
        participle = "copied" if verb == "copy" else "forwarded"
        raise ApiError.bad_request(f"message can't be {participle}")
    return record


def _copy(call: MethodCall, message_id: int, *, caption_override: bool) -> MessageRecord:
    content = message_content(_copy_source(call, message_id, "copy"))
    if caption_override and call.get("caption") is not None:
        content.pop("caption", None)
        content.pop("caption_entities", None)
        content.update(_caption_content(call))
    return post_bot_message(call, content)


def _forward(call: MethodCall, message_id: int) -> MessageRecord:
    source = _copy_source(call, message_id, "forward")
    origin = {"type": "user", "sender_user": source.data["from"], "date": source.data["date"]}
    return post_bot_message(call, {"forward_origin": origin, **message_content(source)})


def _message_ids(call: MethodCall) -> list[int]:
    ids = call.params["message_ids"]
    if not 1 <= len(ids) <= 100:
        raise ApiError.bad_request("message_ids must contain 1-100 message identifiers")
    if ids != sorted(ids):
        raise ApiError.bad_request("message identifiers must be in strictly increasing order")
    return ids


@api_method("copyMessage")
async def copy_message(call: MethodCall) -> dict[str, int]:
    """Copy a message (media keeps its file_id) without a link to the original."""
    return {"message_id": _copy(call, call.params["message_id"], caption_override=True).message_id}


@api_method("copyMessages")
async def copy_messages(call: MethodCall) -> list[dict[str, int]]:
    """Copy several messages; missing ones are skipped."""
    source_chat = call.chat("from_chat_id")
    ids = [m for m in _message_ids(call) if m in source_chat.messages]
    return [{"message_id": _copy(call, m, caption_override=False).message_id} for m in ids]


@api_method("forwardMessage")
async def forward_message(call: MethodCall) -> dict[str, Any]:
    """Forward a message, adding forward_origin."""
    return _forward(call, call.params["message_id"]).data


@api_method("forwardMessages")
async def forward_messages(call: MethodCall) -> list[dict[str, int]]:
    """Forward several messages; missing ones are skipped."""
    source_chat = call.chat("from_chat_id")
    ids = [m for m in _message_ids(call) if m in source_chat.messages]
    return [{"message_id": _forward(call, m).message_id} for m in ids]


@api_method("getFile")
async def get_file(call: MethodCall) -> dict[str, Any]:
    """Describe a known file and where to download it (under /file/bot<token>/)."""
    stored = call.store.files.get(call.params["file_id"])
    if stored is None:
        raise ApiError.bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }
