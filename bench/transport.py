"""What the HTTP client changes: Lotse on aiohttp and on httpx beside the echo bot, at 20/s.

``python -m bench.transport [--rounds N]`` runs three bots at once, each with an emulator and
people of its own, and measures them in turn as ``make bench`` does (:func:`bench.updates.paced_rounds`):
the bare python-telegram-bot echo bot (httpx, as python-telegram-bot comes), Lotse with
python-telegram-bot's own httpx client, and Lotse as it runs (:mod:`bot.telegram.transport`),
both Lotse bots on SQLite. It prints CPU per update for each round, the median of the rounds'
ratios to the echo bot, p50 and p99. Not part of ``make bench`` (about 2½ minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile

from bench.updates import RATE, fill_people, paced_rounds, pooled, served_bot

__all__ = ["main"]

TRANSPORTS = ("httpx", "aiohttp")


async def run(rounds: int, offered: int, people: int) -> list[str]:
    from bot.content.loader import load_content_or_raise
    from bot.storage.migrate import upgrade_database

    content = load_content_or_raise("content")
    with tempfile.TemporaryDirectory() as tmp:
        async with contextlib.AsyncExitStack() as stack:
            served = {
                "echo": await stack.enter_async_context(served_bot("echo", None, people=people))
            }
            for transport in TRANSPORTS:
                url = f"sqlite+aiosqlite:///{tmp}/{transport}.db"
                await upgrade_database(url)
                await fill_people(url, None, 10_000)
                served[f"lotse {transport}"] = await stack.enter_async_context(
                    served_bot("lotse", content, database=url, people=people, transport=transport)
                )
            await paced_rounds(served, rate=RATE, offered=offered, rounds=rounds)
    lines = [
        "| bot | updates | CPU ms/update (each round) | ratio (median of rounds) | p50 ms | p99 ms |"
    ]
    lines.append("|---|---|---|---|---|---|")
    for what in ("button", "text"):
        echo = [p.cpu_seconds * 1000 / p.updates for p in served["echo"].phases[what]]
        for name, bot in served.items():
            cpu = [p.cpu_seconds * 1000 / p.updates for p in bot.phases[what]]
            ratio = statistics.median(c / e for c, e in zip(cpu, echo, strict=True))
            summary = pooled(bot.phases[what]).summary()
            rounds_text = ", ".join(f"{c:.1f}" for c in cpu)
            lines.append(
                f"| {name} | {what} | {summary['cpu_ms_per_update']} ({rounds_text}) | "
                f"{ratio:.2f}× | {summary['p50_ms']} | {summary['p99_ms']} |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--offered", type=int, default=100, help="updates per kind and round")
    parser.add_argument("--people", type=int, default=50)
    args = parser.parse_args()
    print("\n".join(asyncio.run(run(args.rounds, args.offered, args.people))))


if __name__ == "__main__":
    main()
