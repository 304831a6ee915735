"""Rules the content must follow beyond its shape: references, the menu graph, Telegram's limits.

Every rule reports with the file and line an editor has to change. Errors stop the bot from
loading the content; warnings (missing translations, stale or sample entries, machine-drafted
languages) are reported and fail only ``lotse content check --strict``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import opening_hours
from babel import Locale, UnknownLocaleError

from bot.content.addresses import MAX_CALLBACK_BYTES, page_address
from bot.content.coverage import coverage_table
from bot.content.findings import Findings
from bot.content.models import ActionKind, Content, GeoPoint, ReviewStatus
from bot.content.pages import BREADCRUMB_SEPARATOR, RESERVED_FOR_INTERFACE
from bot.content.sections import HTML_FIELDS, Gathered
from bot.content.telegram_html import HtmlCheck, check_html
from bot.content.yamlread import did_you_mean

__all__ = ["MAX_MESSAGE_LENGTH", "valid_phone", "validate"]

MAX_MESSAGE_LENGTH = 4096
STALE_AFTER_DAYS = 365
FAR_FROM_REGION_KM = 60
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()/.-]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$")
_MISSING_LISTED = 5


def valid_phone(number: str) -> bool:
    """True for numbers people can dial in Germany: 110, 116 016, 0231 123456, +49 231 …"""
    if not _PHONE_CHARS.match(number):
        return False
    digits = re.sub(r"\D", "", number)
    if number.strip().startswith("+"):
        return 8 <= len(digits) <= 15
    if digits.startswith("0"):
        return 6 <= len(digits) <= 15
    return 3 <= len(digits) <= 6  # short numbers such as 110, 112, 116016


def distance_km(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance in kilometres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def validate(
    content: Content,
    gathered: Gathered,
    findings: Findings,
    root: Path,
    *,
    today: dt.date,
    checked: Mapping[str, HtmlCheck] | None = None,
) -> None:
    """Apply every rule to ``content``; problems go to ``findings``.

    ``checked`` may hold texts whose HTML was already checked (by a worker process, while this
    one was reading): the rules use those results instead of checking the texts again.
    """
    _html_cache.clear()  # caches live for one run, so that each run is measured whole
    _html_cache.update(checked or {})
    _hours_cache.clear()
    _locale_cache.clear()
    _languages(content, gathered, findings, root)
    _menu(content, gathered, findings, root)
    _services(content, gathered, findings, today)
    _others(content, gathered, findings)
    _events(content, gathered, findings, today)
    _texts(content, findings)
    _translations(content, gathered, findings)


def _ref(
    findings: Findings,
    gathered: Gathered,
    what: tuple[str, str, str],
    fallback: tuple[str, int],
    known: set[str] | dict,
    kind: str,
) -> None:
    for value, line in gathered.references.get(what, {}).items():
        if value not in known:
            findings.error(
                fallback[0],
                line or fallback[1],
                "dangling-reference",
                f'{what[0]} "{what[1]}": {what[2]} refers to the {kind} "{value}", which does not '
                f"exist{did_you_mean(value, list(known))}",
            )


def _languages(content: Content, gathered: Gathered, findings: Findings, root: Path) -> None:
    if not content.languages:
        file = gathered.section_files.get("languages", root / "languages.yaml")
        findings.error(file, 0, "missing", "no languages are listed (section languages:)")
        return
    if content.source_language not in content.languages:
        where = gathered.source_language_line or ("languages", 0)
        findings.error(
            where[0],
            where[1],
            "dangling-reference",
            f'the source language "{content.source_language}" is not among the listed languages',
        )
    for code, language in content.languages.items():
        file, line = gathered.language_lines[code]
        _ref(
            findings,
            gathered,
            ("language", code, "fallback"),
            (file, line),
            content.languages,
            "language",
        )
        if language.status is ReviewStatus.MACHINE_DRAFTED:
            findings.warning(
                file,
                line,
                "machine-drafted",
                f'language "{code}" ({language.name}) is machine-drafted: a person who speaks it '
                "should review it, then set status: reviewed",
            )
    for code, (file, line) in gathered.crisis_lines.items():
        if code not in content.languages:
            findings.error(
                file,
                line,
                "dangling-reference",
                f'crisis words for "{code}", which is not a listed language'
                f"{did_you_mean(code, list(content.languages))}",
            )


def _menu(content: Content, gathered: Gathered, findings: Findings, root: Path) -> None:
    nodes = content.nodes
    if content.root not in nodes:
        file = gathered.section_files.get("menu", root / "menu.yaml")
        findings.error(
            file, 0, "missing", f"the menu has no start page: add a page with id: {content.root}"
        )
        return
    for node in nodes.values():
        _ref(
            findings, gathered, ("page", node.id, "children"), (node.file, node.line), nodes, "page"
        )
        data = page_address(content.version, node.id)
        if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            findings.error(
                node.file,
                node.line,
                "callback-data",
                f'page "{node.id}": the id is too long for a Telegram button '
                f"({len(data.encode())} of {MAX_CALLBACK_BYTES} bytes); use a shorter id",
            )
        if node.action is not None:
            _action(content, gathered, findings, root, node)
    _cycles(content, gathered, findings)
    reachable = _reachable(content)
    for node in nodes.values():
        if node.id not in reachable:
            findings.error(
                node.file,
                node.line,
                "unreachable",
                f'page "{node.id}" cannot be reached from the start page "{content.root}": '
                "list it under children of some page, or delete it",
            )
    _page_lengths(content, findings)


def _utf16_length(text: str) -> int:
    if text.isascii():  # the common case, answered in C without walking the characters
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


_html_cache: dict[str, HtmlCheck] = {}


def _checked(text: str) -> HtmlCheck:
    """Telegram's view of a text (cached: the same text is checked for problems and length)."""
    found = _html_cache.get(text)
    if found is None:
        if "<" in text or "&" in text or ">" in text:
            found = check_html(text)
        else:
            found = HtmlCheck((), _utf16_length(text))
        if len(_html_cache) > 500_000:
            _html_cache.clear()
        _html_cache[text] = found
    return found


