"""Screens that answer the person's question: which service is which, where was searched,
counts in the language's plural forms, and one tap to write to the team."""

from __future__ import annotations

import dataclasses

import pytest

from bot.content.models import Address, GeoPoint
from bot.telegram.commands import COMMANDS
from tests.e2e.test_services_near_me import listed, open_services


def plain(text: str) -> str:
    """``text`` without the bidi marks and isolates that right-to-left messages carry."""
    return "".join(ch for ch in text if ch not in "\u200e\u200f\u2066\u2067\u2068\u2069")


def with_second_women_centre(content):
    """The content plus a second "Frauenberatungsstelle" in Dortmund, in another district."""
    first = content.services["do-frauenberatung-beispiel"]
    second = dataclasses.replace(
        first,
        id="do-frauenberatung-hoerde",
        address=Address("Hörder Bahnhofstraße 1", "44263", "Dortmund"),
        location=GeoPoint(51.4850, 7.5000),
    )
    return dataclasses.replace(content, services={**content.services, second.id: second})


async def test_two_services_of_one_name_are_told_apart_in_the_list(bot):
    bot.swap_content(with_second_women_centre(bot.content))
    amal = bot.person("Amal", "de")
    await open_services(bot, amal)
    await amal.send_text("44263")
    results = await amal.wait_for_bot_message()
    same = [
        s
        for s in listed(bot, results)
        if s.name == "Frauenberatungsstelle (Beispiel)" and s.region == "dortmund"
    ]
    assert {s.id for s in same} == {"do-frauenberatung-beispiel", "do-frauenberatung-hoerde"}
    entries = [e for e in results.text.split("\n\n") if "Frauenberatungsstelle" in e][:2]
    where = [line for entry in entries for line in entry.splitlines() if line.startswith("📍")]
    assert where == ["📍 Hörder Bahnhofstraße 1 · Hörde", "📍 Innenstadt-West"]
    buttons = [b for b in results.buttons if "Frauenberatungsstelle" in b][:2]
    assert len(set(buttons)) == 2 and any("Hörde" in b for b in buttons), buttons


@pytest.mark.parametrize(
    ("typed", "named"),
    [("44137", "44137 Dortmund-Innenstadt-West"), ("Hörde", "Hörde (Dortmund)")],
)
async def test_the_heading_names_what_was_understood(bot, typed, named):
    amal = bot.person("Amal", "de")
    await open_services(bot, amal)
    await amal.send_text(typed)
    results = await amal.wait_for_bot_message()
    heading = results.text.splitlines()[0]
    assert named in heading and "Standort" not in heading, heading
    # still named after a filter is switched (the postal code travels in the buttons)
    await amal.press_button(next(b for b in results.buttons if b.startswith("▫️")))
    filtered = await amal.wait_for_bot_message()
    assert named in filtered.text.splitlines()[0]


async def test_the_heading_in_arabic_names_the_postal_code(bot):
    amal = bot.person("Amal", "ar")
    await open_services(bot, amal)
    await amal.send_text("40213")
    results = await amal.wait_for_bot_message()
    assert "40213 Düsseldorf-Altstadt" in results.text.splitlines()[0]


async def send_request(person, *texts):
    """/write, agree (the first time), Dortmund, only in this chat, the texts, Send."""

    def having(data):
        return lambda m: m.button(data) is not None

    await person.send_text("/write")
    shown = await person.wait_for_bot_message(
        lambda m: m.button("k:agree:") is not None or m.button("k:region:dortmund") is not None
    )
    if shown.button("k:agree:") is not None:
        await person.press_button("k:agree:")
        await person.wait_for_bot_message(having("k:region:dortmund"))
    await person.press_button("k:region:dortmund")
    await person.wait_for_bot_message(having("k:method:chat"))
    await person.press_button("k:method:chat")
    await person.wait_for_bot_message(lambda m: m.text and m.text.lstrip("\u200f").startswith("✍"))
    for text in texts:
        await person.send_text(text)
        await person.wait_for_bot_message(having("k:send:"))
    await person.press_button("k:send:")
    await person.wait_for_bot_message(lambda m: "#" in (m.text or ""))


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("de", "1 Nachricht,", "2 Nachrichten,"),
        ("en", "1 message,", "2 messages,"),
        ("ru", "1 сообщение,", "2 сообщения,"),
        ("ar", "1 رسالة", "2 رسالتان"),
    ],
)
async def test_my_data_counts_messages_in_the_plural_form_of_the_language(bot, language, one, two):
    amal = bot.person("Amal", language)
    await send_request(amal, "Hallo")
    await amal.send_text("/my_data")
    shown = await amal.wait_for_bot_message(lambda m: "#" in (m.text or ""))
    assert one in plain(shown.text), shown.text
    await send_request(amal, "Hallo", "noch etwas")
    await amal.send_text("/my_data")
    shown = await amal.wait_for_bot_message(lambda m: "#" in (m.text or ""))
    assert one in plain(shown.text) and two in plain(shown.text), shown.text


def test_write_is_among_the_commands():
    assert "write" in dict(COMMANDS)


async def test_write_command_in_every_language_and_one_tap_to_the_team(bot):
    for code in (None, *bot.content.languages):
        names = [c["command"] for c in bot.emulator.commands(language_code=code or "")]
        assert "write" in names, code
    german = {c["command"]: c["description"] for c in bot.emulator.commands(language_code="de")}
    assert german["write"] == "Einer Beraterin oder einem Berater schreiben"
    arabic = {c["command"]: c["description"] for c in bot.emulator.commands(language_code="ar")}
    assert arabic["write"] != "Write to a counsellor"
    amal = bot.person("Amal", "ar")
    await amal.send_text("/write")
    consent = await amal.wait_for_bot_message()
    assert "/delete_my_data" in consent.text
    assert any(b.startswith("✅") for b in consent.buttons)  # I agree
