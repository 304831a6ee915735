"""Screens of the service search: where to search, the results with filters, a service's card."""

from __future__ import annotations

import datetime as dt

from bot.content.models import Accessibility, Content, Service
from bot.content.navigation import Translator
from bot.content.telegram_html import escape
from bot.directory.hours import OpenStatus
from bot.directory.places import SearchOrigin, all_places, district_of, nearest_region
from bot.directory.search import Filters, Found, SearchResult
from bot.i18n.formatting import format_distance, format_relative_day
from bot.safety.emergency import helpline_lines
from bot.screens import (
    Button,
    OriginRef,
    PageTarget,
    Screen,
    SearchTarget,
    ServiceTarget,
    UrlTarget,
    VenueTarget,
)

__all__ = [
    "outside_screen",
    "place_prompt",
    "place_suggestions",
    "results_screen",
    "service_card",
]


def _back(content: Content, node_id: str | None, tr: Translator) -> tuple[Button, ...]:
    return (Button("‹ " + tr.gettext("Back"), PageTarget(node_id or content.root)),)


def origin_ref(content: Content, origin: SearchOrigin) -> OriginRef:
    """The button form of an origin: a typed postal code, a place of the content by position,
    else rounded lat/lon."""
    if origin.postal is not None:
        return OriginRef(postal=origin.postal)
    for position, place in enumerate(all_places(content)):
        if place == origin:
            return OriginRef(place=position)
    return OriginRef(lat=round(origin.point.lat, 3), lon=round(origin.point.lon, 3))


def place_prompt(content: Content, topic: str, tr: Translator, *, back_to: str | None) -> Screen:
    """Ask where to search: share the location, pick a city, or type a postal code or district."""
    html = (
        "📍 <b>"
        + tr.gettext("Where should I look for help?")
        + "</b>\n\n"
        + tr.gettext(
            "Share your location with the button below, choose your city, or type your postal code "
            "or the name of your district. Your location is only used for this search and is not stored."
        )
    )
    rows = []
    places = all_places(content)
    for region in content.regions.values():
        if not region.active:
            continue
        position = next(i for i, p in enumerate(places) if p.region == region.id)
        label = "🏙 " + region.name.resolve(content.language_chain(tr.language))[0]
        rows.append((Button(label, SearchTarget(topic, OriginRef(place=position))),))
    rows.append(_back(content, back_to, tr))
    return Screen(html=html, rows=tuple(rows), ask_location="📍 " + tr.gettext("Share my location"))


def place_suggestions(
    content: Content,
    topic: str,
    suggestions: tuple[SearchOrigin, ...],
    tr: Translator,
    *,
    back_to: str | None,
) -> Screen:
    """A typed place was not found exactly: offer close matches, or explain what to type."""
    if suggestions:
        html = tr.gettext("I do not know this place exactly. Did you mean:")
        rows = [
            (Button(s.label, SearchTarget(topic, origin_ref(content, s))),) for s in suggestions
        ]
    else:
        html = tr.gettext(
            "I do not know this place. Please type a postal code (five digits) or a district, "
            "or choose your city."
        )
        rows = list(place_prompt(content, topic, tr, back_to=back_to).rows[:-1])
    rows.append(_back(content, back_to, tr))
    return Screen(html=html, rows=tuple(rows))


def _hours_line(found: Found, tr: Translator, timezone: str, now: dt.datetime) -> str:
    state = found.hours
    if state.status is OpenStatus.OPEN:
        if state.next_change is None:
            return "🟢 " + tr.gettext("open now")
        return "🟢 " + tr.gettext("open until %(time)s") % {
            "time": format_relative_day(state.next_change, now, tr, timezone)
        }
    if state.status is OpenStatus.CLOSED:
        if state.next_change is None:
            return "🔴 " + tr.gettext("closed")
        return "🔴 " + tr.gettext("closed · opens %(time)s") % {
            "time": format_relative_day(state.next_change, now, tr, timezone)
        }
    return "⚪ " + tr.gettext("hours unknown — call first")


def _languages_line(content: Content, service: Service, language: str) -> str:
    names = []
    for code in service.languages:
        name = content.languages[code].name if code in content.languages else code
        names.append(f"<u>{escape(name)}</u>" if code == language else escape(name))
    return "🗣 " + ", ".join(names)


def _where(content: Content, service: Service) -> str | None:
    """Street and district (else postal code and city), to tell services of one name apart."""
    address = service.address
    district = district_of(content, service)
    area = district or " ".join(x for x in (address.postal_code, address.city) if x)
    return " · ".join(x for x in (address.street, area) if x) or None


def _access_line(service: Service, tr: Translator) -> str | None:
    parts = []
    if service.wheelchair is Accessibility.YES:
        parts.append("♿ " + tr.gettext("wheelchair accessible"))
    elif service.wheelchair is Accessibility.LIMITED:
        parts.append("♿ " + tr.gettext("partly wheelchair accessible"))
    if service.sign_language:
        parts.append("🤟 " + tr.gettext("sign language"))
    return " · ".join(parts) or None


