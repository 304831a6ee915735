"""Run the emulator standalone: ``python -m bot.emulator --port 8081``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from bot.emulator._emulator import BotApiEmulator


async def serve(host: str, port: int, token: str | None) -> None:
    """Start the emulator, register a bot, print where it listens and serve until cancelled."""
    emulator = BotApiEmulator()
    await emulator.start(host=host, port=port)
    bot_token = emulator.create_bot(token)
    print(f"Bot API emulator listening on http://{host}:{emulator.port}", flush=True)
    print(f"  base_url:      {emulator.base_url}", flush=True)
    print(f"  base_file_url: {emulator.base_file_url}", flush=True)
    print(f"  bot token:     {bot_token}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.stop()


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(prog="python -m bot.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8081, help="port (0 picks a free one)")
    parser.add_argument("--token", help="register this bot token instead of a generated one")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, args.token))


if __name__ == "__main__":
    main()
