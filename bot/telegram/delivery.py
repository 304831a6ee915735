"""Deliver the outbox: requests and messages go out only after they are stored, and are retried.

Every change that must reach Telegram is first written as an outbox entry in the same unit of
work as the change itself. This worker takes due entries (a lease keeps two processes from taking
the same one), performs them, and records the result. A crash before the result is recorded
leaves the entry to be taken again when its lease runs out; each step records its own progress
(topic, card, each message), so a retry repeats at most the one call that was under way.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, ReplyParameters
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.contact.queue import queue_state, state_label, topic_title
from bot.contact.repositories import OutboxRepository, RequestRepository
from bot.content.telegram_html import escape, visible_length
from bot.errors import StorageError
from bot.runtime import Runtime
from bot.safety.traces import ChatTrace
from bot.storage.models import ContactRequest, Flow, OutboxEntry, RequestStatus, User
from bot.telegram.rendering import MAX_CAPTION, split_message

__all__ = ["deliver_due", "team_translator"]

logger = logging.getLogger(__name__)
_RECORD_TRIES = 5
_ASKED_FOR_INPUT = (
    Flow.SEARCHING_PLACE,
    Flow.CONTACT_CONSENT,
    Flow.CONTACT_REGION,
    Flow.CONTACT_METHOD,
    Flow.CONTACT_PHONE,
    Flow.CONTACT_MESSAGE,
)
BATCH = 20


class _TeamUnreachable(Exception):
    """The team's chat refused or does not exist: the request goes to the fallback team."""


class _PersonBlocked(Exception):
    """The person has blocked the bot (Telegram said so before): nothing is sent to them."""


def _translated(tr, payload: dict) -> str:
    """The interface string an outbox notice names (English msgid), translated when delivered.

    A notice with a count names the plural msgid too (``plural``) and the count (``n``).
    """
    if "plural" in payload:
        return tr.ngettext(str(payload["text"]), str(payload["plural"]), int(payload["n"]))
    return tr.gettext(str(payload["text"]))


def team_translator(runtime: Runtime):
    """Coordinators read the interface in the content's source language (German)."""
    return runtime.translator(runtime.content.source_language)


async def deliver_due(bot: Bot, runtime: Runtime) -> int:
    """Perform every due outbox entry; returns how many were delivered.

    Several rounds may run at once in one process (the repeating job, a kick after a commit):
    an entry one of them is sending is never taken by another, even if its lease runs out.
    """
    delivered = 0
    sending = runtime.sending
    while True:
        now = runtime.clock.now()
        async with runtime.database.unit_of_work() as session:
            lease = dt.timedelta(seconds=runtime.settings.production.outbox_lease_seconds)
            entries = await OutboxRepository(session).claim_due(
                now, BATCH, lease, exclude=set(sending)
            )
            claimed = [(e.id, e.kind, dict(e.payload or {}), e.attempts, e.key) for e in entries]
        if not claimed:
            return delivered
        sending.update(entry_id for entry_id, *_ in claimed)
        try:
            for entry_id, kind, payload, attempts, key in claimed:
                try:
                    # The batch may take longer than the lease (the send budget makes calls
                    # wait): renew it now, or leave the entry to the process that took it over.
                    async with runtime.database.unit_of_work() as session:
                        mine = await OutboxRepository(session).renew(
                            entry_id, attempts, runtime.clock.now() + lease
                        )
                    if mine:
                        delivered += await _deliver_one(
                            bot, runtime, entry_id, kind, payload, key=key
                        )
                finally:
                    sending.discard(entry_id)
        finally:
            sending.difference_update(entry_id for entry_id, *_ in claimed)


