"""Profile Lotse serving updates: py-spy samples the bot process, the summary says where time goes.

``python -m bench.profile_updates [button|text] [--database URL] [--rate N]`` runs the bot under
``py-spy record`` while simulated people send updates at saturation (as in :mod:`bench.updates`),
or at ``N`` a second with the rate limiter on, then prints the functions with the largest share
of samples: inclusive (the function and what it calls) and self (the function's own code), across
all threads (the aiosqlite worker included), and the milliseconds per update by where they go
(:func:`buckets`).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench.updates import (
    ACTIONS,
    WARM_UP,
    Answers,
    Crowd,
    bot_process,
    closed_loop,
    fill_people,
    greet,
    open_loop,
)
from bot.emulator import BotApiEmulator

__all__ = ["buckets", "main", "summarise"]

SAMPLES_PER_S = 250


# Leaf frames where a thread waits without using the CPU, which py-spy cannot tell from work:
# the event loop's epoll (asyncio's selector; uvloop's loop is C code below ``Runner.run``, so
# its waits, and its own socket work, show as that frame), aiosqlite's worker waiting for its
# next statement (``tx.get()``), and the executor thread reading the benchmark's stdin.
WAITING = (
    "EpollSelector.select (selectors.py",
    "Runner.run (runners.py",
    "_connection_worker_thread (core.py:59",
    "_WorkItem.run (thread.py",
)


def _frame(raw_frame: str) -> tuple[str, str]:
    """``(function (file), function (file:line))`` of one py-spy frame ``function (path:line)``.

    Lotse's own files keep their path (``bot/…``), so that they stand out.
    """
    function, _, where = raw_frame.rpartition(" (")
    path, _, line = where.rstrip(")").rpartition(":")
    name = f"{function} ({path if path.startswith('bot/') else path.rsplit('/', 1)[-1]}"
    return name + ")", f"{name}:{line})"


def _stacks(raw: Path) -> Iterator[tuple[str, list[tuple[str, str]], int, bool]]:
    """Each stack of py-spy's collapsed stacks (``--format raw``): the line's stack, its frames
    (:func:`_frame`), its samples, and whether the thread only waited there."""
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [_frame(f) for f in stack.split(";") if " (" in f]
        if frames:
            yield stack, frames, int(count), frames[-1][1].startswith(WAITING)


def summarise(raw: Path, top: int = 30) -> str:
    """The heaviest functions of py-spy's collapsed stacks (``--format raw``), waiting left out."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = waiting = 0
    for _, frames, samples, waits in _stacks(raw):
        if waits:
            waiting += samples
            continue
        total += samples
        for name in {name for name, _ in frames}:
            inclusive[name] += samples
        own[frames[-1][0]] += samples
    lines = [f"{total} samples at work ({waiting} more waiting, left out)", ""]
    lines += ["inclusive %  function"]
    lines += [f"{100 * n / total:10.1f}  {f}" for f, n in inclusive.most_common(top)]
    lines += ["", "inclusive %  Lotse's own functions"]
    ours = [(f, n) for f, n in inclusive.most_common() if "(bot/" in f]
    lines += [f"{100 * n / total:10.1f}  {f}" for f, n in ours[:top]]
    lines += ["", "self %  function"]
    lines += [f"{100 * n / total:6.1f}  {f}" for f, n in own.most_common(top)]
    return "\n".join(lines)


def _answering(stack: str) -> bool:
    return any(
        c in stack for c in ("Bot._send_message", "edit_message_text", "answer_callback_query")
    )


def _in_database(stack: str) -> bool:
    # Below SQLAlchemy's greenlets py-spy sees no callers: such stacks start in MainThread.
    modules = ("sqlalchemy", "aiosqlite", "sqlite_driver", "bot/storage")
    return any(m in stack for m in modules) or ("MainThread" in stack and "Runner.run" not in stack)


