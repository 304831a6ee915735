"""A bot process for crash tests: the real Application, started from a JSON description, killable.

Run as ``python -m tests.helpers.crashable_bot`` with ``LOTSE_CRASH_CONFIG`` holding the JSON
written by :func:`describe`. It prints ``READY`` once it is polling and serves until killed.

Its clock runs with real time from ``START + clock_offset`` seconds: a test that restarts it
after a crash moves the offset past the outbox lease, as the minutes a real restart takes would.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import logging
import os
import random
import time

from bot.config import Settings, TeamSettings
from bot.contact.references import ReferenceGenerator
from bot.storage.database import Database
from bot.telegram.application import build_application, prepare, start_polling
from bot.telegram.resilience import PatientRateLimiter
from tests.helpers import botharness
from tests.helpers.botharness import START


class RunningClock:
    """Real time, starting at a chosen moment."""

    def __init__(self, start: dt.datetime) -> None:
        self._start, self._started = start, time.monotonic()

    def now(self) -> dt.datetime:
        return self._start + dt.timedelta(seconds=time.monotonic() - self._started)


def describe(*, database_url, schema, token, emulator, teams, fallback, key, clock_offset) -> dict:
    """The JSON-able description of a bot process."""
    return {
        "database_url": database_url,
        "schema": schema,
        "token": token,
        "base_url": emulator.base_url,
        "base_file_url": emulator.base_file_url,
        "teams": [
            [t.key, t.name, t.chat_id, list(t.languages), t.office_hours] for t in teams.values()
        ],
        "fallback": fallback,
        "key": key,
        "clock_offset": clock_offset,
    }


async def serve(config: dict) -> None:
    """Start the bot as described and serve until killed."""
    botharness.TEST_KEY = config["key"]  # the test reads what this process encrypts
    teams = {t[0]: TeamSettings(t[0], t[1], t[2], tuple(t[3]), t[4]) for t in config["teams"]}
    settings = Settings(teams=teams, fallback_team=config["fallback"])
    clock = RunningClock(START + dt.timedelta(seconds=config["clock_offset"]))
    database = Database(config["database_url"], schema=config["schema"])
    # References from the system's randomness: a fixed seed would repeat itself at each restart.
    runtime = dataclasses.replace(
        botharness.test_runtime(database, clock, settings),
        references=ReferenceGenerator(random.SystemRandom()),
    )
    application = build_application(
        runtime,
        token=config["token"],
        base_url=config["base_url"],
        base_file_url=config["base_file_url"],
        rate_limiter=PatientRateLimiter(
            (0.05, 0.1, 0.2, 0.4), max_retries=5, overall_max_rate=0, group_max_rate=0
        ),
        read_timeout=2.0,
    )
    await prepare(application)
    await application.start()
    await start_polling(application, timeout=5)
    print("READY", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(serve(json.loads(os.environ["LOTSE_CRASH_CONFIG"])))