def _page_lengths(content: Content, findings: Findings) -> None:
    """Report pages longer than a Telegram message in any language.

    Same arithmetic as :func:`bot.content.pages.render_page` produces (heading, blank line, text),
    without rendering 5,000 pages × 12 languages: titles are escaped plain text, so their visible
    length is their length.
    """
    crumbs = {
        ident: [c for c in content.breadcrumb(ident) if c != content.root and c in content.nodes]
        for ident in content.nodes
    }
    separator = _utf16_length(BREADCRUMB_SEPARATOR)
    limit = MAX_MESSAGE_LENGTH - RESERVED_FOR_INTERFACE
    for code in content.languages:
        chain = content.language_chain(code)
        titles = {
            ident: _utf16_length(node.title.resolve(chain)[0])
            for ident, node in content.nodes.items()
        }
        title_length = titles.__getitem__
        for ident, node in content.nodes.items():
            path = crumbs[ident]
            heading = (
                sum(map(title_length, path)) + separator * (len(path) - 1)
                if path
                else titles[ident]
            )
            length = heading + (
                2 + _checked(node.text.resolve(chain)[0]).length if node.text is not None else 0
            )
            if length <= limit:
                continue
            text = node.text or node.title
            translation = text.translations.get(code)
            file, line = (
                (translation.file, translation.line) if translation else (text.file, text.line)
            )
            findings.error(
                file,
                line,
                "too-long",
                f'page "{ident}" in {code} is {length} characters; Telegram shows at most {limit} '
                "here — shorten it or split it into sub-pages",
            )


def _action(content: Content, gathered: Gathered, findings: Findings, root: Path, node) -> None:
    kind, target = node.action.kind, node.action.target or ""
    where = (node.file, node.line)
    if kind in (ActionKind.SERVICES, ActionKind.CONTACT):
        _ref(findings, gathered, ("page", node.id, kind.value), where, content.topics, "topic")
    elif kind is ActionKind.LINK and not _URL.match(target):
        findings.error(
            node.file,
            node.line,
            "bad-link",
            f'page "{node.id}": "{target}" is not a web address (https://…)',
        )
    elif kind is ActionKind.ATTACHMENT:
        folder = (root if root.is_dir() else root.parent).resolve()
        media = (folder / target).resolve()
        if not media.is_file() or not media.is_relative_to(folder / "media"):
            findings.error(
                node.file,
                node.line,
                "missing-file",
                f'page "{node.id}": the attachment "{target}" is not a file in the content folder '
                "(put it under media/)",
            )


