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

# (key, line of the key, text as written or None if empty, "from:" as written or None,
#  "reviewed:" as written or None)
TranslationEntry = tuple[str, int, str | None, str | None, str | None]

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
    table = _compact_table(text)
    if table is not None:
        return table
    lines = _logical_lines(text.split("\n"))
    if lines is None or len(lines) < 4:
        return None
    header = _header(lines)
    if header is None:
        return None
    language, language_line, indent = header
    entries = _entries(lines, 3, indent)
    return TranslationTable(language, language_line, entries) if entries is not None else None


def _header(lines: list[_Logical]) -> tuple[str, int, int] | None:
    """The language, its line and the entries' indentation, from the first four key lines."""
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
    return code, language_line, indent


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
            entries.append((key, number, value if value.strip() else None, None, None))
            continue
        fields: dict[str, str] = {}
        inner = lines[position][1] if position < count else indent
        while position < count and lines[position][1] == inner > indent:
            _, _, name, field, style = lines[position]
            if name not in ("text", "from", "reviewed") or name in fields:
                return None  # reported by the full reader, with its own messages
            if name != "text" and style == "block":
                return None  # libyaml keeps the final line break, which we do not
            fields[name] = field or ""
            position += 1
        if not fields:
            entries.append((key, number, None, None, None))  # "key:" alone is empty: skipped
            continue
        if not fields.get("text", "").strip():
            return None  # 'has no "text"': reported by the full reader
        entries.append((key, number, fields["text"], fields.get("from"), fields.get("reviewed")))
    return tuple(entries)


# The compact layout, in which almost every translation file is written: the three header lines,
# then nothing but entries of one line ("key: text"), three ("key:", "from: …", "text: …") or four
# (with "reviewed: …" between "from:" and "text:"), no
# blank lines or comments. :func:`_compact_table` reads it with one regular expression per
# entry instead of one per line; the value patterns are those of _LINE, only kept from running
# over a line break, so every value reads exactly as line by line. Anything else (another order,
# a literal block, a blank line) ends the fast path and the file is read line by line.


def _value(name: str) -> str:
    """_VALUE for one line of a multi-line text, its groups named ``{name}_dq`` and so on."""
    return (
        rf'(?:"(?P<{name}_dq>[^"\\\n]*)"'
        rf"|'(?P<{name}_sq>(?:[^'\n]|'')*)'"
        rf"|(?P<{name}_plain>[^\s\-?:,\[\]{{}}#&*!|>'\"%@`](?:[^#:\n]*[^#:\s])?))"
    )


_COMPACT_HEAD = re.compile(r"translations:\n(?P<outer> +)language: [^\n]*\n(?P=outer)texts:\n")
_COMPACT_ENTRY = (
    rf"(?P<key>{_KEY}):(?:"
    rf" +{_value('one')} *\n"
    rf"|\n(?P<inner>{{indent}} +)from: +{_value('from')} *\n"
    rf"(?:(?P=inner)reviewed: +{_value('rev')} *\n)?"
    rf"(?P=inner)text: +{_value('text')} *\n)"
)
_compact_entries: dict[int, re.Pattern[str]] = {}


def _compact_table(text: str) -> TranslationTable | None:
    """Read a file in the compact layout (see above); None if it is not written that way."""
    head = _COMPACT_HEAD.match(text)
    body = head.end() if head else 0
    if head is None or not text.endswith("\n"):
        return None
    indent = len(text) - body - len(text[body:].lstrip(" "))
    header = _logical_lines(text[:body].split("\n"))
    if not indent or header is None or len(header) != 3:
        return None
    found = _header([*header, (4, indent, "", None, "plain")])
    if found is None:
        return None
    language, language_line, _ = found
    entry = _compact_entries.get(indent)
    if entry is None:
        spaces = " " * indent
        pattern = spaces + _COMPACT_ENTRY.replace("{indent}", spaces)
        entry = _compact_entries[indent] = re.compile(pattern)
    entries: list[TranslationEntry] = []
    append, match = entries.append, entry.match
    position, number, end = body, 4, len(text)
    while position < end:
        found_entry = match(text, position)
        if found_entry is None:
            return None
        position = found_entry.end()
        groups = found_entry.groups()
        key, one, inner = groups[0], groups[1:4], groups[4]
        from_dq, from_sq, made_from, rev_dq, rev_sq, rev, text_dq, text_sq, value = groups[5:]
        if inner is None:
            # key: text — a translation without a fingerprint; blank ones are skipped silently.
            value = _unquoted(*one)
            append((key, number, value if value.strip() else None, None, None))
            number += 1
            continue
        value = _unquoted(text_dq, text_sq, value)
        if not value.strip():
            return None  # 'has no "text"': reported by the full reader
        reviewed = None if rev_dq is rev_sq is rev is None else _unquoted(rev_dq, rev_sq, rev)
        append((key, number, value, _unquoted(from_dq, from_sq, made_from), reviewed))
        number += 3 if reviewed is None else 4
    return TranslationTable(language, language_line, tuple(entries))


def _unquoted(double: str | None, single: str | None, plain: str | None) -> str:
    """The value of whichever of a value's three groups matched, as _logical_lines reads it."""
    if plain is not None:
        return plain
    if double is not None:
        return double
    return single.replace("''", "'") if single is not None else ""
