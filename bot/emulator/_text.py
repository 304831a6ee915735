"""Formatted text as Telegram reads it: HTML parse mode, detected entities, UTF-16 offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.emulator._errors import ApiError

__all__ = [
    "detect_entities",
    "entity_text",
    "parse_html",
    "strip_formatted",
    "utf16_len",
]

_ENTITY_OF_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_NAMED_CHARACTERS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_CHARACTER_REFERENCE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]*);")
_STYLE_ENTITIES = frozenset(
    {
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
    }
)
_NAME_END = " \t\r\n>/"
# Entities Telegram detects by itself in any text. Ordered by priority when they overlap.
_DETECTED = (
    ("url", re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'}]")),
    ("email", re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    ("bot_command", re.compile(r"(?<![^\s])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?!\w)")),
    ("mention", re.compile(r"(?<![^\s])@[A-Za-z0-9_]{4,32}(?!\w)")),
    ("hashtag", re.compile(r"(?<![^\s])#\w*[^\W\d]\w*")),
)


def utf16_len(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units, the unit of entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def entity_text(text: str, entity: dict[str, Any]) -> str:
    """Return the part of ``text`` an entity covers (offsets are UTF-16 code units)."""
    encoded = text.encode("utf-16-le")
    start = entity["offset"] * 2
    return encoded[start : start + entity["length"] * 2].decode("utf-16-le")


@dataclass
class _OpenTag:
    name: str
    offset: int
    attributes: dict[str, str] = field(default_factory=dict)


class _HtmlParser:
    """A parser for Telegram's HTML subset that fails the way the Bot API fails."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.position = 0
        self.output: list[str] = []
        self.offset = 0  # UTF-16 length of the output so far
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def fail(self, reason: str) -> ApiError:
        return ApiError.bad_request(f"can't parse entities: {reason}")

    def byte_offset(self, position: int) -> int:
        return len(self.source[:position].encode("utf-8"))

    def emit(self, text: str) -> None:
        self.output.append(text)
        self.offset += utf16_len(text)

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        source = self.source
        while self.position < len(source):
            char = source[self.position]
            if char == "<":
                self.tag()
            elif char == "&":
                self.character_reference()
            else:
                end = self.position
                while end < len(source) and source[end] not in "<&":
                    end += 1
                self.emit(source[self.position : end])
                self.position = end
        if self.stack:
            raise self.fail(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.output), self.entities

    def character_reference(self) -> None:
        match = _CHARACTER_REFERENCE.match(self.source, self.position)
        if match is None:
            # A lone "&" is kept as it is, as Telegram does.
            self.emit("&")
            self.position += 1
            return
        name = match.group(1)
        if name.startswith("#"):
            digits = name[2:] if name[1] in "xX" else name[1:]
            code_point = int(digits, 16 if name[1] in "xX" else 10)
            self.emit(chr(code_point) if 0 < code_point < 0x110000 else "\ufffd")
        elif name in _NAMED_CHARACTERS:
            self.emit(_NAMED_CHARACTERS[name])
        else:
            # Telegram shows unknown named entities verbatim; a bot that sends "&nbsp;" shows
            # garbage to the user, so the emulator rejects it to surface the bug.
            raise self.fail(
                f'Unsupported HTML entity "&{name};" at byte offset '
                f"{self.byte_offset(self.position)} (only &lt; &gt; &amp; &quot; and numeric "
                "entities are supported)"
            )
        self.position = match.end()

    def tag(self) -> None:
        start = self.position
        if self.source.startswith("</", start):
            self.end_tag(start)
        else:
            self.start_tag(start)

    def read_name(self, position: int) -> tuple[str, int]:
        end = position
        while end < len(self.source) and self.source[end] not in _NAME_END:
            end += 1
        if end >= len(self.source):
            raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(position - 1)}")
        return self.source[position:end].lower(), end

    def start_tag(self, start: int) -> None:
        name, position = self.read_name(start + 1)
        if name not in _ENTITY_OF_TAG:
            raise self.fail(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(start)}'
            )
        attributes, position = self.read_attributes(name, position, start)
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise self.fail(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(start)}'
            )
        if name == "tg-emoji" and not attributes.get("emoji-id"):
            raise self.fail(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
                f"{self.byte_offset(start)}"
            )
        self.stack.append(_OpenTag(name=name, offset=self.offset, attributes=attributes))
        self.position = position

    def read_attributes(self, name: str, position: int, start: int) -> tuple[dict[str, str], int]:
        source = self.source
        attributes: dict[str, str] = {}
        while True:
            while position < len(source) and source[position].isspace():
                position += 1
            if position >= len(source):
                raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(start)}")
            if source[position] == ">":
                return attributes, position + 1
            attr_end = position
            while attr_end < len(source) and (
                source[attr_end].isalnum() or source[attr_end] in "-_"
            ):
                attr_end += 1
            if attr_end == position:
                raise self.fail(
                    f'Empty attribute name in the tag "{name}" at byte offset '
                    f"{self.byte_offset(position)}"
                )
            attribute = source[position:attr_end].lower()
            position = attr_end
            value = ""
            if position < len(source) and source[position] == "=":
                value, position = self.read_attribute_value(name, position + 1)
            attributes[attribute] = value

    def read_attribute_value(self, name: str, position: int) -> tuple[str, int]:
        source = self.source
        if position < len(source) and source[position] in "'\"":
            quote = source[position]
            end = source.find(quote, position + 1)
            if end < 0:
                raise self.fail(
                    f'Unclosed value of an attribute of the tag "{name}" at byte offset '
                    f"{self.byte_offset(position)}"
                )
            raw, position = source[position + 1 : end], end + 1
        else:
            end = position
            while end < len(source) and not source[end].isspace() and source[end] != ">":
                end += 1
            raw, position = source[position:end], end
        return _unescape_attribute(raw), position

    def end_tag(self, start: int) -> None:
        close = self.source.find(">", start)
        if close < 0:
            raise self.fail(f"Unclosed end tag at byte offset {self.byte_offset(start)}")
        name = self.source[start + 2 : close].strip().lower()
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {self.byte_offset(start)}")
        open_tag = self.stack[-1]
        if name != open_tag.name:
            raise self.fail(
                f"Unmatched end tag at byte offset {self.byte_offset(start)}, expected "
                f'"</{open_tag.name}>", found "</{name}>"'
            )
        self.stack.pop()
        self.position = close + 1
        self.close_entity(open_tag)

    def close_entity(self, tag: _OpenTag) -> None:
        length = self.offset - tag.offset
        kind = _ENTITY_OF_TAG[tag.name]
        entity: dict[str, Any] = {"type": kind, "offset": tag.offset, "length": length}
        if kind == "code" and self.stack and self.stack[-1].name == "pre":
            language = tag.attributes.get("class", "")
            if language.startswith("language-"):
                # <pre><code class="language-x"> is one pre entity with a language.
                self.stack[-1].attributes["language"] = language.removeprefix("language-")
                return
        if kind == "pre" and tag.attributes.get("language"):
            entity["language"] = tag.attributes["language"]
        if kind == "text_link":
            if not tag.attributes.get("href"):
                return
            entity["url"] = tag.attributes["href"]
        if kind == "custom_emoji":
            entity["custom_emoji_id"] = tag.attributes["emoji-id"]
        if kind == "blockquote" and "expandable" in tag.attributes:
            entity["type"] = "expandable_blockquote"
        if length > 0:
            self.entities.append(entity)


