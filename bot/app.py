"""Run the bot: load everything, connect to the Bot API (or the built-in emulator), serve updates."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path

from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.clock import SystemClock
from bot.config import Settings
from bot.contact.crypto import Cipher
from bot.content.loader import load_content_or_raise
from bot.errors import LotseError
from bot.i18n.catalogs import Catalogs
from bot.runtime import Runtime
from bot.storage.database import Database
from bot.storage.keys import encryption_keys
from bot.storage.migrate import upgrade_database
from bot.telegram.application import ALLOWED_UPDATES, build_application, prepare

__all__ = ["LOCALES", "build_runtime", "run_bot"]

logger = logging.getLogger(__name__)
# The catalogs sit beside the package in a checkout; an installed package (Docker) finds them in
# the working directory.
_BESIDE_PACKAGE = Path(__file__).resolve().parent.parent / "locales"
LOCALES = _BESIDE_PACKAGE if _BESIDE_PACKAGE.is_dir() else Path("locales")


async def build_runtime(settings: Settings, *, clock=None, locales: Path = LOCALES) -> Runtime:
    """Load content and catalogs, bring the database up to date: everything before Telegram."""
    content = load_content_or_raise(settings.content_path)
    keys = encryption_keys(settings)  # creates the development key on first start, or fails early
    await upgrade_database(settings.database_url)
    return Runtime(
        settings=settings,
        content=content,
        content_root=settings.content_path,
        catalogs=Catalogs.load(locales),
        database=Database(settings.database_url),
        clock=clock or SystemClock(),
        cipher=Cipher.from_keys(keys),
    )


def run_bot(settings: Settings) -> int:
    """``lotse run``: serve until interrupted; returns the exit code."""
    return asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> int:
    runtime = await build_runtime(settings)
    emulator = None
    token, base_url, base_file_url = (
        settings.telegram.token,
        settings.telegram.base_url,
        settings.telegram.base_file_url,
    )
    if not token:
        from bot.emulator import BotApiEmulator

        emulator = BotApiEmulator()
        await emulator.start(host="127.0.0.1", port=0)
        token = emulator.create_bot()
        base_url, base_file_url = emulator.base_url, emulator.base_file_url
        print(
            f"No bot token configured: running against the local Bot API emulator at {emulator.base_url}\n"
            "Set BOT_TOKEN (or telegram.token in config.yaml) to run against Telegram.",
            flush=True,
        )
    application = build_application(
        runtime, token=token, base_url=base_url, base_file_url=base_file_url
    )
    try:
        await _initialize(application, base_url)
        await _run_until_stopped(application, settings, emulator)
    finally:
        await runtime.database.dispose()
        if emulator is not None:
            await emulator.stop()
    return 0


async def _initialize(application, base_url: str) -> None:
    try:
        await prepare(application)
    except InvalidToken:
        raise LotseError(
            f"the Bot API at {base_url} rejected the bot token (check BOT_TOKEN)"
        ) from None
    except NetworkError as exc:
        raise LotseError(f"cannot reach the Bot API at {base_url}: {exc.message}") from None
    except TelegramError as exc:
        raise LotseError(f"the Bot API at {base_url} answered: {exc.message}") from None


async def _run_until_stopped(application, settings: Settings, emulator) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    await application.start()
    me = application.bot
    if settings.telegram.mode == "webhook" and emulator is None:
        hook = settings.telegram.webhook
        await application.updater.start_webhook(
            listen=hook.listen,
            port=hook.port,
            url_path="telegram",
            webhook_url=hook.url,
            secret_token=hook.secret_token,
            allowed_updates=ALLOWED_UPDATES,
        )
        logger.info("serving @%s by webhook on %s:%s", me.username, hook.listen, hook.port)
    else:
        await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        logger.info("serving @%s by long polling", me.username)
    console = None
    if emulator is not None and sys.stdin is not None and sys.stdin.isatty():
        from bot.playground.console import run_console

        # Keep the chat readable: only warnings and errors are logged while it runs.
        logging.getLogger().setLevel(logging.WARNING)
        console = asyncio.create_task(run_console(emulator, stop))
    try:
        await stop.wait()
    finally:
        if console is not None:
            console.cancel()
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
