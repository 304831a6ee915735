"""Check text against Telegram's HTML parse mode: allowed tags, well-formed, and its visible length.

Telegram rejects a whole message for one stray ``<`` or an unknown tag, so editors must learn of
such problems from the content check, not from a person who got no answer.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

__all__ = [
    "ALLOWED_TAGS",
    "HtmlCheck",
    "check_html",
    "check_many",
    "escape",
    "plain_text",
    "visible_length",
]

# Tag → attributes it may carry (Telegram Bot API, "HTML style").
ALLOWED_TAGS: dict[str, frozenset[str]] = {
    "b": frozenset(),
    "strong": frozenset(),
    "i": frozenset(),
    "em": frozenset(),
    "u": frozenset(),
    "ins": frozenset(),
    "s": frozenset(),
    "strike": frozenset(),
    "del": frozenset(),
    "span": frozenset({"class"}),
    "tg-spoiler": frozenset(),
    "a": frozenset({"href"}),
    "tg-emoji": frozenset({"emoji-id"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
}
_ATTR = re.compile(r'([A-Za-z-]+)(?:\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s"\'>]+)))?')
_NAMED_ENTITIES = {"lt", "gt", "amp", "quot"}


@dataclass(frozen=True, slots=True)
class HtmlCheck:
    """The result of checking one text: problems (empty when fine) and the visible length."""

    problems: tuple[str, ...]
    length: int

    @property
    def ok(self) -> bool:
        return not self.problems


def escape(text: str) -> str:
    """Escape plain text (a name, an address) for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def visible_length(text: str) -> int:
    """The length Telegram counts (UTF-16 code units after removing tags and entities)."""
    return check_html(text).length


def plain_text(text: str) -> str:
    """The text Telegram shows for ``text`` (tags removed, entities decoded, trimmed as it does)."""
    return html.unescape(_TAG.sub("", text)).strip()


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^<>]*)?)\s*>")
_ENTITY_OR_AMP = re.compile(r"&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);|&")


def check_html(text: str) -> HtmlCheck:
    """Check ``text`` as Telegram would parse it with ``parse_mode=HTML``."""
    problems: list[str] = []
    stack: list[str] = []
    tags = _TAG.findall(text)
    # Regular expressions do the scanning in C; Python only walks the (few) tags. Most tags are
    # allowed ones without attributes that open, or close the innermost open tag: they take the
    # short path here, everything else goes through the full rules in _tag.
    for closing, name, attributes in tags:
        name = name.lower()
        if not attributes and name in ALLOWED_TAGS:
            if not closing:
                stack.append(name)
                continue
            if stack and stack[-1] == name:
                stack.pop()
                continue
        _tag(closing == "/", name, attributes, stack, problems)
    for tag in reversed(stack):
        problems.append(f"<{tag}> is opened but never closed")
    if "&" not in text and text.isascii():
        # The common case, without building the text that remains: a tag is "<", "/" if it
        # closes, its name and its attributes (which take up any space before ">"), and ">";
        # it holds exactly one "<" and one ">", so any others stand alone.
        removed = sum(2 + len(closing) + len(name) + len(attrs) for closing, name, attrs in tags)
        for lone in ("<", ">"):
            if text.count(lone) > len(tags):
                problems.append(_lone(lone))
        return HtmlCheck(tuple(problems), len(text) - removed)
    plain = _TAG.sub("", text)
    for lone in ("<", ">"):
        if lone in plain:
            problems.append(_lone(lone))
    if "&" in plain:
        for entity in _ENTITY_OR_AMP.finditer(plain):
            name = entity.group(1)
            if name is None:
                problems.append('a lone "&" must be written as &amp;')
            elif not (name.startswith("#") or name in _NAMED_ENTITIES):
                problems.append(
                    f'"{entity.group(0)}" is not allowed; only &lt; &gt; &amp; &quot; are'
                )
        plain = html.unescape(plain)
    units = (
        len(plain) + sum(1 for ch in plain if ord(ch) > 0xFFFF)
        if not plain.isascii()
        else len(plain)
    )
    return HtmlCheck(tuple(problems), units)


def check_many(texts: list[str]) -> list[tuple[tuple[str, ...], int]]:
    """:func:`check_html` of each text, as plain tuples (which a worker process sends cheaply)."""
    return [(found.problems, found.length) for found in map(check_html, texts)]


def _lone(char: str) -> str:
    return f'a lone "{char}" must be written as {"&lt;" if char == "<" else "&gt;"}'


def _tag(closing: bool, name: str, attributes: str, stack: list[str], problems: list[str]) -> None:
    if name not in ALLOWED_TAGS:
        problems.append(f"<{name}> is not a tag Telegram allows (use b, i, u, s, a, code, …)")
        return
    if closing:
        if not stack:
            problems.append(f"</{name}> closes a tag that was never opened")
        elif stack[-1] != name:
            problems.append(f"</{name}> closes a tag while <{stack[-1]}> is still open")
            if name in stack:
                while stack and stack.pop() != name:
                    pass
        else:
            stack.pop()
        return
    for attr in _ATTR.finditer(attributes):
        attr_name = attr.group(1).lower()
        if attr_name not in ALLOWED_TAGS[name]:
            problems.append(f'<{name}> may not have the attribute "{attr_name}"')
        elif name == "a" and attr_name == "href":
            href = attr.group(2) or attr.group(3) or attr.group(4) or ""
            if not re.match(r"^(https?://|tg://|tel:|mailto:)", href):
                problems.append(f'the link "{href}" must start with https:// (or tel:, mailto:)')
    stack.append(name)
