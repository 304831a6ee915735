"""Translators' files: the content's texts as one gettext ``.po`` file per language, and back.

Volunteers translate in Poedit or Weblate and never touch YAML. :func:`export_po` writes, for every
language but the source language, one catalog in which each text is a message:

- ``msgctxt`` is the text's key (``menu.main.title``), ``msgid`` the German text,
  ``msgstr`` the translation (empty where there is none yet);
- a translation made from an older German text (its ``from:`` fingerprint differs), or without a
  fingerprint at all, is marked ``fuzzy``: a translator should look at it again.

:func:`import_po` writes the catalogs back into ``content/translations/``. It edits the YAML with
ruamel.yaml's round-trip mode, so comments, order and formatting of the files stay as the editors
left them, and a file is only written when one of its translations really changed. A message that
is not fuzzy records the fingerprint of the German text it was translated from (its ``msgid``), so
a translation made from a German text that changed since the export stays outdated.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from bot.content.findings import Finding, Severity
from bot.content.loader import content_files, load_content_or_raise
from bot.content.models import Content, source_hash
from bot.errors import ContentError

__all__ = ["ImportResult", "export_po", "import_po"]


@dataclass(slots=True)
class ImportResult:
    """What an import changed, and what it could not use.

    Attributes:
        updated: ``language:key`` of every translation written (new or changed).
        unknown: ``language:key`` of messages whose key the content does not have (any more).
        files: the YAML files written.
    """

    updated: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


class _TextResolver(VersionedResolver):
    """Read every plain scalar as text, as the content loader does.

    YAML 1.2 would read a fingerprint such as ``11e766`` as a number and write it back as
    ``.inf``; the content only ever holds texts, so nothing is resolved to anything else.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            implicit = (False, False)  # the default tag of a scalar: a string
        return super().resolve(kind, value, implicit)


def _round_trip_yaml() -> YAML:
    yaml = YAML()  # round-trip: keeps comments, order, quoting and block styles
    yaml.Resolver = _TextResolver
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap an editor's long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def export_po(root: Path, target: Path, *, now: dt.datetime | None = None) -> list[Path]:
    """Write one ``<language>.po`` per translated language of the content at ``root``.

    Returns:
        The files written, in the order of the languages.

    Raises:
        ContentError: the content has errors, so its texts cannot be trusted.
    """
    content = load_content_or_raise(root)
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for code in content.languages:
        if code == content.source_language:
            continue
        catalog = _catalog(content, code, now or dt.datetime.now(dt.UTC))
        path = target / f"{code}.po"
        buffer = io.BytesIO()
        write_po(buffer, catalog, width=0, sort_output=False)
        path.write_bytes(buffer.getvalue())
        written.append(path)
    return written


def _catalog(content: Content, code: str, now: dt.datetime) -> Catalog:
    try:
        locale: Locale | None = Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        locale = None
    name = content.languages[code].name
    catalog = Catalog(
        locale=locale,
        header_comment=(
            f"# {name} ({code}): the texts of the Lotse content for translators.\n"
            "# msgctxt names the text, msgid is the German original, msgstr the translation.\n"
            "# fuzzy: the German text changed since it was translated (or it was never checked).\n"
            "# Bring it back with: lotse content import-po DIR"
        ),
        project="Lotse content",
        creation_date=now,
        revision_date=now,
        fuzzy=False,
    )
    if locale is None:
        catalog.language_team = code
    for key, text in content.texts.items():
        translation = text.translations.get(code)
        location = [(text.file, text.line)] if text.file else []
        catalog.add(
            text.source,
            translation.text if translation is not None else "",
            locations=location,
            context=key,
            flags=("fuzzy",) if translation is not None and not text.is_current(code) else (),
        )
    return catalog


def import_po(root: Path, source: Path) -> ImportResult:
    """Write the translations of every ``<language>.po`` in ``source`` into the content at ``root``.

    Raises:
        ContentError: the content has errors, or a catalog names a language the content has not.
    """
    content = load_content_or_raise(root)
    result = ImportResult()
    yaml = _round_trip_yaml()
    documents = _translation_documents(root, yaml)
    for po_path in sorted(source.glob("*.po")):
        code = po_path.stem
        if code not in content.languages or code == content.source_language:
            raise _problem(po_path, 0, f"{code} is not a translated language of the content")
        try:
            with po_path.open("rb") as handle:
                catalog = read_po(handle, abort_invalid=True)
        except PoFileError as error:
            raise _problem(po_path, getattr(error, "lineno", 0), str(error)) from error
        files = _TranslationFiles.of(code, documents, root)
        for message in catalog:
            if not message.id or not message.context:
                continue  # the header
            key = str(message.context)
            text = content.texts.get(key)
            if text is None:
                result.unknown.append(f"{code}:{key}")
                continue
            if files.apply(key, str(message.id), str(message.string or ""), message.fuzzy):
                result.updated.append(f"{code}:{key}")
        result.files.extend(files.save(yaml))
    return result


