"""Flood protection per person: too many messages in a short time get one polite slow-down.

The counter lives in the person's database row, so it holds across bot processes. A person
over the limit is answered once ("please slow down") and then ignored until the window ends;
everybody else is served as usual.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from bot.storage.models import User

__all__ = ["FloodLimit", "Verdict"]


class Verdict(enum.Enum):
    """What to do with a person's next update."""

    SERVE = "serve"
    WARN = "warn"  # the first update over the limit: answer with the slow-down note
    DROP = "drop"  # further updates in the same window: ignore


@dataclass(frozen=True, slots=True)
class FloodLimit:
    """At most ``updates`` per ``window`` for one person."""

    updates: int = 20
    window: dt.timedelta = dt.timedelta(seconds=30)

    def count(self, user: User, now: dt.datetime) -> Verdict:
        """Count one update of ``user`` at ``now`` and decide (updates the row's counter)."""
        start = user.flood_window_start
        if start is None or now - start >= self.window or now < start:
            user.flood_window_start, user.flood_count = now, 1
            return Verdict.SERVE
        user.flood_count = (user.flood_count or 0) + 1
        if user.flood_count <= self.updates:
            return Verdict.SERVE
        return Verdict.WARN if user.flood_count == self.updates + 1 else Verdict.DROP
