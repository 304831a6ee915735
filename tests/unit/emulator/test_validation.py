"""Requests are read and rejected as Telegram reads and rejects them."""

from __future__ import annotations

import pytest

from bot.emulator import BotApiEmulator, EmulatedUser
from tests.unit.emulator.conftest import RawClient

pytestmark = pytest.mark.asyncio


async def test_get_me_answers_in_telegrams_envelope(api: RawClient) -> None:
    status, body = await api.call("getMe")

    assert status == 200
    assert body["ok"] is True
    assert body["result"]["is_bot"] is True
    assert body["result"]["id"] == int(api.token.split(":")[0])


async def test_token_has_telegrams_shape(token: str) -> None:
    bot_id, secret = token.split(":")

    assert bot_id.isdigit()
    assert len(secret) == 35
    assert secret.startswith("AA")


async def test_unknown_token_is_unauthorized(api: RawClient) -> None:
    response = await api._client.post(api.url("getMe", token="123456789:" + "A" * 35))

    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_malformed_token_is_not_found(api: RawClient) -> None:
    response = await api._client.post(api.url("getMe", token="nonsense"))

    assert response.status_code == 404
    assert response.json()["description"] == "Not Found"


async def test_unknown_method_is_not_found(api: RawClient) -> None:
    status, body = await api.call("sendTelepathy", chat_id=1)

    assert (status, body["description"]) == (404, "Not Found")


async def test_method_names_are_case_insensitive(api: RawClient) -> None:
    status, body = await api.call("GETME")

    assert status == 200 and body["ok"]


async def test_documented_but_unimplemented_method_is_visible(api: RawClient) -> None:
    status, body = await api.call("sendDice", chat_id=1)

    assert status == 400
    assert body["description"] == "Bad Request: method not supported by the emulator: sendDice"


async def test_missing_required_parameter_is_named(api: RawClient) -> None:
    status, body = await api.call("sendMessage", text="hi")

    assert status == 400
    assert body["description"] == 'Bad Request: parameter "chat_id" is required'


async def test_unknown_parameter_is_rejected(api: RawClient, alice: EmulatedUser) -> None:
    status, body = await api.call("sendMessage", chat_id=alice.id, text="hi", colour="red")

    assert status == 400
    assert 'unknown parameter "colour"' in body["description"]


async def test_parameter_of_wrong_type_is_rejected(api: RawClient) -> None:
    status, body = await api.call("sendMessage", chat_id=[1], text="hi")

    assert status == 400
    assert body["description"] == (
        'Bad Request: parameter "chat_id": must be of type Integer or String'
    )


async def test_form_fields_are_read_like_ptb_sends_them(
    api: RawClient, alice: EmulatedUser
) -> None:
    markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}
    status, body = await api.form(
        "sendMessage",
        chat_id=alice.id,
        text="Continue?",
        disable_notification=True,
        reply_markup=markup,
    )

    assert status == 200, body
    assert body["result"]["reply_markup"] == markup


async def test_query_string_parameters_work(api: RawClient, alice: EmulatedUser) -> None:
    response = await api._client.get(
        api.url("sendMessage"), params={"chat_id": alice.id, "text": "via query"}
    )

    assert response.json()["result"]["text"] == "via query"


async def test_nested_object_errors_point_at_the_field(api: RawClient, alice: EmulatedUser) -> None:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": 5}]]}
    status, body = await api.call("sendMessage", chat_id=alice.id, text="x", reply_markup=markup)

    assert status == 400
    assert ".inline_keyboard[0][0].callback_data" in body["description"]


async def test_unparsable_json_in_a_form_field_is_rejected(
    api: RawClient, alice: EmulatedUser
) -> None:
    status, body = await api.form(
        "sendMessage", chat_id=alice.id, text="x", reply_markup="{not json"
    )

    assert status == 400
    assert "can't parse JSON" in body["description"]


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("", "Bad Request: message text is empty"),
        ("   \n ", "Bad Request: message text is empty"),
        ("x" * 4097, "Bad Request: message is too long"),
    ],
)
async def test_text_limits(
    api: RawClient, alice: EmulatedUser, text: str, description: str
) -> None:
    status, body = await api.call("sendMessage", chat_id=alice.id, text=text)

    assert (status, body["description"]) == (400, description)


async def test_text_limit_counts_after_entity_parsing(api: RawClient, alice: EmulatedUser) -> None:
    text = "<b>" + "x" * 4096 + "</b>"

    result = await api.ok("sendMessage", chat_id=alice.id, text=text, parse_mode="HTML")

    assert len(result["text"]) == 4096


async def test_caption_limit(api: RawClient, alice: EmulatedUser) -> None:
    files = {"photo": ("p.jpg", b"\xff\xd8jpeg", "image/jpeg")}
    status, body = await api.form("sendPhoto", files=files, chat_id=alice.id, caption="c" * 1025)

    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")


@pytest.mark.parametrize(
    ("button", "description"),
    [
        ({"text": "A", "callback_data": "x" * 65}, "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "A", "callback_data": "ü" * 33}, "Bad Request: BUTTON_DATA_INVALID"),
        (
            {"text": "A"},
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in "
            "the inline keyboard",
        ),
        (
            {"text": "", "callback_data": "a"},
            "Bad Request: can't parse inline keyboard button: text must be non-empty",
        ),
        ({"text": "A", "url": "not a url"}, "Bad Request: BUTTON_URL_INVALID"),
    ],
)
async def test_inline_button_rules(
    api: RawClient, alice: EmulatedUser, button: dict, description: str
) -> None:
    markup = {"inline_keyboard": [[button]]}

    status, body = await api.call("sendMessage", chat_id=alice.id, text="x", reply_markup=markup)

    assert (status, body["description"]) == (400, description)


async def test_callback_data_of_64_bytes_is_fine(api: RawClient, alice: EmulatedUser) -> None:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "x" * 64}]]}

    await api.ok("sendMessage", chat_id=alice.id, text="x", reply_markup=markup)


async def test_unknown_chat_is_not_found(api: RawClient) -> None:
    status, body = await api.call("sendMessage", chat_id=999, text="hi")

    assert (status, body["description"]) == (400, "Bad Request: chat not found")


async def test_bot_cannot_write_first(api: RawClient, emulator: BotApiEmulator) -> None:
    bob = emulator.add_user("Bob")

    status, body = await api.call("sendMessage", chat_id=bob.id, text="hi")

    assert (status, body["description"]) == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )


async def test_a_person_seeded_as_having_started_the_bot_can_be_written_to(
    api: RawClient, emulator: BotApiEmulator
) -> None:
    bob = emulator.add_user("Bob")
    bob.mark_started()  # as people already in a bot's database (benchmarks, seeded tests)

    await api.ok("sendMessage", chat_id=bob.id, text="hi")

    assert [m.text for m in bob.bot_messages()] == ["hi"]


async def test_every_request_is_logged(api: RawClient, emulator: BotApiEmulator) -> None:
    await api.call("getMe")
    await api.call("sendMessage", chat_id=999, text="hi")

    assert [request.method for request in emulator.requests] == ["getMe", "sendMessage"]
    assert [request.description for request in emulator.rejected_requests()] == [
        "Bad Request: chat not found"
    ]
