"""Freshness of the content: what the editors should look at again, for the admins' weekly message.

Services not verified for twelve months, translations made from a German text that changed since,
and events that are not translated into every language yet. Computed from the content alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.content.coverage import coverage_table
from bot.content.models import Content, Event, Service
from bot.content.validation import STALE_AFTER_DAYS

__all__ = ["Freshness", "freshness_of"]


@dataclass(frozen=True, slots=True)
class Freshness:
    """What is out of date in the content on one day.

    Attributes:
        stale_services: services never verified or last verified more than 12 months ago.
        outdated: language code → number of translations made from an older German text.
        untranslated_events: upcoming events and the languages their texts are missing in.
    """

    stale_services: tuple[Service, ...]
    outdated: dict[str, int]
    untranslated_events: tuple[tuple[Event, tuple[str, ...]], ...]

    @property
    def is_fresh(self) -> bool:
        return not (self.stale_services or self.outdated or self.untranslated_events)


def freshness_of(content: Content, today: dt.date) -> Freshness:
    """Look through ``content`` as it is on ``today``."""
    stale_before = today - dt.timedelta(days=STALE_AFTER_DAYS)
    stale = tuple(
        service
        for service in content.services.values()
        if service.verified_on is None or service.verified_on < stale_before
    )
    outdated = {row.code: len(row.outdated) for row in coverage_table(content) if row.outdated}
    languages = [code for code in content.languages if code != content.source_language]
    untranslated = []
    for event in content.events:
        if event.last_day < today:
            continue
        texts = [t for t in (event.title, event.text) if t is not None]
        missing = tuple(code for code in languages if any(t.get(code) is None for t in texts))
        if missing:
            untranslated.append((event, missing))
    return Freshness(stale, outdated, tuple(untranslated))
