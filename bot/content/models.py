"""The content model: immutable objects built from the editors' YAML files.

Texts a person reads are :class:`LocalizedText`: the source text (German) plus translations, each
of which remembers the version of the source it was made from. Everything else is plain data.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "Accessibility",
    "Action",
    "ActionKind",
    "Address",
    "Content",
    "Event",
    "GeoPoint",
    "GlossaryTerm",
    "Helpline",
    "Language",
    "LocalizedText",
    "MenuNode",
    "News",
    "Place",
    "Region",
    "ReviewStatus",
    "Service",
    "Template",
    "Topic",
    "Translation",
    "source_hash",
]

_EMPTY: Mapping[str, Translation] = MappingProxyType({})


def source_hash(text: str) -> str:
    """Return the short fingerprint of a source text that translations record as ``from``.

    Whitespace at the ends and line endings do not count, so reformatting the YAML does not mark
    translations outdated; any change of wording does.
    """
    normalized = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return hashlib.blake2b(normalized.encode("utf-8"), digest_size=3).hexdigest()


class ReviewStatus(enum.StrEnum):
    """Whether a person who speaks the language has reviewed its texts."""

    MACHINE_DRAFTED = "machine-drafted"
    REVIEWED = "reviewed"


@dataclass(frozen=True, slots=True)
class Language:
    """A language of the content.

    Attributes:
        code: Babel locale code (``ar``, ``fa_AF``, ``ku``…).
        name: the language's own name for itself, shown in the language picker.
        direction: ``ltr`` or ``rtl``, taken from Babel.
        fallback: languages to use, in order, when a text is missing in this one.
        status: machine-drafted or reviewed.
    """

    code: str
    name: str
    direction: str
    fallback: tuple[str, ...]
    status: ReviewStatus

    @property
    def is_rtl(self) -> bool:
        return self.direction == "rtl"


@dataclass(frozen=True, slots=True)
class Translation:
    """One translated text and the fingerprint of the source text it was made from.

    Attributes:
        reviewed: the fingerprint of the source text a native speaker reviewed this translation
            against (``reviewed:`` in the file), or None. It counts only while it equals the
            current source fingerprint, so a change of the German text resets it.
    """

    text: str
    source_hash: str | None
    file: str
    line: int
    reviewed: str | None = None


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """A text in the source language together with its translations.

    Attributes:
        key: stable name of the text, e.g. ``menu.women.title``; translation files use it.
        source: the text in the source language.
        translations: language code → translation.
    """

    key: str
    source: str
    source_language: str
    translations: Mapping[str, Translation] = field(default_factory=lambda: _EMPTY)
    file: str = ""
    line: int = 0
    source_hash: str = ""

    def __post_init__(self) -> None:
        # Computed once: coverage and the outdated check compare it for every translation.
        if not self.source_hash:
            object.__setattr__(self, "source_hash", source_hash(self.source))

    def get(self, language: str) -> str | None:
        """The text in exactly this language, or None."""
        if language == self.source_language:
            return self.source
        found = self.translations.get(language)
        return found.text if found is not None else None

    def resolve(self, chain: tuple[str, ...]) -> tuple[str, str]:
        """Return ``(text, language)`` for the first language of ``chain`` that has the text."""
        for language in chain:
            text = self.get(language)
            if text is not None:
                return text, language
        return self.source, self.source_language

    def is_current(self, language: str) -> bool:
        """True if the translation exists and was made from the present source text."""
        if language == self.source_language:
            return True
        found = self.translations.get(language)
        return found is not None and found.source_hash == self.source_hash

    def is_reviewed(self, language: str) -> bool:
        """True if a native speaker reviewed the translation against the present source text."""
        if language == self.source_language:
            return True
        found = self.translations.get(language)
        return (
            found is not None
            and found.source_hash == self.source_hash
            and found.reviewed == self.source_hash
        )


class ActionKind(enum.StrEnum):
    """What pressing a menu node's button does besides showing its page."""

    SERVICES = "services"
    CONTACT = "contact"
    EMERGENCY = "emergency"
    NUMBERS = "numbers"  # sends the list of important numbers, built from the help lines
    LANGUAGE = "language"
    LINK = "link"
    ATTACHMENT = "attachment"
    EVENTS = "events"  # the upcoming events of the person's region


@dataclass(frozen=True, slots=True)
class Action:
    """A typed action: the topic for services/contact, the URL of a link, the file of an attachment."""

    kind: ActionKind
    target: str | None = None


