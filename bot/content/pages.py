"""Render a menu page's text in a person's language: breadcrumb title, text, fallback note."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.models import Content, LocalizedText
from bot.content.telegram_html import escape

__all__ = ["BREADCRUMB_SEPARATOR", "RenderedPage", "render_page", "resolve_text"]

BREADCRUMB_SEPARATOR = " › "
# Room kept free in every page for interface lines added around the content (the note that a
# page is not translated yet, a hint line). The check counts it, so a page never ends up too long.
RESERVED_FOR_INTERFACE = 300


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """A page's HTML and in which language it was actually shown."""

    html: str
    language: str
    untranslated: bool


def resolve_text(text: LocalizedText, chain: tuple[str, ...]) -> tuple[str, str]:
    """``(text, language)`` of ``text`` for a person reading the languages of ``chain``."""
    return text.resolve(chain)


def render_page(content: Content, node_id: str, chain: tuple[str, ...]) -> RenderedPage:
    """Render the page ``node_id`` for the language chain ``chain`` (wanted language first)."""
    node = content.nodes[node_id]
    crumbs = [
        content.nodes[ident].title.resolve(chain)[0]
        for ident in content.breadcrumb(node_id)
        if ident != content.root and ident in content.nodes
    ]
    title, title_language = node.title.resolve(chain)
    heading = BREADCRUMB_SEPARATOR.join(escape(c) for c in crumbs) if crumbs else escape(title)
    parts = [f"<b>{heading}</b>"]
    used = {title_language}
    text_language = title_language
    if node.text is not None:
        text, text_language = node.text.resolve(chain)
        parts.append(text)
        used.add(text_language)
    wanted = chain[0] if chain else content.source_language
    shown = text_language if node.text is not None else title_language
    return RenderedPage("\n\n".join(parts), shown, any(language != wanted for language in used))
