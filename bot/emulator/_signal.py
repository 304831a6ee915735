"""Wake-ups for event-driven waits: something changed, check your condition again."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TypeVar

__all__ = ["ChangeSignal"]

T = TypeVar("T")


class ChangeSignal:
    """Lets waiters sleep until state changed instead of polling it on a timer.

    Emulator state changes from plain (synchronous) code, where an ``asyncio.Condition`` cannot
    be notified without acquiring its lock; every waiter therefore owns an ``asyncio.Event`` that
    :meth:`notify` sets. A waiter clears its event *before* checking its condition, so a change
    can never slip between the check and the wait.
    """

    def __init__(self) -> None:
        self._events: set[asyncio.Event] = set()

    def notify(self) -> None:
        """Wake every waiter so it checks its condition again."""
        for event in self._events:
            event.set()

    async def wait_for(
        self,
        check: Callable[[], T | None],
        timeout: float | None,
        *,
        recheck_after: Callable[[], float | None] | None = None,
    ) -> T:
        """Wait until ``check()`` returns something other than None (or False) and return it.

        Args:
            check: Called after every change; its first true result is returned.
            timeout: Seconds to wait at most; None waits forever.
            recheck_after: Optional; seconds after which ``check`` must run again even without a
                change (for conditions that become true with time, such as a quiet period).

        Returns:
            The first true result of ``check``.

        Raises:
            TimeoutError: If the condition did not come true in time.
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        event = asyncio.Event()
        self._events.add(event)
        try:
            while True:
                event.clear()
                result = check()
                if result is not None and result is not False:
                    return result
                wait = None if deadline is None else deadline - loop.time()
                if wait is not None and wait <= 0:
                    raise TimeoutError
                extra = recheck_after() if recheck_after else None
                if extra is not None:
                    wait = extra if wait is None else min(wait, extra)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), wait)
        finally:
            self._events.discard(event)
