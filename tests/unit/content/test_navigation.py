"""Menu pages as screens, the language picker, and finding pages by typed words."""

from __future__ import annotations

from bot.content.navigation import find_pages, language_picker, page_screen
from bot.content.pages import render_page
from bot.content.telegram_html import check_html
from bot.screens import LanguageTarget, PageTarget, UrlTarget
from tests.helpers.content import CONTENT, default_content
from tests.helpers.translator import EnglishTranslator

TR = EnglishTranslator()


def test_main_menu_has_a_button_per_child_and_no_back():
    content = default_content()
    screen = page_screen(content, "main", "de", TR)
    targets = [row[0].target for row in screen.rows]
    assert [t.node_id for t in targets if isinstance(t, PageTarget)] == list(
        content.nodes["main"].children
    )
    assert not any(b.label.startswith("‹") for row in screen.rows for b in row)


def test_sub_page_has_back_and_deeper_pages_have_home():
    content = default_content()
    first = page_screen(content, "violence", "en", TR)
    assert first.rows[-1][0].target == PageTarget("main")
    deep = next(n for n in content.nodes if len(content.breadcrumb(n)) >= 3)
    screen = page_screen(content, deep, "en", TR)
    assert [b.target for b in screen.rows[-1]] == [
        PageTarget(content.parents[deep]),
        PageTarget("main"),
    ]


def test_link_children_become_url_buttons():
    content = default_content()
    screen = page_screen(content, "violence", "de", TR)
    urls = [b.target for row in screen.rows for b in row if isinstance(b.target, UrlTarget)]
    assert urls and all(u.url.startswith("https://") for u in urls)


def test_breadcrumb_heading_and_fallback_note():
    content = default_content()
    deep = next(n for n in content.nodes if len(content.breadcrumb(n)) >= 3)
    page = render_page(content, deep, content.language_chain("de"))
    parent_title = content.nodes[content.parents[deep]].title.source
    assert parent_title in page.html and " › " in page.html
    assert check_html(page.html).ok
    assert not page.untranslated


def test_language_picker_offers_every_language_in_its_own_name():
    content = default_content()
    screen = language_picker(content, ["Choose your language", "Sprache wählen"])
    labels = {b.label: b.target for row in screen.rows for b in row}
    assert labels["العربية"] == LanguageTarget("ar")
    assert len(labels) == len(content.languages)
    assert "Choose your language · Sprache wählen" in screen.html


def test_find_pages_by_keywords_in_the_persons_language():
    content = default_content()
    german = [m.node_id for m in find_pages(content, "Frauenhaus", "de")]
    assert german and german[0].startswith("violence")
    assert find_pages(content, "xyzzy", "de") == []
    assert find_pages(content, "a b", "de") == []


def test_content_path_is_the_repository_content():
    assert (CONTENT / "menu.yaml").is_file()
