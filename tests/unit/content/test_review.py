"""Review state: a native speaker's review is recorded per entry and reset by a German change."""

from __future__ import annotations

import datetime as dt

from bot.content.check import check_content
from bot.content.refresh import review_translations
from tests.helpers.content import EN, MENU, translation_file, write_content

TODAY = dt.date(2026, 11, 25)


def english(report):
    return next(row for row in report.coverage if row.code == "en")


def test_the_coverage_table_shows_drafted_and_reviewed_per_language(tmp_path):
    drafted = {"menu.main.title": EN["menu.main.title"], "menu.main.text": EN["menu.main.text"]}
    reviewed = {k: v for k, v in EN.items() if k not in drafted}
    text = translation_file("en", reviewed) + "\n".join(
        translation_file("en", drafted, reviewed=False).splitlines()[3:]
    )
    report = check_content(write_content(tmp_path, {"translations/en.yaml": text}), today=TODAY)
    assert (english(report).drafted, english(report).reviewed) == (2, 3)
    table = report.format()
    assert "drafted" in table and "reviewed" in table
    row = next(line for line in table.splitlines() if line.startswith("en English"))
    assert row.split()[-2:] == ["2", "3"]


def test_a_german_change_resets_the_review(tmp_path):
    changed = MENU.replace("Wobei brauchen Sie Hilfe?", "Womit können wir helfen?")
    folder = write_content(tmp_path, {"menu.yaml": changed})
    report = check_content(folder, today=TODAY)
    assert english(report).reviewed == 4  # menu.main.text is outdated: neither drafted nor reviewed
    assert english(report).outdated == ("menu.main.text",)


def test_strict_reports_each_unreviewed_entry_of_a_reviewed_language(tmp_path):
    text = translation_file("en", EN, reviewed=False)
    folder = write_content(tmp_path, {"translations/en.yaml": text})
    assert [f.code for f in check_content(folder, today=TODAY).findings] == []
    report = check_content(folder, today=TODAY, strict=True)
    unreviewed = [(f.file, f.line, f.message) for f in report.warnings if f.code == "unreviewed"]
    assert len(unreviewed) == len(EN)
    assert unreviewed[0][:2] == ("content/translations/en.yaml", 4)
    assert "lotse content review en menu.main.title" in unreviewed[0][2]
    assert report.exit_code == 1


def test_review_writes_the_marker_that_the_check_then_counts(tmp_path):
    text = (
        translation_file("en", EN, reviewed=False) + "    menu.help.text: Plain, no fingerprint\n"
    )
    menu = MENU.replace("    title: Hilfe finden\n", "    title: Hilfe finden\n    text: Hilfe\n")
    folder = write_content(tmp_path, {"translations/en.yaml": text, "menu.yaml": menu})
    result = review_translations(folder, "en", ("menu.main.title", "menu.help.text"))
    assert sorted(result.updated) == ["menu.help.text", "menu.main.title"]
    written = (folder / "translations" / "en.yaml").read_text(encoding="utf-8")
    assert "      reviewed: " in written
    report = check_content(folder, today=TODAY)
    assert english(report).reviewed == 2
    assert review_translations(folder, "en", ("menu.main.title",)).updated == ()
