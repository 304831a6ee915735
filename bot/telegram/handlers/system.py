"""Updates around the conversation: errors, blocking and unblocking, unsupported content, /emergency."""

from __future__ import annotations

import contextlib
import logging
from html import escape

from telegram import ChatMember, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.errors import StorageError
from bot.i18n.locale_choice import match_language
from bot.safety.emergency import emergency_card
from bot.screens import Button, PageTarget, Screen
from bot.storage.repositories import UserRepository
from bot.telegram.context import LotseContext
from bot.telegram.person import AlreadyHandled, visit
from bot.telegram.reloading import reload_application_content
from bot.telegram.resilience import database_hiccup

__all__ = [
    "describe",
    "on_blocked_or_unblocked",
    "on_emergency",
    "on_error",
    "on_reload",
    "on_unsupported",
    "unsupported_screen",
]

logger = logging.getLogger(__name__)


async def on_emergency(update: Update, context: LotseContext) -> None:
    """/emergency: the emergency numbers, at once."""
    async with visit(update, context) as v:
        card = emergency_card(v.runtime.content, v.language, v.tr, back_to=v.user.current_node)
        await v.show(update, context, card, edit=False)


async def on_reload(update: Update, context: LotseContext) -> None:
    """/reload (administrators): load the edited content; report its errors or what changed."""
    runtime = context.runtime
    if update.effective_user is None or update.effective_user.id not in runtime.settings.admins:
        from bot.telegram.handlers.menu import on_help  # for everyone else an unknown command

        await on_help(update, context)
        return
    outcome = await reload_application_content(context.application)
    tr = context.runtime.translator(runtime.content.source_language)
    if outcome.ok:
        headline = "✅ " + tr.gettext("The content was reloaded.")
    else:
        headline = "⚠️ " + tr.gettext(
            "The new content has errors. The bot keeps serving the previous content."
        )
    # Telegram allows 4096 characters; the full report is one `lotse content check` away.
    details = outcome.format()
    if len(details) > 3500:
        details = details[:3500] + "\n…"
    await context.bot.send_message(
        update.effective_chat.id, f"{headline}\n<pre>{escape(details)}</pre>", parse_mode="HTML"
    )


def unsupported_screen(v) -> Screen:
    """Stickers, polls, games and the like: a short friendly answer instead of silence."""
    content = v.runtime.content
    html = v.tr.gettext(
        "I can only read text messages here. Please use the buttons or write a few words."
    )
    rows = ((Button("⌂ " + v.tr.gettext("Main menu"), PageTarget(content.root)),),)
    return Screen(html=html, rows=rows)


async def on_unsupported(update: Update, context: LotseContext) -> None:
    """Content the bot cannot use: say so kindly."""
    async with visit(update, context) as v:
        await v.show(update, context, unsupported_screen(v), edit=False)


async def on_blocked_or_unblocked(update: Update, context: LotseContext) -> None:
    """Remember when a person blocks the bot (and when they come back), so we stop sending.

    Added to a group or channel that is not a team's, the bot leaves at once: whoever added it
    must not get a place where people's requests or the bot's menus could be read by others.
    """
    change = update.my_chat_member
    if change is None:
        return
    if change.chat.type != "private":
        await _leave_unless_team_chat(change, context)
        return
    runtime = context.runtime
    async with runtime.database.unit_of_work() as session:
        user = await UserRepository(session).get(change.from_user.id)
        if user is not None:
            user.blocked_bot = change.new_chat_member.status == ChatMember.BANNED


async def _leave_unless_team_chat(change, context: LotseContext) -> None:
    if change.new_chat_member.status not in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR):
        return
    teams = context.runtime.settings.teams.values()
    if any(team.chat_id == change.chat.id for team in teams):
        return
    # A group's id is no one's personal data, and the operator needs it to configure a team.
    logger.warning(
        "added to chat %s, which is no team's (teams: in config.yaml); leaving it", change.chat.id
    )
    try:
        await context.bot.leave_chat(change.chat.id)
    except TelegramError as error:
        logger.warning("could not leave chat %s: %s", change.chat.id, type(error).__name__)


