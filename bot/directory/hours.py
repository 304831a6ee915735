"""Opening hours in OpenStreetMap syntax: open now, and when it next opens or closes.

Editors copy ``opening_hours`` straight from OpenStreetMap; ``PH`` means public holidays, which
the opening-hours library knows for Germany (nationwide holidays; regional ones such as
Fronleichnam in NRW are not distinguished by the library).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import zoneinfo
from dataclasses import dataclass

import opening_hours

__all__ = ["HoursState", "OpenStatus", "hours_state"]

COUNTRY = "DE"


class OpenStatus(enum.Enum):
    """Whether a place is open at a moment."""

    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"  # no hours known, or the hours say "unknown" / "on appointment"


@dataclass(frozen=True, slots=True)
class HoursState:
    """A service's state at one moment and the next change (None: no change within a year)."""

    status: OpenStatus
    next_change: dt.datetime | None
    comment: str = ""


@functools.lru_cache(maxsize=4096)
def _parsed(expression: str, timezone: str) -> opening_hours.OpeningHours:
    # Parsing is the expensive part; services share a handful of distinct expressions.
    return opening_hours.OpeningHours(
        expression, timezone=zoneinfo.ZoneInfo(timezone), country=COUNTRY, max_interval_days=366
    )


def hours_state(
    expression: str | None, at: dt.datetime, timezone: str = "Europe/Berlin"
) -> HoursState:
    """The state of ``expression`` at ``at`` (an aware datetime) in ``timezone``.

    An expression that cannot be parsed (the content check reports those) counts as unknown, so
    that a person is told to call first rather than being misled.
    """
    if not expression:
        return HoursState(OpenStatus.UNKNOWN, None)
    try:
        hours = _parsed(expression, timezone)
        local = at.astimezone(zoneinfo.ZoneInfo(timezone))
        state, comment = hours.state(local)
        change = hours.next_change(local)
    except Exception:  # the library raises its own error types
        return HoursState(OpenStatus.UNKNOWN, None)
    status = {
        opening_hours.State.OPEN: OpenStatus.OPEN,
        opening_hours.State.CLOSED: OpenStatus.CLOSED,
    }.get(state, OpenStatus.UNKNOWN)
    return HoursState(status, change, comment or "")