async def _deliver_one(
    bot: Bot, runtime: Runtime, entry_id: int, kind: str, payload: dict, *, key: str
) -> int:
    try:
        result = await _PERFORM[kind](bot, runtime, payload)
    except RetryAfter as exc:
        seconds = (
            exc.retry_after
            if isinstance(exc.retry_after, int | float)
            else exc.retry_after.total_seconds()
        )
        retry_at = runtime.clock.now() + dt.timedelta(seconds=seconds)
        await _failed(runtime, entry_id, "RetryAfter", retry_at, key=key)
        return 0
    except (TimedOut, NetworkError) as exc:
        await _failed(runtime, entry_id, type(exc).__name__, None, key=key)
        return 0
    except _TeamUnreachable:
        await _reroute(bot, runtime, payload)
        await _sent(runtime, entry_id, {"rerouted": True}, key=key)
        return 0
    except _PersonBlocked:
        blocked = "not sent: the person has blocked the bot"
        await _failed(runtime, entry_id, blocked, None, final=True, key=key)
        return 0
    except Forbidden as exc:
        # Refused by the person (they blocked the bot): nothing to retry, and nothing more is
        # sent to them until they write again. A team chat that refuses is not a person.
        if kind == "to-person" or (kind == "notice" and payload.get("to") != "team"):
            await _mark_blocked(runtime, payload)
        refused = f"Forbidden: {exc.message[:80]}"
        await _failed(runtime, entry_id, refused, None, final=True, key=key)
        return 0
    except (SQLAlchemyError, StorageError) as exc:
        # The database failed (after all tries): the entry stays taken until its lease runs out
        # and is then tried again; the other entries go on.
        logger.warning(
            "outbox entry %s (%s): database error %s", entry_id, kind, type(exc).__name__
        )
        return 0
    except TelegramError as exc:
        logger.warning("outbox entry %s (%s) failed: %s", entry_id, kind, exc.message[:120])
        error = f"{type(exc).__name__}: {exc.message[:80]}"
        await _failed(runtime, entry_id, error, None, key=key)
        return 0
    await _sent(runtime, entry_id, result, key=key)
    return 1


async def _record(runtime: Runtime, work):
    """Run ``work(session)`` in a unit of work, tried again if the database fails for a moment.

    Used for what must be written after Telegram carried out a send: giving up there would
    make the entry be sent again (a deadlock, a lost connection must not double a message).
    """
    for attempt in range(_RECORD_TRIES):
        try:
            async with runtime.database.unit_of_work() as session:
                return await work(session)
        except (SQLAlchemyError, StorageError) as exc:
            if attempt == _RECORD_TRIES - 1:
                raise
            logger.warning("recording a delivery failed (%s); trying again", type(exc).__name__)
            await asyncio.sleep(0.2 * 2**attempt)
    return None  # pragma: no cover


async def _mark_blocked(runtime: Runtime, payload: dict) -> None:
    """Remember that the person of the entry's request blocked the bot (until they write again)."""
    async with runtime.database.unit_of_work() as session:
        request_id = payload.get("request")
        if request_id is None and "message" in payload:
            message = await RequestRepository(session, runtime.cipher).message(payload["message"])
            request_id = message.request_id if message is not None else None
        request = await session.get(ContactRequest, request_id) if request_id else None
        person = await session.get(User, request.user_id) if request and request.user_id else None
        if person is not None:
            person.blocked_bot = True


async def _claimed_entry(session, entry_id: int, key: str) -> OutboxEntry | None:
    # The entry as claimed, or None: on SQLite the id of an entry deleted meanwhile (its request
    # was erased or purged) is given to the next new entry, which this delivery must not mark.
    entry = await session.get(OutboxEntry, entry_id)
    return entry if entry is not None and entry.key == key else None


async def _sent(runtime: Runtime, entry_id: int, result: dict | None, *, key: str) -> None:
    async def mark(session) -> None:
        entry = await _claimed_entry(session, entry_id, key)
        if entry is not None:
            await OutboxRepository(session).mark_sent(entry, result, runtime.clock.now())

    await _record(runtime, mark)


async def _failed(
    runtime: Runtime, entry_id: int, error: str, retry_at, *, key: str, final: bool = False
) -> None:
    async def mark(session) -> None:
        entry = await _claimed_entry(session, entry_id, key)
        if entry is not None:
            await OutboxRepository(session).mark_failed(
                entry, error, runtime.clock.now(), retry_at=retry_at, final=final
            )

    await _record(runtime, mark)


async def _request(runtime: Runtime, request_id: int):
    async with runtime.database.unit_of_work() as session:
        return await session.get(ContactRequest, request_id)


