"""Build the python-telegram-bot Application: handlers, typed context, rate limiter."""

from __future__ import annotations

import logging
from typing import Literal

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.contact.followup import run_follow_up
from bot.events.news import announce_new_events
from bot.events.reminders import run_event_reminders
from bot.network.freshness import run_weekly_freshness
from bot.ops.rekey import RekeyProgress, reencrypt_batch
from bot.ops.signals import ContentSignal
from bot.runtime import Runtime
from bot.storage.repositories import HandledUpdates
from bot.telegram.broadcasting import BroadcastSender
from bot.telegram.context import BotData, LotseContext
from bot.telegram.delivery import deliver_due
from bot.telegram.handlers.contact import on_delete_my_data, on_my_data
from bot.telegram.handlers.events import (
    on_announce,
    on_broadcast_stop,
    on_broadcasts,
    on_stats,
)
from bot.telegram.handlers.menu import (
    on_callback,
    on_cancel,
    on_help,
    on_language,
    on_location,
    on_media,
    on_start,
    on_text,
    on_write,
)
from bot.telegram.handlers.safety import (
    clear_idle_discreet_chats,
    on_clear,
    on_discreet,
)
from bot.telegram.handlers.system import (
    on_blocked_or_unblocked,
    on_emergency,
    on_error,
    on_reload,
    on_unsupported,
)
from bot.telegram.handlers.team import on_team_message
from bot.telegram.polling import ConfirmingPoller
from bot.telegram.rate_limit import build_rate_limiter
from bot.telegram.resilience import PatientRateLimiter
from bot.telegram.transport import AiohttpRequest
from bot.telegram.webhook import LotseApplication

__all__ = ["ALLOWED_UPDATES", "build_application", "prepare", "start_polling"]

logger = logging.getLogger(__name__)
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]


