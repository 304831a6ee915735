"""Reloading content: new content is checked first, and the editor learns what changed."""

from __future__ import annotations

from bot.content.loader import load_content_or_raise
from bot.content.reload import reload_content
from tests.helpers.content import BASE, MENU, SERVICES, write_content


def test_an_unchanged_folder_reports_no_change(tmp_path):
    folder = write_content(tmp_path)
    outcome = reload_content(load_content_or_raise(folder), folder)
    assert outcome.ok and not outcome.changes
    assert "no change" in outcome.format()


def test_a_comment_that_moves_every_line_is_no_change(tmp_path):
    folder = write_content(tmp_path)
    before = load_content_or_raise(folder)
    write_content(tmp_path, {"menu.yaml": "# a new comment\n\n" + MENU})
    outcome = reload_content(before, folder)
    assert outcome.ok
    assert not outcome.changes.pages


def test_changed_pages_services_and_coverage_are_named(tmp_path):
    folder = write_content(tmp_path)
    before = load_content_or_raise(folder)
    menu = MENU.replace("Wobei brauchen Sie Hilfe?", "Wie können wir helfen?")
    services = SERVICES + SERVICES.replace("services:\n", "").replace("beratung", "zweite")
    write_content(tmp_path, {"menu.yaml": menu, "services/dortmund.yaml": services})
    outcome = reload_content(before, folder)
    assert outcome.ok, outcome.format()
    assert outcome.changes.pages.changed == ("main",)
    assert outcome.changes.services.added == ("zweite",)
    (move,) = outcome.changes.coverage
    assert move[0] == "en" and move[1] > move[2]  # the English text of main is now outdated
    report = outcome.format()
    assert "pages: ~ main" in report and "services: + zweite" in report and "coverage: en" in report


def test_errors_keep_the_new_content_out_with_file_and_line(tmp_path):
    folder = write_content(tmp_path)
    before = load_content_or_raise(folder)
    write_content(tmp_path, {"menu.yaml": BASE["menu.yaml"] + "  - id: broken\n    title: a: b\n"})
    outcome = reload_content(before, folder)
    assert not outcome.ok and outcome.content is None
    assert any(f.file.endswith("menu.yaml") and f.line > 0 for f in outcome.errors)
    assert "keeps serving the previous content" in outcome.format()
