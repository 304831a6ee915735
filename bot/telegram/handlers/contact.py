"""The person's side of a contact request: consent, region, how to reach them, messages, Send."""

from __future__ import annotations

import logging

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update

from bot.contact.queue import queue_state, record_state_change, withdrawn_titles
from bot.contact.repositories import OutboxRepository, RequestRepository
from bot.contact.routing import choose_team, next_office_opening
from bot.contact.screens import (
    compose_screen,
    consent_screen,
    method_screen,
    region_screen,
    sent_screen,
)
from bot.events.reminders import EventReminderRepository
from bot.i18n.catalogs import N_
from bot.i18n.formatting import format_number, format_relative_day
from bot.screens import ContactTarget
from bot.storage.models import Flow, RequestStatus
from bot.telegram.context import LotseContext
from bot.telegram.delivery import team_translator
from bot.telegram.message_parts import parts_of
from bot.telegram.person import Visit
from bot.telegram.rendering import text_of

__all__ = [
    "CONTACT_FLOWS",
    "on_contact_button",
    "on_contact_message",
    "on_delete_my_data",
    "on_my_data",
    "start_contact",
]

logger = logging.getLogger(__name__)
WITHDRAWN = N_("Request %(ref)s was withdrawn: the person deleted their data.")
CONTACT_FLOWS = (
    Flow.CONTACT_CONSENT,
    Flow.CONTACT_REGION,
    Flow.CONTACT_METHOD,
    Flow.CONTACT_PHONE,
    Flow.CONTACT_MESSAGE,
    Flow.CONVERSATION,
)


def _requests(v: Visit) -> RequestRepository:
    return RequestRepository(v.session, v.runtime.cipher)


async def start_contact(
    update: Update, context: LotseContext, v: Visit, topic: str, node_id: str
) -> None:
    """A "write to a counsellor" page was opened: consent first, then the region."""
    earlier = await _requests(v).requests_of_user(v.user.id)
    known_region = next((r.region for r in reversed(earlier) if r.region), None)
    v.user.flow_data = {"topic": topic, "node": node_id, "region": known_region}
    if v.user.consented_at is None:
        v.user.flow = Flow.CONTACT_CONSENT
        screen = consent_screen(v.runtime.content, topic, v.tr, v.runtime.settings.retention_days)
    else:
        v.user.flow = Flow.CONTACT_REGION
        screen = region_screen(v.runtime.content, v.tr, (v.user.flow_data or {}).get("region"))
    await v.show(update, context, screen)


async def cancel_contact(update: Update, context: LotseContext, v: Visit) -> None:
    """/cancel or the Cancel button: drop the draft and go back to the page."""
    draft = await _requests(v).current_draft(v.user.id)
    if draft is not None:
        await v.session.delete(draft)
    node = (v.user.flow_data or {}).get("node")
    # Back to the page that led to the contact page (the contact page itself only starts the flow).
    node = v.runtime.content.parents.get(node, node)
    v.user.flow, v.user.flow_data = Flow.MENU, None
    from bot.telegram.handlers.menu import screen_for_page

    content = v.runtime.content
    await v.show(
        update, context, screen_for_page(v, node if node in content.nodes else content.root)
    )


async def on_contact_button(
    update: Update, context: LotseContext, v: Visit, target: ContactTarget
) -> None:
    """A button of the contact flow."""
    runtime, data = v.runtime, dict(v.user.flow_data or {})
    topic = data.get("topic")
    if target.action == "erase":
        await erase_person(update, context, v)
        return
    if target.action == "cancel" or topic not in runtime.content.topics:
        await cancel_contact(update, context, v)
        return
    now = runtime.clock.now()
    if target.action == "agree":
        v.user.consented_at = now
        v.user.flow = Flow.CONTACT_REGION
        await v.show(update, context, region_screen(runtime.content, v.tr, data.get("region")))
    elif target.action == "region":
        data["region"] = target.value if target.value in runtime.content.regions else None
        v.user.flow, v.user.flow_data = Flow.CONTACT_METHOD, data
        await v.show(update, context, method_screen(v.tr))
    elif target.action == "method" and target.value in ("chat", "phone", "call"):
        requests = _requests(v)
        draft = await requests.current_draft(v.user.id)
        if draft is None:
            draft = await requests.create_draft(v.user, topic, v.language, now, runtime.references)
        draft.region = data.get("region")
        draft.contact_method = target.value
        draft.call_language = v.language if target.value == "call" else None
        if target.value == "phone":
            v.user.flow = Flow.CONTACT_PHONE
            button = KeyboardButton(
                "📞 " + v.tr.gettext("Share my phone number"), request_contact=True
            )
            keyboard = ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
            await v.send_text(
                context, v.tr.gettext("Tap the button below to share your number:"), keyboard
            )
            return
        v.user.flow = Flow.CONTACT_MESSAGE
        await v.show(update, context, compose_screen(v.tr, 0))
    elif target.action == "send":
        await _submit(update, context, v)
    elif target.action == "erase" and target.value == "yes":
        await erase_person(update, context, v)