def _card(
    runtime: Runtime, request: ContactRequest, phone: str | None, state: str | None = None
) -> str:
    """The request's card for the team; in a plain group it starts with the state line."""
    tr = team_translator(runtime)
    content = runtime.content
    chain = content.language_chain(content.source_language)
    topic = (
        content.topics[request.topic].name.resolve(chain)[0]
        if request.topic in content.topics
        else request.topic
    )
    region = (
        content.regions[request.region].name.resolve(chain)[0]
        if request.region in content.regions
        else "—"
    )
    language = (
        content.languages[request.language].name
        if request.language in content.languages
        else request.language
    )
    lines = [] if state is None else [f"<b>{escape(state)}</b>"]
    lines += [
        ("🚨 " if request.urgent else "📨 ") + f"<b>#{request.reference}</b> · {escape(topic)}",
        tr.gettext("Region: %(region)s") % {"region": escape(region)},
        tr.gettext("Language: %(language)s")
        % {"language": escape(f"{language} ({request.language})")},
    ]
    if request.contact_method == "phone" and phone:
        lines.append(tr.gettext("Wants a call at: %(phone)s") % {"phone": escape(phone)})
    elif request.contact_method == "call":
        lines.append(tr.gettext("Wants a call in their language (number not shared)."))
    else:
        lines.append(tr.gettext("Contact only in this chat."))
    lines.append(
        tr.gettext(
            "Write here to answer. Commands: /claim, /close, /reopen, /note TEXT, /t TEMPLATE"
        )
    )
    return "\n".join(lines)


async def _open(bot: Bot, runtime: Runtime, payload: dict) -> dict:
    """Open the request in its team's chat: a forum topic (if a forum), the card, its messages."""
    request_id = payload["request"]
    async with runtime.database.unit_of_work() as session:
        requests = RequestRepository(session, runtime.cipher)
        request = await requests.get(request_id)
        if request is None or request.team_chat_id is None:
            return {"skipped": "no team"}
        chat_id, thread_id, card_id = (
            request.team_chat_id,
            request.thread_id,
            request.card_message_id,
        )
        phone = requests.phone(request)
        tr = team_translator(runtime)
        title = topic_title(request, runtime.content, tr)
        state = state_label(queue_state(request), tr)
    try:
        if thread_id is None and card_id is None:
            chat = await bot.get_chat(chat_id)
            if chat.is_forum:
                topic = await bot.create_forum_topic(chat_id, title)
                thread_id = topic.message_thread_id
                await _update_request(
                    runtime, request_id, thread_id=thread_id, shown_state=title, topic_closed=False
                )
        if card_id is None:
            # In a plain group the card shows the state (there is no topic title to show it).
            shown = state if thread_id is None else None
            card = _card(runtime, request, phone, shown)
            sent = await bot.send_message(
                chat_id, card, parse_mode="HTML", message_thread_id=thread_id
            )
            values = {"shown_state": shown} if shown is not None else {}
            await _update_request(runtime, request_id, card_message_id=sent.message_id, **values)
    except (Forbidden, BadRequest) as exc:
        if isinstance(exc, Forbidden) or "chat not found" in exc.message.lower():
            raise _TeamUnreachable from exc
        raise
    now = runtime.clock.now()
    async with runtime.database.unit_of_work() as session:
        requests = RequestRepository(session, runtime.cipher)
        outbox = OutboxRepository(session)
        for message in await requests.messages_of(request_id):
            if message.direction == "in" and message.team_message_id is None:
                await outbox.enqueue(
                    f"message:{message.id}:to-team",
                    "to-team",
                    {"message": message.id},
                    now,
                    request_id=request_id,
                )
    return {"thread": thread_id}


async def _show_state(bot: Bot, runtime: Runtime, payload: dict) -> dict:
    """Show the request's state now: the forum topic's title and closed state, or the card.

    What was shown is recorded, so that nothing is edited twice. Two deliveries may run at once
    and the state may change during a call, so after each edit the state is read again, until
    what is shown is what is wanted. A title is not worth a retry that can never succeed (the
    topic was deleted, the bot lost its rights): such an error is logged and the entry done.
    Relays are separate entries and never wait for a title.
    """
    request_id = payload["request"]
    for _ in range(_MAX_STATE_ROUNDS):
        step = await _state_step(runtime, request_id)
        if step is None:
            return {"shown": True}
        try:
            await step.perform(bot)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower().replace("_", " "):
                logger.warning(
                    "a request's state could not be shown in its team chat: %s", exc.message[:120]
                )
                return {"skipped": exc.message[:80]}
        await _update_request(runtime, request_id, **step.record)
    return {"shown": True}


_MAX_STATE_ROUNDS = 4


@dataclass(frozen=True, slots=True)
class _StateStep:
    """One Telegram call that brings the team chat closer to the request's state."""

    method: str
    kwargs: dict
    record: dict  # what is shown after the call, for the request's row

    async def perform(self, bot: Bot) -> None:
        await getattr(bot, self.method)(**self.kwargs)


