"""Events near me, reminders and news; the admins' /announce and /stats."""

from __future__ import annotations

import datetime as dt

from telegram import Update

from bot.content.models import ActionKind
from bot.content.telegram_html import escape
from bot.events.listing import events_screen, region_choice_screen
from bot.events.news import announce_news
from bot.events.reminders import EventReminderRepository
from bot.i18n.formatting import format_number
from bot.screens import EventTarget, Screen
from bot.telegram.context import LotseContext
from bot.telegram.person import Visit, visit

__all__ = ["on_announce", "on_event_button", "on_stats", "show_events"]


def _events_page(v: Visit) -> str:
    """The menu page that lists events: the one the person is on, else the first in the menu."""
    nodes = v.runtime.content.nodes
    pages = [v.user.current_node or "", *nodes]
    for node_id in pages:
        node = nodes.get(node_id)
        if node is not None and node.action is not None and node.action.kind is ActionKind.EVENTS:
            return node_id
    return v.runtime.content.root


async def show_events(update: Update, context: LotseContext, v: Visit, node_id: str) -> None:
    """The events of the person's region, or first the question which region that is."""
    runtime = v.runtime
    content = runtime.content
    v.user.current_node = node_id
    region = content.regions.get(v.user.region or "")
    if region is None or not region.active:
        await v.show(update, context, region_choice_screen(content, node_id, v.tr, None))
        return
    reminded = await EventReminderRepository(v.session).events_of(v.user.id)
    screen = events_screen(
        content,
        node_id,
        region.id,
        v.tr,
        now=runtime.clock.now(),
        timezone=runtime.settings.timezone,
        reminded=reminded,
        subscribed=v.user.news_subscribed,
    )
    await v.show(update, context, screen)


async def on_event_button(
    update: Update, context: LotseContext, v: Visit, target: EventTarget
) -> None:
    """A button of the events screens."""
    content = v.runtime.content
    node_id = _events_page(v)
    if target.action == "regions":
        screen = region_choice_screen(content, node_id, v.tr, v.user.region)
        await v.show(update, context, screen)
        return
    if target.action == "region":
        region = content.regions.get(target.value)
        if region is not None and region.active:
            v.user.region = region.id
    elif target.action == "news" and v.user.region in content.regions:
        # One tap: on, or off again. The news follow the region the person has chosen.
        v.user.news_subscribed = not v.user.news_subscribed
    elif target.action == "remind" and target.value.isdigit():
        position = int(target.value)
        if position < len(content.events):
            await EventReminderRepository(v.session).toggle(
                v.user.id, content.events[position].id, v.runtime.clock.now()
            )
    await show_events(update, context, v, node_id)


async def on_announce(update: Update, context: LotseContext) -> None:
    """/announce NEWS_ID (admins): send news of the content to the subscribers of its regions."""
    async with visit(update, context) as v:
        runtime, tr = v.runtime, v.tr
        if update.effective_user.id not in runtime.settings.admins:
            html = tr.gettext("Only administrators can send announcements.")
        else:
            news_id = (context.args or [""])[0]
            if news_id not in runtime.content.news:
                known = ", ".join(sorted(runtime.content.news)) or "—"
                html = tr.gettext("Send news of the content with /announce ID. News: %(ids)s") % {
                    "ids": escape(known)
                }
            else:
                now = runtime.clock.now()
                result = await announce_news(v.session, runtime.content, news_id, now)
                v.deliver_after_commit()
                if result.new:
                    html = tr.gettext("Announced. Subscribers: %(count)s")
                else:
                    html = tr.gettext("This was announced before. Subscribers: %(count)s")
                html = "📣 " + html % {"count": format_number(result.recipients, tr.locale)}
        await v.show(update, context, Screen(html=html), edit=False)


STATS_DAYS = 30


async def on_stats(update: Update, context: LotseContext) -> None:
    """/stats (admins): the report of the last 30 days, aggregates only."""
    from bot.network.report import build_report
    from bot.network.report_formats import render_stats

    async with visit(update, context) as v:
        runtime = v.runtime
        if update.effective_user.id not in runtime.settings.admins:
            html = v.tr.gettext("Only administrators can see the statistics.")
        else:
            end = runtime.clock.now().astimezone(runtime.settings.tz).date()
            start = end - dt.timedelta(days=STATS_DAYS - 1)
            report = await build_report(
                v.session, runtime.content, start, end, runtime.settings.timezone
            )
            html = render_stats(report, runtime.content, v.tr)
        await v.show(update, context, Screen(html=html), edit=False)
