"""Telegram's rules for message content: text and caption limits, parse modes, keyboards."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from bot.emulator._errors import ApiError
from bot.emulator._text import detect_entities, parse_html, strip_formatted, utf16_len

__all__ = ["MAX_CAPTION", "MAX_TEXT", "check_reply_markup", "format_caption", "format_text"]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def format_text(
    text: str | None, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """Turn a message text as sent into what the user sees: plain text and entities.

    Raises:
        ApiError: ``message text is empty``, ``message is too long``, ``can't parse entities``.
    """
    plain, found = _parse(text or "", parse_mode, entities)
    if not plain:
        raise ApiError.bad_request("message text is empty")
    if len(plain) > MAX_TEXT:
        raise ApiError.bad_request("message is too long")
    return plain, found


def format_caption(
    caption: str | None, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """Like :func:`format_text` for captions, which may be empty but not over 1024 characters."""
    plain, found = _parse(caption or "", parse_mode, entities)
    if len(plain) > MAX_CAPTION:
        raise ApiError.bad_request("message caption is too long")
    return plain, found


def _parse(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    mode = (parse_mode or "").lower()
    if mode == "html":
        plain, found = parse_html(text)
    elif mode in ("", "markdown", "markdownv2"):
        # Markdown is passed through unparsed: the emulator does not model it (documented).
        plain, found = text, [dict(entity) for entity in entities or []]
    else:
        raise ApiError.bad_request(f"unsupported parse_mode {parse_mode!r}")
    if mode and entities:
        raise ApiError.bad_request("can't use parse_mode together with entities")
    size = utf16_len(plain)
    for entity in found:
        if (
            entity["offset"] < 0
            or entity["length"] <= 0
            or entity["offset"] + entity["length"] > size
        ):
            raise ApiError.bad_request(
                f"can't parse entities: entity {entity['type']} at offset {entity['offset']} with "
                f"length {entity['length']} is outside the text"
            )
    plain, found = strip_formatted(plain, found)
    return plain, detect_entities(plain, found)


def check_reply_markup(markup: dict[str, Any] | None) -> None:
    """Reject keyboards Telegram rejects.

    Raises:
        ApiError: For inline buttons without an action, with empty text, with callback_data
            outside 1-64 bytes, with an invalid URL; for reply buttons with empty text.
    """
    if not markup:
        return
    if "inline_keyboard" in markup:
        for row in markup["inline_keyboard"]:
            for button in row:
                _check_inline_button(button)
    if "keyboard" in markup:
        for row in markup["keyboard"]:
            for button in row:
                text = button if isinstance(button, str) else button.get("text", "")
                if not text:
                    raise ApiError.bad_request("keyboard button text must be non-empty")


def _check_inline_button(button: dict[str, Any]) -> None:
    if not button.get("text"):
        raise ApiError.bad_request("can't parse inline keyboard button: text must be non-empty")
    # An empty callback_data counts as no action: Telegram then calls it a text button.
    actions = [key for key in _BUTTON_ACTIONS if button.get(key) not in (None, "")]
    if not actions:
        raise ApiError.bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in actions:
        size = len(button["callback_data"].encode("utf-8"))
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise ApiError.bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        parsed = urlparse(button["url"])
        if parsed.scheme not in ("http", "https", "tg") or not (parsed.netloc or parsed.path):
            raise ApiError.bad_request("BUTTON_URL_INVALID")
