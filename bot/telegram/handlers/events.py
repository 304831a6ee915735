"""Events near me, reminders and news; the admins' /announce, /broadcasts, /broadcast_stop, /stats."""

from __future__ import annotations

import datetime as dt

from telegram import Update

from bot.content.models import ActionKind
from bot.content.telegram_html import escape
from bot.events.broadcasts import BroadcastProgress, BroadcastRepository
from bot.events.listing import events_screen, region_choice_screen
from bot.events.news import announce_news
from bot.events.reminders import EventReminderRepository
from bot.i18n.catalogs import N_, Translator
from bot.i18n.formatting import format_number
from bot.screens import EventTarget, Screen
from bot.telegram.context import LotseContext
from bot.telegram.person import Visit, visit

__all__ = [
    "on_announce",
    "on_broadcast_stop",
    "on_broadcasts",
    "on_event_button",
    "on_stats",
    "show_events",
]


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
                result = await announce_news(
                    v.session, runtime.content, news_id, now, started_by=update.effective_user.id
                )
                v.deliver_after_commit()  # starts the broadcast once it is stored
                if result.new:
                    html = tr.gettext("Announced. Subscribers: %(count)s")
                else:
                    html = tr.gettext("This was announced before. Subscribers: %(count)s")
                html = "📣 " + html % {"count": format_number(result.recipients, tr.locale)}
                if result.broadcast is not None:
                    html += "\n" + escape(
                        tr.gettext(
                            "Broadcast %(id)s: /broadcasts shows its progress, "
                            "/broadcast_stop %(id)s stops it."
                        )
                        % {"id": result.broadcast}
                    )
        await v.show(update, context, Screen(html=html), edit=False)


_STATES = {"sending": N_("running"), "done": N_("done"), "stopped": N_("stopped")}


def _progress_lines(progress: BroadcastProgress, tr: Translator) -> str:
    """Two lines on one broadcast: what and where it stands, then its counts."""

    def number(value: int) -> str:
        return format_number(value, tr.locale)

    head = tr.gettext("Broadcast %(id)s · %(what)s · %(state)s") % {
        "id": progress.id,
        "what": progress.key,
        "state": tr.gettext(_STATES.get(progress.status, progress.status)),
    }
    counts = tr.gettext(
        "sent %(sent)s · left %(left)s · failed %(failed)s · unknown %(unknown)s"
    ) % {
        "sent": number(progress.sent),
        "left": number(progress.left),
        "failed": number(progress.failed),
        "unknown": number(progress.unknown),
    }
    return f"📣 <b>{escape(head)}</b>\n{escape(counts)}"


async def on_broadcasts(update: Update, context: LotseContext) -> None:
    """/broadcasts (admins): the progress of the latest broadcasts."""
    async with visit(update, context) as v:
        tr = v.tr
        if update.effective_user.id not in v.runtime.settings.admins:
            html = tr.gettext("Only administrators can send announcements.")
        else:
            recent = await BroadcastRepository(v.session).recent()
            if not recent:
                html = escape(tr.gettext("No broadcasts yet."))
            else:
                html = "\n\n".join(_progress_lines(p, tr) for p in recent)
                if any(p.status == "sending" for p in recent):
                    html += "\n\n" + escape(tr.gettext("Stop one with /broadcast_stop ID."))
        await v.show(update, context, Screen(html=html), edit=False)


async def on_broadcast_stop(update: Update, context: LotseContext) -> None:
    """/broadcast_stop ID (admins): nobody left in the broadcast is sent to."""
    async with visit(update, context) as v:
        runtime, tr = v.runtime, v.tr
        if update.effective_user.id not in runtime.settings.admins:
            html = tr.gettext("Only administrators can send announcements.")
        else:
            given = (context.args or [""])[0].lstrip("#")
            broadcasts = BroadcastRepository(v.session)
            stopped = (
                await broadcasts.stop(int(given), runtime.clock.now()) if given.isdigit() else None
            )
            if stopped is None:
                html = escape(
                    tr.gettext("No running broadcast %(id)s. /broadcasts lists them.")
                    % {"id": given or "—"}
                )
            else:
                html = escape(tr.gettext("Broadcast %(id)s stopped.") % {"id": stopped.id})
                html += "\n\n" + _progress_lines(await broadcasts.progress(stopped), tr)
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