def _reachable(content: Content) -> set[str]:
    seen = {content.root}
    stack = [content.root]
    while stack:
        for child in content.nodes[stack.pop()].children:
            if child in content.nodes and child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def _cycles(content: Content, gathered: Gathered, findings: Findings) -> None:
    """Report each child reference that leads back to one of its own ancestors."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    for start in content.nodes:
        if state.get(start):
            continue
        path: list[str] = [start]
        iterators = [iter(content.nodes[start].children)]
        state[start] = 1
        while iterators:
            child = next(iterators[-1], None)
            if child is None:
                state[path.pop()] = 2
                iterators.pop()
                continue
            if child not in content.nodes:
                continue
            if state.get(child) == 1:
                parent = content.nodes[path[-1]]
                line = gathered.references.get(("page", parent.id, "children"), {}).get(
                    child, parent.line
                )
                loop = " → ".join([*path[path.index(child) :], child])
                findings.error(
                    parent.file,
                    line,
                    "cycle",
                    f'page "{parent.id}" lists "{child}" as a child, which makes a loop: {loop}',
                )
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                iterators.append(iter(content.nodes[child].children))


_hours_cache: dict[str, str | None] = {}


def opening_hours_problem(expression: str) -> str | None:
    """None if ``expression`` is valid OpenStreetMap opening_hours syntax, else the reason."""
    if expression not in _hours_cache:
        try:
            opening_hours.OpeningHours(expression)
            _hours_cache[expression] = None
        except Exception as exc:  # the library raises its own ParserError
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "syntax error"
            _hours_cache[expression] = reason
    return _hours_cache[expression]


_locale_cache: dict[str, bool] = {}


def _locale_ok(code: str) -> bool:
    # Cached: 20,000 services name the same dozen codes, and Babel's parse is not cheap.
    known = _locale_cache.get(code)
    if known is None:
        try:
            Locale.parse(code, sep="-" if "-" in code else "_")
            known = True
        except (UnknownLocaleError, ValueError):
            known = False
        _locale_cache[code] = known
    return known


def _services(content: Content, gathered: Gathered, findings: Findings, today: dt.date) -> None:
    stale_before = today - dt.timedelta(days=STALE_AFTER_DAYS)
    for s in content.services.values():
        lines = gathered.field_lines.get(("service", s.id), {})
        at = _Where(s.file, s.line, lines)
        what = f'service "{s.id}"'
        for key, known, kind in (
            ("region", content.regions, "region"),
            ("topics", content.topics, "topic"),
        ):
            _ref(findings, gathered, ("service", s.id, key), (s.file, s.line), known, kind)
        _contact_fields(
            findings,
            gathered,
            what,
            at,
            ("service", s.id),
            s.phone,
            s.email,
            s.website,
            s.languages,
        )
        if s.opening_hours and (reason := opening_hours_problem(s.opening_hours)):
            findings.error(
                s.file,
                at.line("opening_hours"),
                "opening-hours",
                f'{what}: opening_hours "{s.opening_hours}" is not in OpenStreetMap '
                f"format ({reason}); e.g. Mo-Fr 09:00-16:00; PH off",
            )
        region = content.regions.get(s.region)
        if s.location is None:
            findings.warning(
                s.file,
                s.line,
                "no-location",
                f"{what} has no location, so it cannot be found by distance",
            )
        elif (
            region is not None
            and (km := distance_km(s.location, region.center)) > FAR_FROM_REGION_KM
        ):
            findings.error(
                s.file,
                at.line("location"),
                "coordinates",
                f"{what}: location lat {s.location.lat}, lon {s.location.lon} is "
                f"{km:.0f} km from {s.region} — are lat and lon swapped?",
            )
        if s.sample:
            findings.warning(
                s.file,
                s.line,
                "sample",
                f"{what} is a sample entry: replace it with checked details or delete it",
            )
        elif s.verified_on is None:
            findings.warning(s.file, s.line, "not-verified", f"{what} has no verified_on date")
        elif s.verified_on < stale_before:
            findings.warning(
                s.file,
                s.line,
                "not-verified",
                f"{what} was last verified on {s.verified_on.isoformat()}, more than 12 months ago",
            )


@dataclass(frozen=True, slots=True)
class _Where:
    """The file of an entry, its first line, and the lines of its fields."""

    file: str
    first: int
    lines: dict[str, int]

    def line(self, key: str) -> int:
        return self.lines.get(key, self.first)


def _contact_fields(
    findings: Findings,
    gathered: Gathered,
    what: str,
    at: _Where,
    ref: tuple[str, str],
    phone: str | None,
    email: str | None,
    website: str | None,
    languages: tuple[str, ...],
) -> None:
    if phone is not None and not valid_phone(phone):
        findings.error(
            at.file,
            at.line("phone"),
            "phone",
            f'{what}: "{phone}" is not a phone number (e.g. 0231 123456 or +49 231 123456)',
        )
    if email is not None and not _EMAIL.match(email):
        findings.error(
            at.file, at.line("email"), "email", f'{what}: "{email}" is not an e-mail address'
        )
    if website is not None and not _URL.match(website):
        findings.error(
            at.file,
            at.line("website"),
            "bad-link",
            f'{what}: "{website}" is not a web address (https://…)',
        )
    language_lines = gathered.references.get((*ref, "languages"), {})
    for code in languages:
        if not _locale_ok(code):
            findings.error(
                at.file,
                language_lines.get(code, at.line("languages")),
                "locale",
                f'{what}: "{code}" is not a language code (e.g. ar, fa, uk)',
            )


def _others(content: Content, gathered: Gathered, findings: Findings) -> None:
    for h in content.helplines:
        at = _Where(h.file, h.line, gathered.field_lines.get(("help line", h.id), {}))
        what = f'help line "{h.id}"'
        _contact_fields(
            findings, gathered, what, at, ("help line", h.id), h.phone, None, h.website, h.languages
        )
        _ref(
            findings,
            gathered,
            ("help line", h.id, "topics"),
            (h.file, h.line),
            content.topics,
            "topic",
        )
        if h.hours and (reason := opening_hours_problem(h.hours)):
            findings.error(
                h.file,
                at.line("hours"),
                "opening-hours",
                f'{what}: hours "{h.hours}" is not in OpenStreetMap format ({reason})',
            )


def _events(content: Content, gathered: Gathered, findings: Findings, today: dt.date) -> None:
    for n in content.news.values():
        _ref(
            findings,
            gathered,
            ("news", n.id, "regions"),
            (n.file, n.line),
            content.regions,
            "region",
        )
    for e in content.events:
        at = _Where(e.file, e.line, gathered.field_lines.get(("event", e.id), {}))
        what = f'event "{e.id}"'
        for key, known, kind in (
            ("regions", content.regions, "region"),
            ("topics", content.topics, "topic"),
        ):
            _ref(findings, gathered, ("event", e.id, key), (e.file, e.line), known, kind)
        if e.registration is not None and not _URL.match(e.registration):
            findings.error(
                e.file, at.line("registration"), "bad-link",
                f'{what}: registration "{e.registration}" is not a web address (https://…)',
            )  # fmt: skip
        if e.contact is not None and not (valid_phone(e.contact) or _EMAIL.match(e.contact)):
            findings.error(
                e.file, at.line("contact"), "contact",
                f'{what}: contact "{e.contact}" is neither a phone number nor an e-mail address',
            )  # fmt: skip
        if e.last_day < today:
            findings.warning(
                e.file, at.line("start"), "past-event",
                f"{what} is over (it was on {e.last_day.isoformat()}); delete it when it is no "
                "longer needed",
            )  # fmt: skip


def _texts(content: Content, findings: Findings) -> None:
    for text in content.texts.values():
        if not text.key.endswith(HTML_FIELDS):
            continue
        _html(findings, text.source, text.file, text.line, text.key, content.source_language)
        for code, translation in text.translations.items():
            _html(findings, translation.text, translation.file, translation.line, text.key, code)


def _html(findings: Findings, value: str, file: str, line: int, key: str, code: str) -> None:
    result = _checked(value)
    for problem in result.problems:
        findings.error(file, line, "html", f"{key} ({code}): {problem}")


def _translations(content: Content, gathered: Gathered, findings: Findings) -> None:
    for code, entries in gathered.translations.items():
        file, line = gathered.language_lines[f"translations:{code}"]
        if code not in content.languages:
            findings.error(
                file,
                line,
                "dangling-reference",
                f'translations for "{code}", which is not a listed language{did_you_mean(code, list(content.languages))}',
            )
            continue
        for key, translation in entries.items():
            if key not in content.texts:
                findings.warning(
                    translation.file,
                    translation.line,
                    "unknown-text",
                    f'{code}: "{key}" translates a text that does not exist (any more)'
                    f"{did_you_mean(key, list(content.texts))}",
                )
            elif translation.source_hash is None:
                findings.warning(
                    translation.file,
                    translation.line,
                    "outdated",
                    f"{code}: {key} has no from: fingerprint yet; when it is checked, run "
                    f"lotse content refresh {code}",
                )
            elif not content.texts[key].is_current(code):
                findings.warning(
                    translation.file,
                    translation.line,
                    "outdated",
                    f"{code}: {key} was translated from an older German text; check it, then run "
                    f"lotse content refresh {code} {key}",
                )
    for row in coverage_table(content):
        if row.missing:
            listed = ", ".join(row.missing[:_MISSING_LISTED])
            more = (
                f" and {len(row.missing) - _MISSING_LISTED} more"
                if len(row.missing) > _MISSING_LISTED
                else ""
            )
            file, line = gathered.language_lines.get(
                f"translations:{row.code}", gathered.language_lines[row.code]
            )
            findings.warning(
                file,
                line,
                "missing-translation",
                f"{row.code}: {len(row.missing)} texts are not translated yet: {listed}{more}",
            )
