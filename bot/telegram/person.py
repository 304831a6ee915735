"""One update from one person: their stored state, their translator, and showing them screens.

Every handler that serves a person opens a :func:`visit`: a unit of work on the database with
the person's row locked, so that several bot processes serve one person's updates in order, and
everything they change is committed together when the handler is done.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.content.telegram_html import plain_text
from bot.i18n.catalogs import Translator
from bot.i18n.locale_choice import match_language
from bot.runtime import Runtime
from bot.safety.emergency import with_emergency_button
from bot.safety.flood import FloodLimit, Verdict
from bot.safety.traces import ChatTrace
from bot.screens import Screen
from bot.storage.models import User
from bot.storage.repositories import UserRepository
from bot.telegram.context import LotseContext
from bot.telegram.rendering import fit_message, keyboard_of, text_of

__all__ = ["AlreadyHandled", "Visit", "visit"]

logger = logging.getLogger(__name__)
FLOOD = FloodLimit()


class AlreadyHandled(Exception):
    """The update was handled before (delivered again after a restart): nothing more to do."""


@dataclass(slots=True)
class Visit:
    """The person behind an update, while their update is handled."""

    runtime: Runtime
    session: AsyncSession
    user: User
    telegram_language: str | None
    after_commit: list = field(default_factory=list)
    erased: bool = False  # the person's data was deleted during this visit

    def deliver_after_commit(self) -> None:
        """Deliver the outbox once this visit's changes are committed (never before)."""
        if self.runtime.kick_delivery not in self.after_commit:
            self.after_commit.append(self.runtime.kick_delivery)

    @property
    def language(self) -> str:
        """The person's language: chosen, else guessed from Telegram, else the source language."""
        content = self.runtime.content
        if self.user.language in content.languages:
            return self.user.language
        guessed = match_language(self.telegram_language, content.languages)
        return guessed or content.source_language

    @property
    def tr(self) -> Translator:
        return self.runtime.translator(self.language)

    async def show(
        self, update: Update, context: LotseContext, screen: Screen, *, edit: bool = True
    ) -> None:
        """Show ``screen``: edit the pressed message in place, or send a new one.

        An edit that would change nothing is not made (Telegram would refuse it); a message that
        is gone or cannot be edited any more (cleared, too old) is replaced by a new one.
        """
        if self.user.blocked_bot:
            return
        screen = with_emergency_button(screen, self.runtime.content, self.tr)
        text = fit_message(text_of(screen, rtl=self.tr.is_rtl))
        keyboard = keyboard_of(screen, self.runtime.codec)
        query = update.callback_query
        target = query.message if query is not None and isinstance(query.message, Message) else None
        chat_id = update.effective_chat.id if update.effective_chat else self.user.telegram_id
        try:
            if not (edit and target is not None and await self._edit(target, text, keyboard)):
                await self._send_screen(context, chat_id, text, keyboard)
            if screen.attachment is not None:
                with screen.attachment.open("rb") as handle:
                    document = await context.bot.send_document(
                        chat_id, handle, filename=screen.attachment.name
                    )
                self.remember(document.message_id)
            if screen.document is not None:
                made = await context.bot.send_document(
                    chat_id, screen.document.data, filename=screen.document.filename
                )
                self.remember(made.message_id)
        except Forbidden:
            self.mark_blocked()

    async def _edit(self, target: Message, text: str, keyboard) -> bool:
        """Edit ``target`` to show ``text``; False if it cannot be edited (send a new one then)."""
        if target.text is None:
            return False
        if target.text == plain_text(text) and target.reply_markup == keyboard:
            # Unchanged (a press repeated, a page shown again): Telegram would answer "message is
            # not modified". Formatting alone is not compared — the texts are the same screen.
            self.user.menu_message_id = target.message_id
            return True
        try:
            await target.edit_text(
                text, parse_mode="HTML", reply_markup=keyboard, disable_web_page_preview=True
            )
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                # A repeated edit whose first answer was lost: it did arrive.
                self.user.menu_message_id = target.message_id
                return True
            # "message to edit not found" (cleared by /clear or discreet mode), "message can't be
            # edited" (too old): the person gets the screen as a new message instead.
            logger.info("could not edit the pressed message (%s); sending it anew", exc.message)
            return False
        self.user.menu_message_id = target.message_id
        return True

    async def _send_screen(self, context: LotseContext, chat_id: int, text: str, keyboard) -> None:
        if self.user.discreet_mode:
            # A neutral first line: the notification preview does not show the topic.
            text = "🔔 " + self.tr.gettext("New message") + "\n\n" + text
        sent = await context.bot.send_message(
            chat_id, text, parse_mode="HTML", reply_markup=keyboard, disable_web_page_preview=True
        )
        self.user.menu_message_id = sent.message_id
        self.remember(sent.message_id)

    def mark_blocked(self) -> None:
        """They blocked the bot: remember it, so that nothing more is sent until they come back."""
        if not self.user.blocked_bot:
            logger.info("a person has blocked the bot; not sending")
        self.user.blocked_bot = True

    async def send_text(self, context: LotseContext, text: str, reply_markup=None) -> None:
        """Send a short extra message (e.g. carrying a reply keyboard)."""
        await self._deliver(
            context.bot.send_message(self.user.telegram_id, text, reply_markup=reply_markup)
        )

    async def send_venue(
        self, context: LotseContext, lat: float, lon: float, title: str, address: str
    ) -> None:
        """Send a venue (a place with a name) that phones open in their maps app."""
        await self._deliver(
            context.bot.send_venue(
                self.user.telegram_id, latitude=lat, longitude=lon, title=title, address=address
            )
        )

    def remember(self, message_id: int) -> None:
        """Keep the id of a message in the person's chat, so that /clear can delete it."""
        ChatTrace(self.session).record(self.user.id, message_id, self.runtime.clock.now())

    async def _deliver(self, sending) -> None:
        if self.user.blocked_bot:
            sending.close()  # never awaited: nothing is sent to a person who blocked the bot
            return
        try:
            sent = await sending
            self.remember(sent.message_id)
        except Forbidden:
            self.mark_blocked()


