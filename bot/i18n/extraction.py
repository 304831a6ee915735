"""Extract interface strings from the code into ``messages.pot`` and merge them into catalogs.

This is what ``pybabel extract`` and ``pybabel update``/``init`` do, run in-process so that the
test suite can check that the template is current and so that new catalogs get plural rules chosen
by :mod:`bot.i18n.plurals` (the same whatever Babel release is installed) rather than Babel's table.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import write_po

from bot.i18n.catalogs import DOMAIN, MSGID_LANGUAGE, catalog_path, read_catalog
from bot.i18n.plurals import plural_forms

__all__ = ["extract_template", "message_keys", "update_catalog", "write_if_changed"]

PROJECT = "Lotse"
COMMENT_TAGS = ("TRANSLATORS:",)
# Babel's keywords, and NN_ (bot.i18n.catalogs) for module-level messages with a count.
KEYWORDS = {**DEFAULT_KEYWORDS, "NN_": (1, 2)}

_CREATION_DATE = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"$', re.MULTILINE)


def extract_template(root: Path, mapping_file: Path) -> Catalog:
    """Extract every marked string below ``root`` as ``babel.cfg`` (``mapping_file``) says."""
    with mapping_file.open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, str(mapping_file))
    template = Catalog(project=PROJECT, domain=DOMAIN, charset="utf-8", fuzzy=False)
    found = extract_from_dir(
        root,
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        template.add(
            message,
            None,
            [(Path(filename).as_posix(), lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def message_keys(catalog: Catalog) -> set[tuple[str | None, str | tuple[str, ...]]]:
    """The (context, msgid) of every message; a plural's msgid is (singular, plural)."""
    return {(m.context, tuple(m.id) if m.pluralizable else m.id) for m in catalog if m.id}


def update_catalog(locales_dir: Path, language: str, template: Catalog) -> Catalog:
    """The catalog of ``language`` brought up to ``template``, keeping existing translations.

    A new catalog gets the plural rule :func:`~bot.i18n.plurals.plural_forms` chooses (an existing
    one keeps its own; the tests check it against CLDR). Changed msgids keep
    their old translation marked fuzzy (unused until a translator confirms it). The English
    catalog is filled with the msgids themselves, so an editor can polish English wording there.
    """
    path = catalog_path(locales_dir, language)
    if path.exists():
        catalog = read_catalog(path)
    else:
        catalog = Catalog(
            locale=language,
            domain=DOMAIN,
            project=PROJECT,
            charset="utf-8",
            fuzzy=False,
            header_comment=f"# {language} translations of the {PROJECT} interface.\n#",
        )
        catalog.mime_headers = [
            *_without_plural_forms(catalog),
            ("Plural-Forms", plural_forms(language)),
        ]
    # Babel adds the template's new Message objects themselves; a copy keeps catalogs apart.
    catalog.update(copy.deepcopy(template), update_header_comment=False)
    if language == MSGID_LANGUAGE:
        _fill_with_msgids(catalog)
    return catalog


def write_if_changed(path: Path, catalog: Catalog) -> bool:
    """Write ``catalog`` as a ``.po``/``.pot`` file unless only its dates would change."""
    buffer = io.BytesIO()
    # Without line numbers: a location per file helps translators, a line number only churns diffs.
    write_po(buffer, catalog, width=100, include_lineno=False, sort_output=True)
    new = buffer.getvalue()
    if path.exists() and _without_dates(path.read_bytes()) == _without_dates(new):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(new)
    return True


def _fill_with_msgids(catalog: Catalog) -> None:
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy or not (all(message.string) if message.pluralizable else message.string):
            message.string = tuple(message.id) if message.pluralizable else message.id
            message.flags.discard("fuzzy")
            message.previous_id = []


def _without_plural_forms(catalog: Catalog) -> Iterable[tuple[str, str]]:
    return [(name, value) for name, value in catalog.mime_headers if name != "Plural-Forms"]


def _without_dates(po: bytes) -> str:
    return _CREATION_DATE.sub("", po.decode("utf-8"))