def _translation_documents(root: Path, yaml: YAML) -> dict[Path, Any]:
    """Every content file with a ``translations:`` section, read for a round trip."""
    documents = {}
    for path in content_files(root):
        text = path.read_text(encoding="utf-8")
        if "translations:" in text:
            documents[path] = yaml.load(text)
    return documents


@dataclass(slots=True)
class _TranslationFiles:
    """The round-trip documents holding one language's translations, and which of them changed."""

    code: str
    documents: dict[Path, Any]
    where: dict[str, Path]
    main: Path
    changed: set[Path] = field(default_factory=set)

    @classmethod
    def of(cls, code: str, loaded: dict[Path, Any], root: Path) -> _TranslationFiles:
        documents = {p: d for p, d in loaded.items() if _texts_of(d, code) is not None}
        if not documents:
            raise _problem(root, 0, f"there is no translations file for {code}; create one first")
        where: dict[str, Path] = {}
        for path, document in documents.items():
            for key in _texts_of(document, code) or ():
                where.setdefault(str(key), path)
        main = next((p for p in documents if p.stem == code), next(iter(documents)))
        return cls(code, documents, where, main)

    def apply(self, key: str, made_from: str, translated: str, fuzzy: bool) -> bool:
        """Put one message into its file; True if the file's entry changed."""
        translated = translated.strip()
        if not translated:
            return False  # not translated yet: an empty msgstr never deletes a translation
        path = self.where.get(key, self.main)
        texts = _texts_of(self.documents[path], self.code)
        assert texts is not None  # only files with this language's texts are loaded
        old = texts.get(key)
        old_text = old.get("text") if isinstance(old, CommentedMap) else old
        old_from = old.get("from") if isinstance(old, CommentedMap) else None
        # A fuzzy message keeps the fingerprint it had: the translation is still to be checked.
        fingerprint = old_from if fuzzy else source_hash(made_from)
        same_text = old_text is not None and str(old_text).strip() == translated
        if same_text and (fuzzy or str(old_from) == fingerprint):
            return False
        value = _styled(translated, old_text)
        if isinstance(old, CommentedMap):
            if not same_text and "reviewed" in old:
                del old["reviewed"]  # a native speaker reviewed the old text, not this one
            old["text"] = value
            if fingerprint is not None:
                if "from" in old:
                    old["from"] = fingerprint
                else:
                    old.insert(0, "from", fingerprint)
        elif fingerprint is None:
            texts[key] = value
        else:
            entry = CommentedMap([("from", fingerprint), ("text", value)])
            if old is None:
                texts.insert(_position(texts, key), key, entry)
            else:
                texts[key] = entry
        self.changed.add(path)
        return True

    def save(self, yaml: YAML) -> list[Path]:
        written = []
        for path in sorted(self.changed):
            buffer = io.StringIO()
            yaml.dump(self.documents[path], buffer)
            path.write_text(buffer.getvalue(), encoding="utf-8")
            written.append(path)
        return written


def _problem(path: Path, line: int, message: str) -> ContentError:
    return ContentError([Finding(Severity.ERROR, str(path), line, message, "po-file")])


def _texts_of(document: Any, code: str) -> CommentedMap | None:
    if not isinstance(document, CommentedMap):
        return None
    section = document.get("translations")
    if not isinstance(section, CommentedMap) or str(section.get("language")) != code:
        return None
    texts = section.get("texts")
    if texts is None:
        texts = section["texts"] = CommentedMap()
    return texts if isinstance(texts, CommentedMap) else None


def _styled(text: str, old: object) -> str:
    """The new text written as the old one was: a block for several lines, else its quoting."""
    if "\n" in text or isinstance(old, LiteralScalarString):
        return LiteralScalarString(text + "\n")
    if isinstance(old, DoubleQuotedScalarString | SingleQuotedScalarString):
        return type(old)(text)
    return text


def _position(texts: CommentedMap, key: str) -> int:
    """Where a new translation goes: after the translation of the text before it, else at the end.

    Keys of one kind sort together (``menu.main.title`` before ``menu.main.text``), so the file
    keeps the grouping its editors chose.
    """
    prefix = key.rsplit(".", 1)[0]
    keys = [str(k) for k in texts]
    after = [i for i, k in enumerate(keys) if k.rsplit(".", 1)[0] == prefix]
    if not after:
        kind = key.split(".", 1)[0]
        after = [i for i, k in enumerate(keys) if k.split(".", 1)[0] == kind]
    return after[-1] + 1 if after else len(keys)
