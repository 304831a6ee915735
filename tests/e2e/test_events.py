"""Events near me: a person picks their region, sees its upcoming events in their language and time
zone, asks for a reminder and gets it the day before — once."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from types import MappingProxyType

from sqlalchemy import text

from bot.content.addresses import page_address
from bot.content.models import Address, Event, GeoPoint, LocalizedText, Translation
from bot.events.reminders import run_event_reminders
from bot.telegram.delivery import deliver_due

BERLIN = dt.timezone(dt.timedelta(hours=1))  # Central European winter time


def _text(key: str, german: str, english: str) -> LocalizedText:
    english_text = Translation(english, None, "translations/en.yaml", 1)
    return LocalizedText(key, german, "de", MappingProxyType({"en": english_text}))


def _event(ident: str, start: dt.datetime, regions: tuple[str, ...], **extra) -> Event:
    return Event(
        id=ident,
        title=_text(f"event.{ident}.title", f"Treffen {ident}", f"Meeting {ident}"),
        text=_text(
            f"event.{ident}.text", "Austausch der Beratungsstellen.", "Exchange of services."
        ),
        start=start,
        end=start + dt.timedelta(hours=2),
        place="Dietrich-Keuning-Haus",
        regions=regions,
        file="events.yaml",
        line=1,
        **extra,
    )


EVENTS = (
    _event("past", dt.datetime(2026, 11, 20, 18, 0), ("dortmund",)),
    _event(
        "forum",
        dt.datetime(2026, 12, 3, 18, 0),
        ("dortmund", "duesseldorf"),
        address=Address("Leopoldstraße 50", "44147", "Dortmund"),
        location=GeoPoint(51.52, 7.46),
        registration="https://example.org/anmeldung",
        contact="0231 123456",
    ),
    _event("rhein", dt.datetime(2026, 12, 5, 10, 0), ("duesseldorf",)),
)


def with_events(bot) -> None:
    bot.swap_content(dataclasses.replace(bot.content, events=EVENTS))


async def open_events(bot, person):
    await person.send_text("/start")
    await person.wait_for_bot_message()
    await person.press_button(page_address(bot.content.version, "events"))
    return await person.wait_for_bot_message()


async def remind_me(bot, person, region: str, *titles: str):
    """Open the events of ``region`` and ask for a reminder of each event titled ``titles``."""
    await open_events(bot, person)
    await person.press_button(f"🏙 {region}")
    listing = await person.wait_for_bot_message()
    for title in titles:
        await person.press_button(f"🔔 Remind me: {title}")
        listing = await person.wait_for_bot_message()
    return listing


async def count_settles(database, table: str, expected: int) -> int:
    """The row count of ``table`` once it is ``expected`` (or after about five seconds).

    The bot answers a person before its unit of work commits, so right after the answer the
    database may not show the change yet; nothing else is visible to wait for.
    """
    for _ in range(100):
        async with database.unit_of_work() as session:
            count = (await session.execute(text(f"select count(*) from {table}"))).scalar_one()
        if count == expected:
            break
        await asyncio.sleep(0.05)
    return count


async def test_events_of_the_chosen_region_in_the_persons_language_and_time(bot):
    with_events(bot)
    amal = bot.person("Amal", "en")
    question = await open_events(bot, amal)
    assert "region" in question.text
    await amal.press_button("🏙 Dortmund")
    listing = await amal.wait_for_bot_message()
    assert "Events in Dortmund" in listing.text
    assert "Meeting forum" in listing.text
    assert "Meeting past" not in listing.text and "Meeting rhein" not in listing.text
    # 18:00 Berlin time, in English and the network's time zone (the clock runs in UTC)
    assert "Thursday, December 3, 2026, 6:00\u202fPM–8:00\u202fPM" in listing.text
    assert "Leopoldstraße 50, 44147 Dortmund" in listing.text
    assert "0231 123456" in listing.text
    assert "🔔 Remind me: Meeting forum" in listing.buttons
    register = listing.button("✍️ Register here")
    assert register is not None and register["url"] == "https://example.org/anmeldung"

    await amal.press_button("📍 Change region")
    await amal.wait_for_bot_message()
    await amal.press_button("🏙 Düsseldorf")
    listing = await amal.wait_for_bot_message()
    assert "Meeting forum" in listing.text and "Meeting rhein" in listing.text
    assert listing.text.index("Meeting forum") < listing.text.index("Meeting rhein")


async def test_german_dates_and_an_empty_region(bot):
    with_events(bot)
    amal = bot.person("Amal", "de")
    await open_events(bot, amal)
    await amal.press_button("🏙 Düsseldorf")
    listing = await amal.wait_for_bot_message()
    assert "Samstag, 5. Dezember 2026, 10:00–12:00" in listing.text
    await amal.press_button("📍 Region ändern")
    await amal.wait_for_bot_message()
    await amal.press_button("🏙 Mönchengladbach")
    empty = await amal.wait_for_bot_message()
    assert "Zurzeit sind keine Veranstaltungen in Mönchengladbach geplant." in empty.text


async def test_reminder_the_day_before_once_and_erased_with_the_person(bot, database):
    with_events(bot)
    amal = bot.person("Amal", "en")
    listing = await remind_me(bot, amal, "Dortmund", "Meeting forum")
    assert "✅ Reminder on: Meeting forum" in listing.buttons

    await amal.send_text("/my_data")
    mine = await amal.wait_for_bot_message()
    assert "Region for events: Dortmund" in mine.text
    assert "Event reminders: 1" in mine.text

    # The day before at 08:59 Berlin time: not yet; at 09:00: the reminder, and only once.
    bot.clock.set(dt.datetime(2026, 12, 2, 8, 59, tzinfo=BERLIN))
    assert await run_event_reminders(bot.runtime) == 0
    bot.clock.set(dt.datetime(2026, 12, 2, 9, 0, tzinfo=BERLIN))
    assert await run_event_reminders(bot.runtime) == 1
    await deliver_due(bot.application.bot, bot.runtime)
    reminder = await amal.wait_for_bot_message(lambda m: "tomorrow" in (m.text or ""))
    assert "Meeting forum" in reminder.text
    assert "Thursday, December 3, 2026" in reminder.text
    assert await run_event_reminders(bot.runtime) == 0
    await deliver_due(bot.application.bot, bot.runtime)
    await bot.idle()
    assert sum("tomorrow" in (m.text or "") for m in amal.bot_messages()) == 1

    await amal.send_text("/delete_my_data")
    confirm = await amal.wait_for_bot_message()
    await amal.press_button(confirm.buttons[0])
    await amal.wait_for_bot_message()
    for table in ("users", "event_reminders"):
        assert await count_settles(database, table, 0) == 0, table


async def test_reminder_switched_off_and_forgotten_after_the_event(bot, database):
    with_events(bot)
    amal = bot.person("Amal", "en")
    listing = await remind_me(bot, amal, "Düsseldorf", "Meeting forum", "Meeting rhein")
    await amal.press_button("✅ Reminder on: Meeting forum", message=listing)
    listing = await amal.wait_for_bot_message()
    assert "🔔 Remind me: Meeting forum" in listing.buttons
    assert "✅ Reminder on: Meeting rhein" in listing.buttons

    bot.clock.set(dt.datetime(2026, 12, 6, 9, 0, tzinfo=BERLIN))  # after both events
    assert await run_event_reminders(bot.runtime) == 0
    async with database.unit_of_work() as session:
        count = (await session.execute(text("select count(*) from event_reminders"))).scalar_one()
    assert count == 0