async def on_error(update: object, context: LotseContext) -> None:
    """Log the error for the operator (no message content, no names) and tell the person kindly.

    Answers Telegram is expected to give now and then (blocked, flood limits, a gateway error, a
    lost connection) and a database that is away for a moment get one line, not a traceback.
    """
    error = context.error
    with contextlib.suppress(RuntimeError):
        context.runtime.metrics.errors.labels(kind=type(error).__name__).inc()
    if isinstance(error, AlreadyHandled):
        logger.info("an update delivered again after a restart was handled before; skipped")
        return
    if (
        isinstance(update, Update)
        and database_hiccup(error)
        and context.bot_data.tries_left.get(update.update_id, 0) > 0
    ):
        # Nothing of it was saved: it is handled again in a moment (bot.telegram.polling).
        logger.warning(
            "the database failed while handling an update (%s); trying again", type(error).__name__
        )
        context.bot_data.try_again.add(update.update_id)
        return
    if (
        isinstance(update, Update)
        and database_hiccup(error)
        and getattr(context.application, "refuses_failed_updates", False)
    ):
        # Webhook: the update is refused (503) and Telegram sends it again; no apology for it.
        logger.warning(
            "the database failed while handling an update (%s); refused, Telegram sends it again",
            type(error).__name__,
        )
        return
    person = update.effective_user if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        logger.info("Telegram refused to deliver (the person blocked the bot)")
        if person is not None:
            await _mark_blocked(context, person.id)
        return
    if isinstance(error, BadRequest) and not _expected(error):
        # A request Telegram refuses for its content is a bug of ours: the operator needs it all.
        logger.error("Telegram refused a request", exc_info=error)
    elif isinstance(error, RetryAfter | NetworkError):  # TimedOut, BadRequest: NetworkErrors
        logger.warning("Telegram is not answering as expected: %s", describe(error))
    elif database_hiccup(error):
        logger.warning("an update could not be served: the database failed (%s)", describe(error))
    else:
        update_id = update.update_id if isinstance(update, Update) else None
        logger.error("error while handling update %s", update_id, exc_info=error)
    if person is None:
        return
    try:
        await _apologise(update, context, person.id, ask_database=not database_hiccup(error))
    except Exception as exc:  # the error handler must never raise itself
        logger.warning("could not tell the person about the error: %s", describe(exc))


# Refusals that follow from timing, not from a bug: a press answered too late, a message gone.
_EXPECTED = ("query is too old", "not modified", "message to delete not found", "not found")


def _expected(error: BadRequest) -> bool:
    return any(phrase in error.message.lower() for phrase in _EXPECTED)


def describe(error: BaseException) -> str:
    """One line about an error: its kind and Telegram's description (never message content)."""
    message = getattr(error, "message", None) or str(error)
    return f"{type(error).__name__}: {message[:120]}"


async def _apologise(
    update: Update, context: LotseContext, person_id: int, *, ask_database: bool = True
) -> None:
    runtime = context.runtime
    # The language they chose; when the database is what failed, Telegram's guess at once.
    language = match_language(update.effective_user.language_code, runtime.content.languages)
    if ask_database:
        with contextlib.suppress(StorageError):
            async with runtime.database.unit_of_work() as session:
                user = await UserRepository(session).get(person_id)
                language = user.language if user is not None else language
    tr = runtime.translator(language)
    text = tr.gettext("Sorry, something went wrong on our side. Please try again in a moment.")
    query = update.callback_query
    if query is not None and not context.answered(query):
        # The press is still waiting for its answer: the apology is that answer.
        await context.answer(query, text, show_alert=True)
    elif update.effective_chat is not None and update.effective_chat.type == "private":
        await context.bot.send_message(update.effective_chat.id, text)


async def _mark_blocked(context: LotseContext, person_id: int) -> None:
    with contextlib.suppress(StorageError):
        async with context.runtime.database.unit_of_work() as session:
            user = await UserRepository(session).get(person_id)
            if user is not None:
                user.blocked_bot = True
