"""Factories for small content folders used by the content tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

from bot.content.loader import load_content_or_raise
from bot.content.models import Content, source_hash

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"
_loaded: dict[Path, Content] = {}


def default_content(path: Path = CONTENT) -> Content:
    """The repository's content, loaded once per test session (it is immutable)."""
    if path not in _loaded:
        _loaded[path] = load_content_or_raise(path)
    return _loaded[path]


LANGUAGES = """\
source_language: de
languages:
  - {code: de, name: Deutsch, status: reviewed}
  - {code: en, name: English, status: reviewed, fallback: [de]}
"""
TOPICS = """\
topics:
  - id: violence
    name: Gewalt
"""
MENU = """\
menu:
  - id: main
    title: Hauptmenü
    text: Wobei brauchen Sie Hilfe?
    children: [help]
  - id: help
    title: Hilfe finden
    services: violence
"""
REGIONS = """\
regions:
  - id: dortmund
    name: Dortmund
    center: {lat: 51.5136, lon: 7.4653}
    cities: [Dortmund]
    postal_codes: ["44135"]
"""
SERVICES = """\
services:
  - id: beratung
    name: Beratungsstelle
    topics: [violence]
    region: dortmund
    location: {lat: 51.51, lon: 7.46}
    phone: 0231 123456
    opening_hours: Mo-Fr 09:00-16:00; PH off
    languages: [de, ar]
    verified_on: 2026-10-01
"""
BASE = {
    "languages.yaml": LANGUAGES,
    "topics.yaml": TOPICS,
    "menu.yaml": MENU,
    "regions.yaml": REGIONS,
    "services/dortmund.yaml": SERVICES,
}
EN = {
    "menu.main.title": ("Hauptmenü", "Main menu"),
    "menu.main.text": ("Wobei brauchen Sie Hilfe?", "What do you need help with?"),
    "menu.help.title": ("Hilfe finden", "Find help"),
    "topic.violence.name": ("Gewalt", "Violence"),
    "region.dortmund.name": ("Dortmund", "Dortmund"),
}


def translation_file(
    language: str, entries: dict[str, tuple[str, str]], *, reviewed: bool = True
) -> str:
    """A translation file whose fingerprints match the given German texts.

    Args:
        reviewed: also mark every entry as reviewed by a native speaker (``reviewed:``).
    """
    lines = ["translations:", f"  language: {language}", "  texts:"]
    for key, (german, translated) in entries.items():
        lines += [f"    {key}:", f"      from: {source_hash(german)}"]
        if reviewed:
            lines.append(f"      reviewed: {source_hash(german)}")
        lines.append(f"      text: {translated}")
    return "\n".join(lines) + "\n"


def write_content(root: Path, overrides: dict[str, str | None] | None = None) -> Path:
    """Write a small valid content folder, with files replaced (or removed, for None)."""
    files: dict[str, str | None] = {**BASE, "translations/en.yaml": translation_file("en", EN)}
    files.update(overrides or {})
    folder = root / "content"
    for name, text in files.items():
        if text is None:
            continue
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return folder
