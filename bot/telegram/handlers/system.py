"""Updates around the conversation: errors, blocking and unblocking, unsupported content, /emergency."""

from __future__ import annotations

import contextlib
import logging
from html import escape

from telegram import ChatMember, Update
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.safety.emergency import emergency_card
from bot.screens import Button, PageTarget, Screen
from bot.storage.repositories import UserRepository
from bot.telegram.context import LotseContext
from bot.telegram.person import visit
from bot.telegram.reloading import reload_application_content

__all__ = [
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
    """Log the error for the operator (no message content, no names) and tell the person kindly."""
    error = context.error
    with contextlib.suppress(RuntimeError):
        context.runtime.metrics.errors.labels(kind=type(error).__name__).inc()
    if isinstance(error, Forbidden):
        logger.info("Telegram refused to deliver (the person blocked the bot)")
        return
    if isinstance(error, RetryAfter | TimedOut | NetworkError):
        logger.warning("Telegram is not answering as expected: %s", type(error).__name__)
    else:
        update_id = update.update_id if isinstance(update, Update) else None
        logger.error("error while handling update %s", update_id, exc_info=error)
    if not isinstance(update, Update) or update.effective_user is None:
        return
    try:
        runtime = context.runtime
        async with runtime.database.unit_of_work() as session:
            user = await UserRepository(session).get(update.effective_user.id)
            language = user.language if user is not None else None
        tr = runtime.translator(language)
        text = tr.gettext("Sorry, something went wrong on our side. Please try again in a moment.")
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_chat is not None and update.effective_chat.type == "private":
            await context.bot.send_message(update.effective_chat.id, text)
    except Exception:  # the error handler must never raise itself
        logger.warning("could not tell the person about the error", exc_info=True)
