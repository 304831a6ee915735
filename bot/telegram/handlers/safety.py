"""Leaving no trace (/clear, discreet mode) on the Telegram side (flood protection: person.visit)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.safety.traces import ChatTrace, batches
from bot.screens import Button, PageTarget, SafetyTarget, Screen
from bot.telegram.context import LotseContext
from bot.telegram.person import Visit, visit
from bot.telegram.rendering import text_of

__all__ = [
    "clear_idle_discreet_chats",
    "on_clear",
    "on_discreet",
    "on_safety_button",
]

logger = logging.getLogger(__name__)
NOTE_SECONDS = 8  # the "chat cleared" note deletes itself after this many seconds
DISCREET_AFTER = dt.timedelta(minutes=10)


async def _clear(context: LotseContext, v: Visit) -> int:
    """Delete every message of the person's chat the bot may still delete; returns how many are older."""
    now = v.runtime.clock.now()
    fresh, too_old = await ChatTrace(v.session).take_deletable(v.user.id, now)
    for chunk in batches(fresh):
        try:
            await context.bot.delete_messages(v.user.telegram_id, chunk)
        except Forbidden:
            v.user.blocked_bot = True
            break
        except BadRequest as exc:
            logger.info("some messages could not be deleted: %s", exc.message[:80])
    v.user.menu_message_id = None
    return too_old


async def _clear_and_confirm(update: Update, context: LotseContext, v: Visit) -> None:
    too_old = await _clear(context, v)
    tr = v.tr
    parts = ["🧹 <b>" + tr.gettext("This chat has been cleared.") + "</b>"]
    if too_old:
        parts.append(
            tr.gettext(
                "Messages older than 48 hours cannot be deleted by the bot. Delete them yourself in Telegram."
            )
        )
    parts.append(
        tr.gettext(
            "Notifications that already appeared on your phone may still be visible. To remove the "
            "chat completely: hold the chat in your chat list and choose Delete."
        )
    )
    parts.append(tr.gettext("This note disappears in a few seconds. Write /start to continue."))
    html = text_of(Screen(html="\n\n".join(parts)), rtl=tr.is_rtl)
    note = await context.bot.send_message(v.user.telegram_id, html, parse_mode="HTML")

    async def vanish(job_context) -> None:
        with contextlib.suppress(TelegramError):
            await job_context.bot.delete_message(note.chat_id, note.message_id)

    context.job_queue.run_once(vanish, when=NOTE_SECONDS, name="vanishing-note")


async def on_clear(update: Update, context: LotseContext) -> None:
    """/clear: delete the chat's messages (the bot's and the person's), then a vanishing note."""
    async with visit(update, context) as v:
        await _clear_and_confirm(update, context, v)


async def on_discreet(update: Update, context: LotseContext) -> None:
    """/discreet: switch discreet mode (automatic clearing, neutral notifications)."""
    async with visit(update, context) as v:
        await _toggle_discreet(update, context, v)


async def _toggle_discreet(update: Update, context: LotseContext, v: Visit) -> None:
    v.user.discreet_mode = not v.user.discreet_mode
    tr = v.tr
    if v.user.discreet_mode:
        minutes = int(DISCREET_AFTER.total_seconds() // 60)
        html = "🕶 " + tr.ngettext(
            "Discreet mode is on: this chat is cleared automatically %(minutes)d minute after your "
            "last message, and notifications do not show the topic.",
            "Discreet mode is on: this chat is cleared automatically %(minutes)d minutes after your "
            "last message, and notifications do not show the topic.",
            minutes,
        ) % {"minutes": minutes}
    else:
        html = tr.gettext("Discreet mode is off.")
    label = (
        tr.gettext("Switch discreet mode off")
        if v.user.discreet_mode
        else tr.gettext("Switch discreet mode on")
    )
    rows = (
        (Button("🕶 " + label, SafetyTarget("discreet")),),
        (Button("⌂ " + tr.gettext("Main menu"), PageTarget(v.runtime.content.root)),),
    )
    await v.show(
        update, context, Screen(html=html, rows=rows), edit=update.callback_query is not None
    )


async def on_safety_button(
    update: Update, context: LotseContext, v: Visit, target: SafetyTarget
) -> None:
    """The 🧹 and 🕶 buttons."""
    if target.action == "clear":
        await _clear_and_confirm(update, context, v)
    elif target.action == "discreet":
        await _toggle_discreet(update, context, v)


async def clear_idle_discreet_chats(bot, runtime) -> int:
    """Clear the chats of people in discreet mode who have been quiet for a while."""
    now = runtime.clock.now()
    cleared = 0
    async with runtime.database.unit_of_work() as session:
        trace = ChatTrace(session)
        plans = []
        for user in await trace.idle_discreet_users(now, DISCREET_AFTER):
            fresh, _too_old = await trace.take_deletable(user.id, now)
            user.menu_message_id = None
            plans.append((user.telegram_id, fresh))
        await trace.forget_old(now)
    for telegram_id, fresh in plans:
        for chunk in batches(fresh):
            try:
                await bot.delete_messages(telegram_id, chunk)
                cleared += len(chunk)
            except TelegramError:
                logger.info("a discreet chat could not be cleared completely")
    return cleared
