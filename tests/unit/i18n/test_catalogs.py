"""Catalogs compiled in memory: plural forms, fallback along the chain, fuzzy entries, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ContentError
from bot.i18n.catalogs import Catalogs, catalog_path
from tests.unit.i18n.conftest import Ctx

FILES = ("%(n)d file", "%(n)d files")


def test_arabic_has_six_plural_forms_in_cldr_order(make_catalog) -> None:
    forms = ("zero", "one", "two", "few", "many", "other")
    catalogs = Catalogs.load(make_catalog("ar", {FILES: forms}))
    tr = catalogs.translator(("ar", "en"))

    chosen = [tr.ngettext(*FILES, n) for n in (0, 1, 2, 3, 11, 100)]

    assert chosen == list(forms)
    assert [tr.ngettext(*FILES, n) for n in (10, 99, 102, 103, 111)] == [
        "few",
        "many",
        "other",
        "few",
        "many",
    ]


@pytest.mark.parametrize("language", ["uk", "ru"])
def test_ukrainian_and_russian_have_three_forms(make_catalog, language: str) -> None:
    catalogs = Catalogs.load(make_catalog(language, {FILES: ("one", "few", "many")}))
    tr = catalogs.translator((language, "en"))

    chosen = {n: tr.ngettext(*FILES, n) for n in (1, 2, 5, 11, 12, 21, 22, 25, 111)}

    assert chosen == {
        1: "one",
        2: "few",
        5: "many",
        11: "many",
        12: "many",
        21: "one",
        22: "few",
        25: "many",
        111: "many",
    }


@pytest.mark.parametrize(
    ("language", "forms", "zero"),
    [
        ("de", ("%(n)d Datei", "%(n)d Dateien"), "%(n)d Dateien"),
        ("en", ("%(n)d file", "%(n)d files"), "%(n)d files"),
        ("fr", ("%(n)d fichier", "%(n)d fichiers"), "%(n)d fichier"),  # 0 is singular in French
        ("fa", ("%(n)d پرونده", "%(n)d پرونده‌ها"), "%(n)d پرونده"),
    ],
)
def test_two_form_languages(make_catalog, language: str, forms: tuple[str, str], zero: str) -> None:
    tr = Catalogs.load(make_catalog(language, {FILES: forms})).translator((language,))

    assert tr.ngettext(*FILES, 1) == forms[0]
    assert tr.ngettext(*FILES, 2) == forms[1]
    assert tr.ngettext(*FILES, 0) == zero
    assert tr.ngettext(*FILES, 5) % {"n": 5} == forms[1] % {"n": 5}


def test_missing_translation_falls_back_along_the_chain_to_the_msgid(make_catalog) -> None:
    make_catalog("ar", {"Back": "رجوع"})
    make_catalog("en", {"Back": "Back", "Main menu": "Main menu (polished)"})
    tr = Catalogs.load(make_catalog("de", {"Main menu": "Hauptmenü", "Only German": "Nur Deutsch"}))
    tr = tr.translator(("ar", "en", "de"))

    assert tr.gettext("Back") == "رجوع"
    assert tr.gettext("Main menu") == "Main menu (polished)"  # from the English catalog
    assert tr.gettext("Not in any catalog") == "Not in any catalog"


def test_the_chain_ends_at_english_because_the_msgids_are_english(make_catalog) -> None:
    make_catalog("en", {})
    catalogs = Catalogs.load(make_catalog("de", {"Only German": "Nur Deutsch"}))

    # The content's chain for English readers is (en, de); German is no fallback for English text.
    assert catalogs.translator(("en", "de")).gettext("Only German") == "Only German"
    assert catalogs.translator(("ar", "de")).gettext("Only German") == "Nur Deutsch"
    assert catalogs.translator(("en", "de")).chain == ("en",)


def test_plurals_fall_back_with_the_rule_of_the_language_that_has_them(make_catalog) -> None:
    make_catalog("ar", {})
    catalogs = Catalogs.load(make_catalog("de", {FILES: ("%(n)d Datei", "%(n)d Dateien")}))
    tr = catalogs.translator(("ar", "de"))

    assert tr.ngettext(*FILES, 0) == "%(n)d Dateien"  # German's rule, not Arabic's zero form
    assert tr.ngettext(*FILES, 1) == "%(n)d Datei"
    assert catalogs.translator(("ar",)).ngettext(*FILES, 1) == "%(n)d file"


def test_fuzzy_translations_are_not_used(make_catalog) -> None:
    make_catalog("en", {})
    locales = make_catalog(
        "ar",
        {"Back": "رجوع", "Main menu": "قائمة قديمة", FILES: ("0", "1", "2", "3", "4", "5")},
        fuzzy={"Main menu", FILES},
    )
    tr = Catalogs.load(locales).translator(("ar", "en"))

    assert tr.gettext("Back") == "رجوع"
    assert tr.gettext("Main menu") == "Main menu"
    assert tr.ngettext(*FILES, 2) == "%(n)d files"


def test_a_plural_with_an_empty_form_falls_back(make_catalog) -> None:
    locales = make_catalog("uk", {FILES: ("%(n)d файл", "", "%(n)d файлів")})
    tr = Catalogs.load(locales).translator(("uk", "en"))

    assert tr.ngettext(*FILES, 1) == "%(n)d file"  # never an empty string
    assert tr.ngettext(*FILES, 2) == "%(n)d files"


def test_pgettext_tells_contexts_apart(make_catalog) -> None:
    locales = make_catalog("de", {Ctx("day", "today"): "heute", Ctx("menu", "Open"): "Öffnen"})
    tr = Catalogs.load(locales).translator(("de",))

    assert tr.pgettext("day", "today") == "heute"
    assert tr.pgettext("menu", "Open") == "Öffnen"
    assert tr.pgettext("hours", "Open") == "Open"
    assert tr.gettext("today") == "today"


def test_translators_are_cached_per_chain_and_do_not_share_fallbacks(make_catalog) -> None:
    make_catalog("ar", {"Back": "رجوع"})
    catalogs = Catalogs.load(make_catalog("de", {"Main menu": "Hauptmenü"}))

    with_german = catalogs.translator(("ar", "de"))
    alone = catalogs.translator(("ar",))

    assert catalogs.translator(("ar", "de")) is with_german
    assert with_german.gettext("Main menu") == "Hauptmenü"
    assert alone.gettext("Main menu") == "Main menu"
    assert alone.gettext("Back") == with_german.gettext("Back") == "رجوع"


@pytest.mark.parametrize(
    ("language", "rtl"),
    [("ar", True), ("fa", True), ("ps", True), ("de", False), ("ku", False), ("ti", False)],
)
def test_translator_knows_locale_and_direction(locales: Path, language: str, rtl: bool) -> None:
    locales.mkdir()
    tr = Catalogs.load(locales).translator((language, "en", "de"))

    assert tr.language == language
    assert str(tr.locale) == language
    assert tr.is_rtl is rtl
    assert tr.gettext("Back") == "Back"  # no catalog at all: the msgid


def test_a_language_babel_does_not_know_formats_as_the_next_one(locales: Path) -> None:
    locales.mkdir()
    tr = Catalogs.load(locales).translator(("xx", "fr"))

    assert tr.language == "xx"
    assert str(tr.locale) == "fr"


def test_a_syntax_error_names_file_and_line(locales: Path) -> None:
    path = catalog_path(locales, "de")
    path.parent.mkdir(parents=True)
    path.write_text(
        'msgid ""\nmsgstr ""\n"Language: de\\n"\n\nmsgid "Back"\nmsgstr "Zurück"\n\n'
        'msgid "Main menu"\nmsgtsr "Hauptmenü"\n',
        encoding="utf-8",
    )

    with pytest.raises(ContentError) as caught:
        Catalogs.load(locales)

    (finding,) = caught.value.findings
    assert (finding.file, finding.line) == (path.as_posix(), 9)
    assert "keyword" in finding.message
    assert str(caught.value).startswith(f"{path.as_posix()}:9: error:")


def test_a_translation_with_an_unknown_placeholder_is_refused(make_catalog) -> None:
    locales = make_catalog(
        "de", {"Language: %(name)s": "Sprache: %(nme)s", FILES: ("%(n)d Datei", "%(n)d Dateien")}
    )

    with pytest.raises(ContentError) as caught:
        Catalogs.load(locales)

    (finding,) = caught.value.findings
    assert "unknown named placeholder 'nme'" in finding.message
    assert finding.line > 0


def test_every_broken_catalog_is_reported_at_once(locales: Path) -> None:
    for language in ("de", "fr"):
        path = catalog_path(locales, language)
        path.parent.mkdir(parents=True)
        path.write_text('msgid "Back"\n', encoding="utf-8")

    with pytest.raises(ContentError) as caught:
        Catalogs.load(locales)

    assert [Path(f.file).parts[-3] for f in caught.value.findings] == ["de", "fr"]


def test_a_missing_locales_folder_fails_fast(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="missing"):
        Catalogs.load(tmp_path / "nowhere")


def test_no_compiled_files_are_written(make_catalog, locales: Path) -> None:
    Catalogs.load(make_catalog("de", {"Back": "Zurück"}))

    assert not list(locales.rglob("*.mo"))
