"""The clock: where Lotse reads the current time, so that tests can set it."""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Tells the current time."""

    def now(self) -> dt.datetime:
        """The current time, timezone-aware in UTC."""
        ...


class SystemClock:
    """The real time of the machine, in UTC."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)
