"""The catalogs in locales/: one per content language, current, loadable, CLDR's plural rules."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.i18n.catalogs import Catalogs, catalog_path, read_catalog
from bot.i18n.extraction import extract_template, message_keys
from bot.i18n.plurals import disagreement, plural_forms

ROOT = Path(__file__).resolve().parents[3]
LOCALES = ROOT / "locales"
TEMPLATE = LOCALES / "messages.pot"
LANGUAGES = [
    entry["code"]
    for entry in yaml.safe_load((ROOT / "content" / "languages.yaml").read_text("utf-8"))[
        "languages"
    ]
]
UPDATE = "run: .venv/bin/python scripts/update_catalogs.py"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_content_language_has_a_catalog(language: str) -> None:
    assert catalog_path(LOCALES, language).is_file(), UPDATE


def test_the_real_catalogs_load() -> None:
    catalogs = Catalogs.load(LOCALES)

    assert set(LANGUAGES) <= catalogs.languages


def test_the_template_is_current() -> None:
    """Every string marked in bot/ is in locales/messages.pot, and nothing else."""
    extracted = message_keys(extract_template(ROOT, ROOT / "babel.cfg"))
    with TEMPLATE.open("rb") as fileobj:
        from babel.messages.pofile import read_po

        stored = message_keys(read_po(fileobj))

    assert sorted(extracted - stored, key=str) == [], f"new strings are not extracted; {UPDATE}"
    assert sorted(stored - extracted, key=str) == [], f"removed strings are still listed; {UPDATE}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_every_string_of_the_template(language: str) -> None:
    keys = message_keys(read_catalog(catalog_path(LOCALES, language)))

    assert message_keys(read_catalog(TEMPLATE)) <= keys, UPDATE


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_rule_matches_cldr_in_cldr_order(language: str) -> None:
    """The catalog's Plural-Forms splits whole numbers as CLDR does, its forms in CLDR's order.

    Translators (and their tools) read msgstr[0], msgstr[1], … as zero/one/two/few/many/other
    in that order, leaving out the categories a language does not have. Compared by meaning on
    sample numbers, so a new Babel release that only respells a rule changes nothing.
    """
    catalog = read_catalog(catalog_path(LOCALES, language))

    assert disagreement(catalog.plural_forms, language) is None
    assert catalog.plural_forms == plural_forms(language), UPDATE


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_completely_translated(language: str) -> None:
    catalog = read_catalog(catalog_path(LOCALES, language))
    missing = []
    for key in sorted(message_keys(read_catalog(TEMPLATE)), key=str):
        context, msgid = key
        message = catalog.get(msgid, context=context)
        strings = (
            message.string
            if message is not None and message.pluralizable
            else ([message.string] if message is not None else [])
        )
        if message is None or message.fuzzy or not strings or not all(strings):
            missing.append(msgid)

    assert missing == [], f"{len(missing)} strings untranslated or fuzzy in {language}"
