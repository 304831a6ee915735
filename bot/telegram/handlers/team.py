"""The coordinators' side: messages and commands in a team's group, relayed to the person.

Only messages from a configured team chat are considered, and a request is looked up within
that chat only, so team A can never see or act on team B's requests. What a coordinator writes
reaches the person signed with the team's name, never with the coordinator's account.
"""

from __future__ import annotations

import logging
import re

from telegram import Message, Update

from bot.config import TeamSettings
from bot.contact.queue import queue_state, record_state_change
from bot.contact.repositories import OutboxRepository, RequestRepository
from bot.content.telegram_html import escape
from bot.i18n.catalogs import N_
from bot.storage.models import ContactRequest, RequestStatus, User
from bot.storage.repositories import HandledUpdates
from bot.telegram.context import LotseContext
from bot.telegram.delivery import team_translator
from bot.telegram.message_parts import parts_of
from bot.telegram.person import AlreadyHandled

__all__ = ["on_team_message"]

logger = logging.getLogger(__name__)
COMMANDS = ("claim", "close", "reopen", "note", "t", "templates", "block", "unblock")
CLAIMED = N_("A counsellor has taken up your request %(ref)s and will answer you here.")


def _team_of(context: LotseContext, chat_id: int) -> TeamSettings | None:
    for team in context.runtime.settings.teams.values():
        if team.chat_id == chat_id:
            return team
    return None


async def _request_of(
    requests: RequestRepository,
    message: Message,
    command: tuple[str, str] | None,
    bot_id: int,
) -> ContactRequest | None:
    chat_id = message.chat_id
    if message.is_topic_message and message.message_thread_id is not None:
        return await requests.by_thread(chat_id, message.message_thread_id)
    reply = message.reply_to_message
    if reply is not None:
        found = await requests.by_team_message(chat_id, reply.message_id)
        ours = reply.from_user is not None and reply.from_user.id == bot_id
        # A card or copy of ours whose id was never recorded (the process died right after
        # sending it, and it was sent again): its head names the request before anything the
        # person wrote.
        named = _REFERENCE.search(reply.text or reply.caption or "") if ours else None
        if found is None and named is not None:
            request = await requests.by_reference(named.group(0))
            found = request if request is not None and request.team_chat_id == chat_id else None
        return found
    if command is not None and command[0] == "reopen" and command[1]:
        # A closed topic takes messages from admins only: "/reopen #K7QF" works anywhere in the
        # team's chat, for this chat's requests only.
        found = await requests.by_reference(command[1])
        return found if found is not None and found.team_chat_id == chat_id else None
    return None


_REFERENCE = re.compile(r"#[0-9A-Za-z]{4}\b")


def _command(message: Message) -> tuple[str, str] | None:
    text = message.text or ""
    if not text.startswith("/"):
        return None
    head, _, rest = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    return (name, rest.strip()) if name in COMMANDS else None


async def on_team_message(update: Update, context: LotseContext) -> None:
    """A message in a group: if it belongs to a request of this team, act on it."""
    message = update.effective_message
    if message is None or update.effective_user is None or update.effective_user.is_bot:
        return
    team = _team_of(context, message.chat_id)
    if team is None:
        return  # not a team chat: say nothing
    runtime = context.runtime
    tr = team_translator(runtime)
    now = runtime.clock.now()
    reply_text = None
    async with runtime.database.unit_of_work() as session:
        if not await HandledUpdates(session).first_time(update.update_id, now):
            raise AlreadyHandled(update.update_id)  # handled before a restart: not twice
        requests = RequestRepository(session, runtime.cipher)
        outbox = OutboxRepository(session)
        command = _command(message)
        request = await _request_of(requests, message, command, context.bot.id)
        before = queue_state(request) if request is not None else None
        if request is None:
            if command is not None:
                reply_text = tr.gettext(
                    "Please use this command inside the topic of a request (or as a reply to its card)."
                )
        elif command is not None:
            reply_text = await _run_command(
                command, request, requests, outbox, update, runtime, now
            )
        else:
            parts = parts_of(message)
            if await requests.is_stored(request, team_message_id=message.message_id):
                pass  # the same update again: relayed once already
            elif parts is None or request.status not in (RequestStatus.OPEN, RequestStatus.CLAIMED):
                if request.status in (RequestStatus.CLOSED, RequestStatus.WITHDRAWN):
                    reply_text = tr.gettext(
                        "This request is closed; nothing was sent. Use /reopen first."
                    )
            else:
                stored = await requests.add_message(
                    request,
                    "out",
                    parts.kind,
                    parts.body,
                    parts.file_id,
                    now,
                    team_message_id=message.message_id,
                )
                request.first_answer_at = request.first_answer_at or now
                request.last_team_message_at = now
                await session.flush()
                await outbox.enqueue(
                    f"message:{stored.id}:to-person",
                    "to-person",
                    {"message": stored.id},
                    now,
                    request_id=request.id,
                )
        if request is not None and before is not None:
            await record_state_change(outbox, request, before, now)
    if reply_text:
        await message.reply_text(reply_text)
    runtime.kick_delivery()