async def on_contact_message(update: Update, context: LotseContext, v: Visit) -> bool:
    """A message while in the contact flow; returns False if it is not for the flow."""
    message = update.effective_message
    requests = _requests(v)
    now = v.runtime.clock.now()
    if v.user.flow is Flow.CONTACT_PHONE:
        contact = message.contact
        draft = await requests.current_draft(v.user.id)
        if contact is not None and contact.user_id == v.user.telegram_id and draft is not None:
            requests.set_phone(draft, contact.phone_number)
        v.user.flow = Flow.CONTACT_MESSAGE
        await v.send_text(context, "✅", ReplyKeyboardRemove())
        await v.show(update, context, compose_screen(v.tr, 0), edit=False)
        return True
    parts = parts_of(message)
    if parts is None:
        return False
    if v.user.flow is Flow.CONTACT_MESSAGE:
        draft = await requests.current_draft(v.user.id)
        if draft is None:
            return False
        if await requests.is_stored(draft, person_message_id=message.message_id):
            return True  # the same update again: already part of the draft
        await requests.add_message(
            draft,
            "in",
            parts.kind,
            parts.body,
            parts.file_id,
            now,
            person_message_id=message.message_id,
        )
        if v.runtime.crisis.matches(parts.body):
            draft.urgent = True  # the team sees 🚨 on the card
        count = len(await requests.messages(draft))
        await v.show(update, context, compose_screen(v.tr, count), edit=False)
        return True
    if v.user.flow is Flow.CONVERSATION:
        request = await requests.get((v.user.flow_data or {}).get("request", -1))
        if request is None or request.status not in (RequestStatus.OPEN, RequestStatus.CLAIMED):
            v.user.flow = Flow.MENU
            return False
        if await requests.is_stored(request, person_message_id=message.message_id):
            return True  # the same update again: relayed once already
        before = queue_state(request)
        stored = await requests.add_message(
            request,
            "in",
            parts.kind,
            parts.body,
            parts.file_id,
            now,
            person_message_id=message.message_id,
        )
        request.last_person_message_at = now
        if v.runtime.crisis.matches(parts.body):
            request.urgent = True
        await v.session.flush()
        outbox = OutboxRepository(v.session)
        await outbox.enqueue(
            f"message:{stored.id}:to-team",
            "to-team",
            {"message": stored.id},
            now,
            request_id=request.id,
        )
        # The person answered: the topic no longer waits for them (or turns urgent).
        await record_state_change(outbox, request, before, now)
        v.deliver_after_commit()
        return True
    return False


async def _submit(update: Update, context: LotseContext, v: Visit) -> None:
    runtime = v.runtime
    requests = _requests(v)
    draft = await requests.current_draft(v.user.id)
    written = await requests.messages(draft) if draft is not None else []
    if draft is None or not written:
        await v.show(update, context, compose_screen(v.tr, 0))
        return
    now = runtime.clock.now()
    team = choose_team(runtime.settings, runtime.content, draft.region, v.language)
    draft.status = RequestStatus.OPEN
    draft.submitted_at = now
    draft.team = team.key if team else None
    draft.team_chat_id = team.chat_id if team else None
    await v.session.flush()
    outbox = OutboxRepository(v.session)
    await outbox.enqueue(
        f"request:{draft.id}:open", "open", {"request": draft.id}, now, request_id=draft.id
    )
    # The messages written before Send follow the opening, in order; what the person writes
    # while the topic opens comes after them (entries of a request keep their order).
    for message in written:
        if message.direction == "in":
            await outbox.enqueue(
                f"message:{message.id}:to-team", "to-team", {"message": message.id}, now,
                request_id=draft.id,
            )  # fmt: skip
    v.user.flow, v.user.flow_data = Flow.CONVERSATION, {"request": draft.id, "region": draft.region}
    answer_from = None
    if team is not None and (opening := next_office_opening(team, now, runtime.settings.timezone)):
        answer_from = format_relative_day(opening, now, v.tr, runtime.settings.timezone)
    await v.show(
        update,
        context,
        sent_screen(runtime.content, v.tr, "#" + draft.reference, answer_from=answer_from),
    )
    v.deliver_after_commit()