async def _state_step(runtime: Runtime, request_id: int) -> _StateStep | None:
    """The next call to show the request's state, or None if the team chat shows it already."""
    async with runtime.database.unit_of_work() as session:
        requests = RequestRepository(session, runtime.cipher)
        request = await requests.get(request_id)
        if request is None or request.team_chat_id is None:
            return None
        tr = team_translator(runtime)
        chat, thread, card = request.team_chat_id, request.thread_id, request.card_message_id
        closed = request.status in (RequestStatus.CLOSED, RequestStatus.WITHDRAWN)
        if thread is not None:
            title = topic_title(request, runtime.content, tr)
            where = {"chat_id": chat, "message_thread_id": thread}
            if title != request.shown_state:
                return _StateStep(
                    "edit_forum_topic", {**where, "name": title}, {"shown_state": title}
                )
            if closed != request.topic_closed:
                method = "close_forum_topic" if closed else "reopen_forum_topic"
                return _StateStep(method, where, {"topic_closed": closed})
            return None
        if card is None:
            return None  # not in the team chat yet: opening it shows the state
        state = state_label(queue_state(request), tr)
        if state == request.shown_state:
            return None
        text = _card(runtime, request, requests.phone(request), state)
        return _StateStep(
            "edit_message_text",
            {"text": text, "chat_id": chat, "message_id": card, "parse_mode": "HTML"},
            {"shown_state": state},
        )


async def _retitle(bot: Bot, runtime: Runtime, payload: dict) -> dict:
    """Rename (and close) a forum topic whose request is gone, e.g. withdrawn by erasure."""
    chat, thread = payload["chat"], payload["thread"]
    try:
        await bot.edit_forum_topic(chat, thread, name=payload["name"])
        if payload.get("close"):
            await bot.close_forum_topic(chat, thread)
    except BadRequest as exc:
        # Renamed or closed already, or the topic is gone: nothing a retry could mend.
        logger.warning("a withdrawn request's topic could not be retitled: %s", exc.message[:120])
        return {"skipped": exc.message[:80]}
    return {"shown": True}


async def _update_request(runtime: Runtime, request_id: int, **values) -> None:
    async def update(session) -> None:
        request = await session.get(ContactRequest, request_id)
        for key, value in values.items():
            setattr(request, key, value)

    await _record(runtime, update)


async def _message_with_people(session, runtime: Runtime, message_id: int):
    """A stored message (decrypted) with its request and the person, or None if any is gone."""
    requests = RequestRepository(session, runtime.cipher)
    message = await requests.message(message_id)
    request = await requests.get(message.request_id) if message is not None else None
    person = await session.get(User, request.user_id) if request and request.user_id else None
    if message is None or request is None or person is None:
        return None
    return message, request, person


async def _to_team(bot: Bot, runtime: Runtime, payload: dict) -> dict:
    """Copy one of the person's messages into the request's place in the team chat."""
    async with runtime.database.unit_of_work() as session:
        found = await _message_with_people(session, runtime, payload["message"])
        if found is None or found[0].team_message_id is not None or found[1].team_chat_id is None:
            return {"skipped": True}
        message, request, person = found
        if request.card_message_id is None:
            raise NetworkError("the request is not open in the team chat yet")
        chat_id, thread_id, card_id = (
            request.team_chat_id,
            request.thread_id,
            request.card_message_id,
        )
        # Crisis words in the message put 🚨 in front, so that the team sees it at a glance.
        alarm = "🚨 " if runtime.crisis.matches(message.body) else ""
        head = f"{alarm}👤 <b>#{request.reference}</b>"
        person_chat = person.telegram_id
    reply = (
        None
        if thread_id is not None
        else ReplyParameters(card_id, allow_sending_without_reply=True)
    )
    texts, caption = _texts_and_caption(head, message.kind, message.body)
    sent_id = None
    if caption is not None:
        copied = await bot.copy_message(
            chat_id, person_chat, message.person_message_id, caption=caption, parse_mode="HTML",
            message_thread_id=thread_id, reply_parameters=reply,
        )  # fmt: skip
        sent_id = copied.message_id
    for text in texts:
        sent = await bot.send_message(
            chat_id, text, parse_mode="HTML", message_thread_id=thread_id, reply_parameters=reply
        )
        sent_id = sent_id or sent.message_id

    async def remember(session) -> None:
        await RequestRepository(session, runtime.cipher).set_team_message_id(message.id, sent_id)

    await _record(runtime, remember)
    return {"message_id": sent_id}


