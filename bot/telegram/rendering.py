"""Turn a :class:`~bot.screens.Screen` into the text and inline keyboard of a Telegram message."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.telegram_html import escape, visible_length
from bot.i18n.bidi import rtl_message
from bot.screens import Screen, UrlTarget
from bot.telegram.callback_data import CallbackCodec

__all__ = ["MAX_CAPTION", "MAX_TEXT", "fit_message", "keyboard_of", "split_message", "text_of"]

_MAX_LABEL = 64  # long labels are cut on the phone anyway; keep the keyboard readable
_MAX_VISIBLE = 4000  # Telegram allows 4096; keep room for the ellipsis line
MAX_TEXT = 4096  # what Telegram accepts in a message (UTF-16 code units of the visible text)
MAX_CAPTION = 1024  # ... and in a caption


def fit_message(html: str) -> str:
    """Cut a message at a paragraph boundary so that Telegram accepts it (never mid-tag)."""
    if visible_length(html) <= _MAX_VISIBLE:
        return html
    kept: list[str] = []
    for block in html.split("\n\n"):
        if visible_length("\n\n".join([*kept, block])) > _MAX_VISIBLE:
            break
        kept.append(block)
    return "\n\n".join(kept) + "\n\n…"


def split_message(
    head: str,
    body: str,
    *,
    limit: int = MAX_TEXT,
    render: Callable[[str], str] = str,
) -> list[str]:
    """``head`` (HTML, may be empty) and the plain ``body`` as messages Telegram accepts, the
    head on the first.

    A relayed message is as long as Telegram allows already; with our head in front it would be
    refused, and a refused relay is a lost message. So the body is cut (at a space where there
    is one) into as many messages as it takes.

    Args:
        limit: Telegram's limit (:data:`MAX_TEXT`, or :data:`MAX_CAPTION` for a caption).
        render: Applied to each message's HTML before it is measured (right-to-left marks).
    """
    messages: list[str] = []
    pieces = [body]
    while pieces:
        piece = pieces.pop(0)
        if messages and not piece.strip():
            continue
        html = render(head + "\n" + escape(piece) if head and not messages else escape(piece))
        size = visible_length(html)
        if size <= limit or len(piece) <= 1:
            messages.append(html)
            continue
        cut = max(1, min(len(piece) - 1, len(piece) * limit // size - 8))
        space = piece.rfind(" ", max(1, cut - 200), cut)
        cut = space if space > 0 else cut
        pieces[:0] = [piece[:cut], piece[cut:].lstrip(" ")]
    return messages


def text_of(screen: Screen, *, rtl: bool) -> str:
    """The message text; right-to-left languages get direction marks and isolated numbers."""
    return rtl_message(screen.html) if rtl else screen.html


def keyboard_of(screen: Screen, codec: CallbackCodec) -> InlineKeyboardMarkup | None:
    """The inline keyboard of ``screen``, with callback data from ``codec``."""
    rows = []
    for row in screen.rows:
        buttons = []
        for button in row:
            label = (
                button.label
                if len(button.label) <= _MAX_LABEL
                else button.label[: _MAX_LABEL - 1] + "…"
            )
            if isinstance(button.target, UrlTarget):
                buttons.append(InlineKeyboardButton(label, url=button.target.url))
            else:
                buttons.append(
                    InlineKeyboardButton(label, callback_data=codec.encode(button.target))
                )
        rows.append(buttons)
    return InlineKeyboardMarkup(rows) if rows else None
