"""Random and hostile updates through the real Application: no crash, an answer where one is due.

Hypothesis draws the updates (any Unicode, over-long texts, every message type, edited messages,
channel posts, unknown groups, forged or replayed button data, duplicated update ids); after each
example the bot must have logged no error, made no request Telegram would refuse, answered every
person who wrote in their private chat, and still serve a bystander. The number of examples is
bounded (``LOTSE_FUZZ_EXAMPLES``, 60 by default) and drawn from a fixed seed unless the Hypothesis
profile ``long`` is chosen (see tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content.addresses import page_address
from tests.helpers.botharness import running_bot

# Each example is a few updates through the running bot; LOTSE_FUZZ_EXAMPLES=500 for a long run.
EXAMPLES = int(os.environ.get("LOTSE_FUZZ_EXAMPLES", "60"))
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")

ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
LONG_TEXT = st.integers(4000, 12000).map(lambda n: ("Я помогу " * n)[:n])
WORDS = st.sampled_from(
    ["/start", "/help", "/cancel", "/my_data", "/delete_my_data", "/clear", "/discreet", "/sos",
     "/language", "/claim", "/t received", "/block", "/start@lotse_bot", "/unknown", "/", "44137",
     "Dortmund", "Hilfe", "Gewalt", "مساعدة", "<b>x</b>", "&amp;", "\u202e", "\u200f/start"]
)  # fmt: skip
TEXTS = st.one_of(ANY_TEXT, LONG_TEXT, WORDS, st.tuples(WORDS, ANY_TEXT).map(" ".join))
CALLBACK_DATA = st.one_of(
    st.text(max_size=70),
    st.sampled_from(["k:erase:yes", "k:send:", "k:method:phone", "k:agree:", "x:clear", "l:ar"]),
    st.tuples(st.sampled_from("pscvklx"), st.text(max_size=40)).map(":".join),
)
PRIVATE = ("text", "sticker", "location", "contact", "voice", "photo", "document", "button")
ODD = ("edited", "channel_post", "unknown_group", "foreign_contact", "dice", "duplicate", "block")


class Capture(logging.Handler):
    """Keeps the bot's warnings and errors (the emulator's records are not the bot's)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("bot", "telegram")) and not record.name.startswith(
            "bot.emulator"
        ):
            self.records.append(record)


@dataclass(repr=False)
class World:
    bot: object
    people: list
    bystander: object
    capture: Capture
    tried: dict[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"World(tried={self.tried})"


@pytest.fixture
async def world(database):
    capture = Capture()
    logging.getLogger().addHandler(capture)
    try:
        async with running_bot(database) as bot:
            people = [bot.person(f"P{i}", code) for i, code in enumerate(["de", "ar", None, "xx"])]
            bystander = bot.person("Bystander", "uk")
            world = World(bot, people, bystander, capture)
            yield world
            print(f"\nhostile input tried: {sorted(world.tried.items())}")
    finally:
        logging.getLogger().removeHandler(capture)


async def send(world: World, person, kind: str, text: str, data: str, number: float) -> bool:
    """Send one update of ``kind``; returns whether the person should get an answer."""
    emulator = world.bot.emulator
    if kind == "text":
        await person.send_text(text or "?")
    elif kind == "sticker":
        await person.send_sticker()
    elif kind == "location":
        await person.share_location(number % 90, (number * 7) % 180)
    elif kind == "contact":
        await person.share_contact(phone_number=text[:30] or "+49")
    elif kind == "voice":
        await person.send_voice()
    elif kind == "photo":
        await person.send_photo(caption=text[:1024] or None)
    elif kind == "document":
        await person.send_document("x.pdf")
    elif kind == "button":
        if person.last_bot_message() is None:
            await person.send_text("/start")
            await person.wait_for_bot_message(timeout=15)
        query = await person.send_callback_data(data)
        await world.bot.idle()
        assert (await emulator.wait_for_answer(query)).answered
        return False  # answered by the query's answer; the message may stay as it is
    else:
        await _send_odd(world, person, kind, text, data)
        return False
    return True


async def _send_odd(world: World, person, kind: str, text: str, data: str) -> None:
    emulator = world.bot.emulator
    sender = person.record.as_user()
    now = int(world.bot.clock.now().timestamp())
    message = {"message_id": 900000, "date": now, "chat": person.record.as_private_chat()}
    if kind == "edited":
        written = await person.send_text(text or "?")
        await world.bot.idle()
        edited = dict(written.raw, text=(text + " (bearbeitet)")[:4096], edit_date=now)
        emulator.push_update({"edited_message": edited})
    elif kind == "channel_post":
        channel = {"id": -1001234567890, "type": "channel", "title": "Kanal"}
        emulator.push_update({"channel_post": {**message, "chat": channel, "text": text or "?"}})
    elif kind == "unknown_group":
        group = {"id": -1009876543210, "type": "supergroup", "title": "Fremd"}
        emulator.push_update(
            {"message": {**message, "chat": group, "from": sender, "text": text or "/claim"}}
        )
    elif kind == "foreign_contact":
        # someone else's contact card, sent as if it were theirs
        contact = {"phone_number": "+491700000000", "first_name": "X", "user_id": 42}
        emulator.push_update({"message": {**message, "from": sender, "contact": contact}})
    elif kind == "dice":
        emulator.push_update(
            {"message": {**message, "from": sender, "dice": {"emoji": "🎲", "value": 3}}}
        )
    elif kind == "duplicate":
        written = await person.send_text(text or "?")
        await world.bot.idle()
        emulator.push_update({"update_id": 5, "message": written.raw})
        emulator.push_update({"update_id": 5, "message": written.raw})
    elif kind == "block":
        await person.block_bot()
        await world.bot.idle()
        await person.unblock_bot()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    print_blob=False,
)
@given(
    steps=st.lists(
        st.tuples(
            st.integers(0, 3),
            st.sampled_from(PRIVATE + ODD),
            TEXTS,
            CALLBACK_DATA,
            st.floats(-1e6, 1e6, allow_nan=False),
        ),
        min_size=1,
        max_size=3,
    )
)
async def test_random_updates_never_crash_and_everyone_is_answered(world, steps):
    bot = world.bot
    bot.clock.advance(dt.timedelta(minutes=5))  # stay below the flood limit
    # Judge each example by what it caused (the bot runs on across examples).
    world.capture.records.clear()
    earlier = len(bot.emulator.rejected_requests())
    for who, kind, text, data, number in steps:
        person = world.people[who]
        world.tried[kind] = world.tried.get(kind, 0) + 1
        due = await send(world, person, kind, text, data, number)
        if due:  # a new message, or the menu edited in place
            await person.wait_for_bot_message(timeout=15)
        await bot.idle()
    errors = [f"{r.name}: {r.getMessage()}" for r in world.capture.records if r.levelno >= 40]
    assert not errors, errors
    rejected = [
        r
        for r in bot.emulator.rejected_requests()[earlier:]
        # Telegram's answers to an edit that changes nothing, to deleting the vanishing /clear
        # note that a later /clear already took, and to writing to someone who blocked the bot
        # (or never started it): expected, and handled without an error.
        if not any(
            expected in (r.description or "")
            for expected in ("message is not modified", "message to delete not found")
        )
        and r.status != 403
    ]
    assert not rejected, [(r.method, r.description) for r in rejected]
    await world.bystander.send_text("/start")
    menu = await world.bystander.wait_for_bot_message()
    assert menu.buttons, "the bot still serves others"
    await world.bystander.press_button(page_address(bot.content.version, "violence"))
    await world.bystander.wait_for_bot_message()
