"""Updates reach the bot by long polling or webhook, in order, confirmed as on Telegram."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.emulator import BotApiEmulator, EmulatedUser
from tests.unit.emulator.conftest import RawClient

pytestmark = pytest.mark.asyncio


async def test_get_updates_answers_at_once_when_updates_wait(
    api: RawClient, emulator: BotApiEmulator
) -> None:
    bob = emulator.add_user("Bob", language_code="uk")
    await bob.send_text("/start")

    loop = asyncio.get_running_loop()
    started = loop.time()
    updates = await api.ok("getUpdates", timeout=30)

    assert loop.time() - started < 1
    message = updates[0]["message"]
    assert message["text"] == "/start"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert message["from"]["language_code"] == "uk"
    assert message["chat"] == {"id": bob.id, "type": "private", "first_name": "Bob"}


async def test_long_poll_is_woken_by_a_new_update(api: RawClient, emulator: BotApiEmulator) -> None:
    bob = emulator.add_user("Bob")
    poll = asyncio.create_task(api.ok("getUpdates", timeout=30))
    await emulator.wait_until_polling()
    assert not poll.done()

    await bob.send_text("hello")

    updates = await asyncio.wait_for(poll, 2)
    assert [update["message"]["text"] for update in updates] == ["hello"]


async def test_empty_long_poll_ends_after_timeout(api: RawClient) -> None:
    assert await api.ok("getUpdates", timeout=0) == []


async def test_offset_confirms_updates_and_ids_increase(
    api: RawClient, emulator: BotApiEmulator
) -> None:
    bob = emulator.add_user("Bob")
    for text in ("one", "two", "three"):
        await bob.send_text(text)

    first = await api.ok("getUpdates", limit=2)
    ids = [update["update_id"] for update in first]
    rest = await api.ok("getUpdates", offset=ids[-1] + 1)

    assert ids[1] == ids[0] + 1
    assert [update["message"]["text"] for update in rest] == ["three"]
    assert emulator.pending_updates == 1
    await api.ok("getUpdates", offset=rest[0]["update_id"] + 1, timeout=0)
    assert emulator.pending_updates == 0


async def test_limit_must_be_between_1_and_100(api: RawClient) -> None:
    status, body = await api.call("getUpdates", limit=101)

    assert (status, body["description"]) == (400, "Bad Request: limit must be between 1 and 100")


async def test_allowed_updates_filters_types(api: RawClient, alice: EmulatedUser) -> None:
    await api.ok("getUpdates", offset=-1, allowed_updates=["callback_query"], timeout=0)
    await api.ok(
        "sendMessage",
        chat_id=alice.id,
        text="?",
        reply_markup={"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]},
    )
    await alice.send_text("ignored")
    await alice.press_button("Go")

    updates = await api.ok("getUpdates", timeout=0)

    assert [next(iter(set(update) - {"update_id"})) for update in updates] == ["callback_query"]


async def test_second_long_poll_ends_the_first_with_conflict(
    api: RawClient, emulator: BotApiEmulator
) -> None:
    first = asyncio.create_task(api.call("getUpdates", timeout=30))
    await emulator.wait_until_polling()

    await api.ok("getUpdates", timeout=0)

    status, body = await asyncio.wait_for(first, 2)
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")


class _WebhookReceiver(tornado.web.RequestHandler):
    def initialize(self, received: list, fail_first: list[int]) -> None:
        self.received = received
        self.fail_first = fail_first

    def post(self) -> None:
        if self.fail_first[0] > 0:
            self.fail_first[0] -= 1
            self.set_status(500)
            return
        secret = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        self.received.append((secret, json.loads(self.request.body)))


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[tuple[str, list, list[int]]]:
    received: list = []
    fail_first = [0]
    app = tornado.web.Application(
        [("/hook", _WebhookReceiver, {"received": received, "fail_first": fail_first})]
    )
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/hook"
    yield url, received, fail_first
    server.stop()
    await server.close_all_connections()


async def test_webhook_receives_updates_with_secret_header(
    api: RawClient, emulator: BotApiEmulator, receiver: tuple[str, list, list[int]]
) -> None:
    url, received, _ = receiver
    await api.ok("setWebhook", url=url, secret_token="s3cr3t-Token_1")
    bob = emulator.add_user("Bob")

    await bob.send_text("one")
    await bob.send_text("two")
    await emulator.wait_until_idle()

    assert [secret for secret, _ in received] == ["s3cr3t-Token_1"] * 2
    assert [update["message"]["text"] for _, update in received] == ["one", "two"]
    info = await api.ok("getWebhookInfo")
    assert info["url"] == url
    assert info["pending_update_count"] == 0


async def test_webhook_delivery_is_retried(
    api: RawClient, emulator: BotApiEmulator, receiver: tuple[str, list, list[int]]
) -> None:
    url, received, fail_first = receiver
    fail_first[0] = 2
    await api.ok("setWebhook", url=url)

    await emulator.add_user("Bob").send_text("persistent")
    await emulator.wait_until_idle()

    assert [update["message"]["text"] for _, update in received] == ["persistent"]
    info = await api.ok("getWebhookInfo")
    assert info["last_error_message"].startswith("Wrong response from the webhook: 500")


async def test_get_updates_conflicts_with_a_webhook(
    api: RawClient, receiver: tuple[str, list, list[int]]
) -> None:
    await api.ok("setWebhook", url=receiver[0])

    status, body = await api.call("getUpdates")

    assert status == 409
    assert body["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
        "delete the webhook first"
    )
    await api.ok("deleteWebhook")
    assert await api.ok("getUpdates", timeout=0) == []


async def test_drop_pending_updates(api: RawClient, emulator: BotApiEmulator) -> None:
    await emulator.add_user("Bob").send_text("old")

    await api.ok("deleteWebhook", drop_pending_updates=True)

    assert emulator.pending_updates == 0
