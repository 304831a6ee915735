"""Build the python-telegram-bot Application: handlers, typed context, rate limiter."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
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
from bot.runtime import Runtime
from bot.storage.repositories import HandledUpdates
from bot.telegram.context import BotData, LotseContext
from bot.telegram.delivery import deliver_due
from bot.telegram.handlers.contact import on_delete_my_data, on_my_data
from bot.telegram.handlers.events import on_announce, on_stats
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
from bot.telegram.resilience import PatientRateLimiter

__all__ = ["ALLOWED_UPDATES", "build_application", "prepare", "start_polling"]

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
    """
    context_types = ContextTypes(context=LotseContext, bot_data=BotData)
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .context_types(context_types)
        # On PostgreSQL updates of different people are handled concurrently; one person's are
        # serialised by the row lock in bot.telegram.person.visit, across processes too. SQLite
        # (one process, development) serves updates one after the other.
        .concurrent_updates(not runtime.database.dialect.startswith("sqlite"))
    )
    # Telegram's flood limits: PTB's limiter waits and retries on 429 (retry_after); ours also
    # repeats calls after 5xx and lost answers where that is safe.
    if rate_limiter is None:
        limits = {} if rate_limit else {"overall_max_rate": 0, "group_max_rate": 0}
        rate_limiter = PatientRateLimiter(max_retries=3, **limits)
    builder = builder.rate_limiter(rate_limiter)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    if read_timeout is not None:
        builder = builder.read_timeout(read_timeout)
    application = builder.build()
    application.bot_data.runtime = runtime

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
FOLLOW_UP_INTERVAL = 60.0


def _schedule_delivery(application: Application, runtime: Runtime) -> None:
    """Deliver the outbox every few seconds, and at once whenever a handler asks for it."""
    job_queue = application.job_queue

    async def deliver(context) -> None:
        await deliver_due(context.bot, context.runtime)

    async def follow_up(context) -> None:
        await run_follow_up(context.runtime)
        async with context.runtime.database.unit_of_work() as session:
            await HandledUpdates(session).forget_old(context.runtime.clock.now())
        await run_event_reminders(context.runtime)
        await announce_new_events(context.runtime)
        await run_weekly_freshness(context.runtime)

    job_queue.run_repeating(deliver, interval=DELIVERY_INTERVAL, first=1.0, name="outbox")

    async def discreet(context) -> None:
        await clear_idle_discreet_chats(context.bot, context.runtime)

    job_queue.run_repeating(follow_up, interval=FOLLOW_UP_INTERVAL, first=5.0, name="follow-up")
    job_queue.run_repeating(discreet, interval=FOLLOW_UP_INTERVAL, first=7.0, name="discreet")
    runtime.delivery_trigger.clear()
    runtime.delivery_trigger.append(lambda: job_queue.run_once(deliver, when=0, name="outbox-now"))


async def prepare(application: Application) -> None:
    """Initialise the application (getMe) and register its commands in every language."""
    from bot.telegram.commands import register_commands

    await application.initialize()
    await register_commands(application.bot, application.bot_data.runtime)


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
