"""Injected faults: rate limits, server errors, slow answers, users who blocked the bot."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot.emulator import CLIENT_GONE, BotApiEmulator, EmulatedUser
from tests.unit.emulator.conftest import RawClient

pytestmark = pytest.mark.asyncio


async def test_rate_limit_answers_429_with_retry_after(
    api: RawClient, emulator: BotApiEmulator, alice: EmulatedUser
) -> None:
    fault = emulator.inject_fault("sendMessage", 429, retry_after=2)

    first = await api.call("sendMessage", chat_id=alice.id, text="a")
    second = await api.call("sendMessage", chat_id=alice.id, text="b")

    assert first == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 2",
            "parameters": {"retry_after": 2},
        },
    )
    assert second[0] == 200
    assert fault.hits == 1
    assert [message.text for message in alice.bot_messages()] == ["b"]


async def test_injected_faults_are_not_rejections_of_the_bot(
    api: RawClient, emulator: BotApiEmulator, alice: EmulatedUser
) -> None:
    emulator.inject_fault("sendMessage", 502)

    status, body = await api.call("sendMessage", chat_id=alice.id, text="a")

    assert (status, body["description"]) == (502, "Bad Gateway")
    assert emulator.rejected_requests() == []
    assert len(emulator.rejected_requests(include_injected=True)) == 1


async def test_fault_for_one_chat_only(
    api: RawClient, emulator: BotApiEmulator, alice: EmulatedUser
) -> None:
    bob = emulator.add_user("Bob")
    await bob.send_text("/start")
    emulator.inject_fault("sendMessage", 500, chat_id=bob.id, times=None)

    assert (await api.call("sendMessage", chat_id=alice.id, text="a"))[0] == 200
    assert (await api.call("sendMessage", chat_id=bob.id, text="b"))[0] == 500
    assert (await api.call("sendMessage", chat_id=bob.id, text="c"))[0] == 500
    emulator.clear_faults()
    assert (await api.call("sendMessage", chat_id=bob.id, text="d"))[0] == 200


async def test_slow_answer_does_not_block_other_requests(
    api: RawClient, emulator: BotApiEmulator, alice: EmulatedUser
) -> None:
    emulator.inject_fault("sendMessage", delay=0.3)
    loop = asyncio.get_running_loop()
    started = loop.time()

    slow = asyncio.create_task(api.call("sendMessage", chat_id=alice.id, text="slow"))
    await api.ok("getMe")
    fast_done = loop.time() - started
    status, _ = await slow

    assert status == 200
    assert fast_done < 0.25
    assert loop.time() - started >= 0.3


async def test_blocked_user_makes_every_send_fail(
    api: RawClient, emulator: BotApiEmulator, alice: EmulatedUser
) -> None:
    await alice.block_bot()

    status, body = await api.call("sendMessage", chat_id=alice.id, text="still there?")

    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    updates = await api.ok("getUpdates", timeout=0)
    member_update = updates[-1]["my_chat_member"]
    assert member_update["new_chat_member"]["status"] == "kicked"
    await alice.unblock_bot()
    assert (await api.call("sendMessage", chat_id=alice.id, text="back"))[0] == 200


async def test_fault_without_status_or_delay_is_a_mistake(emulator: BotApiEmulator) -> None:
    with pytest.raises(ValueError, match="needs a status"):
        emulator.inject_fault("sendMessage")


@pytest.mark.parametrize(("drop", "carried_out"), [("before", []), ("after", ["a"])])
async def test_a_dropped_connection_gives_no_answer(
    api: RawClient, emulator: BotApiEmulator, alice: EmulatedUser, drop: str, carried_out: list
) -> None:
    """Dropped before the call nothing happened; dropped after it (a lost answer) it happened."""
    emulator.inject_fault("sendMessage", drop=drop)

    with pytest.raises(httpx.RemoteProtocolError):
        await api.call("sendMessage", chat_id=alice.id, text="a")

    assert [message.text for message in alice.bot_messages()] == carried_out
    (recorded,) = emulator.rejected_requests(include_injected=True)
    assert recorded.status == 0 and recorded.injected
    assert (await api.call("sendMessage", chat_id=alice.id, text="b"))[0] == 200


async def test_random_faults_strike_a_share_of_calls_the_same_way_for_the_same_seed(
    api: RawClient, emulator: BotApiEmulator, alice: EmulatedUser
) -> None:
    async def run(seed: int) -> list[int]:
        emulator.inject_random_faults(
            seed=seed, rate=0.3, kinds={"429": 1, "502": 1, "500": 1}, methods={"getMe"}
        )
        statuses = [(await api.call("getMe"))[0] for _ in range(60)]
        emulator.clear_faults()
        return statuses

    first, again, other = await run(5), await run(5), await run(6)

    assert first == again and first != other
    assert 5 <= sum(status != 200 for status in first) <= 35
    assert {status for status in first} <= {200, 429, 500, 502}


async def test_random_faults_refuse_unknown_kinds() -> None:
    from bot.emulator import RandomFaults

    with pytest.raises(ValueError, match="unknown fault kinds"):
        RandomFaults(kinds={"teapot": 1})


async def test_a_call_carried_out_after_the_client_gave_up_is_recorded_as_such(
    api: RawClient, emulator: BotApiEmulator, alice: EmulatedUser
) -> None:
    # A slow answer outlasts the client's read time-out: the message is sent all the same, and
    # the log says the bot never learnt it (the window in which a send is repeated).
    emulator.inject_fault("sendMessage", delay=0.5)
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, read=0.1)) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            await impatient.post(api.url("sendMessage"), json={"chat_id": alice.id, "text": "a"})
    await emulator.wait_until(lambda: bool(alice.bot_messages()), 5)
    await emulator.wait_until(lambda: bool(emulator.requests_for("sendMessage")), 5)

    (record,) = emulator.requests_for("sendMessage")
    assert record.ok and record.description == CLIENT_GONE
    assert [message.text for message in alice.bot_messages()] == ["a"]
