"""Sending, editing, deleting, copying and forwarding messages; files and keyboards."""

from __future__ import annotations

import pytest

from bot.emulator import BotApiEmulator, EmulatedUser
from tests.unit.emulator.conftest import FakeClock, RawClient

pytestmark = pytest.mark.asyncio

KEYBOARD = {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


async def test_sent_message_has_ids_dates_and_the_bot_as_sender(
    api: RawClient, emulator: BotApiEmulator, alice: EmulatedUser, clock: FakeClock
) -> None:
    first = await api.ok("sendMessage", chat_id=alice.id, text="eins")
    second = await api.ok("sendMessage", chat_id=alice.id, text="zwei")

    assert second["message_id"] == first["message_id"] + 1
    assert first["date"] == int(clock.now.timestamp())
    assert first["from"] == emulator.bot_user
    assert [m.text for m in alice.messages()] == ["/start", "eins", "zwei"]


async def test_edit_text_sets_edit_date_and_keeps_given_keyboard(
    api: RawClient, alice: EmulatedUser
) -> None:
    sent = await api.ok("sendMessage", chat_id=alice.id, text="alt", reply_markup=KEYBOARD)

    edited = await api.ok(
        "editMessageText",
        chat_id=alice.id,
        message_id=sent["message_id"],
        text="<b>neu</b>",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )

    assert edited["text"] == "neu"
    assert "edit_date" in edited
    message = alice.last_bot_message()
    assert message is not None
    assert message.edited and message.buttons == ["Ja"]
    assert message.entity_texts("bold") == ["neu"]


async def test_edit_without_reply_markup_removes_the_keyboard(
    api: RawClient, alice: EmulatedUser
) -> None:
    sent = await api.ok("sendMessage", chat_id=alice.id, text="alt", reply_markup=KEYBOARD)

    await api.ok("editMessageText", chat_id=alice.id, message_id=sent["message_id"], text="neu")

    message = alice.last_bot_message()
    assert message is not None and message.buttons == []


async def test_edit_with_same_content_is_not_modified(api: RawClient, alice: EmulatedUser) -> None:
    sent = await api.ok("sendMessage", chat_id=alice.id, text="same", reply_markup=KEYBOARD)

    status, body = await api.call(
        "editMessageText",
        chat_id=alice.id,
        message_id=sent["message_id"],
        text="same",
        reply_markup=KEYBOARD,
    )

    assert (status, body["description"]) == (400, NOT_MODIFIED)


async def test_edit_errors(api: RawClient, alice: EmulatedUser) -> None:
    users_message = alice.messages()[0].message_id

    missing = await api.call("editMessageText", chat_id=alice.id, message_id=999, text="x")
    foreign = await api.call(
        "editMessageText", chat_id=alice.id, message_id=users_message, text="x"
    )

    assert missing[1]["description"] == "Bad Request: message to edit not found"
    assert foreign[1]["description"] == "Bad Request: message can't be edited"


async def test_edit_reply_markup_and_caption(api: RawClient, alice: EmulatedUser) -> None:
    files = {"document": ("info.pdf", b"%PDF-1.4", "application/pdf")}
    status, body = await api.form("sendDocument", files=files, chat_id=alice.id, caption="alt")
    assert status == 200, body
    message_id = body["result"]["message_id"]

    await api.ok(
        "editMessageReplyMarkup", chat_id=alice.id, message_id=message_id, reply_markup=KEYBOARD
    )
    await api.ok(
        "editMessageCaption",
        chat_id=alice.id,
        message_id=message_id,
        caption="neu",
        reply_markup=KEYBOARD,
    )

    message = alice.last_bot_message()
    assert message is not None
    assert (message.kind, message.text, message.buttons) == ("document", "neu", ["Ja"])


async def test_delete_message(api: RawClient, alice: EmulatedUser) -> None:
    sent = await api.ok("sendMessage", chat_id=alice.id, text="weg")

    assert await api.ok("deleteMessage", chat_id=alice.id, message_id=sent["message_id"])
    status, body = await api.call("deleteMessage", chat_id=alice.id, message_id=sent["message_id"])

    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")
    assert [m.text for m in alice.messages()] == ["/start"]


async def test_messages_older_than_48_hours_cannot_be_deleted(
    api: RawClient, alice: EmulatedUser, clock: FakeClock
) -> None:
    old = await api.ok("sendMessage", chat_id=alice.id, text="alt")
    clock.advance(hours=47)
    recent = await api.ok("sendMessage", chat_id=alice.id, text="neu")
    clock.advance(hours=2)

    status, body = await api.call("deleteMessage", chat_id=alice.id, message_id=old["message_id"])
    assert (status, body["description"]) == (
        400,
        "Bad Request: message can't be deleted for everyone",
    )

    ids = [m.message_id for m in alice.messages()]
    assert await api.ok("deleteMessages", chat_id=alice.id, message_ids=ids)
    assert [m.text for m in alice.messages()] == ["/start", "alt"]
    assert recent["message_id"] not in [m.message_id for m in alice.messages()]


async def test_delete_messages_takes_1_to_100_ids(api: RawClient, alice: EmulatedUser) -> None:
    status, body = await api.call("deleteMessages", chat_id=alice.id, message_ids=[])

    assert status == 400
    assert "1-100" in body["description"]


async def test_upload_get_file_and_download(
    api: RawClient, emulator: BotApiEmulator, alice: EmulatedUser
) -> None:
    files = {"voice": ("note.ogg", b"OggS voice bytes", "audio/ogg")}
    status, body = await api.form("sendVoice", files=files, chat_id=alice.id, duration=4)
    assert status == 200, body
    voice = body["result"]["voice"]

    described = await api.ok("getFile", file_id=voice["file_id"])
    response = await api._client.get(
        f"{emulator.base_file_url}{api.token}/{described['file_path']}"
    )

    assert voice["duration"] == 4
    assert described["file_size"] == len(b"OggS voice bytes")
    assert response.content == b"OggS voice bytes"


async def test_unknown_file_id_is_rejected(api: RawClient, alice: EmulatedUser) -> None:
    status, body = await api.call("sendPhoto", chat_id=alice.id, photo="no-such-file")

    assert (status, body["description"]) == (
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )


async def test_copy_message_keeps_the_media(
    api: RawClient, emulator: BotApiEmulator, alice: EmulatedUser
) -> None:
    voice = await alice.send_voice(duration=7)
    team = emulator.add_group("Team Dortmund", members=[alice])

    copied = await api.ok(
        "copyMessage", chat_id=team.id, from_chat_id=alice.id, message_id=voice.message_id
    )

    message = team.last_bot_message()
    assert message is not None
    assert message.message_id == copied["message_id"]
    assert (message.kind, message.file_id) == ("voice", voice.file_id)
    assert "forward_origin" not in message.raw


async def test_copy_photo_with_new_caption_and_forward(api: RawClient, alice: EmulatedUser) -> None:
    photo = await alice.send_photo(caption="original")

    await api.ok(
        "copyMessage",
        chat_id=alice.id,
        from_chat_id=alice.id,
        message_id=photo.message_id,
        caption="<i>kopiert</i>",
        parse_mode="HTML",
    )
    forwarded = await api.ok(
        "forwardMessage", chat_id=alice.id, from_chat_id=alice.id, message_id=photo.message_id
    )

    copy, forward = alice.bot_messages()
    assert (copy.kind, copy.file_id, copy.text) == ("photo", photo.file_id, "kopiert")
    assert forward.text == "original"
    assert forwarded["forward_origin"]["sender_user"]["id"] == alice.id


async def test_copy_and_forward_several_messages(api: RawClient, alice: EmulatedUser) -> None:
    one = await alice.send_text("eins")
    two = await alice.send_text("zwei")

    copied = await api.ok(
        "copyMessages",
        chat_id=alice.id,
        from_chat_id=alice.id,
        message_ids=[one.message_id, two.message_id, 999],
    )
    forwarded = await api.ok(
        "forwardMessages", chat_id=alice.id, from_chat_id=alice.id, message_ids=[one.message_id]
    )

    assert len(copied) == 2 and len(forwarded) == 1
    assert [m.text for m in alice.bot_messages()] == ["eins", "zwei", "eins"]


async def test_copy_of_missing_message(api: RawClient, alice: EmulatedUser) -> None:
    status, body = await api.call(
        "copyMessage", chat_id=alice.id, from_chat_id=alice.id, message_id=999
    )

    assert (status, body["description"]) == (400, "Bad Request: message to copy not found")


async def test_media_group(api: RawClient, alice: EmulatedUser) -> None:
    files = {
        "a": ("a.jpg", b"\xff\xd8a", "image/jpeg"),
        "b": ("b.jpg", b"\xff\xd8b", "image/jpeg"),
    }
    media = [
        {"type": "photo", "media": "attach://a", "caption": "Flyer"},
        {"type": "photo", "media": "attach://b"},
    ]

    status, body = await api.form("sendMediaGroup", files=files, chat_id=alice.id, media=media)

    assert status == 200, body
    assert len({message["media_group_id"] for message in body["result"]}) == 1
    assert [m.kind for m in alice.bot_messages()] == ["photo", "photo"]


async def test_location_venue_contact_and_chat_action(api: RawClient, alice: EmulatedUser) -> None:
    await api.ok("sendChatAction", chat_id=alice.id, action="typing")
    await api.ok("sendLocation", chat_id=alice.id, latitude=51.51, longitude=7.46)
    await api.ok(
        "sendVenue",
        chat_id=alice.id,
        latitude=51.51,
        longitude=7.46,
        title="Beratungsstelle",
        address="Hauptstr. 1",
    )
    await api.ok("sendContact", chat_id=alice.id, phone_number="+49231123", first_name="Team")

    assert alice.chat_actions() == ["typing"]
    assert [m.kind for m in alice.bot_messages()] == ["location", "venue", "contact"]
    status, body = await api.call("sendChatAction", chat_id=alice.id, action="dancing")
    assert (status, body["description"]) == (400, "Bad Request: wrong parameter action in request")


async def test_reply_to_missing_message(api: RawClient, alice: EmulatedUser) -> None:
    status, body = await api.call(
        "sendMessage", chat_id=alice.id, text="x", reply_parameters={"message_id": 999}
    )

    assert (status, body["description"]) == (400, "Bad Request: message to be replied not found")


async def test_reply_keyboard_location_button(api: RawClient, alice: EmulatedUser) -> None:
    keyboard = {
        "keyboard": [
            [{"text": "📍 Standort senden", "request_location": True}],
            [{"text": "Hilfe"}],
        ],
        "resize_keyboard": True,
    }
    await api.ok("sendMessage", chat_id=alice.id, text="Wo bist du?", reply_markup=keyboard)

    location = await alice.press_reply_button("📍 Standort senden", location=(51.5, 7.4))
    text = await alice.press_reply_button("Hilfe")

    assert location.raw["location"] == {"latitude": 51.5, "longitude": 7.4}
    assert text.text == "Hilfe"
    await api.ok(
        "sendMessage", chat_id=alice.id, text="Danke", reply_markup={"remove_keyboard": True}
    )
    with pytest.raises(AssertionError, match="no reply button"):
        await alice.press_reply_button("Hilfe")
