"""Start, the menu pages, the language, and free text typed while in the menu."""

from __future__ import annotations

import dataclasses
import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.content.models import ActionKind
from bot.content.navigation import language_picker, page_rows, page_screen
from bot.safety.emergency import emergency_card
from bot.safety.numbers import numbers_document
from bot.screens import (
    Button,
    ContactTarget,
    EventTarget,
    LanguageTarget,
    PageTarget,
    SafetyTarget,
    Screen,
    SearchTarget,
    ServiceTarget,
    VenueTarget,
)
from bot.storage.models import Flow
from bot.telegram.context import LotseContext
from bot.telegram.handlers import contact, directory
from bot.telegram.person import Visit, visit

__all__ = [
    "on_callback",
    "on_cancel",
    "on_help",
    "on_language",
    "on_location",
    "on_media",
    "on_start",
    "on_text",
    "on_write",
    "open_page",
    "screen_for_page",
]

logger = logging.getLogger(__name__)


def _picker(visit_: Visit) -> Screen:
    runtime = visit_.runtime
    prompts = [visit_.tr.gettext("Choose your language")]
    prompts += [
        runtime.translator(code).gettext("Choose your language")
        for code in runtime.content.languages
    ]
    return language_picker(runtime.content, prompts)


def screen_for_page(visit_: Visit, node_id: str) -> Screen:
    """The screen of a page, or of what the page does (emergency card, services, language …)."""
    runtime, language, tr = visit_.runtime, visit_.language, visit_.tr
    content = runtime.content
    node = content.nodes[node_id]
    action = node.action.kind if node.action is not None else None
    if action is ActionKind.LANGUAGE:
        visit_.user.flow = Flow.CHOOSING_LANGUAGE
        return _picker(visit_)
    rows = page_rows(content, node_id, language, tr)
    if action is ActionKind.EMERGENCY:
        card = emergency_card(content, language, tr)
        return Screen(
            html=card.html, rows=(card.rows[0], *rows)
        )  # Clear this chat, then the page's own
    screen = page_screen(content, node_id, language, tr, media_root=runtime.content_root)
    if action is ActionKind.NUMBERS:
        return dataclasses.replace(screen, document=numbers_document(content, language, tr))
    return screen


async def on_start(update: Update, context: LotseContext) -> None:
    """Greet the person in their language (from Telegram), or let them pick one."""
    async with visit(update, context) as v:
        content = v.runtime.content
        v.user.flow = Flow.MENU
        if v.user.language not in content.languages:
            from bot.i18n.locale_choice import match_language

            guessed = match_language(v.telegram_language, content.languages)
            if guessed is None:
                v.user.flow = Flow.CHOOSING_LANGUAGE
                await v.show(update, context, _picker(v), edit=False)
                return
            v.user.language = guessed
        v.user.current_node = content.root
        await v.show(update, context, screen_for_page(v, content.root), edit=False)


async def on_language(update: Update, context: LotseContext) -> None:
    """/language: show the picker."""
    async with visit(update, context) as v:
        v.user.flow = Flow.CHOOSING_LANGUAGE
        await v.show(update, context, _picker(v), edit=False)


async def on_help(update: Update, context: LotseContext) -> None:
    """/help and /menu: what the bot does, and the main menu."""
    async with visit(update, context) as v:
        content = v.runtime.content
        v.user.flow = Flow.MENU
        v.user.current_node = content.root
        await v.show(update, context, screen_for_page(v, content.root), edit=False)


async def on_callback(update: Update, context: LotseContext) -> None:
    """A pressed inline button: open the page, switch the language, or explain a stale button."""
    query = update.callback_query
    if query.message is None or query.message.chat.type != ChatType.PRIVATE:
        # The bot puts buttons only into private chats: a press elsewhere comes from a forged
        # client (or an inline message) and must not turn a team's card into a menu.
        await query.answer()
        return
    async with visit(update, context) as v:
        content = v.runtime.content
        decoded = v.runtime.codec.decode(query.data)
        notice = None
        if decoded is None:
            notice = v.tr.gettext("This button no longer works. Here is the menu.")
            target = PageTarget(
                v.user.current_node if v.user.current_node in content.nodes else content.root
            )
        elif decoded.stale:
            notice = v.tr.gettext("The menu was updated. Here is the current menu.")
            node = decoded.target.node_id
            target = PageTarget(node if node in content.nodes else content.root)
        else:
            target = decoded.target
        # Always answer the query, so that no spinner is left turning on the person's phone.
        if isinstance(target, LanguageTarget):
            if target.code in content.languages:
                v.user.language = target.code
                v.user.language_confirmed = True
            target = PageTarget(content.root)
            notice = v.tr.gettext("Language: %(name)s") % {
                "name": content.languages[v.language].name
            }
        try:
            await context.answer(query, notice)
        except BadRequest as exc:
            # Answered already (the update came again after a process died before confirming
            # it) or too late: the person's press must still be carried out.
            logger.info("button press not answered: %s", exc.message[:80])
        if isinstance(target, SafetyTarget):
            from bot.telegram.handlers.safety import on_safety_button

            await on_safety_button(update, context, v, target)
        elif isinstance(target, ContactTarget):
            await contact.on_contact_button(update, context, v, target)
        elif isinstance(target, EventTarget):
            from bot.telegram.handlers.events import on_event_button

            await on_event_button(update, context, v, target)
        elif isinstance(target, SearchTarget):
            await directory.show_results(update, context, v, target, edit=True)
        elif isinstance(target, ServiceTarget) and target.service in content.services:
            await directory.show_service(update, context, v, target)
        elif isinstance(target, VenueTarget) and target.service in content.services:
            await directory.send_venue(update, context, v, target)
        else:
            node_id = (
                target.node_id
                if isinstance(target, PageTarget) and target.node_id in content.nodes
                else content.root
            )
            await open_page(update, context, v, node_id)


