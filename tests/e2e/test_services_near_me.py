"""A person finds counselling services near them — by location, postal code, place or city."""

from __future__ import annotations

import datetime as dt

from bot.content.addresses import page_address
from bot.content.models import Accessibility
from bot.directory.hours import OpenStatus, hours_state
from bot.screens import ServiceTarget

DORTMUND = (51.5136, 7.4653)
BERLIN = (52.52, 13.405)


async def open_services(bot, person, topic="violence"):
    """Open the topic's "services near me" page from the main menu."""
    content = bot.content
    await person.send_text("/start")
    await person.wait_for_bot_message()
    node = next(
        n
        for n in content.nodes.values()
        if n.action and n.action.kind.value == "services" and n.action.target == topic
    )
    parent = content.parents[node.id]
    if parent != content.root:
        await person.press_button(page_address(content.version, parent))
        await person.wait_for_bot_message()
    await person.press_button(page_address(content.version, node.id))
    prompt = await person.wait_for_bot_message()
    keyboard = await person.wait_for_bot_message()
    return prompt, keyboard


def listed(bot, message):
    """The services listed on a results message, in order (decoded from their buttons)."""
    found = []
    for row in message.button_rows:
        for button in row:
            decoded = bot.runtime.codec.decode(button.get("callback_data"))
            if decoded is not None and isinstance(decoded.target, ServiceTarget):
                found.append(bot.content.services[decoded.target.service])
    return found


async def test_location_in_dortmund_gets_dortmund_services_first(bot):
    amal = bot.person("Amal", "de")
    prompt, _keyboard = await open_services(bot, amal)
    assert any(b.startswith("🏙") for b in prompt.buttons)
    assert amal.reply_keyboard()[0][0]["request_location"] is True
    await amal.press_reply_button(amal.reply_keyboard()[0][0]["text"], location=DORTMUND)
    results = await amal.wait_for_bot_message()
    found = listed(bot, results)
    assert found and found[0].region == "dortmund"
    assert " km" in results.text or " m" in results.text


async def test_location_is_not_stored(bot, database):
    amal = bot.person("Amal", "de")
    _, _keyboard = await open_services(bot, amal)
    await amal.press_reply_button(amal.reply_keyboard()[0][0]["text"], location=(51.51111, 7.46222))
    await amal.wait_for_bot_message()
    await bot.idle()
    from sqlalchemy import text

    async with database.unit_of_work() as session:
        rows = (await session.execute(text("select * from users"))).all()
    assert "51.51" not in repr(rows) and "7.46" not in repr(rows)


async def test_postal_code_and_place_name(bot):
    amal = bot.person("Amal", "de")
    await open_services(bot, amal)
    await amal.send_text("40227")
    results = await amal.wait_for_bot_message()
    assert listed(bot, results)[0].region == "duesseldorf"
    await amal.send_text("Rheydt")
    results = await amal.wait_for_bot_message()
    assert listed(bot, results)[0].region == "moenchengladbach"


async def test_city_picker(bot):
    amal = bot.person("Amal", "de")
    prompt, _ = await open_services(bot, amal)
    city = next(b for b in prompt.buttons if "Mönchengladbach" in b)
    await amal.press_button(city)
    results = await amal.wait_for_bot_message()
    {s.name: s for s in bot.content.services.values()}
    assert listed(bot, results)[0].region == "moenchengladbach"


async def test_filters_language_open_now_wheelchair(bot):
    amal = bot.person("Amal", "ku")
    _, _keyboard = await open_services(bot, amal, topic="violence")
    await amal.press_reply_button(amal.reply_keyboard()[0][0]["text"], location=DORTMUND)
    results = await amal.wait_for_bot_message()
    filter_row = [b for b in results.buttons if b.startswith(("▫️", "✅"))]
    assert len(filter_row) == 3
    # speaks my language
    await amal.press_button(filter_row[0])
    filtered = await amal.wait_for_bot_message()
    assert listed(bot, filtered)
    assert all("ku" in s.languages for s in listed(bot, filtered))
    await amal.press_button(next(b for b in filtered.buttons if b.startswith("✅")))
    await amal.wait_for_bot_message()
    # wheelchair
    await amal.press_button(filter_row[2])
    filtered = await amal.wait_for_bot_message()
    assert listed(bot, filtered)
    assert all(
        s.wheelchair in (Accessibility.YES, Accessibility.LIMITED) for s in listed(bot, filtered)
    )
    await amal.press_button(next(b for b in filtered.buttons if b.startswith("✅")))
    await amal.wait_for_bot_message()
    # open now, at a Saturday night: the ones with unknown hours stay, marked "call first"
    bot.clock.set(dt.datetime(2026, 11, 28, 22, 0, tzinfo=dt.UTC))
    await amal.press_button(filter_row[1])
    filtered = await amal.wait_for_bot_message()
    for service in listed(bot, filtered):
        state = hours_state(service.opening_hours, bot.clock.now())
        assert state.status is not OpenStatus.CLOSED