def _texts_and_caption(
    head: str, kind: str, body: str | None, render=str
) -> tuple[list[str], str | None]:
    """The texts to send and the caption of the copied medium (None for a text message).

    A caption that would be too long with our head goes out as text after the medium.
    """
    if kind == "text":
        return split_message(head, body or "", render=render), None
    caption = render(head + ("\n" + escape(body) if body else ""))
    if visible_length(caption) <= MAX_CAPTION:
        return [], caption
    return split_message("", body or "", render=render), render(head)


async def _to_person(bot: Bot, runtime: Runtime, payload: dict) -> dict:
    """Send a coordinator's message (or a template) to the person, signed with the team's name."""
    async with runtime.database.unit_of_work() as session:
        found = await _message_with_people(session, runtime, payload["message"])
        if found is None or found[0].person_message_id is not None:
            return {"skipped": True}
        message, request, person = found
        if person.blocked_bot:
            raise _PersonBlocked
        team = runtime.settings.teams.get(request.team or "")
        signature = "💬 <b>" + escape(team.name if team else "Lotse") + "</b>"
        chat_id, team_chat, language = person.telegram_id, request.team_chat_id, request.language
    from bot.i18n.bidi import rtl_message

    render = rtl_message if runtime.translator(language).is_rtl else str
    texts, caption = _texts_and_caption(signature, message.kind, message.body, render)
    sent_ids = []
    if caption is not None:
        copied = await bot.copy_message(
            chat_id, team_chat, message.team_message_id, caption=caption, parse_mode="HTML"
        )
        sent_ids.append(copied.message_id)
    for text in texts:
        sent_ids.append((await bot.send_message(chat_id, text, parse_mode="HTML")).message_id)
    sent_id = sent_ids[0]

    async def remember(session) -> None:
        # The person's row first, locked: a visit of theirs locks it first too (same order, no
        # deadlock between this record and their next message).
        person = await session.get(User, request.user_id, with_for_update=True)
        await RequestRepository(session, runtime.cipher).set_person_message_id(message.id, sent_id)
        for each in sent_ids:
            ChatTrace(session).record(request.user_id, each, runtime.clock.now())
        if person is not None and person.flow not in _ASKED_FOR_INPUT:
            # The person's next message answers the counsellor, wherever they were in the menu —
            # unless the bot has just asked them for something (a new request's message, a
            # place): a reply arriving then must not take their words elsewhere.
            person.flow, person.flow_data = Flow.CONVERSATION, {"request": request.id}

    await _record(runtime, remember)
    return {"message_id": sent_id}


async def _notice(bot: Bot, runtime: Runtime, payload: dict) -> dict:
    """A short notice: to the person in their language, or to the team chat in German."""
    request = await _request(runtime, payload["request"])
    if request is None:
        return {"skipped": True}
    if payload.get("to") == "team":
        if request.team_chat_id is None:
            return {"skipped": True}
        tr = team_translator(runtime)
        text = _translated(tr, payload) % {
            "ref": "#" + request.reference,
            **payload.get("values", {}),
        }
        sent = await bot.send_message(
            request.team_chat_id, text, message_thread_id=request.thread_id
        )
        return {"message_id": sent.message_id}
    async with runtime.database.unit_of_work() as session:
        person = await session.get(User, request.user_id) if request.user_id else None
        chat_id = person.telegram_id if person else None
        if person is not None and person.blocked_bot:
            raise _PersonBlocked
    tr = runtime.translator(request.language)
    text = _translated(tr, payload) % {"ref": "#" + request.reference}
    sent = await bot.send_message(chat_id, text)

    async def remember(session) -> None:
        ChatTrace(session).record(request.user_id, sent.message_id, runtime.clock.now())

    await _record(runtime, remember)
    return {"message_id": sent.message_id}


