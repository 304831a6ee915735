"""Menu navigation: the screen of a page in a person's language, the language picker, page search.

Interface words (Back, Home, the note that a page is not translated yet) come from the gettext
catalogs through a translator; everything else comes from the content.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.content.models import ActionKind, Content, MenuNode
from bot.content.pages import render_page
from bot.screens import Button, LanguageTarget, PageTarget, Screen, UrlTarget

__all__ = [
    "PageIndex",
    "PageMatch",
    "Translator",
    "find_pages",
    "language_picker",
    "page_rows",
    "page_screen",
]

_WORD = re.compile(r"\w+", re.UNICODE)
_MIN_WORD = 3


class Translator(Protocol):
    """The part of :class:`bot.i18n.catalogs.Translator` the domain modules use."""

    language: str
    is_rtl: bool

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...

    def pgettext(self, context: str, message: str) -> str: ...


def _button_for(content: Content, node: MenuNode, chain: tuple[str, ...]) -> Button:
    label = node.title.resolve(chain)[0]
    if node.action is not None and node.action.kind is ActionKind.LINK and node.action.target:
        return Button(label, UrlTarget(node.action.target))
    return Button(label, PageTarget(node.id))


def page_screen(
    content: Content, node_id: str, language: str, tr: Translator, *, media_root: Path | None = None
) -> Screen:
    """The screen of menu page ``node_id``: breadcrumb heading, text, children, Back and Home.

    Args:
        content: the loaded content.
        node_id: the page to show; must exist.
        language: the person's language.
        tr: the person's translator for interface words.
        media_root: the content folder, to resolve attachments.
    """
    chain = content.language_chain(language)
    node = content.nodes[node_id]
    page = render_page(content, node_id, chain)
    html = page.html
    if page.untranslated:
        html += "\n\n<i>" + tr.gettext("This page is not yet available in your language.") + "</i>"
    rows = page_rows(content, node_id, language, tr)
    attachment = None
    if (
        node.action is not None
        and node.action.kind is ActionKind.ATTACHMENT
        and media_root is not None
    ):
        attachment = media_root / (node.action.target or "")
    return Screen(html=html, rows=rows, attachment=attachment)


def page_rows(
    content: Content, node_id: str, language: str, tr: Translator
) -> tuple[tuple[Button, ...], ...]:
    """The buttons of a page: one per child, then Back (and Main menu below the first level)."""
    chain = content.language_chain(language)
    node = content.nodes[node_id]
    rows = [
        (_button_for(content, content.nodes[c], chain),)
        for c in node.children
        if c in content.nodes
    ]
    rows.extend(_navigation_row(content, node_id, tr))
    return tuple(rows)


def _navigation_row(content: Content, node_id: str, tr: Translator) -> list[tuple[Button, ...]]:
    if node_id == content.root:
        return []
    parent = content.parents.get(node_id, content.root)
    back = Button("‹ " + tr.gettext("Back"), PageTarget(parent))
    if parent == content.root:
        return [(back,)]
    return [(back, Button("⌂ " + tr.gettext("Main menu"), PageTarget(content.root)))]


def language_picker(content: Content, prompts: list[str]) -> Screen:
    """The language picker: every language in its own name, two per row.

    Args:
        content: the loaded content (its languages are offered).
        prompts: "Choose your language" in several languages, because the person may not read
            the language we would guess; the Telegram layer takes them from the catalogs.
    """
    html = "🌐 <b>" + " · ".join(dict.fromkeys(p for p in prompts if p)) + "</b>"
    buttons = [Button(lang.name, LanguageTarget(code)) for code, lang in content.languages.items()]
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    return Screen(html=html, rows=rows)


@dataclass(frozen=True, slots=True)
class PageMatch:
    """A page found for typed words, with how well it matched."""

    node_id: str
    score: int


def _fold(text: str) -> str:
    """Lower-case, without accents or Arabic vowel marks, so that spelling variants match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("\u0640", "")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(_fold(text)) if len(w) >= _MIN_WORD}


class PageIndex:
    """The words of every page's title and keywords, folded once per content version and language.

    Folding page texts (Unicode decomposition, case folding) costs far more than the match itself,
    so the runtime keeps one index per content version; the words of a language are gathered on
    the first search in that language, sorted, so that a typed word finds the words it starts
    (a range of the sorted list) and the words that start it (its prefixes) without a scan.

    Args:
        content: the loaded content.
    """

    def __init__(self, content: Content) -> None:
        self._content = content
        self._pages = [
            node
            for node in content.nodes.values()
            if node.id != content.root
            and not (node.action is not None and node.action.kind is ActionKind.LANGUAGE)
        ]
        self._languages: dict[str, tuple[list[str], dict[str, frozenset[str]]]] = {}

    def _words_of(self, language: str) -> tuple[list[str], dict[str, frozenset[str]]]:
        """The sorted words of ``language`` and, for each word, the pages that hold it."""
        known = self._languages.get(language)
        if known is None:
            chain = self._content.language_chain(language)
            pages_of: dict[str, set[str]] = {}
            for node in self._pages:
                for text in (node.title, node.keywords):
                    if text is None:
                        continue
                    for word in _words(text.resolve(chain)[0]) | _words(text.source):
                        pages_of.setdefault(word, set()).add(node.id)
            known = (sorted(pages_of), {w: frozenset(p) for w, p in pages_of.items()})
            self._languages[language] = known
        return known

    def find(self, query: str, language: str, limit: int = 6) -> list[PageMatch]:
        """Pages whose title or keywords (in the person's language, or German) match ``query``.

        A typed word matches a keyword when one starts with the other, so "Gewalt" finds
        "Gewalterfahrung" and "schlägt" finds "schlagen" only if listed; no stemming beyond that.
        A page scores 2 for each typed word it holds as is, 1 for each it matches by prefix.
        """
        typed = _words(query)
        if not typed:
            return []
        words, pages_of = self._words_of(language)
        scores: dict[str, int] = {}
        for word in typed:
            matched: set[str] = set()
            at = bisect.bisect_left(words, word)
            while at < len(words) and words[at].startswith(word):
                matched |= pages_of[words[at]]
                at += 1
            for end in range(_MIN_WORD, len(word)):
                matched |= pages_of.get(word[:end], frozenset())
            exact = pages_of.get(word, frozenset())
            for page in matched:
                scores[page] = scores.get(page, 0) + (2 if page in exact else 1)
        content = self._content
        matches = [PageMatch(page, score) for page, score in scores.items()]
        matches.sort(key=lambda m: (-m.score, len(content.breadcrumb(m.node_id)), m.node_id))
        return matches[:limit]


def find_pages(content: Content, query: str, language: str, limit: int = 6) -> list[PageMatch]:
    """Pages whose title or keywords match ``query`` (see :meth:`PageIndex.find`).

    Builds the index for this one search; the bot keeps one per content version instead
    (``Runtime.pages``).
    """
    return PageIndex(content).find(query, language, limit)