def _unescape_attribute(raw: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("#"):
            hexadecimal = name[1] in "xX"
            return chr(int(name[2:] if hexadecimal else name[1:], 16 if hexadecimal else 10))
        return _NAMED_CHARACTERS.get(name, match.group(0))

    return _CHARACTER_REFERENCE.sub(replace, raw)


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse text in Telegram's HTML parse mode.

    Args:
        source: The text as the bot sent it.

    Returns:
        The plain text a user sees and its entities (offsets in UTF-16 code units), sorted by
        offset.

    Raises:
        ApiError: ``Bad Request: can't parse entities: ...`` for unsupported tags, bad nesting,
            missing attributes or unsupported named entities.
    """
    return _HtmlParser(source).parse()


def strip_formatted(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict]]:
    """Trim surrounding whitespace as Telegram does, moving and clipping the entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    moved = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            moved.append({**entity, "offset": start, "length": end - start})
    return stripped, moved


def detect_entities(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add the entities Telegram finds by itself (URLs, e-mails, /commands, @mentions, #tags).

    Detected entities never overlap code, links or other detected entities, so ``<a href>`` or
    ``<code>`` text keeps its meaning; inside bold or italic text they are still found.

    Args:
        text: The plain text.
        entities: The entities already present (from parse mode or given by the sender).

    Returns:
        All entities, sorted by offset.
    """
    taken = [
        (entity["offset"], entity["offset"] + entity["length"])
        for entity in entities
        if entity["type"] not in _STYLE_ENTITIES
    ]
    found = list(entities)
    for kind, pattern in _DETECTED:
        for match in pattern.finditer(text):
            start = utf16_len(text[: match.start()])
            end = start + utf16_len(match.group(0))
            if any(start < other_end and other_start < end for other_start, other_end in taken):
                continue
            taken.append((start, end))
            found.append({"type": kind, "offset": start, "length": end - start})
    found.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return found
