"""Health and readiness: is the process alive, and can it serve (database, content, Telegram)?

``/healthz`` answers as long as the process's event loop turns. ``/readyz`` checks what serving
needs: the database answers, the content is loaded, and the Bot API answered recently. A reverse
proxy or orchestrator takes a process that is not ready out of rotation until it recovers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import text

from bot.storage.database import Database, describe_failure

__all__ = ["Readiness", "ReadinessReport"]

# Asking Telegram on every probe would spend the send budget's neighbour, getMe, needlessly.
_TELEGRAM_CHECK_EVERY = 30.0
_CHECK_TIMEOUT = 3.0


@dataclass(frozen=True, slots=True)
class ReadinessReport:
    """The result of each check: ``"ok"`` or one line saying what is wrong."""

    checks: dict[str, str]

    @property
    def ready(self) -> bool:
        return all(result == "ok" for result in self.checks.values())


class Readiness:
    """Runs the readiness checks of one process.

    Args:
        database: The bot's database.
        content_loaded: Whether the content is loaded (and valid) in this process.
        telegram_ping: Calls the Bot API once (getMe); raises if it cannot.
        monotonic: The clock for caching the Telegram check (tests pass their own).
    """

    def __init__(
        self,
        database: Database,
        content_loaded: Callable[[], bool],
        telegram_ping: Callable[[], Awaitable[object]],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = database
        self._content_loaded = content_loaded
        self._telegram_ping = telegram_ping
        self._monotonic = monotonic
        self._telegram: tuple[float, str] | None = None

    async def report(self) -> ReadinessReport:
        """Check everything now (the Telegram result is reused for up to 30 seconds)."""
        return ReadinessReport(
            {
                "database": await self._check_database(),
                "content": "ok" if self._content_loaded() else "not loaded",
                "telegram": await self._check_telegram(),
            }
        )

    async def _check_database(self) -> str:
        try:
            async with asyncio.timeout(_CHECK_TIMEOUT), self._database.engine.connect() as conn:
                # A table of ours, not just the server: a dropped schema is a broken database too.
                await conn.execute(text("SELECT 1 FROM alembic_version LIMIT 1"))
        except TimeoutError:
            return "no answer (timed out)"
        except Exception as exc:
            return describe_failure(exc)
        return "ok"

    async def _check_telegram(self) -> str:
        now = self._monotonic()
        if self._telegram is not None and now - self._telegram[0] < _TELEGRAM_CHECK_EVERY:
            return self._telegram[1]
        try:
            async with asyncio.timeout(_CHECK_TIMEOUT):
                await self._telegram_ping()
            result = "ok"
        except TimeoutError:
            result = "no answer (timed out)"
        except Exception as exc:
            result = f"{type(exc).__name__}"
        # Only a success is remembered: a process that could not reach Telegram asks again next time.
        self._telegram = (now, result) if result == "ok" else None
        return result