async def test_location_outside_every_region(bot):
    amal = bot.person("Amal", "de")
    _, _keyboard = await open_services(bot, amal)
    await amal.press_reply_button(amal.reply_keyboard()[0][0]["text"], location=BERLIN)
    answer = await amal.wait_for_bot_message()
    assert "116 016" in answer.text
    assert any(b.startswith("🏙") for b in answer.buttons), "the nearest region is offered"


async def test_unknown_postal_code_gets_suggestions(bot):
    amal = bot.person("Amal", "de")
    await open_services(bot, amal)
    await amal.send_text("44999")
    answer = await amal.wait_for_bot_message()
    assert len(answer.buttons) >= 2
    await amal.send_text("qqqqqq")
    answer = await amal.wait_for_bot_message()
    assert any("Dortmund" in b for b in answer.buttons), "the cities are offered"


async def test_no_service_nearby_shows_the_nearest_further_away(bot):
    # In the default content only Düsseldorf has an Arabic-speaking service for disability.
    content = bot.content
    nearest = [
        s for s in content.services.values() if "disability" in s.topics and "ar" in s.languages
    ]
    assert {s.region for s in nearest} == {"duesseldorf"}
    amal = bot.person("Amal", "ar")
    _, _keyboard = await open_services(bot, amal, topic="disability")
    await amal.press_reply_button(amal.reply_keyboard()[0][0]["text"], location=DORTMUND)
    results = await amal.wait_for_bot_message()
    await amal.press_button(next(b for b in results.buttons if b.startswith("▫️")))
    far = await amal.wait_for_bot_message()
    assert listed(bot, far) and all(s.region == "duesseldorf" for s in listed(bot, far))
    assert "110" in far.text, "the help lines are shown as well"


async def test_service_card_and_venue_in_arabic(bot):
    amal = bot.person("Amal", "ar")
    _, _keyboard = await open_services(bot, amal)
    await amal.press_reply_button(amal.reply_keyboard()[0][0]["text"], location=DORTMUND)
    results = await amal.wait_for_bot_message()
    assert results.text.startswith("\u200f")
    first = next(b for b in results.buttons if b.startswith("1."))
    await amal.press_button(first)
    card = await amal.wait_for_bot_message()
    assert card.message_id == results.message_id
    assert any("openstreetmap.org" in link for link in card.links()) or any(
        "openstreetmap" in str(row) for row in card.button_rows
    )
    directions = card.button_rows[0][0]["text"]
    await amal.press_button(directions)
    venue = await amal.wait_for_bot_message(lambda m: m.kind == "venue")
    assert venue.raw["venue"]["title"]


async def test_paging_through_results(bot):
    content = bot.content
    total = [s for s in content.services.values() if "violence" in s.topics and s.location]
    assert len(total) > 5, "the default content has more than one page of violence services"
    amal = bot.person("Amal", "de")
    await open_services(bot, amal)
    await amal.press_reply_button(amal.reply_keyboard()[0][0]["text"], location=DORTMUND)
    first = await amal.wait_for_bot_message()
    more = next(b for b in first.buttons if b.endswith("›"))
    await amal.press_button(more)
    second = await amal.wait_for_bot_message()
    assert second.message_id == first.message_id
    assert set(s.id for s in listed(bot, second)).isdisjoint(s.id for s in listed(bot, first))
    assert any(b.startswith("6.") for b in second.buttons)
    assert any(b.startswith("‹") for b in second.buttons), "a button back to the first page"
