"""Run the bot: load everything, connect to the Bot API (or the built-in emulator), serve updates."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import signal
import sys
from pathlib import Path

from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.clock import SystemClock
from bot.config import Settings
from bot.contact.crypto import Cipher
from bot.content.loader import load_content_or_raise
from bot.errors import LotseError
from bot.i18n.catalogs import Catalogs
from bot.ops.heap import settle_after_start
from bot.runtime import Runtime
from bot.storage.database import Database
from bot.storage.keys import encryption_keys
from bot.storage.migrate import upgrade_database
from bot.telegram.application import ALLOWED_UPDATES, build_application, prepare, start_polling
from bot.telegram.reloading import reload_application_content
from bot.telegram.webhook import WebServer

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


def run_bot(settings: Settings, *, console: bool = False) -> int:
    """``lotse run``: serve until interrupted; returns the exit code.

    Runs on uvloop where it is installed: the same updates cost the bot less CPU time than on
    asyncio's own loop (see bench/README.md).

    Args:
        console: Without a token, also chat with the bot in this terminal (besides the page).
    """
    try:
        import uvloop
    except ImportError:  # pragma: no cover - an install without it
        return asyncio.run(_serve(settings, console=console))
    return uvloop.run(_serve(settings, console=console))


async def _serve(settings: Settings, *, console: bool = False) -> int:
    runtime = await build_runtime(settings)
    emulator = teams = None
    token, base_url, base_file_url = (
        settings.telegram.token,
        settings.telegram.base_url,
        settings.telegram.base_file_url,
    )
    if not token:
        from bot.emulator import BotApiEmulator

        emulator = BotApiEmulator()
        await emulator.start(host="127.0.0.1", port=0)
        from bot.playground.world import populate

        token = emulator.create_bot()
        base_url, base_file_url = emulator.base_url, emulator.base_file_url
        playground_settings, teams = populate(emulator, runtime.settings, runtime.content)
        runtime = dataclasses.replace(runtime, settings=playground_settings)
    application = build_application(
        runtime, token=token, base_url=base_url, base_file_url=base_file_url
    )
    if emulator is not None:
        from bot.playground.web import serve_playground

        playground = serve_playground(emulator, teams, application)
        print(
            "No bot token configured: running against the local Bot API emulator at "
            f"{emulator.base_url}\n"
            f"Playground (people and coordinators, in your browser): {playground.url}\n"
            "Set BOT_TOKEN (or telegram.token in config.yaml) to run against Telegram.",
            flush=True,
        )
    try:
        await _initialize(application, base_url, settings.telegram.start_patience)
        settle_after_start()  # content, catalogs and mappings are loaded: never scan them again
        await _run_until_stopped(application, settings, emulator, console=console)
    finally:
        await runtime.database.dispose()
        if emulator is not None:
            await emulator.stop()
    return 0


async def _initialize(application, base_url: str, patience: float) -> None:
    """Initialise against the Bot API, trying again with back-off while it cannot be reached.

    Network errors and 5xx answers are waited out for ``patience`` seconds; a rejected token (or
    any other refusal) ends the start at once with one line for the operator.
    """
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + patience
    delay = 1.0
    while True:
        try:
            await prepare(application)
            return
        except InvalidToken:
            raise LotseError(
                f"the Bot API at {base_url} rejected the bot token (check BOT_TOKEN)"
            ) from None
        except (NetworkError, RetryAfter) as exc:
            if isinstance(exc, BadRequest):
                raise LotseError(f"the Bot API at {base_url} answered: {exc.message}") from None
            if loop.time() + delay > give_up_at:
                raise LotseError(f"cannot reach the Bot API at {base_url}: {exc.message}") from None
            logger.warning(
                "cannot reach the Bot API at %s (%s); trying again in %.0f s",
                base_url, exc.message, delay,
            )  # fmt: skip
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)
        except TelegramError as exc:
            raise LotseError(f"the Bot API at {base_url} answered: {exc.message}") from None


async def reload_on_signal(application) -> None:
    """SIGHUP: reload the content; the operator reads the outcome (file:line or changes) in the log."""
    outcome = await reload_application_content(application)
    for line in outcome.format().splitlines():
        (logger.info if outcome.ok else logger.error)("reload: %s", line)


async def _run_until_stopped(
    application, settings: Settings, emulator, *, console: bool = False
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    reloads: set[asyncio.Task] = set()

    def on_hangup() -> None:
        task = loop.create_task(reload_on_signal(application))
        reloads.add(task)  # keep a reference until it is done
        task.add_done_callback(reloads.discard)

    with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
        loop.add_signal_handler(signal.SIGHUP, on_hangup)
    await application.start()
    me = application.bot
    poller = None
    hook = settings.telegram.webhook
    webhook = settings.telegram.mode == "webhook" and emulator is None
    server = None
    if webhook or settings.is_production:
        # Webhook mode: Telegram's updates plus /healthz, /readyz, /metrics; polling in
        # production: the operators' endpoints alone.
        server = WebServer(application, webhook=webhook, secret_token=hook.secret_token)
        await server.start(hook.listen, hook.port)
    if webhook:
        # Every process sets the same webhook at start; the reverse proxy spreads the calls.
        await application.bot.set_webhook(
            hook.url, secret_token=hook.secret_token, allowed_updates=ALLOWED_UPDATES
        )
        logger.info("serving @%s by webhook on %s:%s", me.username, hook.listen, hook.port)
    else:
        poller = await start_polling(application)
        logger.info("serving @%s by long polling", me.username)
    chat = None
    if console and emulator is not None and sys.stdin is not None and sys.stdin.isatty():
        from bot.playground.console import run_console

        # Keep the chat readable: only warnings and errors are logged while it runs.
        logging.getLogger().setLevel(logging.WARNING)
        chat = asyncio.create_task(run_console(emulator, stop))
    try:
        await stop.wait()
    finally:
        if chat is not None:
            chat.cancel()
        if server is not None:
            await server.stop()
        if poller is not None:
            await poller.stop()
        if application.updater.running:
            await application.updater.stop()
        await application.stop()
        await application.shutdown()