def results_screen(
    content: Content,
    target: SearchTarget,
    result: SearchResult,
    label: str,
    tr: Translator,
    timezone: str,
    now: dt.datetime,
    *,
    back_to: str | None,
) -> Screen:
    """A page of results: each service with distance, hours, languages; filters and paging."""
    chain = content.language_chain(tr.language)
    topic = content.topics[target.topic].name.resolve(chain)[0]
    heading = tr.ngettext(
        "%(count)d service near %(place)s: %(topic)s",
        "%(count)d services near %(place)s: %(topic)s",
        len(result.found),
    ) % {"count": len(result.found), "place": escape(label), "topic": escape(topic)}
    parts = [f"<b>{heading}</b>"]
    filters = Filters.from_bits(target.filters)
    if result.empty:
        parts.append(
            tr.gettext(
                "No service matches all your filters. Switch a filter off, or call a help line:"
            )
        )
    elif result.far_away:
        parts.append(
            tr.gettext(
                "There is no service for this topic close to you. These are the nearest ones:"
            )
        )
    rows: list[tuple[Button, ...]] = []
    for number, found in enumerate(result.found, start=target.page * 5 + 1):
        service = found.service
        lines = [
            f"{number}. <b>{escape(service.name)}</b> — {format_distance(found.km, tr.locale)}"
        ]
        where = _where(content, service)
        if where is not None:
            lines.append("📍 " + escape(where))
        lines.append(_hours_line(found, tr, timezone, now))
        lines.append(_languages_line(content, service, tr.language))
        if (access := _access_line(service, tr)) is not None:
            lines.append(access)
        parts.append("\n".join(lines))
        label = f"{number}. {service.name}" + (
            f" · {district}" if (district := district_of(content, service)) else ""
        )
        rows.append((Button(label, ServiceTarget(service.id, target)),))
    if result.empty or result.far_away:
        lines = [h for h in content.helplines if target.topic in h.topics or h.emergency]
        parts += helpline_lines(content, lines, tr.language)
    rows.append(_filter_row(target, filters, tr))
    paging = []
    if target.page > 0:
        paging.append(
            Button(
                "‹ " + tr.gettext("Previous"),
                SearchTarget(target.topic, target.origin, target.filters, target.page - 1),
            )
        )
    if result.has_more:
        paging.append(
            Button(
                tr.gettext("More") + " ›",
                SearchTarget(target.topic, target.origin, target.filters, target.page + 1),
            )
        )
    if paging:
        rows.append(tuple(paging))
    rows.append(_back(content, back_to, tr))
    return Screen(html="\n\n".join(parts), rows=tuple(rows))


def _filter_row(target: SearchTarget, filters: Filters, tr: Translator) -> tuple[Button, ...]:
    def toggle(name: str, label: str) -> Button:
        on = getattr(filters, name)
        changed = filters.toggled(name).to_bits()
        return Button(
            ("✅ " if on else "▫️ ") + label, SearchTarget(target.topic, target.origin, changed, 0)
        )

    return (
        toggle("my_language", tr.gettext("My language")),
        toggle("open_now", tr.gettext("Open now")),
        toggle("wheelchair", "♿"),
    )


def service_card(
    content: Content,
    service: Service,
    back: SearchTarget,
    found: Found | None,
    tr: Translator,
    timezone: str,
    now: dt.datetime,
) -> Screen:
    """Everything about one service, with navigation, map and website."""
    chain = content.language_chain(tr.language)
    lines = [f"<b>{escape(service.name)}</b>"]
    address = ", ".join(
        p
        for p in (
            service.address.street,
            " ".join(x for x in (service.address.postal_code, service.address.city) if x),
        )
        if p
    )
    if address:
        lines.append("📍 " + escape(address))
    if found is not None:
        lines.append(_hours_line(found, tr, timezone, now))
    if service.opening_hours:
        lines.append("🕘 <code>" + escape(service.opening_hours) + "</code>")
    if service.phone:
        lines.append("☎️ " + escape(service.phone))
    if service.email:
        lines.append("✉️ " + escape(service.email))
    lines.append(_languages_line(content, service, tr.language))
    if (access := _access_line(service, tr)) is not None:
        lines.append(access)
    if service.description is not None:
        lines.append("\n" + service.description.resolve(chain)[0])
    rows: list[tuple[Button, ...]] = []
    if service.location is not None:
        lat, lon = service.location.lat, service.location.lon
        osm = f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=17/{lat:.5f}/{lon:.5f}"
        rows.append(
            (
                Button("🧭 " + tr.gettext("Directions"), VenueTarget(service.id)),
                Button("🗺 " + tr.gettext("Map"), UrlTarget(osm)),
            )
        )
    if service.website:
        rows.append((Button("🌐 " + tr.gettext("Website"), UrlTarget(service.website)),))
    rows.append((Button("‹ " + tr.gettext("Back to the list"), back),))
    return Screen(html="\n".join(lines), rows=tuple(rows))


def outside_screen(
    content: Content, topic: str, tr: Translator, point, *, back_to: str | None
) -> Screen:
    """A location outside every region: name the nearest region and give the help lines."""
    region, km = nearest_region(content, point)
    chain = content.language_chain(tr.language)
    parts = []
    rows: list[tuple[Button, ...]] = []
    if region is not None:
        name = region.name.resolve(chain)[0]
        parts.append(
            tr.gettext(
                "You are outside the cities where our network works. The nearest is %(region)s (%(distance)s away)."
            )
            % {"region": escape(name), "distance": format_distance(km, tr.locale)}
        )
        position = next(i for i, p in enumerate(all_places(content)) if p.region == region.id)
        rows.append((Button("🏙 " + name, SearchTarget(topic, OriginRef(place=position))),))
    parts.append("<b>" + tr.gettext("Nationwide help lines (free):") + "</b>")
    parts += helpline_lines(content, list(content.helplines), tr.language)
    rows.append(_back(content, back_to, tr))
    return Screen(html="\n\n".join(parts), rows=tuple(rows))
