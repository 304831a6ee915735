"""Three bot processes serve one bot by webhook on one PostgreSQL; one is killed in the middle.

The emulator plays Telegram and the reverse proxy at once: it spreads the webhook calls over the
three processes (a chat's next update waits for the answer to its previous one, as Telegram does)
and retries a call that failed at the next process. People use the menus and write contact
requests, coordinators answer; the leader (the process running the scheduled jobs) is SIGKILLed
when half of the requests are in. Afterwards nothing is lost and nothing doubled, another process
took over the jobs within the lease time, and the three together never sent faster than the
budget they share through Redis: never more tokens granted in any 1, 5 or 10 seconds than
burst + rate × T (by Redis' clock, seen through MONITOR), and no call into a chat without one.
How dense the same calls look on arrival at the emulator (later by however long this busy
machine keeps them) is printed beside it.
"""

from __future__ import annotations

import asyncio
import bisect
import os
import secrets
import time
from pathlib import Path

import httpx
import pytest
import yaml
from cryptography.fernet import Fernet
from sqlalchemy import text

from bot.content.addresses import page_address
from bot.content.loader import load_content_or_raise
from bot.emulator import BotApiEmulator
from bot.storage.database import Database
from tests.helpers.budget_grants import GrantRecorder
from tests.helpers.processes import ROOT, BotProcess, fresh_database, metric

pytestmark = pytest.mark.postgres

PEOPLE = int(os.environ.get("LOTSE_PROCESSES_TEST_PEOPLE", "100"))
LEASE_SECONDS = 2
BUDGET = {"per_second": 30, "per_chat_per_second": 1, "per_group_per_minute": 600}
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TEAMS = ("dortmund", "duesseldorf", "moenchengladbach")
TIMEOUT = 90.0


def _config(path: Path, groups: dict[str, int]) -> Path:
    config = {
        "content": {"path": str(ROOT / "content")},
        "teams": {
            key: {"name": f"Koordination {key}", "chat_id": chat, "languages": ["de"]}
            for key, chat in groups.items()
        },
        "fallback_team": "dortmund",
        # Every round of the scheduled jobs is due to send each team its daily digest.
        "follow_up": {"digest_time": "00:00"},
        "production": {
            "leader_lease_seconds": LEASE_SECONDS,
            "outbox_lease_seconds": 15,
            "send_budget": BUDGET,
        },
    }
    path.write_text(yaml.safe_dump(config), "utf-8")
    return path


def _most_in_window(times: list[float], seconds: float) -> int:
    """The largest number of events in any window of ``seconds``."""
    times = sorted(times)
    return max((bisect.bisect_left(times, t + seconds) - i for i, t in enumerate(times)), default=0)


async def _request_and_answer(index, person, groups, coordinator, content, sent_counter):
    """One person: menu, consent, region, one message, Send; then the team's answer arrives."""
    words = f"Nachricht Nummer {index:03d} bitte um Rückruf"
    wait = {"timeout": TIMEOUT}
    await person.send_text("/start")
    await person.wait_for_bot_message(**wait)
    await person.press_button(page_address(content.version, "violence"))
    await person.wait_for_bot_message(**wait)
    await person.press_button(page_address(content.version, "violence_contact"))
    consent = await person.wait_for_bot_message(**wait)
    await person.press_button(consent.buttons[0])
    regions = await person.wait_for_bot_message(**wait)
    cities = [button for button in regions.buttons if button.startswith(("🏙", "✓"))]
    await person.press_button(cities[index % len(cities)])
    methods = await person.wait_for_bot_message(**wait)
    await person.press_button(methods.buttons[0])
    await person.wait_for_bot_message(**wait)
    await person.send_text(words)
    ready = await person.wait_for_bot_message(lambda m: m.button("k:send:") is not None, **wait)
    await person.press_button("k:send:", message=ready)
    # The confirmation names the reference (a note sent meanwhile, e.g. the compose screen's
    # update, may come first).
    sent = await person.wait_for_bot_message(lambda m: "#" in (m.text or ""), **wait)
    reference = "#" + sent.text.split("#", 1)[1][:4]
    sent_counter.append(reference)
    copy = await _wait_for_group_message(person, groups, words)
    answer = f"Antwort {index:03d} vom Team"
    await coordinator.send_text(answer, chat=copy[0], thread_id=copy[1].thread_id)
    await person.wait_for_bot_message(lambda m: answer in (m.text or ""), **wait)
    return reference, words, answer


async def _loop_lateness(record: list[float], period: float = 0.05) -> None:
    """Record how late this event loop (the emulator's) wakes from a sleep: how busy it is."""
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        await asyncio.sleep(period)  # the measurement itself: a timer that should fire on time
        record.append(loop.time() - before - period)


async def _leaders(processes, client):
    return [p for p in processes if metric(await p.metrics(client), "lotse_leader")]


