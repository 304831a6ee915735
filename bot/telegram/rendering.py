"""Turn a :class:`~bot.screens.Screen` into the text and inline keyboard of a Telegram message."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.telegram_html import visible_length
from bot.i18n.bidi import rtl_message
from bot.screens import Screen, UrlTarget
from bot.telegram.callback_data import CallbackCodec

__all__ = ["fit_message", "keyboard_of", "text_of"]

_MAX_LABEL = 64  # long labels are cut on the phone anyway; keep the keyboard readable
_MAX_VISIBLE = 4000  # Telegram allows 4096; keep room for the ellipsis line


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