async def _run_command(command, request, requests, outbox, update, runtime, now) -> str | None:
    name, argument = command
    tr = team_translator(runtime)
    coordinator = update.effective_user.first_name[:64]
    if name == "claim":
        # "/claim NAME": the team alias the coordinator chose instead of their first name.
        coordinator = " ".join(argument.split())[:64] or coordinator
        request.status = RequestStatus.CLAIMED
        request.claimed_by_name, request.claimed_by_id = coordinator, update.effective_user.id
        request.first_answer_at = request.first_answer_at or now
        await outbox.enqueue(
            f"request:{request.id}:claimed:{now.isoformat()}", "notice",
            {"request": request.id, "text": CLAIMED},
            now, request_id=request.id,
        )  # fmt: skip
        return "🙋 " + tr.gettext("%(name)s takes care of this request.") % {
            "name": escape(coordinator)
        }
    if name == "close":
        request.status, request.closed_at = RequestStatus.CLOSED, now
        return "✅ " + tr.gettext("Request closed by %(name)s.") % {"name": escape(coordinator)}
    if name == "reopen":
        requests.reopen(request)
        return "↩️ " + tr.gettext("Request reopened by %(name)s.") % {"name": escape(coordinator)}
    if name in ("block", "unblock"):
        if update.effective_user.id not in runtime.settings.admins:
            return tr.gettext("Only administrators can block someone.")
        person = await requests.session.get(User, request.user_id) if request.user_id else None
        if person is not None:
            person.banned = name == "block"
        if name == "block":
            return "⛔ " + tr.gettext(
                "The person of this request is blocked: the bot ignores their messages."
            )
        return tr.gettext("The person of this request is no longer blocked.")
    if name == "note":
        if not argument:
            return tr.gettext("Write the note after the command: /note TEXT")
        await requests.add_message(
            request, "note", "text", argument, None, now, author_name=coordinator
        )
        return "📝 " + tr.gettext("Internal note saved. It is not sent to the person.")
    templates = runtime.content.templates
    if name == "templates" or (name == "t" and argument not in templates):
        listing = ", ".join(sorted(templates))
        return tr.gettext("Templates: %(names)s — send one with /t NAME") % {"names": listing}
    template = templates[argument]
    command_id = update.effective_message.message_id
    if await requests.is_stored(request, team_message_id=command_id):
        return None  # the same command delivered again: the template went out once
    text, _ = template.text.resolve(runtime.content.language_chain(request.language))
    stored = await requests.add_message(
        request, "out", "text", text, None, now, author_name=coordinator,
        team_message_id=command_id,
    )  # fmt: skip
    request.first_answer_at = request.first_answer_at or now
    request.last_team_message_at = now
    await requests.session.flush()
    await outbox.enqueue(
        f"message:{stored.id}:to-person",
        "to-person",
        {"message": stored.id},
        now,
        request_id=request.id,
    )
    return (
        "📤 "
        + tr.gettext("Template sent in the person's language. In German:")
        + "\n"
        + template.text.source
    )
