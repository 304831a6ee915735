"""Everything a running bot needs, built once at start: settings, content, catalogs, database, clock."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.clock import Clock
from bot.config import Settings
from bot.contact.crypto import Cipher
from bot.contact.references import ReferenceGenerator
from bot.content.models import Content
from bot.content.navigation import PageIndex
from bot.directory.search import Directory
from bot.i18n.catalogs import Catalogs, Translator
from bot.ops.leader import LeaderLease
from bot.ops.metrics import Metrics
from bot.safety.crisis import CrisisMatcher
from bot.storage.database import Database

__all__ = ["Runtime"]


@dataclass(frozen=True)
class Runtime:
    """The services handlers call; one per process, shared by all updates."""

    settings: Settings
    content: Content
    content_root: Path
    catalogs: Catalogs
    database: Database
    clock: Clock
    cipher: Cipher
    references: ReferenceGenerator = field(
        default_factory=lambda: ReferenceGenerator(random.SystemRandom())
    )
    # Set by the Telegram layer: schedules the outbox delivery right away (after a commit).
    delivery_trigger: list[Callable[[], None]] = field(default_factory=list)
    # Outbox entries this process is sending right now (see bot.telegram.delivery.deliver_due).
    sending: set[int] = field(default_factory=set)
    # Prometheus metrics of this process (see bot.ops.metrics).
    metrics: Metrics = field(default_factory=Metrics)
    # Whether this process runs the scheduled jobs; kept when a reload makes a new Runtime.
    lease: LeaderLease = None  # type: ignore[assignment]  # made in __post_init__

    def __post_init__(self) -> None:
        if self.lease is None:
            object.__setattr__(self, "lease", LeaderLease(self.database))

    def kick_delivery(self) -> None:
        """Ask for the outbox to be delivered now (call after the unit of work committed)."""
        for trigger in self.delivery_trigger:
            trigger()

    def translator(self, language: str | None) -> Translator:
        """The interface translator for ``language`` with the content's fallback chain."""
        code = language if language in self.content.languages else self.content.source_language
        return self.catalogs.translator(self.content.language_chain(code))

    @functools.cached_property
    def directory(self) -> Directory:
        """The services of the content, indexed for search (built on first use)."""
        return Directory(self.content, self.settings.timezone)

    @functools.cached_property
    def codec(self):  # -> CallbackCodec; imported lazily: the codec lives in the Telegram layer
        """Callback data for the buttons of this content version."""
        from bot.telegram.callback_data import CallbackCodec

        return CallbackCodec(self.content)

    @functools.cached_property
    def pages(self) -> PageIndex:
        """The words of the content's pages, folded once, for free-text search."""
        return PageIndex(self.content)

    @functools.cached_property
    def crisis(self) -> CrisisMatcher:
        """The crisis phrases of every language of the content."""
        return CrisisMatcher(self.content.crisis_words)
