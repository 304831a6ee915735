"""The bot under measurement, in a process of its own: Lotse, or a bare python-telegram-bot echo bot.

``bench.updates`` starts this module as a child process (``python -m bench.botprocess``), so
that the CPU time and resident memory read from ``/proc`` are the bot's alone, not the
emulator's or the simulated people's. It prints ``ready`` once it is polling and stops when its
standard input closes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys

from cryptography.fernet import Fernet
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

__all__ = ["main"]

PAGE, BACK = "Page", "‹ Back"


def _echo_keyboard(at_root: bool) -> InlineKeyboardMarkup:
    label, data = (PAGE, "page") if at_root else (BACK, "back")
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]])


async def _echo_start(update: Update, context) -> None:
    await context.bot.send_message(
        update.effective_chat.id, "Menu", reply_markup=_echo_keyboard(True)
    )


async def _echo_press(update: Update, context) -> None:
    query = update.callback_query
    await query.answer()
    at_root = query.data == "back"
    await query.edit_message_text(
        "Menu" if at_root else "A page", reply_markup=_echo_keyboard(at_root)
    )


async def _echo_text(update: Update, context) -> None:
    await context.bot.send_message(update.effective_chat.id, update.effective_message.text)


def _echo_application(args: argparse.Namespace) -> Application:
    builder = ApplicationBuilder().token(args.token).base_url(args.base_url)
    if args.rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    application = builder.build()
    application.add_handler(CommandHandler("start", _echo_start))
    application.add_handler(CallbackQueryHandler(_echo_press))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo_text))
    return application


async def _lotse_application(args: argparse.Namespace) -> Application:
    from bot.app import LOCALES
    from bot.clock import SystemClock
    from bot.config import Settings, TeamSettings
    from bot.contact.crypto import Cipher
    from bot.content.loader import load_content_or_raise
    from bot.i18n.catalogs import Catalogs
    from bot.runtime import Runtime
    from bot.storage.database import Database
    from bot.telegram.application import build_application, prepare

    teams = {
        key: TeamSettings(key, team["title"], team["chat"], tuple(team["languages"]), None)
        for key, team in json.loads(args.teams).items()
    }
    admins = tuple(int(a) for a in args.admins.split(",") if a)
    settings = Settings(teams=teams, fallback_team=next(iter(teams), None), admins=admins)
    runtime = Runtime(
        settings=settings,
        content=load_content_or_raise(args.content),
        content_root=args.content,
        catalogs=Catalogs.load(LOCALES),
        database=Database(args.database, schema=args.schema),
        clock=SystemClock(),
        cipher=Cipher.from_keys((Fernet.generate_key().decode(),)),
    )
    application = build_application(
        runtime,
        token=args.token,
        base_url=args.base_url,
        rate_limit=args.rate_limit,
        transport=args.transport,
    )
    await prepare(application)
    return application


async def _serve(args: argparse.Namespace) -> None:
    if args.kind == "echo":
        application = _echo_application(args)
        await application.initialize()
    else:
        application = await _lotse_application(args)
        from bot.ops.heap import settle_after_start

        settle_after_start()  # as `lotse run` does before it serves (bot.app)
    await application.start()
    if args.kind == "echo":
        await application.updater.start_polling(poll_interval=0, timeout=10)
    else:
        from bot.telegram.application import start_polling

        # As `lotse run` polls: the next getUpdates once a batch is handled (bot.telegram.polling).
        poller = await start_polling(application, timeout=10)
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the harness closes our stdin
    if args.kind == "echo":
        await application.updater.stop()
    else:
        await poller.stop()
    await application.stop()
    await application.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description="A bot for the update benchmark.")
    parser.add_argument("kind", choices=("lotse", "echo"))
    parser.add_argument("--token", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--database", default="")
    parser.add_argument("--schema", default=None)
    parser.add_argument("--content", default="content")
    parser.add_argument("--teams", default="{}")
    parser.add_argument("--admins", default="", help="the admins' Telegram ids, comma-separated")
    parser.add_argument("--no-rate-limit", dest="rate_limit", action="store_false")
    parser.add_argument("--asyncio", action="store_true", help="Lotse on asyncio's own loop")
    parser.add_argument(
        "--transport",
        choices=("aiohttp", "httpx"),
        default="aiohttp",
        help="Lotse's HTTP client for the Bot API (httpx: python-telegram-bot's own)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.kind == "lotse" and not args.asyncio:
        import uvloop

        uvloop.run(_serve(args))  # as `lotse run` does (bot.app.run_bot)
    else:
        asyncio.run(_serve(args))  # the bare echo bot: python-telegram-bot as it comes


if __name__ == "__main__":
    main()
