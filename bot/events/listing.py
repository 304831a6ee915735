"""Upcoming events of a region and the screens that show them to a person.

Events are written in the content in the network's local time (``settings.timezone``); here they
become aware datetimes, so that comparing with the clock and formatting in a locale are exact.
"""

from __future__ import annotations

import datetime as dt
import html
import zoneinfo

from bot.content.models import Content, Event
from bot.content.navigation import page_rows
from bot.i18n.catalogs import Translator
from bot.i18n.formatting import format_period
from bot.screens import Button, EventTarget, Screen, UrlTarget

__all__ = [
    "MAX_LISTED",
    "event_details",
    "event_period",
    "events_screen",
    "region_choice_screen",
    "upcoming_events",
]

MAX_LISTED = 5  # a phone screen; the next ones appear as these are over


def event_period(event: Event, timezone: str) -> tuple[dt.datetime, dt.datetime | None]:
    """Start and end of ``event`` as aware datetimes in the network's time zone."""
    zone = zoneinfo.ZoneInfo(timezone)
    start = event.start.replace(tzinfo=zone)
    return start, event.end.replace(tzinfo=zone) if event.end is not None else None


def upcoming_events(content: Content, region: str, now: dt.datetime, timezone: str) -> list[Event]:
    """Events shown in ``region`` that have not ended yet, the soonest first."""
    found = []
    for event in content.events:
        start, end = event_period(event, timezone)
        if region in event.regions and (end or start) >= now:
            found.append(event)
    return sorted(found, key=lambda e: (e.start, e.id))


def event_details(content: Content, event: Event, tr: Translator, timezone: str) -> str:
    """An event as HTML: title, when, where, what, how to register or ask."""
    chain = content.language_chain(tr.language)
    start, end = event_period(event, timezone)
    lines = [
        "<b>" + html.escape(event.title.resolve(chain)[0]) + "</b>",
        "🗓 " + format_period(start, end, tr.locale, timezone),
    ]
    where = [event.place] if event.place else []
    if event.address is not None:
        street, code, city = event.address.street, event.address.postal_code, event.address.city
        where += [part for part in (street, " ".join(p for p in (code, city) if p)) if part]
    if where:
        lines.append("📍 " + html.escape(", ".join(where)))
    if event.text is not None:
        lines.append(event.text.resolve(chain)[0])
    if event.registration:
        link = html.escape(event.registration, quote=True)
        lines.append(f'✍️ <a href="{link}">' + html.escape(tr.gettext("Register here")) + "</a>")
    if event.contact:
        lines.append(
            "☎️ " + html.escape(tr.gettext("Questions: %(contact)s") % {"contact": event.contact})
        )
    return "\n".join(lines)


def events_screen(
    content: Content,
    node_id: str,
    region: str,
    tr: Translator,
    *,
    now: dt.datetime,
    timezone: str,
    reminded: set[str],
    subscribed: bool = False,
) -> Screen:
    """The upcoming events of ``region``, each with a button to switch its reminder on or off."""
    chain = content.language_chain(tr.language)
    region_name = content.regions[region].name.resolve(chain)[0]
    events = upcoming_events(content, region, now, timezone)[:MAX_LISTED]
    position = {event.id: index for index, event in enumerate(content.events)}
    rows: list[tuple[Button, ...]] = []
    if events:
        parts = [
            "📅 <b>"
            + html.escape(tr.gettext("Events in %(region)s") % {"region": region_name})
            + "</b>"
        ]
        for event in events:
            parts.append(event_details(content, event, tr, timezone))
            title = event.title.resolve(chain)[0]
            if event.id in reminded:
                label = "✅ " + tr.gettext("Reminder on: %(title)s") % {"title": title}
            else:
                label = "🔔 " + tr.gettext("Remind me: %(title)s") % {"title": title}
            rows.append((Button(label, EventTarget("remind", str(position[event.id]))),))
            if event.registration:
                rows.append(
                    (Button("✍️ " + tr.gettext("Register here"), UrlTarget(event.registration)),)
                )
        body = "\n\n".join(parts)
    else:
        body = "📅 " + html.escape(
            tr.gettext("There are no upcoming events in %(region)s at the moment.")
            % {"region": region_name}
        )
    if subscribed:
        news = "📰 " + tr.gettext("Stop news of %(region)s") % {"region": region_name}
    else:
        news = "📰 " + tr.gettext("Get news of %(region)s") % {"region": region_name}
    rows.append((Button(news, EventTarget("news")),))
    rows.append((Button("📍 " + tr.gettext("Change region"), EventTarget("regions")),))
    rows.extend(page_rows(content, node_id, tr.language, tr))
    return Screen(html=body, rows=tuple(rows))


def region_choice_screen(
    content: Content, node_id: str, tr: Translator, current: str | None
) -> Screen:
    """Which region's events the person wants to see."""
    chain = content.language_chain(tr.language)
    rows: list[tuple[Button, ...]] = []
    for region in content.regions.values():
        if region.active:
            mark = "✓ " if region.id == current else "🏙 "
            rows.append(
                (Button(mark + region.name.resolve(chain)[0], EventTarget("region", region.id)),)
            )
    rows.extend(page_rows(content, node_id, tr.language, tr))
    return Screen(
        html="📍 " + html.escape(tr.gettext("For which region would you like to see events?")),
        rows=tuple(rows),
    )
