"""Parsers for the sections of content files (languages, menu, services, …) into model objects.

Each parser reads YAML nodes through :class:`MapReader`, so every problem is reported with its
file and line, and returns model objects for what could be read. Cross-references between
sections are checked later, in :mod:`bot.content.validation`, once everything is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from babel import Locale, UnknownLocaleError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.content.findings import Findings
from bot.content.glossary import parse_glossary
from bot.content.models import (
    Accessibility,
    Action,
    ActionKind,
    Address,
    Event,
    GeoPoint,
    GlossaryTerm,
    Helpline,
    Language,
    LocalizedText,
    MenuNode,
    News,
    Place,
    Region,
    ReviewStatus,
    Service,
    Template,
    Topic,
    Translation,
)
from bot.content.translation_files import TranslationTable
from bot.content.yamlread import MapReader, did_you_mean, line_of

__all__ = ["HTML_FIELDS", "SECTIONS", "Gathered", "parse_section"]

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{6}$")
_ACTION_KEYS = (
    "services", "contact", "emergency", "numbers", "language", "link", "attachment", "events",
)  # fmt: skip
# Titles, names and keywords are plain text (escaped when shown); only these fields hold HTML.
HTML_FIELDS = ("text", "description")


@dataclass
class Gathered:
    """Everything read from all files, before linking; also where each reference stands."""

    source_language: str | None = None
    source_language_line: tuple[Path, int] | None = None
    languages: dict[str, Language] = field(default_factory=dict)
    nodes: dict[str, MenuNode] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    helplines: dict[str, Helpline] = field(default_factory=dict)
    templates: dict[str, Template] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    news: dict[str, News] = field(default_factory=dict)
    crisis_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    crisis_lines: dict[str, tuple[str, int]] = field(default_factory=dict)
    glossary: dict[str, list[GlossaryTerm]] = field(default_factory=dict)
    texts: dict[str, LocalizedText] = field(default_factory=dict)
    # translations[language][key] -> Translation, filled from translation files
    translations: dict[str, dict[str, Translation]] = field(default_factory=dict)
    # (what, id, field) -> {referenced id: line}, for precise messages about dangling references
    references: dict[tuple[str, str, str], dict[str, int]] = field(default_factory=dict)
    # language code -> (file, line) where it is declared
    language_lines: dict[str, tuple[str, int]] = field(default_factory=dict)
    text_backing: dict[str, dict[str, Translation]] = field(default_factory=dict)
    # (what, id) -> {field: line}, so that a bad value is reported on its own line
    field_lines: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    # section name -> the first file it appears in
    section_files: dict[str, Path] = field(default_factory=dict)


class _Context:
    """Shared helpers for the section parsers of one file."""

    def __init__(self, path: Path, findings: Findings, gathered: Gathered) -> None:
        self.path = path
        self.findings = findings
        self.gathered = gathered
        self.file = findings._name(path)

    def entries(self, node: Node, section: str) -> list[Node]:
        if isinstance(node, SequenceNode):
            return list(node.value)
        if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
            return []
        self.findings.error(
            self.path, line_of(node), "type", f'"{section}" must be a list of entries ("- id: …")'
        )
        return []

    def identify(self, reader: MapReader, registry: dict, kind: str) -> str | None:
        ident = reader.text("id", required=True)
        if ident is None:
            return None
        if not ID_PATTERN.match(ident):
            reader.error(
                "id",
                "bad-id",
                f'the id "{ident}" may only use small letters a-z, digits, "-" and "_"',
            )
            return None
        if ident in registry:
            first = registry[ident]
            reader.error(
                "id",
                "duplicate-id",
                f'the {kind} id "{ident}" is used twice (first in {first.file}:{first.line})',
            )
            return None
        reader.what = f'{kind} "{ident}"'
        return ident

    def text(self, reader: MapReader, key: str, text_key: str, required: bool = False):
        value = reader.text(key, required)
        if value is None:
            return None
        backing: dict[str, Translation] = {}
        self.gathered.text_backing[text_key] = backing
        localized = LocalizedText(
            key=text_key,
            source=value.strip(),
            source_language=self.gathered.source_language or "de",
            translations=MappingProxyType(backing),
            file=self.file,
            line=reader.line_for(key),
        )
        self.gathered.texts[text_key] = localized
        return localized

    def point(self, reader: MapReader, key: str, required: bool = False) -> GeoPoint | None:
        node = reader.node(key, required)
        if node is None:
            return None
        sub = MapReader.open(
            node, self.path, self.findings, f"{reader.what}: {key}", ("lat", "lon")
        )
        if sub is None:
            return None
        lat, lon = sub.number("lat", True), sub.number("lon", True)
        if lat is None or lon is None:
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            sub.error(
                None,
                "coordinates",
                f"lat {lat}, lon {lon} is not a place on earth (lat -90…90, lon -180…180)",
            )
            return None
        return GeoPoint(lat, lon)

    def refs(self, reader: MapReader, what: str, ident: str, key: str) -> tuple[str, ...]:
        values = reader.words(key)
        self.gathered.references[(what, ident, key)] = reader.word_lines(key)
        return values


def _parse_languages(node: Node, ctx: _Context) -> None:
    allowed = ("code", "name", "status", "fallback")
    for entry in ctx.entries(node, "languages"):
        reader = MapReader.open(entry, ctx.path, ctx.findings, "language", allowed)
        if reader is None:
            continue
        code = reader.text("code", required=True)
        name = reader.text("name", required=True)
        if code is None or name is None:
            continue
        reader.what = f'language "{code}"'
        try:
            locale = Locale.parse(code, sep="-" if "-" in code else "_")
        except (UnknownLocaleError, ValueError):
            reader.error(
                "code", "locale", f'"{code}" is not a locale code Babel knows (e.g. "ar", "fa")'
            )
            continue
        if code in ctx.gathered.languages:
            reader.error("code", "duplicate-id", f'the language "{code}" is listed twice')
            continue
        status_text = reader.text("status") or ReviewStatus.MACHINE_DRAFTED.value
        try:
            status = ReviewStatus(status_text)
        except ValueError:
            choices = [s.value for s in ReviewStatus]
            reader.error(
                "status",
                "bad-value",
                f'status must be "machine-drafted" or "reviewed", not "{status_text}"'
                f"{did_you_mean(status_text, choices)}",
            )
            status = ReviewStatus.MACHINE_DRAFTED
        fallback = ctx.refs(reader, "language", code, "fallback")
        ctx.gathered.languages[code] = Language(
            code=code,
            name=name,
            direction=(locale.character_order == "right-to-left" and "rtl") or "ltr",
            fallback=fallback,
            status=status,
        )
        ctx.gathered.language_lines[code] = (ctx.file, reader.line)


def _parse_source_language(node: Node, ctx: _Context) -> None:
    if not isinstance(node, ScalarNode) or not str(node.value).strip():
        ctx.findings.error(
            ctx.path, line_of(node), "type", 'source_language must be a code like "de"'
        )
        return
    ctx.gathered.source_language = str(node.value).strip()
    ctx.gathered.source_language_line = (ctx.path, line_of(node))


def _parse_topics(node: Node, ctx: _Context) -> None:
    for entry in ctx.entries(node, "topics"):
        reader = MapReader.open(entry, ctx.path, ctx.findings, "topic", ("id", "name"))
        if reader is None or (ident := ctx.identify(reader, ctx.gathered.topics, "topic")) is None:
            continue
        name = ctx.text(reader, "name", f"topic.{ident}.name", required=True)
        if name is not None:
            ctx.gathered.topics[ident] = Topic(ident, name, ctx.file, reader.line)


def _action_of(reader: MapReader, ctx: _Context, ident: str) -> Action | None:
    present = [key for key in _ACTION_KEYS if reader.has(key)]
    if len(present) > 1:
        reader.error(
            present[1],
            "two-actions",
            f'a page can do one thing only; it has both "{present[0]}" and "{present[1]}"',
        )
    if not present:
        return None
    kind = ActionKind(present[0])
    if kind in (ActionKind.EMERGENCY, ActionKind.NUMBERS, ActionKind.LANGUAGE, ActionKind.EVENTS):
        return Action(kind) if reader.flag(kind.value) else None
    target = reader.text(kind.value, required=True)
    if target is None:
        return None
    if kind in (ActionKind.SERVICES, ActionKind.CONTACT):
        ctx.gathered.references[("page", ident, kind.value)] = {target: reader.line_for(kind.value)}
    return Action(kind, target.strip())


def _parse_menu(node: Node, ctx: _Context) -> None:
    allowed = ("id", "title", "text", "keywords", "children", *_ACTION_KEYS)
    for entry in ctx.entries(node, "menu"):
        reader = MapReader.open(entry, ctx.path, ctx.findings, "page", allowed)
        if reader is None or (ident := ctx.identify(reader, ctx.gathered.nodes, "page")) is None:
            continue
        title = ctx.text(reader, "title", f"menu.{ident}.title", required=True)
        text = ctx.text(reader, "text", f"menu.{ident}.text")
        keywords = ctx.text(reader, "keywords", f"menu.{ident}.keywords")
        children = ctx.refs(reader, "page", ident, "children")
        action = _action_of(reader, ctx, ident)
        if title is None:
            continue
        ctx.gathered.nodes[ident] = MenuNode(
            ident, title, text, keywords, children, action, ctx.file, reader.line
        )


def _parse_places(reader: MapReader, ctx: _Context) -> tuple[Place, ...]:
    places: list[Place] = []
    for entry in reader.items("places"):
        sub = MapReader.open(
            entry,
            ctx.path,
            ctx.findings,
            f"{reader.what}: place",
            ("name", "postal_codes", "lat", "lon"),
        )
        if sub is None:
            continue
        name = sub.text("name", required=True)
        lat, lon = sub.number("lat", True), sub.number("lon", True)
        if name is None or lat is None or lon is None:
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            sub.error(None, "coordinates", f"lat {lat}, lon {lon} is not a place on earth")
            continue
        codes = sub.words("postal_codes")
        _check_postal_codes(sub, "postal_codes", codes)
        places.append(Place(name, codes, GeoPoint(lat, lon)))
    return tuple(places)


def _check_postal_codes(reader: MapReader, key: str, codes: tuple[str, ...]) -> None:
    for code in codes:
        if not re.fullmatch(r"\d{5}", code):
            reader.error(key, "postal-code", f'"{code}" is not a German postal code (five digits)')


def _parse_regions(node: Node, ctx: _Context) -> None:
    allowed = ("id", "name", "center", "cities", "postal_codes", "places", "team", "active")
    for entry in ctx.entries(node, "regions"):
        reader = MapReader.open(entry, ctx.path, ctx.findings, "region", allowed)
        if (
            reader is None
            or (ident := ctx.identify(reader, ctx.gathered.regions, "region")) is None
        ):
            continue
        name = ctx.text(reader, "name", f"region.{ident}.name", required=True)
        center = ctx.point(reader, "center", required=True)
        codes = reader.words("postal_codes")
        _check_postal_codes(reader, "postal_codes", codes)
        places = _parse_places(reader, ctx)
        all_codes = tuple(dict.fromkeys(codes + tuple(c for p in places for c in p.postal_codes)))
        if name is None or center is None:
            continue
        ctx.gathered.regions[ident] = Region(
            id=ident,
            name=name,
            center=center,
            cities=reader.words("cities"),
            postal_codes=all_codes,
            places=places,
            team=reader.text("team"),
            active=reader.flag("active", default=True),
            file=ctx.file,
            line=reader.line,
        )


def _parse_address(reader: MapReader, ctx: _Context) -> Address:
    node = reader.node("address")
    if node is None:
        return Address(None, None, None)
    sub = MapReader.open(
        node, ctx.path, ctx.findings, f"{reader.what}: address", ("street", "postal_code", "city")
    )
    if sub is None:
        return Address(None, None, None)
    postal_code = sub.text("postal_code")
    if postal_code is not None:
        _check_postal_codes(sub, "postal_code", (postal_code,))
    return Address(sub.text("street"), postal_code, sub.text("city"))


def _parse_wheelchair(reader: MapReader, node: Node | None) -> Accessibility:
    if node is None:
        return Accessibility.UNKNOWN
    value = str(node.value).lower() if isinstance(node, ScalarNode) else ""
    value = {"true": "yes", "false": "no"}.get(value, value)
    try:
        return Accessibility(value)
    except ValueError:
        choices = [a.value for a in Accessibility]
        reader.error(
            None,
            "bad-value",
            f'wheelchair must be one of {", ".join(choices)}, not "{value}"{did_you_mean(value, choices)}',
        )
        return Accessibility.UNKNOWN


def _parse_services(node: Node, ctx: _Context) -> None:
    allowed = (
        "id",
        "name",
        "topics",
        "region",
        "address",
        "location",
        "phone",
        "email",
        "website",
        "opening_hours",
        "languages",
        "accessibility",
        "description",
        "verified_on",
        "sample",
    )
    for entry in ctx.entries(node, "services"):
        reader = MapReader.open(entry, ctx.path, ctx.findings, "service", allowed)
        if (
            reader is None
            or (ident := ctx.identify(reader, ctx.gathered.services, "service")) is None
        ):
            continue
        wheelchair, sign_language = Accessibility.UNKNOWN, False
        access = reader.node("accessibility")
        if access is not None:
            sub = MapReader.open(
                access,
                ctx.path,
                ctx.findings,
                f"{reader.what}: accessibility",
                ("wheelchair", "sign_language"),
            )
            if sub is not None:
                wheelchair = _parse_wheelchair(sub, sub.node("wheelchair"))
                sign_language = sub.flag("sign_language")
        name = reader.text("name", required=True)
        region = reader.text("region", required=True)
        if region is not None:
            ctx.gathered.references[("service", ident, "region")] = {
                region: reader.line_for("region")
            }
        service = Service(
            id=ident,
            name=name or ident,
            topics=ctx.refs(reader, "service", ident, "topics"),
            region=region or "",
            address=_parse_address(reader, ctx),
            location=ctx.point(reader, "location"),
            phone=reader.text("phone"),
            email=reader.text("email"),
            website=reader.text("website"),
            opening_hours=reader.text("opening_hours"),
            languages=ctx.refs(reader, "service", ident, "languages"),
            wheelchair=wheelchair,
            sign_language=sign_language,
            description=ctx.text(reader, "description", f"service.{ident}.description"),
            verified_on=reader.date("verified_on"),
            sample=reader.flag("sample"),
            file=ctx.file,
            line=reader.line,
        )
        ctx.gathered.field_lines[("service", ident)] = {
            k: reader.line_for(k) for k in reader.fields
        }
        if name is not None and region is not None:
            ctx.gathered.services[ident] = service


def _parse_helplines(node: Node, ctx: _Context) -> None:
    allowed = (
        "id",
        "name",
        "phone",
        "description",
        "hours",
        "languages",
        "emergency",
        "topics",
        "website",
    )
    for entry in ctx.entries(node, "helplines"):
        reader = MapReader.open(entry, ctx.path, ctx.findings, "help line", allowed)
        if (
            reader is None
            or (ident := ctx.identify(reader, ctx.gathered.helplines, "help line")) is None
        ):
            continue
        name = ctx.text(reader, "name", f"helpline.{ident}.name", required=True)
        phone = reader.text("phone", required=True)
        if name is None or phone is None:
            continue
        ctx.gathered.field_lines[("help line", ident)] = {
            k: reader.line_for(k) for k in reader.fields
        }
        ctx.gathered.helplines[ident] = Helpline(
            id=ident,
            name=name,
            phone=phone,
            description=ctx.text(reader, "description", f"helpline.{ident}.description"),
            hours=reader.text("hours"),
            languages=ctx.refs(reader, "help line", ident, "languages"),
            emergency=reader.flag("emergency"),
            topics=ctx.refs(reader, "help line", ident, "topics"),
            website=reader.text("website"),
            file=ctx.file,
            line=reader.line,
        )


def _parse_templates(node: Node, ctx: _Context) -> None:
    for entry in ctx.entries(node, "templates"):
        reader = MapReader.open(entry, ctx.path, ctx.findings, "template", ("id", "text"))
        if (
            reader is None
            or (ident := ctx.identify(reader, ctx.gathered.templates, "template")) is None
        ):
            continue
        text = ctx.text(reader, "text", f"template.{ident}.text", required=True)
        if text is not None:
            ctx.gathered.templates[ident] = Template(ident, text, ctx.file, reader.line)


def _parse_events(node: Node, ctx: _Context) -> None:
    allowed = (
        "id", "title", "text", "start", "end", "place", "address", "location", "regions",
        "topics", "registration", "contact",
    )  # fmt: skip
    for entry in ctx.entries(node, "events"):
        reader = MapReader.open(entry, ctx.path, ctx.findings, "event", allowed)
        if reader is None or (ident := ctx.identify(reader, ctx.gathered.events, "event")) is None:
            continue
        title = ctx.text(reader, "title", f"event.{ident}.title", required=True)
        text = ctx.text(reader, "text", f"event.{ident}.text")
        start, end = reader.datetime("start", required=True), reader.datetime("end")
        if start is not None and end is not None and end < start:
            reader.error("end", "bad-value", "the event ends before it starts")
        regions = ctx.refs(reader, "event", ident, "regions")
        if not regions:
            reader.error(None, "missing-key", 'the key "regions" is missing: where is it shown?')
        address = _parse_address(reader, ctx) if reader.node("address") is not None else None
        event = Event(
            ident, title, text, start, end, reader.text("place"), regions, ctx.file, reader.line,
            address=address,
            location=ctx.point(reader, "location"),
            topics=ctx.refs(reader, "event", ident, "topics"),
            registration=reader.text("registration"),
            contact=reader.text("contact"),
        ) if title is not None and start is not None else None  # fmt: skip
        ctx.gathered.field_lines[("event", ident)] = {k: reader.line_for(k) for k in reader.fields}
        if event is not None:
            ctx.gathered.events[ident] = event


def _parse_news(node: Node, ctx: _Context) -> None:
    for entry in ctx.entries(node, "news"):
        reader = MapReader.open(entry, ctx.path, ctx.findings, "news", ("id", "text", "regions"))
        if reader is None or (ident := ctx.identify(reader, ctx.gathered.news, "news")) is None:
            continue
        text = ctx.text(reader, "text", f"news.{ident}.text", required=True)
        regions = ctx.refs(reader, "news", ident, "regions")
        if text is not None:
            ctx.gathered.news[ident] = News(ident, text, regions, ctx.file, reader.line)


def _parse_crisis_words(node: Node, ctx: _Context) -> None:
    if not isinstance(node, MappingNode):
        ctx.findings.error(
            ctx.path,
            line_of(node),
            "type",
            "crisis_words must map a language code to a list of words",
        )
        return
    for key_node, value_node in node.value:
        code = str(key_node.value)
        words: list[str] = []
        items = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
        for item in items:
            if isinstance(item, ScalarNode) and str(item.value).strip():
                words.append(str(item.value).strip().casefold())
            else:
                ctx.findings.error(
                    ctx.path,
                    line_of(item),
                    "type",
                    f"crisis_words {code}: each entry must be a phrase",
                )
        if code in ctx.gathered.crisis_words:
            ctx.findings.error(
                ctx.path,
                line_of(key_node),
                "duplicate-key",
                f'crisis words for "{code}" are listed twice',
            )
            continue
        ctx.gathered.crisis_words[code] = tuple(words)
        ctx.gathered.crisis_lines[code] = (ctx.file, line_of(key_node))


def _parse_translations(node: Node | TranslationTable, ctx: _Context) -> None:
    if isinstance(node, TranslationTable):
        _parse_translation_table(node, ctx)
        return
    reader = MapReader.open(node, ctx.path, ctx.findings, "translations", ("language", "texts"))
    if reader is None:
        return
    language = reader.text("language", required=True)
    texts = reader.node("texts", required=True)
    if language is None or texts is None:
        return
    if not isinstance(texts, MappingNode):
        reader.error("texts", "type", '"texts" must map text keys to translations')
        return
    target = ctx.gathered.translations.setdefault(language, {})
    ctx.gathered.language_lines.setdefault(f"translations:{language}", (ctx.file, reader.line))
    for key_node, value_node in texts.value:
        key = str(key_node.value)
        line = line_of(key_node)
        if key in target:
            ctx.findings.error(
                ctx.path,
                line,
                "duplicate-key",
                f'{language}: "{key}" is translated twice (first in {target[key].file}:{target[key].line})',
            )
            continue
        text, made_from, reviewed = _translation_value(value_node, ctx, language, key)
        if text is not None:
            target[key] = Translation(text.strip(), made_from, ctx.file, line, reviewed)


def _parse_translation_table(table: TranslationTable, ctx: _Context) -> None:
    """The same as _parse_translations, for a file read by :mod:`bot.content.translation_files`.

    That reader gives up on anything but well-formed entries, so the only finding left to
    report here is a text translated twice.
    """
    language = table.language
    target = ctx.gathered.translations.setdefault(language, {})
    ctx.gathered.language_lines.setdefault(f"translations:{language}", (ctx.file, table.line))
    file, fingerprint = ctx.file, _FINGERPRINT.match
    for key, line, text, made_from, reviewed in table.entries:
        if key in target:
            ctx.findings.error(
                ctx.path,
                line,
                "duplicate-key",
                f'{language}: "{key}" is translated twice (first in {target[key].file}:{target[key].line})',
            )
            continue
        if text is not None:
            if made_from is not None and not (made_from and fingerprint(made_from)):
                made_from = None
            if reviewed is not None and not (reviewed and fingerprint(reviewed)):
                reviewed = None
            target[key] = Translation(text.strip(), made_from, file, line, reviewed)


_TRANSLATION_FIELDS = ("text", "from", "reviewed")


def _translation_value(
    node: Node, ctx: _Context, language: str, key: str
) -> tuple[str | None, str | None, str | None]:
    """The text, ``from:`` and ``reviewed:`` of one translation; text None if there is none."""
    if isinstance(node, ScalarNode):
        return (str(node.value), None, None) if str(node.value).strip() else (None, None, None)
    if isinstance(node, MappingNode):
        values: dict[str, str] = {}
        for k, v in node.value:
            name = str(k.value)
            if name not in _TRANSLATION_FIELDS or not isinstance(v, ScalarNode):
                ctx.findings.error(
                    ctx.path,
                    line_of(k),
                    "unknown-key",
                    f'{language}: "{key}": only "text", "from" and "reviewed" are allowed, '
                    f'not "{name}"{did_you_mean(name, _TRANSLATION_FIELDS)}',
                )
                continue
            values[name] = str(v.value)
        if values.get("text", "").strip():
            # Anything but a fingerprint (e.g. "new") means: not yet refreshed after review.
            made_from, reviewed = (
                value if value and _FINGERPRINT.match(value) else None
                for value in (values.get("from"), values.get("reviewed"))
            )
            return values["text"], made_from, reviewed
        ctx.findings.error(
            ctx.path, line_of(node), "missing-key", f'{language}: "{key}" has no "text"'
        )
        return None, None, None
    ctx.findings.error(
        ctx.path,
        line_of(node),
        "type",
        f'{language}: "{key}" must be a text or "text:" and "from:"',
    )
    return None, None, None


SECTIONS: dict[str, Callable[[Node, _Context], None]] = {
    "source_language": _parse_source_language,
    "languages": _parse_languages,
    "topics": _parse_topics,
    "menu": _parse_menu,
    "regions": _parse_regions,
    "services": _parse_services,
    "helplines": _parse_helplines,
    "templates": _parse_templates,
    "events": _parse_events,
    "news": _parse_news,
    "crisis_words": _parse_crisis_words,
    "translations": _parse_translations,
    "glossary": lambda node, ctx: parse_glossary(
        node, ctx.path, ctx.file, ctx.findings, ctx.gathered.glossary
    ),
}

# Sections whose texts other sections' texts depend on are read first, so that the source
# language is known before any text is created.
ORDER = tuple(SECTIONS)


def parse_section(
    name: str, node: Node, path: Path, findings: Findings, gathered: Gathered
) -> None:
    """Parse one top-level section of a content file into ``gathered``."""
    gathered.section_files.setdefault(name, path)
    SECTIONS[name](node, _Context(path, findings, gathered))