def _admission_applies(update: Update) -> bool:
    """Whether flood protection and admin blocks apply: a person's message in their private chat.

    Only messages count: button presses are paced by the person's own taps, and a spinner must
    never be left turning.
    """
    person, chat = update.effective_user, update.effective_chat
    return (
        update.message is not None
        and chat is not None
        and chat.type == "private"
        and person is not None
        and not person.is_bot
    )


async def _slow_down(context: LotseContext, chat_id: int, language: str | None) -> None:
    tr = context.runtime.translator(language)
    text = "⏳ " + tr.gettext(
        "You are sending very many messages. Please wait a moment, then write again."
    )
    try:
        await context.bot.send_message(chat_id, text)
    except TelegramError:
        logger.info("could not send the slow-down note")


@contextlib.asynccontextmanager
async def visit(update: Update, context: LotseContext) -> AsyncIterator[Visit]:
    """Open the person's unit of work for this update (created on their first visit).

    A message from someone an admin blocked, or over the flood limit, ends the update here
    (``ApplicationHandlerStop``: the handler does not run): the first message over the limit
    gets one polite slow-down note, further ones nothing. The flood counter is kept in the same
    unit of work as the rest of the update, so that serving a message costs one transaction.

    Raises:
        ApplicationHandlerStop: The person is blocked or over the flood limit.
    """
    runtime = context.runtime
    person = update.effective_user
    if person is None:  # channel posts and the like: nobody to serve
        raise LookupError("update without a person")
    verdict = Verdict.SERVE
    async with runtime.database.unit_of_work(brief=True) as session:
        now = runtime.clock.now()
        user, first_time = await UserRepository(session).arrive_with_update(
            person.id, update.update_id, now
        )
        if not first_time:
            # Handled and committed by a process that died before confirming it to Telegram.
            raise AlreadyHandled(update.update_id)
        if _admission_applies(update):
            if user.banned:
                raise ApplicationHandlerStop  # blocked by an admin: nothing more is answered
            verdict = FLOOD.count(user, now)
        if verdict is Verdict.SERVE:
            user.blocked_bot = False
            current = Visit(runtime, session, user, person.language_code)
            message = update.effective_message
            if (
                message is not None
                and update.effective_chat
                and update.effective_chat.type == "private"
            ):
                current.remember(message.message_id)
            yield current
    if verdict is not Verdict.SERVE:
        if verdict is Verdict.WARN:
            await _slow_down(context, update.effective_chat.id, user.language)
        raise ApplicationHandlerStop
    for callback in current.after_commit:
        callback()
