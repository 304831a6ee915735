"""Read translation files in their usual plain layout without composing a YAML node graph.

Translation files are most of the content by size (12 languages × every text) and are almost
always written the same way::

    translations:
      language: en
      texts:
        menu.main.title:
          from: 3f2a9c
          text: Main menu
        menu.main.text: A text without a fingerprint

Composing them with libyaml builds a node and two position marks per value only to read each
value once. :func:`read_translation_table` recognises this layout line by line and returns the
entries directly. It is deliberately strict: anything beyond the plain layout — multi-line or
escaped values, comments after values, anchors, flow style, unexpected indentation, tabs, and
anything that would produce a finding other than a duplicate key — makes it return None, and the
file is composed by libyaml as before. So a file is either read here exactly as libyaml would
read it, or not read here at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["TranslationEntry", "TranslationTable", "read_translation_table"]

# (key, line of the key, text as written or None if empty, "from:" as written or None)
TranslationEntry = tuple[str, int, str | None, str | None]

# A plain key made of the characters text keys use; nothing YAML could read differently.
_KEY = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
# A single-line value: double-quoted without escapes, single-quoted, or plain without ":" and
# "#" (so that it can be neither a nested key nor a comment) and not starting with an indicator.
_VALUE = (
    r'(?:"(?P<dq>[^"\\]*)"'
    r"|'(?P<sq>(?:[^']|'')*)'"
    r"|(?P<plain>[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^#:]*[^#:\s])?))"
)
# A literal block ("text: |", followed by more indented lines); texts are stripped after reading,
# so the chomping indicator ("|-", "|+") makes no difference. Folded blocks (">") are left out.
_LINE = re.compile(rf"(?P<indent> *)(?P<key>{_KEY}):(?: +(?:{_VALUE}|(?P<block>\|[-+]?)))? *")
_SKIP = re.compile(r" *(?:#.*)?")
# Characters libyaml treats specially (tabs, other line breaks, a byte order mark, control and
# non-printable characters): files with any of them are left to libyaml.
_UNUSUAL = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# Plain words the tag resolver reads as empty or as true/false (see yamlread._Loader).
_NOT_TEXT = {"", "~", "null", "Null", "NULL"} | {
    w
    for word in ("true", "yes", "on", "false", "no", "off")
    for w in (word, word.capitalize(), word.upper())
}


@dataclass(frozen=True, slots=True)
class TranslationTable:
    """The ``translations:`` section of a file read by :func:`read_translation_table`.

    Attributes:
        language: the value of ``language:`` as written.
        line: the line of the section's first key (where a composed mapping would start).
        entries: the texts in file order.
    """

    language: str
    line: int
    entries: tuple[TranslationEntry, ...]


# One line that holds a key: (line number, indentation, key, value or None, how the value is
# written: "plain", "quoted" or "block")
_Logical = tuple[int, int, str, str | None, str]


def read_translation_table(text: str) -> TranslationTable | None:
    """Read a translation file in the plain layout; None if it is anything else."""
    if "translations:" not in text or _UNUSUAL.search(text):
        return None
    lines = _logical_lines(text.split("\n"))
    if lines is None or len(lines) < 4:
        return None
    (_, top, name, value, _), (language_line, outer, language, code, style) = lines[0], lines[1]
    _, texts_indent, texts, texts_value, _ = lines[2]
    indent = lines[3][1]
    if (
        (top, name, value) != (0, "translations", None)
        or language != "language"
        or (texts_indent, texts, texts_value) != (outer, "texts", None)
        or not 0 < outer < indent
        or code is None
        or not code.strip()
        or style == "block"  # libyaml keeps the final line break, which we do not
        or (style == "plain" and code in _NOT_TEXT)
    ):
        return None
    entries = _entries(lines, 3, indent)
    return TranslationTable(code, language_line, entries) if entries is not None else None


def _logical_lines(raw: list[str]) -> list[_Logical] | None:
    """Every line that holds a key, with its value; None on a line of any other form.

    Blank lines and comments are skipped; a literal block is read into the value of its key.
    """
    lines: list[_Logical] = []
    append, skip, match_line = lines.append, _SKIP.fullmatch, _LINE.fullmatch
    position, count = 0, len(raw)
    while position < count:
        line = raw[position]
        position += 1
        found = match_line(line)
        if found is None:
            if skip(line):
                continue
            return None
        # line number (1-based, = position), indentation, key, value as written, its style
        spaces, key, double, single, value, block = found.groups()
        indent, style = len(spaces), "plain"
        if block is not None:
            value, position_after = _literal_block(raw, position, indent)
            if value is None:
                return None
            append((position, indent, key, value, "block"))
            position = position_after
            continue
        if value is None:
            style = "quoted"
            if double is not None:
                value = double
            elif single is not None:
                value = single.replace("''", "'")
        append((position, indent, key, value, style))
    return lines


def _literal_block(raw: list[str], position: int, parent: int) -> tuple[str | None, int]:
    """The text of a literal block starting at ``raw[position]`` and where the next line is.

    The block's indentation is that of its first non-blank line and must be deeper than its
    key's; it ends before the first non-blank line indented less. Blank lines with more spaces
    than the block's indentation are left to libyaml (they carry spaces or are an error).
    """
    block: list[str] = []
    indent = 0
    count = len(raw)
    while position < count:
        line = raw[position]
        text = line.lstrip(" ")
        if text:
            depth = len(line) - len(text)
            if not indent:
                if depth <= parent:
                    return None, position
                indent = depth
            elif depth < indent:
                break
        block.append(line)
        position += 1
    if not indent or any(not line.strip(" ") and len(line) > indent for line in block):
        return None, position
    return "\n".join(line[indent:] for line in block), position


def _entries(lines: list[_Logical], start: int, indent: int) -> tuple[TranslationEntry, ...] | None:
    """The entries below ``texts:``, each at ``indent``; None on anything unexpected."""
    entries: list[TranslationEntry] = []
    position, count = start, len(lines)
    while position < count:
        number, depth, key, value, _ = lines[position]
        if depth != indent:
            return None
        position += 1
        if value is not None:
            # key: text — a translation without a fingerprint; blank ones are skipped silently.
            entries.append((key, number, value if value.strip() else None, None))
            continue
        fields: dict[str, str] = {}
        inner = lines[position][1] if position < count else indent
        while position < count and lines[position][1] == inner > indent:
            _, _, name, field, style = lines[position]
            if name not in ("text", "from") or name in fields:
                return None  # reported by the full reader, with its own messages
            if name == "from" and style == "block":
                return None  # libyaml keeps the final line break, which we do not
            fields[name] = field or ""
            position += 1
        if not fields:
            entries.append((key, number, None, None))  # "key:" alone is empty: skipped
            continue
        if not fields.get("text", "").strip():
            return None  # 'has no "text"': reported by the full reader
        entries.append((key, number, fields["text"], fields.get("from")))
    return tuple(entries)