async def _wait_for_group_message(person, groups, words):
    emulator = person._emulator
    found = []

    def copied() -> bool:
        for group in groups:
            for message in group.bot_messages():
                if words in (message.text or ""):
                    found.append((group, message))
                    return True
        return False

    await emulator.wait_until(copied, TIMEOUT)
    return found[0]


async def test_three_webhook_processes_one_killed_nothing_lost_or_doubled(tmp_path):
    tmp_path = Path(os.environ.get("LOTSE_PROCESSES_TEST_LOGS", tmp_path))
    tmp_path.mkdir(parents=True, exist_ok=True)
    server_url = os.environ.get("TEST_DATABASE_URL", "")
    if not server_url.startswith("postgresql"):
        pytest.skip("several processes need PostgreSQL (set TEST_DATABASE_URL)")
    started = time.monotonic()
    content = load_content_or_raise(ROOT / "content")
    async with fresh_database(server_url) as database_url, BotApiEmulator() as emulator:
        # A bot id of its own: the budget in Redis is per bot, and other tests may run meanwhile.
        token = emulator.create_bot(
            f"{secrets.randbelow(10**9) + 10**9}:AA{secrets.token_urlsafe(33)[:33]}"
        )
        coordinator = emulator.add_user("Anna", language_code="de")
        groups = {
            key: emulator.add_group(f"Koordination {key}", forum=True, members=(coordinator,))
            for key in TEAMS
        }
        config = _config(tmp_path / "config.yaml", {k: g.id for k, g in groups.items()})
        environment = {
            "BOT_TOKEN": token,
            "BOT_API_BASE_URL": emulator.base_url,
            "BOT_MODE": "webhook",
            "BOT_WEBHOOK_URL": "https://lotse.invalid/telegram",
            "BOT_WEBHOOK_SECRET": "s3cret-for-the-test",
            "BOT_WEBHOOK_LISTEN": "127.0.0.1",
            "DATABASE_URL": database_url,
            "BOT_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "BOT_ENVIRONMENT": "production",
            "BOT_REDIS_URL": REDIS_URL,
        }
        # Every token the three processes take from the shared budget, by Redis' clock.
        bot_id = token.split(":", 1)[0]
        grants = GrantRecorder.start(
            REDIS_URL, f"lotse:budget:{bot_id}:all", tmp_path / "grants.txt"
        )
        processes = [BotProcess.start(f"bot-{n}", config, environment, tmp_path) for n in range(3)]
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                await asyncio.gather(*(p.wait_ready(client, 60) for p in processes))
                emulator.spread_webhook([f"{p.url}/telegram" for p in processes])
                leaders = await _leaders(processes, client)
                deadline = time.monotonic() + 3 * LEASE_SECONDS
                while not leaders and time.monotonic() < deadline:
                    await asyncio.sleep(0.1)  # the processes' lease loop runs on its own
                    leaders = await _leaders(processes, client)
                assert len(leaders) == 1, "exactly one process runs the scheduled jobs"
                leader = leaders[0]

                people = [
                    emulator.add_user(f"Person {i}", language_code="de") for i in range(PEOPLE)
                ]
                sent: list[str] = []
                lateness: list[float] = []
                probe = asyncio.create_task(_loop_lateness(lateness))
                tasks = [
                    asyncio.create_task(
                        _request_and_answer(i, p, list(groups.values()), coordinator, content, sent)
                    )
                    for i, p in enumerate(people)
                ]
                await emulator.wait_until(lambda: len(sent) >= PEOPLE // 2, TIMEOUT)
                leader.kill()
                killed_at = time.monotonic()
                survivors = [p for p in processes if p is not leader]
                new_leader = None
                while new_leader is None:
                    for process in survivors:
                        if metric(await process.metrics(client), "lotse_leader"):
                            new_leader = process
                    assert time.monotonic() - killed_at < 3 * LEASE_SECONDS + 5, "no take-over"
                    if new_leader is None:
                        await asyncio.sleep(0.1)  # the survivors' lease loop runs on its own
                takeover = time.monotonic() - killed_at
                results = await asyncio.gather(*tasks)
                probe.cancel()

                # The outbox is drained by the survivors (the killed one's lease runs out).
                async def backlog() -> float:
                    return metric(await survivors[0].metrics(client), "lotse_outbox_backlog")

                deadline = time.monotonic() + TIMEOUT
                while await backlog() and time.monotonic() < deadline:
                    await asyncio.sleep(0.2)  # other processes deliver; nothing here to wait on
                assert not await backlog()
                survivor_metrics = [await p.metrics(client) for p in survivors]
        finally:
            for process in processes:
                process.stop()
            grants.stop()

        # Nothing lost, nothing doubled: in the database…
        database = Database(database_url)
        try:
            async with database.unit_of_work() as session:
                requests = (
                    await session.execute(text("select count(*) from contact_requests"))
                ).scalar_one()
                inbound = (await session.execute(
                    text("select count(*) from request_messages where direction = 'in'")
                )).scalar_one()  # fmt: skip
                outbound = (await session.execute(
                    text("select count(*) from request_messages where direction = 'out'")
                )).scalar_one()  # fmt: skip
                # Deliveries taken over after the killed process's lease ran out.
                retaken_kinds = (await session.execute(text(
                    "select distinct r.reference, o.kind from outbox o join contact_requests r "
                    "on r.id = o.request_id where o.attempts > 1"
                ))).all()  # fmt: skip
                retaken = {"#" + ref for ref, _kind in retaken_kinds}
                answers_retaken = {"#" + ref for ref, kind in retaken_kinds if kind == "to-person"}
        finally:
            await database.dispose()
        assert (requests, inbound, outbound) == (PEOPLE, PEOPLE, PEOPLE)
        # …in the team chats (one topic, one card, one copy per request). The one exception is
        # the double-relay window: a call the killed process had made when it died, before it
        # could record it, is made again by the process that takes the delivery over.
        texts = [m.text or "" for g in groups.values() for m in g.bot_messages()]
        topics = [t.name for g in groups.values() for t in g.topics().values()]
        doubled = set()
        for reference, words, _answer in results:
            cards = [t for t in texts if t.startswith(("📨 " + reference, "🚨 " + reference))]
            counts = (
                sum(words in t for t in texts),
                len(cards),
                sum(reference in n for n in topics),
            )
            if counts != (1, 1, 1):
                assert reference in retaken and max(counts) == 2 and min(counts) == 1, counts
                doubled.add(reference)
        assert len(doubled) <= 2, doubled  # at most the calls under way in the killed process
        # …and with the people (one answer each; the same window holds for the way back: an
        # answer the killed process was sending when it died can arrive twice, never three times).
        for person, (reference, _words, answer) in zip(people, results, strict=True):
            answers = sum(answer in (m.text or "") for m in person.bot_messages())
            if answers != 1:
                assert reference in answers_retaken and answers == 2, (reference, answers)
                doubled.add(reference)
        assert len(doubled) <= 2, doubled
        # The scheduled jobs ran in one process at a time: at most one digest per team and day.
        for group in groups.values():
            assert sum("📋" in (m.text or "") for m in group.bot_messages()) <= 1
        runs = [metric(m, "lotse_scheduled_runs_total") for m in survivor_metrics]
        assert sorted(runs)[0] == 0 and sorted(runs)[1] >= 1, runs
        # Every process asks for the lease every LEASE_SECONDS; on this shared machine the job and
        # the scrape that sees it can each be a few seconds late.
        assert takeover <= 3 * LEASE_SECONDS + 2, f"take-over after {takeover:.1f} s"
        # The combined send rate stayed within the shared budget: the three processes together
        # took at most burst + rate × T tokens in any T seconds (burst = rate / 5)…
        granted = grants.times()
        rate = BUDGET["per_second"]
        peaks = {window: _most_in_window(granted, window) for window in (1.0, 5.0, 10.0)}
        # …and no call into a chat went around the budget: each one arrived after a token of its
        # own was granted (k calls arrived by any moment → at least k tokens granted before it).
        sends = [r for r in emulator.requests if "chat_id" in r.params]
        arrived = sorted(r.at.timestamp() for r in sends)
        ungranted = [
            (k, t) for k, t in enumerate(arrived) if bisect.bisect_right(granted, t) < k + 1
        ]
        # Where Telegram would measure, at arrival, the same calls can look denser: a call made
        # at the budget's pace waits for this busy machine before the emulator sees it (seen with
        # 35/151/279 granted in 1/5/10 s: 41/157/284 arrived, token to arrival median 0.35 s, at
        # most 2 s, with the load average at 5 on two cores). Reported, not asserted.
        arrival_peaks = {window: _most_in_window(arrived, window) for window in (1.0, 5.0, 10.0)}
        delays = sorted(a - g for a, g in zip(arrived, granted, strict=False))
        print(
            f"\n{PEOPLE} people, {len(sends)} calls into chats by 3 processes (one killed), "
            f"{len(granted)} tokens granted; take-over after {takeover:.1f} s, {len(retaken)} "
            f"deliveries taken over, {len(doubled)} doubled in the double-relay window; "
            f"budget {rate}/s + {rate / 5:g}: most granted in 1/5/10 s "
            f"{peaks[1.0]}/{peaks[5.0]}/{peaks[10.0]}, most arrived "
            f"{arrival_peaks[1.0]}/{arrival_peaks[5.0]}/{arrival_peaks[10.0]}, token to arrival "
            f"median {delays[len(delays) // 2] * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms; "
            f"emulator's loop late by up to {max(lateness, default=0) * 1000:.0f} ms; "
            f"{time.monotonic() - started:.0f} s in all"
        )
        for window, peak in peaks.items():
            assert peak <= rate / 5 + rate * window, f"{peak} tokens in {window:g} s"
        assert not ungranted, f"{len(ungranted)} calls without a token, first {ungranted[:3]}"
