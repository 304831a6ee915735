"""The translators' preview: every page, service card and the emergency card as static HTML.

``lotse content preview --out DIR [--lang L]`` writes one folder per language. Each file shows the
screen as the bot sends it (its buttons link to the other files) and, beside it, every text of the
screen with the German source, marked when the translation is missing or was made from an older
German text. A reviewer needs a browser, not a Telegram account.

Layout of DIR::

    index.html              the languages, with their coverage
    style.css
    <lang>/index.html       every page, service and the emergency card of one language
    <lang>/page-<id>.html   a menu page
    <lang>/service-<id>.html  a service card
    <lang>/emergency.html   the emergency card
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from bot.content.coverage import coverage_table
from bot.content.models import Content, LocalizedText
from bot.content.navigation import page_screen
from bot.directory.screens import service_card
from bot.i18n.catalogs import Catalogs
from bot.safety.emergency import emergency_card
from bot.screens import OriginRef, PageTarget, Screen, SearchTarget, UrlTarget

__all__ = ["PreviewResult", "write_preview"]

_STYLE = """\
body { font: 15px/1.45 system-ui, "Noto Sans", "Noto Naskh Arabic", "Noto Sans Ethiopic", sans-serif; margin: 1em auto; max-width: 1100px; padding: 0 1em; color: #111; }
nav { margin-bottom: 1em; font-size: 13px; } nav a { margin-inline-end: .6em; }
.layout { display: grid; grid-template-columns: minmax(280px, 420px) 1fr; gap: 1.5em; align-items: start; }
.phone { background: #c8dbc2; border-radius: 10px; padding: .7em; }
.bubble { background: #fff; border-radius: 10px; padding: .5em .7em; white-space: pre-wrap; overflow-wrap: anywhere; box-shadow: 0 1px 1px rgba(0,0,0,.15); }
.buttons a, .buttons span { display: block; margin-top: .3em; padding: .35em; border-radius: 6px; background: rgba(255,255,255,.7); text-align: center; color: #2b5278; text-decoration: none; }
.buttons span { color: #777; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
td, th { border-bottom: 1px solid #dde3e8; padding: .4em; vertical-align: top; text-align: start; white-space: pre-wrap; }
td.source { color: #444; background: #f6f8fa; }
tr.outdated td.translation { background: #fff3cd; }
tr.missing td.translation { background: #fde2e1; }
.mark { font-size: 12px; font-weight: 600; }
.mark { color: #6b7780; } tr.outdated .mark { color: #8a6d00; } tr.missing .mark { color: #b3261e; }
"""


@dataclass(frozen=True, slots=True)
class PreviewResult:
    """What was written: the languages and the number of files."""

    languages: tuple[str, ...]
    files: int


@dataclass(frozen=True, slots=True)
class _Entry:
    """One file of a language: its name, its title and the screen with the texts it shows."""

    name: str
    title: str
    screen: Screen
    texts: tuple[LocalizedText, ...]


def write_preview(
    content: Content,
    catalogs: Catalogs,
    out: Path,
    *,
    languages: Iterable[str] | None = None,
    media_root: Path | None = None,
    timezone: str = "Europe/Berlin",
) -> PreviewResult:
    """Write the preview of ``content`` below ``out`` (created if needed).

    Raises:
        ValueError: If a language asked for is not a language of the content.
    """
    chosen = tuple(languages or content.languages)
    unknown = [code for code in chosen if code not in content.languages]
    if unknown:
        raise ValueError(
            f"not a language of the content: {', '.join(unknown)} "
            f"(the content has {', '.join(content.languages)})"
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / "style.css").write_text(_STYLE, encoding="utf-8")
    files = 1
    for code in chosen:
        entries = _entries(content, catalogs, code, media_root, timezone)
        folder = out / code
        folder.mkdir(exist_ok=True)
        for entry in entries:
            html = _entry_file(content, code, entry, chosen)
            (folder / entry.name).write_text(html, encoding="utf-8")
        (folder / "index.html").write_text(
            _language_index(content, code, entries), encoding="utf-8"
        )
        files += len(entries) + 1
    (out / "index.html").write_text(_index(content, chosen), encoding="utf-8")
    return PreviewResult(chosen, files + 1)


def _entries(
    content: Content, catalogs: Catalogs, code: str, media_root: Path | None, timezone: str
) -> list[_Entry]:
    tr = catalogs.translator(content.language_chain(code))
    chain = content.language_chain(code)
    entries = []
    for node_id, node in content.nodes.items():
        screen = page_screen(content, node_id, code, tr, media_root=media_root)
        texts = tuple(t for t in (node.title, node.text) if t is not None)
        entries.append(_Entry(f"page-{node_id}.html", node.title.resolve(chain)[0], screen, texts))
    now = dt.datetime.now(dt.UTC)
    for service_id, service in content.services.items():
        back = SearchTarget(service.topics[0] if service.topics else "", OriginRef(place=0))
        screen = service_card(content, service, back, None, tr, timezone, now)
        texts = (service.description,) if service.description is not None else ()
        entries.append(_Entry(f"service-{service_id}.html", service.name, screen, texts))
    card = emergency_card(content, code, tr)
    helpline_texts = tuple(
        text
        for line in content.helplines
        for text in (line.name, line.description)
        if text is not None
    )
    entries.append(_Entry("emergency.html", "🆘", card, helpline_texts))
    return entries


def _document(content: Content, code: str, title: str, body: str, *, depth: int) -> str:
    language = content.languages.get(code)
    direction = "rtl" if language is not None and language.is_rtl else "ltr"
    up = "../" * depth
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(code)}" dir="{direction}">\n<head>'
        f'<meta charset="utf-8"><title>{escape(title)}</title>'
        f'<link rel="stylesheet" href="{up}style.css"></head>\n<body>\n{body}\n</body>\n</html>\n'
    )


def _entry_file(content: Content, code: str, entry: _Entry, languages: tuple[str, ...]) -> str:
    others = " ".join(
        f'<a href="../{other}/{entry.name}" hreflang="{other}">{escape(other)}</a>'
        for other in languages
        if other != code
    )
    nav = f'<nav><a href="index.html">⌂ {escape(code)}</a> <a href="../index.html">↑</a> {others}</nav>'
    phone = f'<div class="phone"><div class="bubble">{entry.screen.html}</div>{_buttons(content, entry.screen)}</div>'
    return _document(
        content,
        code,
        entry.title,
        f'{nav}\n<h1>{escape(entry.title)}</h1>\n<div class="layout">{phone}\n'
        f"{_texts_table(content, code, entry.texts)}</div>",
        depth=1,
    )


def _buttons(content: Content, screen: Screen) -> str:
    links = []
    for row in screen.rows:
        for button in row:
            label = escape(button.label)
            target = button.target
            if isinstance(target, PageTarget) and target.node_id in content.nodes:
                links.append(f'<a href="page-{escape(target.node_id)}.html">{label}</a>')
            elif isinstance(target, UrlTarget):
                links.append(f'<a href="{escape(target.url)}" rel="noopener">↗ {label}</a>')
            else:
                links.append(f"<span>{label}</span>")
    return f'<div class="buttons">{"".join(links)}</div>'


def _texts_table(content: Content, code: str, texts: tuple[LocalizedText, ...]) -> str:
    source = content.source_language
    if code == source:
        return "<div></div>"
    rows = []
    for text in texts:
        found = text.translations.get(code)
        if found is None:
            state, mark, shown = "missing", "✗ missing", ""
        elif not text.is_current(code):
            state, mark, shown = (
                "outdated",
                "⚠ outdated: made from an older German text",
                found.text,
            )
        elif text.is_reviewed(code):
            state, mark, shown = "current", "✓ reviewed by a native speaker", found.text
        else:
            state, mark, shown = "current", "not yet reviewed", found.text
        where = f"{found.file}:{found.line}" if found is not None else f"{text.file}:{text.line}"
        rows.append(
            f'<tr class="{state}" data-key="{escape(text.key)}">'
            f'<td class="translation" dir="auto">{escape(shown)}<div class="mark">{mark}</div></td>'
            f'<td class="source" dir="ltr" lang="{escape(source)}">{escape(text.source)}</td>'
            f'<td dir="ltr"><code>{escape(text.key)}</code><br><small>{escape(where)}</small></td></tr>'
        )
    return (
        f'<table><thead><tr><th>{escape(code)}</th><th dir="ltr">{escape(source)}</th>'
        f'<th dir="ltr">key</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _language_index(content: Content, code: str, entries: list[_Entry]) -> str:
    items = "".join(
        f'<li><a href="{entry.name}" dir="auto">{escape(entry.title)}</a></li>' for entry in entries
    )
    name = content.languages[code].name
    return _document(
        content,
        code,
        name,
        f'<nav><a href="../index.html">↑</a></nav><h1>{escape(name)}</h1><ul>{items}</ul>',
        depth=1,
    )


def _index(content: Content, languages: tuple[str, ...]) -> str:
    rows = "".join(
        f'<tr><td><a href="{row.code}/index.html">{escape(row.code)} {escape(row.name)}</a></td>'
        f"<td>{escape(row.status.value)}</td><td>{row.percent:.0f} %</td>"
        f"<td>{len(row.missing)}</td><td>{len(row.outdated)}</td></tr>"
        for row in coverage_table(content)
        if row.code in languages
    )
    return _document(
        content,
        content.source_language,
        "Lotse preview",
        f"<h1>Lotse — content {escape(content.version)}</h1><table><thead><tr><th>language</th>"
        f"<th>status</th><th>coverage</th><th>missing</th><th>outdated</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>",
        depth=0,
    )
