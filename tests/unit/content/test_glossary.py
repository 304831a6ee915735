"""The glossary: a planted variant is reported with file and line, in content and in catalogs."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from bot.content.check import check_content
from tests.helpers.content import (
    CONTENT,
    EN,
    REPO,
    default_content,
    translation_file,
    write_content,
)

TODAY = dt.date(2026, 11, 25)
GLOSSARY = """\
glossary:
  en:
    - term: Hilfe
      use: help
      variants: [assistance, Assistance]
      note: one plain word
"""


def glossary_warnings(report):
    return [(f"{f.file}:{f.line}", f.message) for f in report.findings if f.code == "glossary"]


def test_a_planted_variant_in_the_content_is_reported_with_file_and_line(tmp_path):
    entries = {**EN, "menu.help.title": ("Hilfe finden", "Find assistance")}
    folder = write_content(
        tmp_path,
        {"glossary.yaml": GLOSSARY, "translations/en.yaml": translation_file("en", entries)},
    )
    found = glossary_warnings(check_content(folder, today=TODAY))
    assert len(found) == 1
    where, message = found[0]
    assert where == "content/translations/en.yaml:12"  # the key of menu.help.title
    assert '"assistance"' in message and '"help"' in message and "glossary.yaml:3" in message


def test_variants_match_whole_words_with_their_case(tmp_path):
    entries = {**EN, "menu.help.title": ("Hilfe finden", "Find assistances")}
    glossary = GLOSSARY.replace("[assistance, Assistance]", "[Find]")
    folder = write_content(
        tmp_path,
        {"glossary.yaml": glossary, "translations/en.yaml": translation_file("en", entries)},
    )
    assert len(glossary_warnings(check_content(folder, today=TODAY))) == 1  # "Find", not "find"
    plain = write_content(tmp_path / "b", {"translations/en.yaml": translation_file("en", entries)})
    assert glossary_warnings(check_content(plain, today=TODAY)) == []


def test_a_planted_variant_in_an_interface_catalog_is_reported(tmp_path):
    folder = write_content(tmp_path, {"glossary.yaml": GLOSSARY})
    catalog = tmp_path / "locales" / "en" / "LC_MESSAGES" / "messages.po"
    catalog.parent.mkdir(parents=True)
    catalog.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Help"\nmsgstr "Assistance"\n',
        encoding="utf-8",
    )
    found = glossary_warnings(check_content(folder, today=TODAY))
    assert [where for where, _ in found] == ["locales/en/LC_MESSAGES/messages.po:5"]


def test_a_variant_that_is_part_of_the_chosen_spelling_is_an_error(tmp_path):
    glossary = GLOSSARY.replace("[assistance, Assistance]", "[hel, help]")
    report = check_content(write_content(tmp_path, {"glossary.yaml": glossary}), today=TODAY)
    assert [(f.code, f.line) for f in report.errors] == [("glossary", 5)]


def test_the_shipped_content_and_catalogs_follow_their_glossaries(tmp_path):
    report = check_content(CONTENT, today=TODAY)
    assert glossary_warnings(report) == []


def test_the_shipped_glossary_catches_a_planted_kurmanji_and_pashto_variant(tmp_path):
    shutil.copytree(CONTENT, tmp_path / "content")
    shutil.copytree(REPO / "locales", tmp_path / "locales")
    ku = tmp_path / "content" / "translations" / "ku.yaml"
    ku.write_text(ku.read_text(encoding="utf-8").replace("çat", "chat", 1), encoding="utf-8")
    ps = tmp_path / "locales" / "ps" / "LC_MESSAGES" / "messages.po"
    ps.write_text(ps.read_text(encoding="utf-8").replace("ټیلیفون", "تلیفون", 1), encoding="utf-8")
    found = glossary_warnings(check_content(tmp_path / "content", today=TODAY))
    files = sorted({where.split(":")[0] for where, _ in found})
    assert files == ["content/translations/ku.yaml", "locales/ps/LC_MESSAGES/messages.po"]
    assert any('"chat"' in message for _, message in found)
    assert any('"تلیفون"' in message for _, message in found)


@pytest.mark.parametrize(
    ("language", "right", "wrong"),
    [
        ("uk", "Ви", "ви"),  # the polite form is capitalised, as in the content
        ("ru", "Вы", "вы"),
        ("ar", "اختاروا لغتكم", "اختر لغتك"),  # the polite plural, not the masculine singular
        ("ku", "Acîl", "Alîkariya lezgîn"),
    ],
)
def test_the_form_of_address_and_spelling_of_the_catalogs_is_checked(
    tmp_path, language, right, wrong
):
    shutil.copytree(CONTENT, tmp_path / "content")
    shutil.copytree(REPO / "locales", tmp_path / "locales")
    catalog = tmp_path / "locales" / language / "LC_MESSAGES" / "messages.po"
    text = catalog.read_text(encoding="utf-8")
    assert f'"{right}' in text or f" {right}" in text
    catalog.write_text(text.replace(right, wrong, 1), encoding="utf-8")
    found = glossary_warnings(check_content(tmp_path / "content", today=TODAY))
    assert {where.split(":")[0] for where, _ in found} == {
        f"locales/{language}/LC_MESSAGES/messages.po"
    }
    assert any(f'"{wrong.split()[0]}' in message for _, message in found)


def test_every_polite_language_has_its_form_of_address_in_the_glossary():
    glossary = default_content().glossary
    for language in ("de", "ar", "fa", "uk", "ru", "fr", "tr", "ps"):
        assert any(term.term == "Sie (Anrede)" for term in glossary[language]), language
