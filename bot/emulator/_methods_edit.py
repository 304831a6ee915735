"""Methods that change or remove messages, and answerCallbackQuery."""

from __future__ import annotations

import datetime as dtm
from typing import Any

from bot.emulator._content import check_reply_markup, format_caption, format_text
from bot.emulator._errors import ApiError
from bot.emulator._records import ChatState, MessageRecord
from bot.emulator._registry import MethodCall, api_method

__all__ = ["CALLBACK_ANSWER_TIMEOUT", "DELETE_WINDOW"]

DELETE_WINDOW = dtm.timedelta(hours=48)
"""Messages older than this (by the emulator's clock) cannot be deleted for everyone."""
CALLBACK_ANSWER_TIMEOUT = dtm.timedelta(seconds=15)
"""Answers later than this after the press (by the clock) fail as "query is too old"."""
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_MEDIA_KEYS = ("photo", "document", "voice", "audio", "video", "animation")


def _editable(call: MethodCall) -> tuple[ChatState, MessageRecord]:
    if call.get("inline_message_id") is not None:
        raise ApiError.bad_request("inline messages are not supported by the emulator")
    if call.get("chat_id") is None or call.get("message_id") is None:
        raise ApiError.bad_request(
            'parameters "chat_id" and "message_id" are required without inline_message_id'
        )
    state = call.chat()
    record = call.message(state, call.params["message_id"], "message to edit not found")
    if not record.from_bot:
        raise ApiError.bad_request("message can't be edited")
    return state, record


def _apply_edit(call: MethodCall, record: MessageRecord, changes: dict[str, Any]) -> Any:
    """Apply new content fields and the new reply markup, or fail if nothing changes.

    An edit without ``reply_markup`` removes the message's inline keyboard, as on Telegram.
    """
    markup = call.get("reply_markup")
    check_reply_markup(markup)
    markup = markup if markup and markup.get("inline_keyboard") else None
    current = {key: record.data.get(key) for key in changes}
    if current == changes and record.data.get("reply_markup") == markup:
        raise ApiError.bad_request(_NOT_MODIFIED)
    for key, value in changes.items():
        if value:
            record.data[key] = value
        else:
            record.data.pop(key, None)
    if markup:
        record.data["reply_markup"] = markup
    else:
        record.data.pop("reply_markup", None)
    record.data["edit_date"] = call.store.now_timestamp()
    call.store.touch(record)
    return record.data


@api_method("editMessageText")
async def edit_message_text(call: MethodCall) -> Any:
    """Replace the text (and keyboard) of a bot message."""
    _, record = _editable(call)
    if "text" not in record.data:
        raise ApiError.bad_request("there is no text in the message to edit")
    text, entities = format_text(call.get("text"), call.get("parse_mode"), call.get("entities"))
    return _apply_edit(call, record, {"text": text, "entities": entities or None})


@api_method("editMessageCaption")
async def edit_message_caption(call: MethodCall) -> Any:
    """Replace the caption (and keyboard) of a bot media message."""
    _, record = _editable(call)
    if not any(key in record.data for key in _MEDIA_KEYS):
        raise ApiError.bad_request("there is no caption in the message to edit")
    caption, entities = format_caption(
        call.get("caption"), call.get("parse_mode"), call.get("caption_entities")
    )
    return _apply_edit(
        call, record, {"caption": caption or None, "caption_entities": entities or None}
    )


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(call: MethodCall) -> Any:
    """Replace or remove the inline keyboard of a bot message."""
    _, record = _editable(call)
    return _apply_edit(call, record, {})


def _deletion_refusal(call: MethodCall, state: ChatState, record: MessageRecord) -> str | None:
    """Why a message cannot be deleted, or None if it can."""
    if "forum_topic_created" in record.data:
        return "message can't be deleted"
    age = call.store.clock() - dtm.datetime.fromtimestamp(record.data["date"], dtm.UTC)
    if age > DELETE_WINDOW:
        return "message can't be deleted for everyone"
    group = call.store.groups.get(state.id)
    if group and not record.from_bot and group.members.get(call.bot.id) != "administrator":
        return "message can't be deleted"
    return None


def _delete(call: MethodCall, state: ChatState, record: MessageRecord) -> None:
    del state.messages[record.message_id]
    call.store.next_seq()
    call.store.changed.notify()


@api_method("deleteMessage")
async def delete_message(call: MethodCall) -> bool:
    """Delete one message (within 48 hours; others' messages in groups only as admin)."""
    state = call.chat()
    record = call.message(state, call.params["message_id"], "message to delete not found")
    refusal = _deletion_refusal(call, state, record)
    if refusal:
        raise ApiError.bad_request(refusal)
    _delete(call, state, record)
    return True


@api_method("deleteMessages")
async def delete_messages(call: MethodCall) -> bool:
    """Delete 1-100 messages; missing and undeletable ones are skipped, as on Telegram."""
    state = call.chat()
    ids = call.params["message_ids"]
    if not 1 <= len(ids) <= 100:
        raise ApiError.bad_request("message_ids must contain 1-100 message identifiers")
    for message_id in ids:
        record = state.messages.get(message_id)
        if record is not None and _deletion_refusal(call, state, record) is None:
            _delete(call, state, record)
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(call: MethodCall) -> bool:
    """Answer a button press once, in time."""
    query = call.bot.callback_queries.get(call.params["callback_query_id"])
    too_late = query is not None and call.store.clock() - query.created > CALLBACK_ANSWER_TIMEOUT
    if query is None or query.answered or too_late:
        raise ApiError.bad_request(
            "query is too old and response timeout expired or query ID is invalid"
        )
    text = call.get("text")
    if text is not None and len(text) > 200:
        raise ApiError.bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    query.text = text
    query.show_alert = bool(call.get("show_alert"))
    query.url = call.get("url")
    call.store.changed.notify()
    return True
