"""After review, record in translation files which source text each translation was made from.

:func:`refresh_translations` sets ``from:`` (a translator checked the text against the current
German), :func:`review_translations` also sets ``reviewed:`` (a native speaker reviewed it). Only
these values change (or are added); comments, order and formatting of the file stay as the
translator left them, because the files are edited by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from bot.content.loader import content_files, load_content_or_raise

__all__ = ["RefreshResult", "refresh_translations", "review_translations"]


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What a refresh changed and what it could not change."""

    updated: tuple[str, ...]
    skipped: tuple[str, ...]
    files: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class _Edit:
    start: int
    end: int
    replacement: str


def refresh_translations(root: Path, language: str, keys: tuple[str, ...] = ()) -> RefreshResult:
    """Set ``from:`` of ``language``'s translations (all, or only ``keys``) to the current source.

    Raises:
        ContentError: the content has errors, so fingerprints cannot be trusted.
    """
    return _rewrite(root, language, keys, "from")


def review_translations(root: Path, language: str, keys: tuple[str, ...] = ()) -> RefreshResult:
    """Mark ``language``'s translations (all, or only ``keys``) as reviewed by a native speaker.

    The marker is the fingerprint of the current German text (``reviewed:``), so it counts only
    until the German text changes. The translations' ``from:`` is refreshed first.

    Raises:
        ContentError: the content has errors, so fingerprints cannot be trusted.
    """
    refreshed = refresh_translations(root, language, keys)
    reviewed = _rewrite(root, language, keys, "reviewed")
    skipped = tuple(dict.fromkeys((*refreshed.skipped, *reviewed.skipped)))
    files = tuple(dict.fromkeys((*refreshed.files, *reviewed.files)))
    return RefreshResult(reviewed.updated, skipped, files)


def _rewrite(root: Path, language: str, keys: tuple[str, ...], field: str) -> RefreshResult:
    """Set ``field`` (from or reviewed) of every translation of ``language`` (or only ``keys``)."""
    edit_for = _edit_for if field == "from" else _review_edit
    content = load_content_or_raise(root)
    wanted = set(keys)
    updated: list[str] = []
    skipped: list[str] = []
    changed_files: list[Path] = []
    for path in content_files(root):
        text = path.read_text(encoding="utf-8")
        if "translations" not in text:
            continue
        texts_node = _texts_of(yaml.compose(text, Loader=yaml.SafeLoader), language)
        if texts_node is None:
            continue
        edits: list[_Edit] = []
        for key_node, value_node in texts_node.value:
            key = str(key_node.value)
            source = content.texts.get(key)
            if source is None or (wanted and key not in wanted):
                continue
            edit = edit_for(text, key_node, value_node, source.source_hash)
            if edit is None:
                if _current_hash(value_node, field) != source.source_hash:
                    skipped.append(key)
                continue
            edits.append(edit)
            updated.append(key)
        if edits:
            for edit in sorted(edits, key=lambda e: e.start, reverse=True):
                text = text[: edit.start] + edit.replacement + text[edit.end :]
            path.write_text(text, encoding="utf-8")
            changed_files.append(path)
    return RefreshResult(tuple(updated), tuple(skipped), tuple(changed_files))


def _texts_of(node: Node | None, language: str) -> MappingNode | None:
    if not isinstance(node, MappingNode):
        return None
    for key, value in node.value:
        if key.value == "translations" and isinstance(value, MappingNode):
            fields = {k.value: v for k, v in value.value}
            lang, texts = fields.get("language"), fields.get("texts")
            if getattr(lang, "value", None) == language and isinstance(texts, MappingNode):
                return texts
    return None


def _current_hash(node: Node, name: str) -> str | None:
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if k.value == name:
                return str(v.value)
    return None


def _set_field(text: str, value: MappingNode, name: str, fingerprint: str) -> _Edit | None:
    """Set ``name:`` of a translation to ``fingerprint``, or add it just before ``text:``."""
    fields = {k.value: (k, v) for k, v in value.value}
    if name in fields:
        _, current = fields[name]
        if str(current.value) == fingerprint:
            return None
        return _Edit(current.start_mark.index, current.end_mark.index, fingerprint)
    if "text" not in fields:
        return None
    text_key, _ = fields["text"]
    line_start = text.rfind("\n", 0, text_key.start_mark.index) + 1
    indent = text[line_start : text_key.start_mark.index]
    if indent.strip():  # flow style {text: …}: add the key inside the braces
        position = text_key.start_mark.index
        return _Edit(position, position, f"{name}: {fingerprint}, ")
    return _Edit(line_start, line_start, f"{indent}{name}: {fingerprint}\n")


def _review_edit(text: str, key_node: Node, value: Node, fingerprint: str) -> _Edit | None:
    """Set or add ``reviewed:`` (refresh has made the entry a mapping, unless it cannot)."""
    return (
        _set_field(text, value, "reviewed", fingerprint) if isinstance(value, MappingNode) else None
    )


def _edit_for(text: str, key_node: Node, value: Node, fingerprint: str) -> _Edit | None:
    if isinstance(value, MappingNode):
        return _set_field(text, value, "from", fingerprint)
    if isinstance(value, ScalarNode) and value.style in (None, "'", '"'):
        if value.start_mark.line != value.end_mark.line:
            return None  # a multi-line plain text: the translator converts it to text:/from:
        pad = " " * (key_node.start_mark.column + 2)
        original = text[value.start_mark.index : value.end_mark.index]
        after_colon = text.find(":", key_node.end_mark.index) + 1
        replacement = f"\n{pad}from: {fingerprint}\n{pad}text: {original}"
        return _Edit(after_colon, value.end_mark.index, replacement)
    return None
