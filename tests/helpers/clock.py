"""A clock that tests set and move by hand."""

from __future__ import annotations

import datetime as dt

__all__ = ["FakeClock"]


class FakeClock:
    """A :class:`~bot.clock.Clock` that stands still until a test moves it.

    Args:
        start: The first time it tells; must be timezone-aware (it is converted to UTC).
    """

    def __init__(self, start: dt.datetime) -> None:
        self._now = _aware_utc(start)

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, by: dt.timedelta | float) -> dt.datetime:
        """Move forward by a timedelta or a number of seconds; returns the new time."""
        step = by if isinstance(by, dt.timedelta) else dt.timedelta(seconds=by)
        if step < dt.timedelta(0):
            raise ValueError(f"a clock only moves forward; use set() to go back, not {step}")
        self._now += step
        return self._now

    def set(self, moment: dt.datetime) -> None:
        """Jump to ``moment`` (aware), forwards or backwards."""
        self._now = _aware_utc(moment)


def _aware_utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"the clock needs an aware datetime, not the naive {moment.isoformat()}")
    return moment.astimezone(dt.UTC)
