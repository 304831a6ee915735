"""Events near me: the region's upcoming events, choosing the region, reminders on and off."""

from __future__ import annotations

from telegram import Update

from bot.content.models import ActionKind
from bot.events.listing import events_screen, region_choice_screen
from bot.events.reminders import EventReminderRepository
from bot.screens import EventTarget
from bot.telegram.context import LotseContext
from bot.telegram.person import Visit

__all__ = ["on_event_button", "show_events"]


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
    elif target.action == "remind" and target.value.isdigit():
        position = int(target.value)
        if position < len(content.events):
            await EventReminderRepository(v.session).toggle(
                v.user.id, content.events[position].id, v.runtime.clock.now()
            )
    await show_events(update, context, v, node_id)
