"""The translators' preview: every page in every language, the German source beside, outdated marked."""

from __future__ import annotations

import re

from bot.cli import main
from bot.playground.preview import write_preview
from tests.helpers.botharness import default_catalogs
from tests.helpers.content import EN, default_content, translation_file, write_content


def test_every_language_has_every_page_service_and_the_emergency_card(tmp_path):
    content = default_content()
    result = write_preview(content, default_catalogs(), tmp_path)
    assert set(result.languages) == set(content.languages)
    expected = (
        {f"page-{node}.html" for node in content.nodes}
        | {f"service-{service}.html" for service in content.services}
        | {"emergency.html", "index.html"}
    )
    for code, language in content.languages.items():
        written = {path.name for path in (tmp_path / code).iterdir()}
        assert written == expected, code
        page = (tmp_path / code / "page-violence.html").read_text(encoding="utf-8")
        assert f'dir="{"rtl" if language.is_rtl else "ltr"}"' in page
        assert 'href="page-violence_contact.html"' in page  # buttons link to the next page
        if code != content.source_language:
            # the German source beside the translation
            assert content.nodes["violence"].text.source.splitlines()[0] in page.replace(
                "&#x27;", "'"
            )
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{code}/index.html"' in index for code in content.languages)


def test_outdated_and_missing_translations_are_marked(tmp_path):
    # the English text of the start page was made from an older German text; the help page
    # title has no English translation at all
    entries = {key: value for key, value in EN.items() if key != "menu.help.title"}
    entries["menu.main.text"] = ("Eine ältere Fassung des Textes.", "An older version.")
    folder = write_content(tmp_path, {"translations/en.yaml": translation_file("en", entries)})
    out = tmp_path / "preview"
    assert main(["content", "preview", "--out", str(out), "--path", str(folder)]) == 0
    main_page = (out / "en" / "page-main.html").read_text(encoding="utf-8")
    rows = {
        key: state for state, key in re.findall(r'<tr class="(\w+)" data-key="([\w.]+)"', main_page)
    }
    assert rows == {"menu.main.title": "current", "menu.main.text": "outdated"}
    assert "✓ reviewed" in main_page  # the current title (English is marked reviewed)
    assert "⚠ outdated" in main_page and "Wobei brauchen Sie Hilfe?" in main_page
    help_page = (out / "en" / "page-help.html").read_text(encoding="utf-8")
    assert 'class="missing" data-key="menu.help.title"' in help_page


def test_one_language_only(tmp_path, capsys):
    folder = write_content(tmp_path)
    out = tmp_path / "preview"
    assert (
        main(["content", "preview", "--out", str(out), "--lang", "en", "--path", str(folder)]) == 0
    )
    assert (out / "en" / "page-main.html").exists() and not (out / "de").exists()
    assert "written" in capsys.readouterr().out
    assert (
        main(["content", "preview", "--out", str(out), "--lang", "xx", "--path", str(folder)]) == 2
    )
