"""Reloading content while the bot runs: check the new content first, then say what changed.

:func:`reload_content` is the one domain call behind the playground's reload button, the admins'
``/reload`` and SIGHUP. It never touches the running bot: it returns the new content (or the
findings that keep it out), and the caller swaps it in — in one process today, in every process
of a deployment once a broadcast carries the call there.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.coverage import coverage_table
from bot.content.findings import Finding
from bot.content.loader import load_content
from bot.content.models import Content

__all__ = ["ContentChanges", "Difference", "ReloadOutcome", "compare_content", "reload_content"]


@dataclass(frozen=True, slots=True)
class Difference:
    """Ids that are new, gone or changed between two versions of one kind of entry."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def format(self) -> str:
        parts = []
        for sign, ids in (("+", self.added), ("-", self.removed), ("~", self.changed)):
            if ids:
                shown = ", ".join(ids[:8]) + (f" … ({len(ids)})" if len(ids) > 8 else "")
                parts.append(f"{sign} {shown}")
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class ContentChanges:
    """What an editor's change did: pages, services, languages and translation coverage."""

    pages: Difference = field(default_factory=Difference)
    services: Difference = field(default_factory=Difference)
    languages: Difference = field(default_factory=Difference)
    coverage: tuple[tuple[str, float, float], ...] = ()
    """(language, percent before, percent after) for every language whose coverage moved."""

    def __bool__(self) -> bool:
        return bool(self.pages or self.services or self.languages or self.coverage)

    def lines(self) -> list[str]:
        """The changes as an editor reads them, one kind per line (none: an empty list)."""
        lines = [
            f"{label}: {difference.format()}"
            for label, difference in (
                ("pages", self.pages),
                ("services", self.services),
                ("languages", self.languages),
            )
            if difference
        ]
        if self.coverage:
            moved = ", ".join(f"{code} {old} % → {new} %" for code, old, new in self.coverage)
            lines.append(f"coverage: {moved}")
        return lines


@dataclass(frozen=True, slots=True)
class ReloadOutcome:
    """The result of one reload: the new content and its changes, or the errors keeping it out."""

    content: Content | None
    errors: tuple[Finding, ...] = ()
    changes: ContentChanges = field(default_factory=ContentChanges)

    @property
    def ok(self) -> bool:
        return self.content is not None and not self.errors

    def format(self) -> str:
        """The outcome for an editor or operator: file:line for every error, or what changed."""
        if not self.ok:
            lines = [finding.format() for finding in self.errors]
            lines.append(f"{len(self.errors)} errors: the bot keeps serving the previous content.")
            return "\n".join(lines)
        lines = self.changes.lines() or ["no change"]
        return "\n".join([f"content {self.content.version} loaded", *lines])


def reload_content(
    current: Content, root: str | Path, *, today: dt.date | None = None
) -> ReloadOutcome:
    """Load and check the content below ``root``; compare it with ``current`` when it is fine.

    Blocking (it reads every file and may start a worker process): async callers run it in a
    thread.
    """
    result = load_content(root, today=today)
    if not result.ok or result.content is None:
        errors = tuple(f for f in result.findings.sorted() if f.is_error)
        return ReloadOutcome(content=None, errors=errors)
    return ReloadOutcome(content=result.content, changes=compare_content(current, result.content))


def compare_content(old: Content, new: Content) -> ContentChanges:
    """What differs between two versions of the content."""
    return ContentChanges(
        pages=_difference(old.nodes, new.nodes),
        services=_difference(old.services, new.services),
        languages=_difference(old.languages, new.languages),
        coverage=_coverage_moves(old, new),
    )


def _difference(old: Mapping[str, object], new: Mapping[str, object]) -> Difference:
    # The models are frozen dataclasses, so equality compares every field, file:line included:
    # an entry that only moved within its file counts as changed, which an editor can live with.
    return Difference(
        added=tuple(sorted(set(new) - set(old))),
        removed=tuple(sorted(set(old) - set(new))),
        changed=tuple(
            sorted(k for k in set(old) & set(new) if _essence(old[k]) != _essence(new[k]))
        ),
    )


def _essence(entry: object) -> object:
    """An entry without its position, so that a line inserted above does not count as a change."""
    if isinstance(entry, Mapping):
        return tuple(sorted((key, _essence(value)) for key, value in entry.items()))
    if isinstance(entry, tuple):
        return tuple(_essence(item) for item in entry)
    fields = getattr(entry, "__dataclass_fields__", None)
    if not fields:
        return entry
    return tuple(_essence(getattr(entry, name)) for name in fields if name not in ("file", "line"))


def _coverage_moves(old: Content, new: Content) -> tuple[tuple[str, float, float], ...]:
    # Rounded down to a tenth, so that one outdated text of hundreds still shows as a change.
    before = {row.code: math.floor(row.percent * 10) / 10 for row in coverage_table(old)}
    after = {row.code: math.floor(row.percent * 10) / 10 for row in coverage_table(new)}
    return tuple(
        (code, before[code], after[code])
        for code in after
        if code in before and before[code] != after[code]
    )