@dataclass(frozen=True, slots=True)
class MenuNode:
    """One page of the menu tree; its title is also the label of the button that opens it."""

    id: str
    title: LocalizedText
    text: LocalizedText | None
    keywords: LocalizedText | None
    children: tuple[str, ...]
    action: Action | None
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A point on earth in WGS 84 degrees."""

    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Topic:
    """A subject people seek help with; services and contact requests are filed under topics."""

    id: str
    name: LocalizedText
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Place:
    """A city district or town of a region, found by name or postal code without a geocoder."""

    name: str
    postal_codes: tuple[str, ...]
    location: GeoPoint


@dataclass(frozen=True, slots=True)
class Region:
    """An area served by one coordinator team (usually a city)."""

    id: str
    name: LocalizedText
    center: GeoPoint
    cities: tuple[str, ...]
    postal_codes: tuple[str, ...]
    places: tuple[Place, ...]
    team: str | None
    active: bool
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address as written on a letter."""

    street: str | None
    postal_code: str | None
    city: str | None


class Accessibility(enum.StrEnum):
    """Wheelchair access as OpenStreetMap records it."""

    YES = "yes"
    LIMITED = "limited"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Service:
    """A counselling service or other place where people get help."""

    id: str
    name: str
    topics: tuple[str, ...]
    region: str
    address: Address
    location: GeoPoint | None
    phone: str | None
    email: str | None
    website: str | None
    opening_hours: str | None
    languages: tuple[str, ...]
    wheelchair: Accessibility
    sign_language: bool
    description: LocalizedText | None
    verified_on: dt.date | None
    sample: bool
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Helpline:
    """A nationwide phone line or emergency number."""

    id: str
    name: LocalizedText
    phone: str
    description: LocalizedText | None
    hours: str | None
    languages: tuple[str, ...]
    emergency: bool
    topics: tuple[str, ...]
    website: str | None
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Template:
    """A coordinator's reply template, sent to a person in their own language."""

    id: str
    text: LocalizedText
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Event:
    """An event of the network, such as a regional conference."""

    id: str
    title: LocalizedText
    text: LocalizedText | None
    start: dt.datetime  # local time of the network (settings.timezone), naive as written
    end: dt.datetime | None
    place: str | None
    regions: tuple[str, ...]
    file: str
    line: int
    address: Address | None = None
    location: GeoPoint | None = None
    topics: tuple[str, ...] = ()
    registration: str | None = None  # a web address where people register
    contact: str | None = None  # a phone number or e-mail address for questions

    @property
    def last_day(self) -> dt.date:
        """The day the event ends (its start day if no end is given)."""
        return (self.end or self.start).date()


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    """One term of a language's glossary: the spelling to use and the ones to avoid.

    Attributes:
        language: the language the term is written in.
        term: the German term (or a description such as "Sie (Anrede)").
        use: the chosen translation.
        variants: spellings or forms that must not be used; matched as whole words, with case.
        note: why, for the next translator.
    """

    language: str
    term: str
    use: str
    variants: tuple[str, ...]
    note: str
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class News:
    """News of the network that an admin sends to the subscribers of its regions (``/announce``)."""

    id: str
    text: LocalizedText
    regions: tuple[str, ...]  # empty: every region
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Content:
    """Everything the editors maintain, loaded and linked, ready for the bot."""

    version: str
    source_language: str
    languages: Mapping[str, Language]
    root: str
    nodes: Mapping[str, MenuNode]
    parents: Mapping[str, str]
    topics: Mapping[str, Topic]
    regions: Mapping[str, Region]
    services: Mapping[str, Service]
    helplines: tuple[Helpline, ...]
    templates: Mapping[str, Template]
    events: tuple[Event, ...]
    crisis_words: Mapping[str, tuple[str, ...]]
    texts: Mapping[str, LocalizedText] = field(default_factory=dict)
    # language code -> the terms of its glossary (content/glossary.yaml)
    glossary: Mapping[str, tuple[GlossaryTerm, ...]] = field(default_factory=dict)
    news: Mapping[str, News] = field(default_factory=dict)

    def language_chain(self, language: str) -> tuple[str, ...]:
        """The languages to try, in order, for a person who reads ``language``."""
        lang = self.languages.get(language)
        chain = [language] if lang is not None else []
        if lang is not None:
            chain.extend(lang.fallback)
        if self.source_language not in chain:
            chain.append(self.source_language)
        return tuple(dict.fromkeys(chain))

    def breadcrumb(self, node_id: str) -> tuple[str, ...]:
        """The ids from the root down to ``node_id`` along each node's first parent."""
        path = [node_id]
        while path[-1] in self.parents and len(path) <= len(self.nodes):
            path.append(self.parents[path[-1]])
        return tuple(reversed(path))