async def on_my_data(update: Update, context: LotseContext) -> None:
    """/my_data: everything the bot stores about the person, in their language."""
    from bot.telegram.person import visit

    async with visit(update, context) as v:
        runtime, tr = v.runtime, v.tr
        tz = runtime.settings.timezone
        from bot.i18n.formatting import format_date

        user = v.user
        language = runtime.content.languages.get(v.language)
        lines = [
            "🗂 <b>" + tr.gettext("What this bot stores about you") + "</b>",
            tr.gettext(
                "Your Telegram number (id), so that the bot can answer you. No name, no username."
            ),
            tr.gettext("Language: %(name)s") % {"name": language.name if language else v.language},
            tr.gettext("First message: %(date)s")
            % {"date": format_date(user.first_seen, tr.locale, timezone=tz)},
        ]
        requests = await _requests(v).requests_of_user(user.id)
        for request in requests:
            count = len(await _requests(v).messages(request))
            lines.append(
                tr.ngettext(
                    "Request %(ref)s from %(date)s: %(count)d message, stored encrypted",
                    "Request %(ref)s from %(date)s: %(count)d messages, stored encrypted",
                    count,
                )
                % {
                    "ref": "#" + request.reference,
                    "date": format_date(request.created_at, tr.locale, timezone=tz),
                    "count": count,
                }
            )
        if not requests:
            lines.append(tr.gettext("No contact requests."))
        lines.extend(await _event_lines(v))
        lines.append(tr.gettext("Delete everything: /delete_my_data"))
        from bot.screens import Screen

        await v.show(update, context, Screen(html="\n\n".join(lines)), edit=False)


async def _event_lines(v: Visit) -> list[str]:
    """What /my_data says about events: the chosen region and the reminders asked for."""
    content, tr = v.runtime.content, v.tr
    lines = []
    region = content.regions.get(v.user.region or "")
    if region is not None:
        name = region.name.resolve(content.language_chain(v.language))[0]
        lines.append(tr.gettext("Region for events: %(region)s") % {"region": name})
        if v.user.news_subscribed:
            lines.append(tr.gettext("News of %(region)s: subscribed") % {"region": name})
    reminders = await EventReminderRepository(v.session).events_of(v.user.id)
    if reminders:
        count = format_number(len(reminders), tr.locale)
        lines.append(tr.gettext("Event reminders: %(count)s") % {"count": count})
    return lines


async def on_delete_my_data(update: Update, context: LotseContext) -> None:
    """/delete_my_data: ask to confirm, then erase the person and tell the teams."""
    from bot.screens import Button, Screen
    from bot.telegram.person import visit

    async with visit(update, context) as v:
        tr = v.tr
        html = "🗑 " + tr.gettext(
            "Delete everything the bot stores about you, including your contact requests? "
            "The counsellors will be told that your request was withdrawn. This cannot be undone."
        )
        rows = (
            (Button("🗑 " + tr.gettext("Yes, delete everything"), ContactTarget("erase", "yes")),),
            (Button(tr.gettext("No, keep it"), ContactTarget("cancel")),),
        )
        await v.show(update, context, Screen(html=html, rows=rows), edit=False)


async def erase_person(update: Update, context: LotseContext, v: Visit) -> None:
    """Erase the person's data after they confirmed; open requests are withdrawn first."""
    from bot.screens import Screen

    runtime = v.runtime
    now = runtime.clock.now()
    tr = v.tr
    titles = withdrawn_titles(
        await _requests(v).requests_of_user(v.user.id), runtime.content, team_translator(runtime)
    )
    await EventReminderRepository(v.session).forget_user(v.user.id)
    withdrawn = await _requests(v).erase_user(v.user.id)
    outbox = OutboxRepository(v.session)
    for chat_id, thread_id, title in titles:
        # The topic leaves the team's queue: renamed and closed (no request_id: the row is gone).
        await outbox.enqueue(
            f"withdrawn-topic:{chat_id}:{thread_id}", "retitle",
            {"chat": chat_id, "thread": thread_id, "name": title, "close": True},
            now,
        )  # fmt: skip
    for reference, chat_id, thread_id in withdrawn:
        if chat_id is not None:
            await outbox.enqueue(
                f"withdrawn:{reference}:{now.isoformat()}", "team-text",
                {"chat": chat_id, "thread": thread_id, "text": WITHDRAWN, "values": {"ref": "#" + reference}},
                now,
            )  # fmt: skip
    v.deliver_after_commit()
    v.erased = True
    html = "✅ " + tr.gettext(
        "Everything is deleted. To remove this chat from your phone too, delete the chat in Telegram."
    )
    # The person's row is gone: answer without touching it (no Visit.show).
    query = update.callback_query
    if query is not None and query.message is not None:
        await query.message.edit_text(text_of(Screen(html=html), rtl=tr.is_rtl), parse_mode="HTML")
