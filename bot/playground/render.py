"""Telegram messages as the playground page shows them: text and entities back to Telegram's HTML."""

from __future__ import annotations

import re
from html import escape
from typing import Any

__all__ = ["message_html"]

# Entity type → (opening tag, closing tag); Telegram's apps show these as the page does.
_SIMPLE = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote>", "</blockquote>"),
    "mention": ('<span class="mention">', "</span>"),
    "hashtag": ('<span class="mention">', "</span>"),
}


# Telegram's apps make phone numbers tappable even where the bot sent no entity for them.
_PHONE = re.compile(r"(?<![\w+])(\+?\d[\d \-/]{4,}\d)(?![\w])")


def _linked_phones(text: str) -> str:
    def link(match: re.Match[str]) -> str:
        number = re.sub(r"[^\d+]", "", match.group(1))
        return f'<a class="phone" href="tel:{number}">{match.group(1)}</a>'

    return _PHONE.sub(link, text)


def _tags(entity: dict[str, Any], covered: str) -> tuple[str, str]:
    kind = entity["type"]
    if kind in _SIMPLE:
        return _SIMPLE[kind]
    if kind == "pre":
        return "<pre>", "</pre>"
    if kind == "text_link":
        return f'<a href="{escape(entity["url"])}" target="_blank" rel="noopener">', "</a>"
    if kind == "url":
        href = covered if "://" in covered else "https://" + covered
        return f'<a href="{escape(href)}" target="_blank" rel="noopener">', "</a>"
    if kind == "phone_number":
        return f'<a class="phone" href="tel:{escape(covered)}">', "</a>"
    if kind == "email":
        return f'<a href="mailto:{escape(covered)}">', "</a>"
    if kind == "bot_command":
        # Tapping a command in Telegram sends it; the page does the same (see app.js).
        return f'<a class="command" data-command="{escape(covered)}">', "</a>"
    return "", ""


def message_html(text: str, entities: list[dict[str, Any]]) -> str:
    """HTML for a message text with its entities (offsets and lengths in UTF-16 code units)."""
    units = text.encode("utf-16-le")
    size = len(units) // 2

    def piece(start: int, end: int) -> str:
        return units[start * 2 : end * 2].decode("utf-16-le", "replace")

    ordered = sorted(entities, key=lambda e: (e["offset"], -e["length"]))
    boundaries = sorted(
        {0, size}
        | {e["offset"] for e in ordered}
        | {min(e["offset"] + e["length"], size) for e in ordered}
    )
    out: list[str] = []
    open_stack: list[tuple[int, str]] = []  # (end, closing tag)
    waiting = list(ordered)
    for position, following in zip(boundaries, [*boundaries[1:], size], strict=True):
        # Telegram's entities nest properly, so the ones ending here are on top of the stack.
        while open_stack and open_stack[-1][0] <= position:
            out.append(open_stack.pop()[1])
        while waiting and waiting[0]["offset"] == position:
            entity = waiting.pop(0)
            end = min(entity["offset"] + entity["length"], size)
            opening, closing = _tags(entity, piece(position, end))
            out.append(opening)
            open_stack.append((end, closing))
        if following > position:
            plain = escape(piece(position, following), quote=False)
            inside_link = any(closing == "</a>" for _, closing in open_stack)
            out.append(plain if inside_link else _linked_phones(plain))
    while open_stack:
        out.append(open_stack.pop()[1])
    return "".join(out)
