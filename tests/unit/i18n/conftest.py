"""Build small gettext catalogs in a temporary locales folder, with the real plural headers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

import pytest
from babel.messages.catalog import Catalog

from bot.i18n.catalogs import catalog_path
from bot.i18n.extraction import update_catalog, write_if_changed


class Ctx(NamedTuple):
    """A msgid with a context, as a key of the translations given to ``make_catalog``."""

    context: str
    msgid: str


Key = str | tuple[str, str] | Ctx
MakeCatalog = Callable[..., Path]


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    return tmp_path / "locales"


@pytest.fixture
def make_catalog(locales: Path) -> MakeCatalog:
    """``make_catalog("ar", {msgid: msgstr, (singular, plural): (forms…)}, fuzzy={msgid})``.

    The catalog is created as ``scripts/update_catalogs.py`` creates it (same header and plural
    rule), then filled in and written; returns the locales folder.
    """

    def make(language: str, translations: Mapping[Key, str | tuple[str, ...]], fuzzy=()) -> Path:
        template = Catalog()
        for key in translations:
            msgid, context = _split(key)
            template.add(msgid, context=context)
        catalog = update_catalog(locales, language, template)
        for key, string in translations.items():
            msgid, context = _split(key)
            message = catalog.get(msgid, context=context)
            message.string = string
            if key in fuzzy:
                message.flags.add("fuzzy")
        write_if_changed(catalog_path(locales, language), catalog)
        return locales

    return make


def _split(key: Key) -> tuple[str | tuple[str, str], str | None]:
    if isinstance(key, Ctx):
        return key.msgid, key.context
    return key, None
