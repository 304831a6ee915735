"""Soak: many people walk the menu, search services and write to teams while the Bot API misbehaves.

The emulator answers a share of all calls (5 % by default, seeded) with 429, 500, 502, a time-out,
a dropped connection, a lost answer or a slow answer; one person has blocked the bot (403).
Coordinators answer every request. Afterwards: every request reached its team exactly once, every
reply its person exactly once, nothing was lost, and the bot answers at once.

A lost answer (Telegram carried a send out, but the answer never came back) is the one case in
which the Bot API leaves the bot no way to know: such a send may be repeated. The test counts
those and reports any copy made twice next to them (see SECURITY.md).

Bounded for CI; for a longer run: ``LOTSE_SOAK_SECONDS=600 LOTSE_SOAK_PEOPLE=40 pytest -s
tests/e2e/test_soak.py`` (also ``LOTSE_SOAK_FAULT_RATE``, ``LOTSE_SOAK_SEED``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import time

from bot.contact.repositories import OutboxRepository
from bot.telegram.delivery import deliver_due
from bot.telegram.resilience import PatientRateLimiter
from tests.helpers.accounting import count_deliveries
from tests.helpers.botharness import emulated_network
from tests.helpers.walkers import PATIENCE, Coordinator, Figures, GaveUp, Walker

SECONDS = float(os.environ.get("LOTSE_SOAK_SECONDS", "12"))
PEOPLE = int(os.environ.get("LOTSE_SOAK_PEOPLE", "6"))
FAULT_RATE = float(os.environ.get("LOTSE_SOAK_FAULT_RATE", "0.05"))
SEED = int(os.environ.get("LOTSE_SOAK_SEED", "11"))
REGIONS = ("Dortmund", "Düsseldorf", "Mönchengladbach")


def fast_limiter() -> PatientRateLimiter:
    """Short waits between repetitions; the emulator has no flood limits of its own."""
    return PatientRateLimiter(
        (0.05, 0.1, 0.2, 0.4, 0.8), max_retries=5, overall_max_rate=0, group_max_rate=0
    )


async def tick(clock, stop: asyncio.Event) -> None:
    """Let the bot's clock run with real time (back-offs and leases come due as they would)."""
    while not stop.is_set():
        await asyncio.sleep(0.25)
        clock.advance(0.25)


async def drain(bot, rounds: int = 20) -> None:
    """Deliver whatever the outbox still holds (time jumps past every back-off)."""
    for _ in range(rounds):
        bot.clock.advance(900)
        await deliver_due(bot.application.bot, bot.runtime)
        await bot.idle()
        async with bot.runtime.database.unit_of_work() as session:
            if not await OutboxRepository(session).pending_count():
                return


async def live(walker: Walker, deadline: float, index: int) -> None:
    """One person's afternoon: look around, search, write; again and again until the deadline."""
    round_ = 0
    while time.monotonic() < deadline:
        try:
            await walker.walk_menu(pages=2)
            await walker.search_services(REGIONS[index % 3])
            await walker.write_request(f"P{index}R{round_}", region=REGIONS[(index + round_) % 3])
        except GaveUp:
            pass  # counted in the figures; the next round starts afresh with /start
        round_ += 1


async def test_soak_under_random_faults(database, caplog):
    caplog.set_level(logging.INFO)
    figures = Figures()
    async with emulated_network() as network:
        groups, coordinators = {}, []
        for key, title, forum in (
            ("dortmund", "Team Dortmund", True),
            ("duesseldorf", "Team Düsseldorf", False),
            ("moenchengladbach", "Team Mönchengladbach", True),
        ):
            coordinator = network.coordinator(f"K-{key}")
            groups[key] = network.team(key, title, members=(coordinator,), forum=forum)
            coordinators.append(Coordinator(coordinator, groups[key], figures))
        async with network.run(
            database, fallback="dortmund", rate_limiter=fast_limiter(), read_timeout=1.0
        ) as bot:
            emulator = bot.emulator
            rng = random.Random(SEED)
            walkers = [
                Walker(bot, bot.person(f"Person{i}", "de"), figures, random.Random(rng.random()))
                for i in range(PEOPLE)
            ]
            stop = asyncio.Event()
            background = [asyncio.create_task(tick(bot.clock, stop))]
            background += [asyncio.create_task(c.serve(stop)) for c in coordinators]
            # One person writes once and then blocks the bot: Telegram answers 403 from then on.
            blocker = Walker(bot, bot.person("Blocker", "de"), figures, random.Random(1))
            await blocker.write_request("blocker", region="Dortmund")
            refusal = emulator.inject_fault(
                None, 403, description="Forbidden: bot was blocked by the user",
                chat_id=blocker.person.id, times=None,
            )  # fmt: skip
            faults = emulator.inject_random_faults(
                seed=SEED, rate=FAULT_RATE, retry_after=1, slow=0.3, timeout=1.5
            )
            updates_before = len(emulator.requests_for("getUpdates"))
            deadline = time.monotonic() + SECONDS
            await asyncio.gather(*(live(w, deadline, i) for i, w in enumerate(walkers)))
            calls_under_faults = len(emulator.requests)
            emulator.faults.random = None
            # Coordinators answer what is still open; everything still queued goes out.
            for _ in range(3):
                await drain(bot)
                await asyncio.sleep(1.0)
            stop.set()
            await asyncio.gather(*background, return_exceptions=True)
            await drain(bot)

            # The bot answers everyone at once now.
            started = time.monotonic()
            await asyncio.gather(*(w.start() for w in walkers))
            responsive = time.monotonic() - started

            report = await count_deliveries(
                bot.runtime, emulator, groups, walkers, coordinators, blocked=blocker
            )
            report["refused_403"] = refusal.hits
            report.update(
                seconds=SECONDS, people=PEOPLE, fault_rate=FAULT_RATE, seed=SEED,
                database=bot.runtime.database.dialect,
                bot_api_calls=calls_under_faults,
                updates_handled=sum(
                    len(r.result or []) for r in emulator.requests_for("getUpdates")[updates_before:]
                    if r.ok
                ),
                faults=dict(sorted((k, v) for k, v in faults.counts.items() if ":" not in k)),
                steps=figures.steps, retries_by_people=figures.retries,
                gave_up=dict(figures.gave_up),
                answer_seconds_median=round(figures.percentile(0.5), 2),
                answer_seconds_p95=round(figures.percentile(0.95), 2),
                answer_seconds_max=round(max(figures.waits, default=0), 2),
                all_answered_after_faults_seconds=round(responsive, 2),
                tracebacks_in_log=sorted({
                    f"{r.name}: {r.getMessage()[:100]}" for r in caplog.records if r.exc_info
                }),
            )  # fmt: skip
    print("\nSOAK " + json.dumps(report, ensure_ascii=False))
    if path := os.environ.get("LOTSE_SOAK_REPORT"):
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(report, ensure_ascii=False) + "\n")
    assert report["requests_lost"] == 0
    assert report["messages_lost"] == 0 and report["replies_lost"] == 0
    assert report["cards_doubled"] + report["messages_doubled"] <= report["lost_answers_to_teams"]
    assert report["replies_doubled"] <= report["lost_answers_of_replies"]
    assert report["requests_sent"] >= PEOPLE, "people got their requests out despite the faults"
    assert responsive < PATIENCE
    assert not report["tracebacks_in_log"], "expected Telegram answers leave no traceback"
    assert refusal.hits <= 1, "after one 403 nothing more is sent to the person who blocked"