async def open_page(update: Update, context: LotseContext, v: Visit, node_id: str) -> None:
    """Show a menu page in place, or start what it does (the service search)."""
    node = v.runtime.content.nodes[node_id]
    v.user.flow = Flow.MENU
    v.user.current_node = node_id
    if node.action is not None and node.action.kind is ActionKind.SERVICES and node.action.target:
        await directory.ask_for_place(update, context, v, node.action.target, node_id)
        return
    if node.action is not None and node.action.kind is ActionKind.CONTACT and node.action.target:
        await contact.start_contact(update, context, v, node.action.target, node_id)
        return
    if node.action is not None and node.action.kind is ActionKind.EVENTS:
        from bot.telegram.handlers.events import show_events

        await show_events(update, context, v, node_id)
        return
    await v.show(update, context, screen_for_page(v, node_id))


async def on_text(update: Update, context: LotseContext) -> None:
    """Free text: a place while searching services, else the pages that match — never silence."""
    async with visit(update, context) as v:
        if v.runtime.crisis.matches(update.effective_message.text):
            # Danger comes first: the emergency numbers before anything else is answered.
            card = emergency_card(v.runtime.content, v.language, v.tr, back_to=v.user.current_node)
            await v.show(update, context, card, edit=False)
        if v.user.flow in contact.CONTACT_FLOWS and await contact.on_contact_message(
            update, context, v
        ):
            return
        if v.user.flow is Flow.SEARCHING_PLACE:
            await directory.search_place_text(update, context, v)
            if v.user.flow is Flow.SEARCHING_PLACE:
                return
        content, tr = v.runtime.content, v.tr
        if v.user.language not in content.languages:
            guessed = v.language
            v.user.language = guessed
        chain = content.language_chain(v.language)
        matches = v.runtime.pages.find(update.effective_message.text or "", v.language)
        rows = [
            (Button(content.nodes[m.node_id].title.resolve(chain)[0], PageTarget(m.node_id)),)
            for m in matches
        ]
        if matches:
            html = tr.ngettext(
                "I found %(count)d page for you:", "I found %(count)d pages for you:", len(matches)
            ) % {"count": len(matches)}
        else:
            html = tr.gettext("Sorry, I did not understand that. Please choose from the menu.")
        rows.append((Button("⌂ " + tr.gettext("Main menu"), PageTarget(content.root)),))
        await v.show(update, context, Screen(html=html, rows=tuple(rows)), edit=False)


async def on_location(update: Update, context: LotseContext) -> None:
    """A shared location: used at once for the service search, never stored."""
    async with visit(update, context) as v:
        await directory.on_location(update, context, v)


async def on_media(update: Update, context: LotseContext) -> None:
    """Voice, photos, documents, a shared contact: part of a contact request, else not understood."""
    async with visit(update, context) as v:
        if v.user.flow in contact.CONTACT_FLOWS and await contact.on_contact_message(
            update, context, v
        ):
            return
        from bot.telegram.handlers.system import unsupported_screen

        await v.show(update, context, unsupported_screen(v), edit=False)


async def on_cancel(update: Update, context: LotseContext) -> None:
    """/cancel: leave whatever flow the person is in."""
    async with visit(update, context) as v:
        if v.user.flow in contact.CONTACT_FLOWS and v.user.flow is not Flow.CONVERSATION:
            await contact.cancel_contact(update, context, v)
            return
        v.user.flow, v.user.flow_data = Flow.MENU, None
        await v.show(update, context, screen_for_page(v, v.runtime.content.root), edit=False)


def contact_page(content) -> str | None:
    """The menu page to write to the team from: the general topic's, else the first there is."""
    pages = [
        node.id
        for node in content.nodes.values()
        if node.action is not None and node.action.kind is ActionKind.CONTACT
    ]
    general = [n for n in pages if content.nodes[n].action.target == "general"]
    return (general or pages or [None])[0]


async def on_write(update: Update, context: LotseContext) -> None:
    """/write: straight to writing to the team, as the menu's "write to a person" button does."""
    async with visit(update, context) as v:
        node_id = contact_page(v.runtime.content)
        if node_id is None:
            await v.show(update, context, screen_for_page(v, v.runtime.content.root), edit=False)
            return
        await open_page(update, context, v, node_id)