# (bucket, whether a sample's stack belongs to it); the first that holds wins.
_BUCKETS = (
    ("getUpdates: the HTTP call, parsing the updates", lambda s: "get_updates" in s),
    (
        "the answer: the HTTP client (aiohttp, or httpx)",
        lambda s: _answering(s) and any(c in s for c in ("aiohttp/", "AsyncClient")),
    ),
    ("the answer: parsing the returned message", lambda s: _answering(s) and "de_json" in s),
    (
        "the answer: building the request",
        lambda s: (
            _answering(s) and any(k in s for k in ("to_dict", "RequestParameter", "RequestData"))
        ),
    ),
    ("the answer: the rest (rate limiter, PTB)", _answering),
    ("the database (SQLAlchemy, aiosqlite, sqlite3)", _in_database),
    ("the handler's own work and PTB's dispatch", lambda s: "process_update" in s),
    ("the event loop and the rest", lambda s: True),
)


def buckets(raw: Path, updates: int, rate: int) -> str:
    """Milliseconds per update by where they go (the samples of each bucket, ``rate`` a second)."""
    spent: collections.Counter[str] = collections.Counter()
    for stack, _, samples, waits in _stacks(raw):
        if not waits:
            spent[next(name for name, holds in _BUCKETS if holds(stack))] += samples
    per_update = {name: n * 1000 / rate / updates for name, n in spent.items()}
    lines = [f"{sum(per_update.values()):6.2f} ms per update in all, of which"]
    lines += [f"{per_update.get(name, 0.0):6.2f}  {name}" for name, _ in _BUCKETS]
    return "\n".join(lines)


async def profile(
    what: str, database: str | None, updates: int, out: Path, rate: float | None = None
) -> None:
    from bot.content.loader import load_content_or_raise
    from bot.storage.migrate import upgrade_database

    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    with tempfile.TemporaryDirectory() as tmp:
        url = database or f"sqlite+aiosqlite:///{tmp}/lotse.db"
        await upgrade_database(url)
        await fill_people(url, None, 10_000)
        async with BotApiEmulator() as emulator:
            answers, token = Answers(emulator), emulator.create_bot()
            crowd = Crowd(emulator, load_content_or_raise("content"))
            paced = rate is not None
            async with bot_process("lotse", emulator, token, database=url, rate_limit=paced) as bot:
                people = crowd.people(50)
                await greet(answers, people)
                if paced:  # steady state at that rate first, as in bench.updates
                    await open_loop(answers, people, ACTIONS[what], rate, WARM_UP, bot.pid)
                # Attach only now: start-up (content, catalogs) is not what an update costs.
                spy = subprocess.Popen(
                    [
                        py_spy,
                        "record",
                        "--format",
                        "raw",
                        "--rate",
                        str(SAMPLES_PER_S),
                        "--threads",
                        "--pid",
                        str(bot.pid),
                        "-o",
                        str(out),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                await asyncio.sleep(1)
                if paced:
                    await open_loop(answers, people, ACTIONS[what], rate, updates, bot.pid)
                else:
                    await closed_loop(answers, people, ACTIONS[what], updates, bot.pid)
                spy.send_signal(signal.SIGINT)
                await asyncio.get_running_loop().run_in_executor(None, spy.wait)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=tuple(ACTIONS), nargs="?", default="text")
    parser.add_argument("--database", help="default: a new SQLite file")
    parser.add_argument("--updates", type=int, default=800)
    parser.add_argument(
        "--rate", type=float, help="updates a second, rate limiter on (default: saturation)"
    )
    parser.add_argument("--out", default="/tmp/lotse-profile.txt")
    parser.add_argument("--summarise", action="store_true", help="only summarise --out again")
    args = parser.parse_args()
    out = Path(args.out)
    if not args.summarise:
        asyncio.run(profile(args.what, args.database, args.updates, out, args.rate))
    print(summarise(out))
    print()
    print(buckets(out, args.updates, SAMPLES_PER_S))


if __name__ == "__main__":
    main()
