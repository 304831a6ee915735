"""News by region, opt-in: subscribing in one tap, new events and the network's news reaching the
subscribers of their regions once, admins announcing news, erasure."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

from bot.config import Settings
from bot.content.models import News
from bot.emulator import BotApiEmulator
from bot.events.news import announce_new_events
from bot.telegram.delivery import deliver_due
from tests.e2e.test_events import EVENTS, _text, count_settles, open_events
from tests.helpers.botharness import START, running_bot
from tests.helpers.clock import FakeClock

NEWS = News(
    "sommerfest",
    _text(
        "news.sommerfest.text", "Das Sommerfest ist am 1. Juli.", "The summer party is on 1 July."
    ),
    ("dortmund",),
    "news.yaml",
    1,
)


def with_events_and_news(bot, events=EVENTS) -> None:
    content = dataclasses.replace(
        bot.content, events=events, news=MappingProxyType({"sommerfest": NEWS})
    )
    bot.swap_content(content)


async def subscribe(bot, person, region: str):
    await open_events(bot, person)
    await person.press_button(f"🏙 {region}")
    listing = await person.wait_for_bot_message()
    await person.press_button(f"📰 Get news of {region}", message=listing)
    return await person.wait_for_bot_message()


def announced(message) -> bool:
    return (message.text or "").startswith("📣")


def announcements(person) -> list[str]:
    return [m.text for m in person.bot_messages() if (m.text or "").startswith("📣")]


async def test_subscribe_and_unsubscribe_in_one_tap(bot, database):
    with_events_and_news(bot)
    amal = bot.person("Amal", "en")
    listing = await subscribe(bot, amal, "Dortmund")
    assert "📰 Stop news of Dortmund" in listing.buttons
    await amal.send_text("/my_data")
    assert "News of Dortmund: subscribed" in (await amal.wait_for_bot_message()).text

    await amal.press_button("📰 Stop news of Dortmund", message=listing)
    listing = await amal.wait_for_bot_message()
    assert "📰 Get news of Dortmund" in listing.buttons
    await amal.send_text("/my_data")
    assert "News of" not in (await amal.wait_for_bot_message()).text

    await amal.press_button("📰 Get news of Dortmund", message=listing)
    await amal.wait_for_bot_message()
    await amal.send_text("/delete_my_data")
    confirm = await amal.wait_for_bot_message()
    await amal.press_button(confirm.buttons[0])
    await amal.wait_for_bot_message()
    assert await count_settles(database, "users", 0) == 0


async def test_new_events_reach_the_subscribers_of_their_regions_once(bot):
    with_events_and_news(bot, events=())
    amal, bilal, chiara, dana = (bot.person(n, "en") for n in ("Amal", "Bilal", "Chiara", "Dana"))
    await subscribe(bot, amal, "Dortmund")
    await subscribe(bot, bilal, "Düsseldorf")
    await subscribe(bot, dana, "Dortmund")
    await open_events(bot, chiara)  # chose no region, subscribed to nothing
    await dana.block_bot()
    await bot.idle()
    assert await announce_new_events(bot.runtime) == 0

    with_events_and_news(bot)  # the editors add the events
    assert await announce_new_events(bot.runtime) == 2  # forum and rhein; "past" is over
    assert await announce_new_events(bot.runtime) == 0
    await deliver_due(bot.application.bot, bot.runtime)
    # The outbox may also be delivered by the bot's own job: wait for what must arrive.
    await amal.wait_for_bot_message(announced)
    await bilal.wait_for_bot_message(announced)
    await bilal.wait_for_bot_message(announced)
    await bot.idle()
    assert [t.splitlines()[2] for t in announcements(amal)] == ["Meeting forum"]
    assert sorted(t.splitlines()[2] for t in announcements(bilal)) == [
        "Meeting forum",
        "Meeting rhein",
    ]
    assert "Thursday, December 3, 2026" in announcements(amal)[0]
    assert announcements(chiara) == [] and announcements(dana) == []


async def test_admin_announces_news_in_each_persons_language(database):
    clock = FakeClock(START)
    async with BotApiEmulator(clock=clock.now) as emulator:
        token = emulator.create_bot()
        admin = emulator.add_user("Anna", language_code="de")
        settings = Settings(admins=(admin.id,))
        async with running_bot(
            database, settings=settings, emulator=emulator, clock=clock, token=token
        ) as bot:
            with_events_and_news(bot)
            amal, olga = bot.person("Amal", "en"), bot.person("Olga", "de")
            await subscribe(bot, amal, "Dortmund")
            await open_events(bot, olga)
            await olga.press_button("🏙 Dortmund")
            await olga.wait_for_bot_message()
            await olga.press_button("📰 Neuigkeiten aus Dortmund erhalten")
            await olga.wait_for_bot_message()

            await amal.send_text("/announce sommerfest")
            refused = await amal.wait_for_bot_message()
            assert "Only administrators" in refused.text

            await admin.send_text("/announce")
            assert "sommerfest" in (await admin.wait_for_bot_message()).text
            await admin.send_text("/announce sommerfest")
            assert "Abonnentinnen und Abonnenten: 2" in (await admin.wait_for_bot_message()).text
            await admin.send_text("/announce sommerfest")
            assert "schon angekündigt" in (await admin.wait_for_bot_message()).text
            await deliver_due(bot.application.bot, bot.runtime)
            await amal.wait_for_bot_message(announced)
            await olga.wait_for_bot_message(announced)
            # The admin hears when the broadcast is done.
            done = await admin.wait_for_bot_message(lambda m: "Rundsendung 1" in (m.text or ""))
            assert "2 gesendet" in done.text
            await bot.idle()
            assert announcements(amal) == ["📣 The summer party is on 1 July."]
            assert announcements(olga) == ["📣 Das Sommerfest ist am 1. Juli."]

            await amal.send_text("/stats")
            assert "Only administrators" in (await amal.wait_for_bot_message()).text
            await admin.send_text("/stats")
            stats = await admin.wait_for_bot_message()
            assert "Lotse-Bericht" in stats.text
            assert "Abonnements der Neuigkeiten in Dortmund: <5" in stats.text