async def _reroute(bot: Bot, runtime: Runtime, payload: dict) -> None:
    """The team chat cannot be reached: give the request to the fallback team, tell the admins."""
    fallback = runtime.settings.teams.get(runtime.settings.fallback_team or "")
    now = runtime.clock.now()
    async with runtime.database.unit_of_work() as session:
        request = await session.get(ContactRequest, payload.get("request"))
        if request is None or fallback is None or request.team_chat_id == fallback.chat_id:
            logger.error("a request cannot reach any team chat; it stays stored and open")
            return
        failed_team = request.team
        request.team, request.team_chat_id = fallback.key, fallback.chat_id
        request.thread_id = request.card_message_id = None
        request.shown_state, request.topic_closed = None, False
        await session.flush()
        await OutboxRepository(session).enqueue(
            f"request:{request.id}:open:{fallback.key}",
            "open",
            {"request": request.id},
            now,
            request_id=request.id,
        )
        reference = request.reference
    logger.warning("team %s unreachable: request rerouted to the fallback team", failed_team)
    tr = team_translator(runtime)
    for admin in runtime.settings.admins:
        try:
            await bot.send_message(
                admin,
                tr.gettext(
                    "The chat of team %(team)s cannot be reached. Request %(ref)s went to the fallback team."
                )
                % {"team": failed_team, "ref": "#" + reference},
            )
        except TelegramError:
            logger.warning("could not alert an admin about an unreachable team chat")


async def _team_text(bot: Bot, runtime: Runtime, payload: dict) -> dict:
    """A notice to a team chat that must not depend on the request still existing (erasure)."""
    tr = team_translator(runtime)
    text = _translated(tr, payload) % payload.get("values", {})
    sent = await bot.send_message(payload["chat"], text, message_thread_id=payload.get("thread"))
    return {"message_id": sent.message_id}


async def _event_reminder(bot: Bot, runtime: Runtime, payload: dict) -> dict:
    """The reminder of an event the person asked for, in their language, the day before."""
    from bot.events.listing import event_details
    from bot.i18n.bidi import rtl_message

    event = next((e for e in runtime.content.events if e.id == payload.get("event")), None)
    async with runtime.database.unit_of_work() as session:
        person = await session.get(User, payload.get("user"))
        if event is None or person is None or person.blocked_bot or person.banned:
            return {"skipped": True}
        chat_id, language, user_id = person.telegram_id, person.language, person.id
    tr = runtime.translator(language)
    text = (
        "⏰ " + escape(tr.gettext("Reminder: this event is tomorrow."))
        + "\n\n" + event_details(runtime.content, event, tr, runtime.settings.timezone)
    )  # fmt: skip
    sent = await bot.send_message(
        chat_id, rtl_message(text) if tr.is_rtl else text, parse_mode="HTML"
    )
    async with runtime.database.unit_of_work() as session:
        ChatTrace(session).record(user_id, sent.message_id, runtime.clock.now())
    return {"message_id": sent.message_id}


async def _announcement(bot: Bot, runtime: Runtime, payload: dict) -> dict:
    """A new event or news, to one subscriber (entries queued before broadcasts existed)."""
    from bot.events.news import announcement_html

    async with runtime.database.unit_of_work() as session:
        person = await session.get(User, payload.get("user"))
        if person is None or person.blocked_bot or person.banned or not person.news_subscribed:
            return {"skipped": True}
        chat_id, language, user_id = person.telegram_id, person.language, person.id
    text = announcement_html(runtime, payload, runtime.translator(language))
    if text is None:
        return {"skipped": True}
    try:
        sent = await bot.send_message(chat_id, text, parse_mode="HTML")
    except Forbidden:
        # They blocked the bot: no further news for them (they can subscribe again).
        async with runtime.database.unit_of_work() as session:
            person = await session.get(User, user_id)
            if person is not None:
                person.blocked_bot = True
        raise
    async with runtime.database.unit_of_work() as session:
        ChatTrace(session).record(user_id, sent.message_id, runtime.clock.now())
    return {"message_id": sent.message_id}


async def _freshness(bot: Bot, runtime: Runtime, payload: dict) -> dict:
    """The weekly freshness message to one admin, from the content as it is now."""
    from bot.network.freshness import freshness_message

    today = runtime.clock.now().astimezone(runtime.settings.tz).date()
    text = freshness_message(runtime.content, today, team_translator(runtime))
    sent = await bot.send_message(payload["chat"], text, parse_mode="HTML")
    return {"message_id": sent.message_id}


_PERFORM = {
    "freshness": _freshness,
    "announcement": _announcement,
    "event-reminder": _event_reminder,
    "open": _open,
    "to-team": _to_team,
    "to-person": _to_person,
    "notice": _notice,
    "team-text": _team_text,
    "state": _show_state,
    "retitle": _retitle,
}
