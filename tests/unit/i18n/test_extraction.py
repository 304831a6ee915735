"""Extraction with babel.cfg finds what the code marks; updating keeps translations."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from bot.i18n.catalogs import catalog_path, read_catalog
from bot.i18n.extraction import extract_template, update_catalog, write_if_changed
from bot.i18n.plurals import plural_forms

ROOT = Path(__file__).resolve().parents[3]

CODE = """
from bot.i18n.catalogs import N_

COMMANDS = (("help", N_("How this bot works")),)


def screen(tr, visit, runtime):
    a = tr.gettext("Back")
    b = visit.tr.gettext("Language: %(name)s") % {"name": "Deutsch"}
    c = runtime.translator("de").gettext("Choose your language")
    d = tr.ngettext("%(count)d service", "%(count)d services", 3)
    e = tr.pgettext("day", "today")
    # TRANSLATORS: the button that opens the emergency numbers
    f = tr.gettext("Emergency")
    g = tr.gettext(COMMANDS[0][1])  # a variable: translated, but found through N_ above
    return a, b, c, d, e, f, g
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "babel.cfg", tmp_path / "babel.cfg")
    (tmp_path / "bot" / "telegram").mkdir(parents=True)
    (tmp_path / "bot" / "telegram" / "screens.py").write_text(CODE, encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text('gettext("Not in bot/")\n', encoding="utf-8")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "languages.yaml").write_text(
        "source_language: de\nlanguages:\n  - code: de\n  - code: en\n  - code: ar\n",
        encoding="utf-8",
    )
    return tmp_path


def test_babel_cfg_finds_every_way_the_code_marks_a_string(project: Path) -> None:
    template = extract_template(project, project / "babel.cfg")
    found = {(m.context, m.id): m for m in template if m.id}

    assert set(found) == {
        (None, "How this bot works"),
        (None, "Back"),
        (None, "Language: %(name)s"),
        (None, "Choose your language"),
        (None, ("%(count)d service", "%(count)d services")),
        ("day", "today"),
        (None, "Emergency"),
    }
    assert found[(None, "Emergency")].auto_comments == [
        "the button that opens the emergency numbers"
    ]
    assert found[(None, "Back")].locations == [("bot/telegram/screens.py", 8)]
    assert "python-format" in found[(None, "Language: %(name)s")].flags


def test_update_keeps_translations_and_marks_changed_strings_fuzzy(project: Path) -> None:
    locales = project / "locales"
    first = Catalog()
    first.add("Back")
    first.add("Choose your language")
    catalog = update_catalog(locales, "de", first)
    catalog.get("Back").string = "Zurück"
    catalog.get("Choose your language").string = "Wähle deine Sprache"
    write_if_changed(catalog_path(locales, "de"), catalog)

    second = Catalog()
    second.add("Back")
    second.add("Choose your language, please")
    updated = update_catalog(locales, "de", second)

    assert updated.get("Back").string == "Zurück"
    changed = updated.get("Choose your language, please")
    assert changed.fuzzy and changed.string == "Wähle deine Sprache"


@pytest.mark.parametrize("language", ["ar", "de", "fa", "fr", "ps", "so", "ti", "tr", "uk"])
def test_new_catalogs_get_our_plural_rule(project: Path, language: str) -> None:
    catalog = update_catalog(project / "locales", language, Catalog())

    assert catalog.plural_forms == plural_forms(language)
    assert not catalog.fuzzy  # so that `pybabel compile` would not skip it


def test_an_existing_catalog_keeps_its_plural_rule(project: Path) -> None:
    locales = project / "locales"
    catalog = update_catalog(locales, "fr", Catalog())
    catalog.mime_headers = [
        *[(k, v) for k, v in catalog.mime_headers if k != "Plural-Forms"],
        ("Plural-Forms", "nplurals=2; plural=(n>1);"),
    ]
    write_if_changed(catalog_path(locales, "fr"), catalog)

    assert update_catalog(locales, "fr", Catalog()).plural_forms == "nplurals=2; plural=(n>1);"


def test_the_english_catalog_is_filled_with_the_msgids(project: Path) -> None:
    template = Catalog()
    template.add("Back")
    template.add(("%(count)d service", "%(count)d services"))

    catalog = update_catalog(project / "locales", "en", template)

    assert catalog.get("Back").string == "Back"
    assert catalog.get("%(count)d service").string == ("%(count)d service", "%(count)d services")
    assert template.get("Back").string in ("", None)  # the template is not changed


def test_the_script_writes_then_reports_up_to_date_then_outdated(project: Path, capsys) -> None:
    script = _load_script()

    assert script.main(["--root", str(project)]) == 0
    assert script.main(["--root", str(project), "--check"]) == 0
    capsys.readouterr()
    pot = (project / "locales" / "messages.pot").read_bytes()
    code = project / "bot" / "telegram" / "screens.py"
    code.write_text(CODE.replace('"Back"', '"Go back"'), encoding="utf-8")

    assert script.main(["--root", str(project), "--check"]) == 1
    assert "locales/messages.pot: outdated" in capsys.readouterr().out
    assert (project / "locales" / "messages.pot").read_bytes() == pot  # --check writes nothing
    for language in ("de", "en", "ar"):
        assert read_catalog(catalog_path(project / "locales", language)).get("Back") is not None


def test_rewriting_an_unchanged_catalog_changes_nothing(project: Path) -> None:
    template = extract_template(project, project / "babel.cfg")
    path = project / "locales" / "messages.pot"

    assert write_if_changed(path, template)
    assert not write_if_changed(path, extract_template(project, project / "babel.cfg"))


def _load_script():
    spec = importlib.util.spec_from_file_location(
        "update_catalogs", ROOT / "scripts" / "update_catalogs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
