"""A chat with the bot in the terminal, through the local Bot API emulator.

Started by ``lotse run`` when no token is configured and the terminal is interactive: type as a
person would, press buttons by their number.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import re

from bot.emulator import BotApiEmulator, EmulatedMessage, EmulatedUser

__all__ = ["run_console"]

_TAG = re.compile(r"<[^>]+>")
HELP = (
    "Type a message and press Enter. Buttons have numbers: type 1, 2 … to press one.\n"
    "Commands: /start, /language, /emergency; 'loc LAT LON' shares a location; 'quit' ends."
)


def _plain(message: EmulatedMessage) -> str:
    text = message.text or f"[{message.kind}]"
    return html.unescape(_TAG.sub("", text))


def _show(message: EmulatedMessage, pressable: list[dict]) -> None:
    print("\n" + ("✎ " if message.edited else "") + _plain(message).replace("\n", "\n  "))
    pressable.clear()
    for row in message.button_rows:
        labels = []
        for button in row:
            pressable.append(button)
            labels.append(f"[{len(pressable)}] {button.get('text', '')}")
        print("   " + "   ".join(labels))


async def _printer(user: EmulatedUser, pressable: list[dict]) -> None:
    while True:
        with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
            message = await user.wait_for_bot_message(timeout=3600)
            _show(message, pressable)


async def run_console(emulator: BotApiEmulator, stop: asyncio.Event) -> None:
    """Chat in the terminal until the person types 'quit' (then ``stop`` is set)."""
    user = emulator.add_user("You", language_code=None)
    pressable: list[dict] = []
    printer = asyncio.create_task(_printer(user, pressable))
    print(HELP)
    loop = asyncio.get_running_loop()
    try:
        await user.send_text("/start")
        while not stop.is_set():
            line = (await loop.run_in_executor(None, input, "> ")).strip()
            if line in ("quit", "exit"):
                break
            if line.isdigit() and 1 <= int(line) <= len(pressable):
                button = pressable[int(line) - 1]
                if "url" in button:
                    print(f"  (opens {button['url']} in the browser)")
                else:
                    await user.press_button(button.get("callback_data", button["text"]))
            elif line.startswith("loc "):
                lat, lon = (float(x) for x in line.split()[1:3])
                await user.share_location(lat, lon)
            elif line:
                await user.send_text(line)
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        printer.cancel()
        stop.set()