def build_application(
    runtime: Runtime,
    *,
    token: str,
    base_url: str,
    base_file_url: str | None = None,
    deliver: bool = True,
    rate_limiter: PatientRateLimiter | None = None,
    read_timeout: float | None = None,
    rate_limit: bool = True,
    transport: Literal["aiohttp", "httpx"] = "aiohttp",
) -> Application:
    """An Application wired to ``runtime``; the caller starts it (polling, webhook or tests).

    Args:
        deliver: run the outbox delivery and follow-up jobs (tests switch them off to play a
            process that dies after storing, before delivering).
        rate_limiter: Telegram's flood limits and the repetition of failed calls (default:
            :class:`~bot.telegram.resilience.PatientRateLimiter` with Telegram's limits; tests
            make its waits short).
        read_timeout: seconds to wait for Telegram's answer to a call before giving up on it
            (PTB's default: 5).
        rate_limit: keep to Telegram's flood limits (only ``make bench`` switches this off, to
            measure the bot's own cost at saturation; failed calls are still repeated).
        transport: the HTTP client for the Bot API: aiohttp (:mod:`bot.telegram.transport`),
            or python-telegram-bot's own httpx (only ``make bench`` asks for it, to show what
            the client changes).
    """
    context_types = ContextTypes(context=LotseContext, bot_data=BotData)
    production = runtime.settings.production
    builder = (
        ApplicationBuilder()
        .application_class(LotseApplication)
        .token(token)
        .base_url(base_url)
        .context_types(context_types)
        # On PostgreSQL updates of different people are handled concurrently; one person's are
        # serialised by the row lock in bot.telegram.person.visit, across processes too. SQLite
        # (one process, development) serves updates one after the other.
        .concurrent_updates(not runtime.database.dialect.startswith("sqlite"))
    )
    if rate_limiter is None:
        # Telegram's flood limits hold per bot: shared through Redis by all processes if it is
        # configured, else PTB's limiter for this process; both wait and retry on 429. Ours
        # around it also repeats calls after 5xx and lost answers where that is safe.
        if rate_limit:
            budget = build_rate_limiter(
                production.redis_url,
                production.send_budget,
                runtime.metrics,
                bot_id=token.split(":", 1)[0],
            )
        else:
            budget = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)
        rate_limiter = PatientRateLimiter(inner=budget)
    builder = builder.rate_limiter(rate_limiter)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    if transport == "aiohttp":
        # Half the CPU time of an update went into httpx (bench/README.md): aiohttp instead.
        timeouts = {} if read_timeout is None else {"read_timeout": read_timeout}
        builder = builder.request(AiohttpRequest(**timeouts)).get_updates_request(
            AiohttpRequest(connection_pool_size=1, **timeouts)
        )
    elif read_timeout is not None:
        builder = builder.read_timeout(read_timeout)
    application = builder.build()
    application.bot_data.runtime = runtime
    if deliver:
        application.bot_data.content_signal = ContentSignal(runtime.database)

    private = filters.ChatType.PRIVATE
    # Flood protection and admin blocks: every handler serving a person's private message opens
    # bot.telegram.person.visit first, which counts the message in the update's unit of work.
    application.add_handler(CommandHandler(["clear", "loeschen"], on_clear, filters=private))
    application.add_handler(CommandHandler("discreet", on_discreet, filters=private))
    application.add_handler(CommandHandler("start", on_start, filters=private))
    application.add_handler(CommandHandler(["language", "sprache"], on_language, filters=private))
    application.add_handler(CommandHandler(["help", "menu"], on_help, filters=private))
    application.add_handler(
        CommandHandler(["emergency", "notruf", "sos"], on_emergency, filters=private)
    )
    application.add_handler(CommandHandler("cancel", on_cancel, filters=private))
    application.add_handler(CommandHandler(["write", "schreiben"], on_write, filters=private))
    application.add_handler(CommandHandler("my_data", on_my_data, filters=private))
    application.add_handler(CommandHandler("delete_my_data", on_delete_my_data, filters=private))
    application.add_handler(CommandHandler("reload", on_reload, filters=private))
    application.add_handler(CommandHandler("announce", on_announce, filters=private))
    application.add_handler(CommandHandler("broadcasts", on_broadcasts, filters=private))
    application.add_handler(CommandHandler("broadcast_stop", on_broadcast_stop, filters=private))
    application.add_handler(CommandHandler("stats", on_stats, filters=private))
    application.add_handler(CallbackQueryHandler(on_callback))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(private & filters.COMMAND, on_help))
    application.add_handler(MessageHandler(private & filters.LOCATION, on_location))
    media = (
        filters.VOICE
        | filters.PHOTO
        | filters.Document.ALL
        | filters.AUDIO
        | filters.VIDEO
        | filters.CONTACT
    )
    application.add_handler(MessageHandler(private & media, on_media))
    application.add_handler(
        MessageHandler(filters.ChatType.GROUPS & ~filters.StatusUpdate.ALL, on_team_message)
    )
    application.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, on_unsupported)
    )
    application.add_handler(
        ChatMemberHandler(on_blocked_or_unblocked, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_error_handler(on_error)
    if deliver:
        _schedule_delivery(application, runtime)
    return application


DELIVERY_INTERVAL = 5.0
BROADCAST_INTERVAL = 2.0
REKEY_INTERVAL = 2.0
FOLLOW_UP_INTERVAL = 60.0
#: Delivery rounds one process runs at once. Each has at most one call under way, so a process
#: that dies leaves at most this many sends unrecorded (the double-relay window, SECURITY.md).
MAX_DELIVERY_ROUNDS = 2


def _schedule_delivery(application: Application, runtime: Runtime) -> None:
    """Deliver the outbox every few seconds, and at once whenever a handler asks for it.

    Every process drains the outbox (entries are claimed with ``FOR UPDATE SKIP LOCKED``); the
    scheduled jobs run only in the process holding the leader lease, which every process tries
    to take every ``leader_lease_seconds`` — so another takes over soon after the leader dies.
    """
    job_queue = application.job_queue
    lease = runtime.lease

    rounds = 0
    look_again = False

    async def deliver(context) -> None:
        # Every commit kicks a round; beyond MAX_DELIVERY_ROUNDS a kick only asks a running
        # round to look once more before it ends, so nothing waits for the next interval.
        nonlocal rounds, look_again
        if rounds >= MAX_DELIVERY_ROUNDS:
            look_again = True
            return
        rounds += 1
        try:
            while True:
                look_again = False
                await deliver_due(context.bot, context.runtime)
                if not look_again:
                    break
        finally:
            rounds -= 1

    async def scheduled(context) -> None:
        runtime.metrics.scheduled_runs.inc()
        await run_follow_up(context.runtime)
        async with context.runtime.database.unit_of_work() as session:
            await HandledUpdates(session).forget_old(context.runtime.clock.now())
        await run_event_reminders(context.runtime)
        await announce_new_events(context.runtime)
        await run_weekly_freshness(context.runtime)
        await clear_idle_discreet_chats(context.bot, context.runtime)

    rounds_started = False

    async def leader_only(context) -> None:
        nonlocal rounds_started
        rounds_started = True
        if lease.is_leader and await lease.hold():
            await scheduled(context)

    async def leadership(context) -> None:
        signal = application.bot_data.content_signal
        if signal is not None:
            try:
                await signal.ensure_listening()
            except Exception as exc:  # the database is away; try again next time
                logger.warning("content reload signal: %s", type(exc).__name__)
        was_leader = lease.is_leader
        leads = await lease.hold()
        runtime.metrics.leader.set(1 if leads else 0)
        if leads and not was_leader and rounds_started:
            await scheduled(context)  # taking over from a dead leader: catch up at once

    rekey = RekeyProgress.start()

    async def reencrypt(context) -> None:
        # After a key change (several keys configured): old tokens, a batch at a time.
        nonlocal rekey
        if runtime.cipher.key_count < 2 or not lease.is_leader:
            return
        await reencrypt_batch(runtime.database, runtime.cipher, rekey)
        if rekey.done:
            if rekey.reencrypted:
                logger.info("key rotation: %d contents re-encrypted", rekey.reencrypted)
            rekey = RekeyProgress.start()

    # Broadcasts: the leader's sender resumes them (after a restart, a take-over, a 429 pause).
    sender = application.bot_data.broadcasts = BroadcastSender(application)

    async def broadcasts(context) -> None:
        if lease.is_leader:
            sender.kick()

    job_queue.run_repeating(deliver, interval=DELIVERY_INTERVAL, first=1.0, name="outbox")
    job_queue.run_repeating(
        broadcasts, interval=BROADCAST_INTERVAL, first=BROADCAST_INTERVAL, name="broadcasts"
    )
    job_queue.run_repeating(reencrypt, interval=REKEY_INTERVAL, first=REKEY_INTERVAL, name="rekey")
    job_queue.run_repeating(
        leadership, interval=runtime.settings.production.leader_lease_seconds, first=0.5,
        name="leader-lease",
    )  # fmt: skip
    job_queue.run_repeating(leader_only, interval=FOLLOW_UP_INTERVAL, first=5.0, name="scheduled")
    runtime.delivery_trigger.clear()
    runtime.delivery_trigger.append(lambda: job_queue.run_once(deliver, when=0, name="outbox-now"))
    runtime.delivery_trigger.append(
        lambda: job_queue.run_once(broadcasts, when=0, name="broadcasts-now")
    )


async def prepare(application: Application) -> None:
    """Initialise the application (getMe) and register its commands in every language."""
    from bot.telegram.commands import register_commands

    await application.initialize()
    await register_commands(application.bot, application.bot_data.runtime)
    signal = application.bot_data.content_signal
    if signal is not None:
        from bot.telegram.reloading import reload_application_content

        async def reload_too(_version: str) -> None:
            await reload_application_content(application, announce=False)

        await signal.listen(reload_too)


async def start_polling(application: Application, **options) -> ConfirmingPoller:
    """Start long polling that confirms updates only once they are handled; returns the poller.

    Args:
        **options: Passed to :class:`~bot.telegram.polling.ConfirmingPoller` (``timeout``).
    """
    # Telegram refuses getUpdates while a webhook is set (e.g. from an earlier webhook run).
    await application.bot.delete_webhook()
    poller = ConfirmingPoller(application, allowed_updates=ALLOWED_UPDATES, **options)
    await poller.start()
    return poller
