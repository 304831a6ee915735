"""Finding services near a person: the place prompt, a shared location, results, cards, venues."""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup, Update

from bot.content.models import GeoPoint
from bot.directory.places import all_places, lookup_place, origin_of_location, postal_origin
from bot.directory.screens import (
    origin_ref,
    outside_screen,
    place_prompt,
    place_suggestions,
    results_screen,
    service_card,
)
from bot.directory.search import Filters
from bot.network.usage import SERVICES_SHOWN, UsageCounter
from bot.screens import OriginRef, SearchTarget, ServiceTarget, VenueTarget
from bot.storage.models import Flow
from bot.telegram.context import LotseContext
from bot.telegram.person import Visit

__all__ = [
    "ask_for_place",
    "on_location",
    "search_place_text",
    "send_venue",
    "show_results",
    "show_service",
]


async def ask_for_place(
    update: Update, context: LotseContext, v: Visit, topic: str, node_id: str
) -> None:
    """A services page was opened: ask where to search (location button, cities, typing)."""
    v.user.flow = Flow.SEARCHING_PLACE
    v.user.flow_data = {"topic": topic, "node": node_id}
    screen = place_prompt(
        v.runtime.content, topic, v.tr, back_to=v.runtime.content.parents.get(node_id)
    )
    await v.show(update, context, screen)
    button = KeyboardButton(screen.ask_location or "📍", request_location=True)
    keyboard = ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
    await v.send_text(
        context, "⬇️ " + v.tr.gettext("Tap the button to share your location:"), keyboard
    )


def _origin_point(v: Visit, origin: OriginRef) -> tuple[GeoPoint, str] | None:
    if origin.postal is not None:
        found = postal_origin(v.runtime.content, origin.postal)
        return None if found is None else (found.point, found.label)
    if origin.place is not None:
        places = all_places(v.runtime.content)
        if not 0 <= origin.place < len(places):
            return None
        place = places[origin.place]
        return place.point, place.label
    return GeoPoint(origin.lat or 0.0, origin.lon or 0.0), v.tr.gettext("your location")


async def show_results(
    update: Update, context: LotseContext, v: Visit, target: SearchTarget, *, edit: bool
) -> None:
    """Search and show a page of results for ``target``."""
    runtime = v.runtime
    resolved = _origin_point(v, target.origin)
    back_to = (v.user.flow_data or {}).get("node")
    if resolved is None or target.topic not in runtime.content.topics:
        await v.show(
            update,
            context,
            place_prompt(runtime.content, target.topic, v.tr, back_to=back_to),
            edit=edit,
        )
        return
    point, label = resolved
    result = runtime.directory.search(
        target.topic,
        point,
        v.language,
        Filters.from_bits(target.filters),
        runtime.clock.now(),
        target.page,
    )
    if target.page == 0 and target.filters == 0:
        # Counted once per search (not per page or filter), for the funders' report.
        day = runtime.clock.now().astimezone(runtime.settings.tz).date()
        await UsageCounter(v.session).add(day, SERVICES_SHOWN, target.topic)
    screen = results_screen(
        runtime.content,
        target,
        result,
        label,
        v.tr,
        runtime.settings.timezone,
        runtime.clock.now(),
        back_to=back_to,
    )
    await v.show(update, context, screen, edit=edit)


async def show_service(
    update: Update, context: LotseContext, v: Visit, target: ServiceTarget
) -> None:
    """A service's card, with its state now."""
    runtime = v.runtime
    service = runtime.content.services[target.service]
    found = None
    resolved = _origin_point(v, target.back.origin)
    if resolved is not None and service.location is not None:
        result = runtime.directory.search(
            target.back.topic,
            resolved[0],
            v.language,
            Filters(),
            runtime.clock.now(),
            0,
            page_size=50,
        )
        found = next((f for f in result.found if f.service.id == service.id), None)
    screen = service_card(
        runtime.content,
        service,
        target.back,
        found,
        v.tr,
        runtime.settings.timezone,
        runtime.clock.now(),
    )
    await v.show(update, context, screen)


async def send_venue(update: Update, context: LotseContext, v: Visit, target: VenueTarget) -> None:
    """Send the service as a venue, which phones open in their maps app."""
    service = v.runtime.content.services[target.service]
    if service.location is None:
        return
    address = ", ".join(
        x for x in (service.address.street, service.address.postal_code, service.address.city) if x
    )
    await v.send_venue(
        context, service.location.lat, service.location.lon, service.name, address or service.name
    )


async def on_location(update: Update, context: LotseContext, v: Visit) -> None:
    """A shared location: search from it (it is used for this search only, never stored)."""
    location = update.effective_message.location
    data = v.user.flow_data or {}
    topic = data.get("topic")
    content = v.runtime.content
    if v.user.flow is not Flow.SEARCHING_PLACE or topic not in content.topics:
        topic = "general" if "general" in content.topics else next(iter(content.topics))
        v.user.flow_data = {"topic": topic, "node": content.root}
        v.user.flow = Flow.SEARCHING_PLACE
    point = GeoPoint(location.latitude, location.longitude)
    origin = origin_of_location(content, point)
    if origin.region is None:
        screen = outside_screen(content, topic, v.tr, point, back_to=data.get("node"))
        await v.show(update, context, screen, edit=False)
        return
    target = SearchTarget(topic, origin_ref(content, origin))
    await show_results(update, context, v, target, edit=False)


async def search_place_text(update: Update, context: LotseContext, v: Visit) -> None:
    """Typed text while choosing a place: a postal code or a district name."""
    content = v.runtime.content
    data = v.user.flow_data or {}
    topic = data.get("topic")
    if topic not in content.topics:
        v.user.flow = Flow.MENU
        return
    found = lookup_place(content, update.effective_message.text or "")
    if found.origin is not None:
        await show_results(
            update, context, v, SearchTarget(topic, origin_ref(content, found.origin)), edit=False
        )
        return
    screen = place_suggestions(content, topic, found.suggestions, v.tr, back_to=data.get("node"))
    await v.show(update, context, screen, edit=False)
