"""Benchmark: a broadcast to 5,000 subscribers within Telegram's limits, people answered meanwhile.

The bot runs in a child process (:mod:`bench.botprocess`, rate limiter on as in production,
without Redis: the per-process limiter) against the Bot API emulator, on SQLite and on
PostgreSQL at the same time (a bot and an emulator for each). 5,000 people subscribed to news
of Dortmund are in the database; an admin sends ``/announce``. While the broadcast runs, a few
people use the menu (a press every few seconds each, open loop) and the time to each answer is
measured.

From the emulator's log of requests (``emulator.requests``: arrival time, chat, outcome):

* every subscriber got the announcement exactly once;
* Telegram's limits, enforced by the emulator (``FloodLimits``: 30 a second with a burst of 6,
  1 a second per chat, 20 a minute per group; beyond them a call is refused with 429): the
  refusals, the most calls into chats in any window of 1, 5 and 10 seconds (at most
  ``6 + 30 × T``), and the most calls into any one chat in a second (1 allowed);
* the achieved rate: broadcast messages (and all calls into chats) per second between the first
  and the last broadcast message, as a percentage of 30 a second;
* people's answers during the broadcast: p50, p99 and the longest wait.
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import datetime as dt
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.updates import PG_URL, Answers, Crowd, offer, postgres_schema, press
from bot.emulator import BotApiEmulator, FloodLimits

__all__ = ["run"]

SUBSCRIBERS = 5000
MENU_PEOPLE = 8
PRESS_EVERY = 4.0  # seconds between one person's presses (each answered by one edit)
RATE = 30.0
BURST = 6  # the overall bucket's capacity at 30 a second (bot.ops.sendbudget.overall_burst)
NEWS_TEXT = "Das Sommerfest ist am 1. Juli."
LANGUAGES = ("de", "ar", "fa", "uk", "ru", "tr", "en", "fr")
_SEEDING = asyncio.Lock()


def _most_in_window(times: list[float], seconds: float) -> int:
    """The largest number of events in any window of ``seconds`` (closed on the left)."""
    times = sorted(times)
    return max((bisect.bisect_left(times, t + seconds) - i for i, t in enumerate(times)), default=0)


def _content_with_news(folder: Path) -> Path:
    content = folder / "content"
    shutil.copytree("content", content)
    (content / "news.yaml").write_text(
        f"news:\n  - id: sommerfest\n    text: {NEWS_TEXT}\n    regions: [dortmund]\n", "utf-8"
    )
    return content


async def _seed(url: str, schema: str | None, people) -> None:
    from sqlalchemy import insert

    from bot.storage.database import Database
    from bot.storage.migrate import upgrade_database
    from bot.storage.models import User

    await upgrade_database(url, schema=schema)
    database = Database(url, schema=schema)
    now = dt.datetime.now(dt.UTC)
    try:
        async with database.unit_of_work() as session:
            rows = [
                {
                    "telegram_id": p.id, "language": LANGUAGES[n % len(LANGUAGES)],
                    "language_confirmed": True, "region": "dortmund", "news_subscribed": True,
                    "first_seen": now, "last_seen": now,
                }
                for n, p in enumerate(people)
            ]  # fmt: skip
            await session.execute(insert(User), rows)
    finally:
        await database.dispose()


async def _start_bot(emulator, token, url, schema, content, admin) -> subprocess.Popen:
    command = [sys.executable, "-m", "bench.botprocess", "lotse", "--token", token]
    command += ["--base-url", emulator.base_url, "--database", url, "--content", str(content)]
    command += ["--admins", str(admin.id)]
    if schema:
        command += ["--schema", schema]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, process.stdout.readline)
    if line.strip() != "ready":
        process.kill()
        raise RuntimeError(f"the bot did not start (exit code {process.wait()})")
    await emulator.wait_until_polling(timeout=30)
    return process


async def _stop_bot(process: subprocess.Popen) -> None:
    process.stdin.close()
    try:
        await asyncio.get_running_loop().run_in_executor(None, process.wait, 30)
    except subprocess.TimeoutExpired:
        process.kill()


async def measure(url: str, schema: str | None, subscribers: int) -> dict:
    """One broadcast to ``subscribers`` people on the database at ``url``."""
    from bot.content.loader import load_content_or_raise

    content_model = load_content_or_raise("content")
    # Telegram's limits enforced by the emulator: beyond them a call is refused with 429.
    async with BotApiEmulator(flood_limits=FloodLimits()) as emulator:
        answers = Answers(emulator)
        token = emulator.create_bot()
        admin = emulator.add_user("Anna", language_code="de")
        people = [
            emulator.add_user(f"S{n}", language_code=LANGUAGES[n % len(LANGUAGES)])
            for n in range(subscribers)
        ]
        for person in people:
            person.mark_started()
        async with _SEEDING:  # one migration at a time: Alembic's context is global
            await _seed(url, schema, people)
        crowd = Crowd(emulator, content_model, random.Random(3)).people(MENU_PEOPLE)
        with tempfile.TemporaryDirectory() as folder:
            content = _content_with_news(Path(folder))
            bot = await _start_bot(emulator, token, url, schema, content, admin)
            try:
                for person in crowd:
                    await offer(answers, person, lambda p: p.user.send_text("/start"))
                chats = {p.id for p in people}
                emulator.requests.clear()  # only the broadcast and its answers
                started = time.perf_counter()
                await admin.send_text("/announce sommerfest")
                done = asyncio.create_task(
                    admin.wait_for_bot_message(
                        lambda m: "Rundsendung 1 ist fertig" in (m.text or ""),
                        timeout=subscribers / 10 + 60,
                    )
                )
                latencies = await _menu_while(answers, crowd, done)
                finished = time.perf_counter()
                done_text = (await done).text
            finally:
                await _stop_bot(bot)
    return _figures(emulator, chats, latencies, finished - started, done_text, subscribers)


async def _menu_while(answers: Answers, crowd, done: asyncio.Task) -> list[float]:
    """People press menu buttons (open loop, staggered) until the broadcast is done."""
    latencies: list[float] = []
    tasks = set()

    async def one(person) -> None:
        latencies.append(await offer(answers, person, press))

    started = time.perf_counter()
    n = 0
    while not done.done():
        person = crowd[n % len(crowd)]
        due = started + n * PRESS_EVERY / len(crowd)
        await asyncio.wait({done}, timeout=max(0.0, due - time.perf_counter()))
        if done.done():
            break
        task = asyncio.create_task(one(person))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        n += 1
    await asyncio.gather(*tasks)
    return latencies


def _p99(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _figures(emulator, chats, latencies, seconds, done_text, subscribers) -> dict:
    requests = list(emulator.requests)
    into_chats = [r for r in requests if r.ok and "chat_id" in r.params]
    broadcast = [
        r for r in into_chats
        if r.method.lower() == "sendmessage" and int(r.params["chat_id"]) in chats
    ]  # fmt: skip
    per_subscriber = collections.Counter(int(r.params["chat_id"]) for r in broadcast)
    times = [r.at.timestamp() for r in into_chats]
    sent_at = sorted(r.at.timestamp() for r in broadcast)
    span = sent_at[-1] - sent_at[0] if len(sent_at) > 1 else 0.0
    during = [t for t in times if sent_at and sent_at[0] <= t <= sent_at[-1]]
    by_chat: dict[int | str, list[float]] = collections.defaultdict(list)
    for r in into_chats:
        by_chat[str(r.params["chat_id"])].append(r.at.timestamp())
    refusals = collections.Counter(r.limit for r in emulator.flood_refusals)
    ordered = sorted(latencies)
    windows = {f"{w:g}s": _most_in_window(times, w) for w in (1.0, 5.0, 10.0)}
    return {
        "subscribers": subscribers,
        "received_once": sum(1 for c in chats if per_subscriber[c] == 1),
        "received_twice_or_more": sum(1 for c in chats if per_subscriber[c] > 1),
        "missed": sum(1 for c in chats if per_subscriber[c] == 0),
        "broadcast_seconds": round(span, 1),
        "broadcast_per_s": round((len(sent_at) - 1) / span, 2) if span else 0.0,
        "broadcast_percent_of_30": round(100 * (len(sent_at) - 1) / span / RATE, 1) if span else 0,
        "all_calls_per_s": round((len(during) - 1) / span, 2) if span else 0.0,
        "all_calls_percent_of_30": round(100 * (len(during) - 1) / span / RATE, 1) if span else 0,
        "most_calls_in": windows,
        "limit_in": {f"{w:g}s": int(BURST + RATE * w) for w in (1.0, 5.0, 10.0)},
        "limits_kept": all(windows[f"{w:g}s"] <= BURST + RATE * w for w in (1.0, 5.0, 10.0)),
        "most_in_one_chat_per_1s": max(_most_in_window(t, 1.0) for t in by_chat.values()),
        "flood_refusals": dict(refusals),
        "menu_answers": len(ordered),
        "menu_p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "menu_p99_ms": round(_p99(ordered) * 1000, 1) if ordered else None,
        "menu_max_ms": round(ordered[-1] * 1000, 1) if ordered else None,
        "seconds_in_all": round(seconds, 1),
        "admin_told": done_text,
    }


async def run(subscribers: int = SUBSCRIBERS) -> dict:
    """The broadcast on SQLite and, when a server answers, on PostgreSQL, both at once.

    Each database has its own emulator and its own bot, and Telegram's limits hold per bot, so
    the two broadcasts do not share a budget; at once they take half the time (each is paced to
    30 a second: nearly 3 minutes for 5,000), which keeps ``make bench`` under 10 minutes.
    """
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        async with postgres_schema() as schema:
            runs = {"sqlite": measure(f"sqlite+aiosqlite:///{tmp}/lotse.db", None, subscribers)}
            if schema is not None:
                runs["postgresql"] = measure(PG_URL, schema, subscribers)
            print(f"  broadcast to {subscribers} on {' and '.join(runs)} at once …", flush=True)
            for database, figures in zip(runs, await asyncio.gather(*runs.values()), strict=True):
                results[database] = figures
    return results


def main() -> dict:
    subscribers = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else SUBSCRIBERS
    results = asyncio.run(run(subscribers))
    for database, figures in results.items():
        print(
            f"{database}: {figures['received_once']}/{figures['subscribers']} once, "
            f"{figures['received_twice_or_more']} twice, {figures['missed']} missed; "
            f"broadcast {figures['broadcast_per_s']}/s = {figures['broadcast_percent_of_30']} % "
            f"of 30/s (all calls {figures['all_calls_percent_of_30']} %); most calls in "
            f"1/5/10 s: {figures['most_calls_in']} (limit {figures['limit_in']}); "
            f"per chat in 1 s: {figures['most_in_one_chat_per_1s']}; refused by the flood "
            f"limits: {figures['flood_refusals'] or 'none'}; menu answers p50/p99/max "
            f"{figures['menu_p50_ms']}/{figures['menu_p99_ms']}/{figures['menu_max_ms']} ms "
            f"({figures['menu_answers']})"
        )
    return results


if __name__ == "__main__":
    main()
