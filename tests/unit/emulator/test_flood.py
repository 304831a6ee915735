"""Telegram's flood limits in the emulator: off by default; beyond them a 429 and a recorded refusal."""

from __future__ import annotations

import bisect
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from bot.emulator import ApiError, BotApiEmulator, EmulatedUser, FloodLimits
from bot.emulator._flood import FloodControl
from tests.unit.emulator.conftest import RawClient

# Rates so slow that no token comes back while a test runs, however loaded the machine.
SLOW = 0.01


@asynccontextmanager
async def limited(limits: FloodLimits | None) -> AsyncIterator[tuple[BotApiEmulator, RawClient]]:
    async with BotApiEmulator(flood_limits=limits) as emulator, httpx.AsyncClient() as client:
        yield emulator, RawClient(client, emulator, emulator.create_bot())


async def started(emulator: BotApiEmulator, name: str) -> EmulatedUser:
    person = emulator.add_user(name)
    await person.send_text("/start")
    return person


@pytest.mark.asyncio
async def test_flood_limits_are_off_by_default() -> None:
    async with limited(None) as (emulator, api):
        alice = await started(emulator, "Alice")
        for n in range(10):
            await api.ok("sendMessage", chat_id=alice.id, text=f"{n}")

    assert len(alice.bot_messages()) == 10
    assert emulator.flood_refusals == []


@pytest.mark.asyncio
async def test_a_message_beyond_the_chat_limit_is_refused_with_retry_after() -> None:
    async with limited(FloodLimits(per_chat_per_second=SLOW, chat_burst=2)) as (emulator, api):
        alice = await started(emulator, "Alice")
        await api.ok("sendMessage", chat_id=alice.id, text="one")
        await api.ok("sendMessage", chat_id=alice.id, text="two")

        status, body = await api.call("sendMessage", chat_id=alice.id, text="three")

    assert (status, body) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 100",
            "parameters": {"retry_after": 100},
        },
    )
    assert [m.text for m in alice.bot_messages()] == ["one", "two"]
    [refusal] = emulator.flood_refusals
    assert (refusal.method, refusal.chat_id, refusal.limit) == ("sendMessage", alice.id, "chat")
    assert [r.status for r in emulator.rejected_requests()] == [429]  # the bot's fault


@pytest.mark.asyncio
async def test_the_overall_limit_spans_all_chats_of_the_bot() -> None:
    limits = FloodLimits(per_second=SLOW, burst=2)
    async with limited(limits) as (emulator, api):
        people = [await started(emulator, name) for name in ("Alice", "Bob", "Carla")]
        answers = [
            await api.call("sendMessage", chat_id=person.id, text="hello") for person in people
        ]

    assert [status for status, _body in answers] == [200, 200, 429]
    assert [r.limit for r in emulator.flood_refusals] == ["overall"]


@pytest.mark.asyncio
async def test_edits_and_topic_changes_count_in_a_group_per_minute() -> None:
    async with limited(FloodLimits(per_group_per_minute=2, group_burst=2)) as (emulator, api):
        group = emulator.add_group("Team", forum=True)
        topic = await api.ok("createForumTopic", chat_id=group.id, name="#A1B2")
        sent = await api.ok(
            "sendMessage", chat_id=group.id, message_thread_id=topic["message_thread_id"], text="x"
        )

        edit = await api.call(
            "editMessageText", chat_id=group.id, message_id=sent["message_id"], text="y"
        )
        # Reading and deleting post nothing: they are not limited.
        await api.ok("getChat", chat_id=group.id)
        await api.ok("deleteMessage", chat_id=group.id, message_id=sent["message_id"])

    assert edit[0] == 429 and edit[1]["parameters"]["retry_after"] in (29, 30)
    assert [(r.method, r.limit) for r in emulator.flood_refusals] == [("editMessageText", "group")]


@pytest.mark.asyncio
async def test_chat_actions_and_callback_answers_do_not_count() -> None:
    limits = FloodLimits(per_second=SLOW, burst=1, per_chat_per_second=SLOW, chat_burst=1)
    async with limited(limits) as (emulator, api):
        alice = await started(emulator, "Alice")
        await api.ok("sendChatAction", chat_id=alice.id, action="typing")
        await api.ok("sendChatAction", chat_id=alice.id, action="typing")
        await api.ok("sendMessage", chat_id=alice.id, text="only one counted")

    assert emulator.flood_refusals == []


def test_a_bucket_refills_at_its_rate() -> None:
    now = 0.0
    flood = FloodControl(FloodLimits(per_second=30), clock=lambda: now)

    def send(chat_id: int) -> bool:
        try:
            flood.check(1, "sendMessage", {"chat_id": chat_id})
        except ApiError as error:
            assert (error.status, error.retry_after) == (429, 1)
            return False
        return True

    assert [send(chat) for chat in range(1, 8)] == [True] * 6 + [False]  # burst: 30 / 5
    now = 0.1  # three tokens back
    assert [send(chat) for chat in range(10, 14)] == [True] * 3 + [False]
    assert send(1) is False  # chat 1 has tokens left, but the overall bucket is empty
    now = 1.2
    assert send(1) is True
    assert [r.limit for r in flood.refusals] == ["overall", "overall", "overall"]


def test_another_bot_has_its_own_budget() -> None:
    flood = FloodControl(FloodLimits(per_second=SLOW, burst=1), clock=lambda: 0.0)
    flood.check(1, "sendMessage", {"chat_id": 5})
    flood.check(2, "sendMessage", {"chat_id": 5})

    with pytest.raises(ApiError):
        flood.check(1, "copyMessage", {"chat_id": "6", "from_chat_id": 5, "message_id": 1})


def test_what_passes_stays_within_burst_plus_rate_in_every_window() -> None:
    limits = FloodLimits(per_second=30, per_chat_per_second=1, per_group_per_minute=20)
    now = 0.0
    flood = FloodControl(limits, clock=lambda: now)
    chance = random.Random(16)
    passed: dict[str, list[float]] = {"all": [], "chat 7": [], "group -100": []}
    for _ in range(5000):
        now += chance.expovariate(80)  # more than twice the overall rate is tried
        chat = chance.choice([7, -100, *range(1, 60)])
        try:
            flood.check(1, "sendMessage", {"chat_id": chat})
        except ApiError:
            continue
        passed["all"].append(now)
        if chat in (7, -100):
            passed[f"{'chat' if chat > 0 else 'group'} {chat}"].append(now)

    def most(times: list[float], window: float) -> int:
        return max(bisect.bisect_right(times, t + window) - i for i, t in enumerate(times))

    for window in (0.2, 1.0, 5.0, 60.0):
        assert most(passed["all"], window) <= 6 + 30 * window
        assert most(passed["chat 7"], window) <= 3 + 1 * window
        assert most(passed["group -100"], window) <= 1 + 20 / 60 * window
    assert len(passed["all"]) > 0.9 * 30 * now  # and the budget is used, not wasted


@pytest.mark.parametrize(
    "limits", [{"per_second": 0}, {"per_chat_per_second": -1}, {"burst": 0.5}, {"group_burst": 0}]
)
def test_limits_that_let_nothing_through_are_a_mistake(limits: dict) -> None:
    with pytest.raises(ValueError, match="FloodLimits"):
        FloodLimits(**limits)
