"""Groups, forum topics and chat members."""

from __future__ import annotations

import pytest

from bot.emulator import BotApiEmulator, EmulatedGroup, EmulatedUser
from tests.unit.emulator.conftest import RawClient

pytestmark = pytest.mark.asyncio


@pytest.fixture
def counsellor(emulator: BotApiEmulator) -> EmulatedUser:
    return emulator.add_user("Mira", language_code="de")


@pytest.fixture
def team(emulator: BotApiEmulator, token: str, counsellor: EmulatedUser) -> EmulatedGroup:
    return emulator.add_group("Team Dortmund", forum=True, admins=[counsellor])


async def test_forum_is_a_supergroup(api: RawClient, team: EmulatedGroup) -> None:
    chat = await api.ok("getChat", chat_id=team.id)

    assert str(team.id).startswith("-100")
    assert (chat["type"], chat["title"], chat["is_forum"]) == ("supergroup", "Team Dortmund", True)


async def test_topic_life_cycle(api: RawClient, team: EmulatedGroup) -> None:
    topic = await api.ok("createForumTopic", chat_id=team.id, name="Anfrage #17")
    thread = topic["message_thread_id"]

    sent = await api.ok("sendMessage", chat_id=team.id, message_thread_id=thread, text="Neu")
    await api.ok("editForumTopic", chat_id=team.id, message_thread_id=thread, name="Anfrage 17")
    await api.ok("closeForumTopic", chat_id=team.id, message_thread_id=thread)
    status, body = await api.call("closeForumTopic", chat_id=team.id, message_thread_id=thread)
    await api.ok("reopenForumTopic", chat_id=team.id, message_thread_id=thread)

    assert (status, body["description"]) == (400, "Bad Request: TOPIC_NOT_MODIFIED")
    assert sent["message_thread_id"] == thread and sent["is_topic_message"] is True
    assert team.topic("Anfrage 17").thread_id == thread
    assert [m.kind for m in team.messages(thread_id=thread)] == [
        "forum_topic_created",
        "text",
        "forum_topic_edited",
        "forum_topic_closed",
        "forum_topic_reopened",
    ]
    await api.ok("deleteForumTopic", chat_id=team.id, message_thread_id=thread)
    assert team.topics() == {} and team.messages(thread_id=thread) == []


async def test_messages_in_a_topic_reply_to_its_first_message(
    api: RawClient, team: EmulatedGroup, counsellor: EmulatedUser
) -> None:
    thread = (await api.ok("createForumTopic", chat_id=team.id, name="Fall"))["message_thread_id"]
    bot_message = await api.ok("sendMessage", chat_id=team.id, message_thread_id=thread, text="?")

    answer = await counsellor.send_text("Ich übernehme", chat=team, thread_id=thread)
    direct = await counsellor.send_text(
        "Antwort", chat=team, thread_id=thread, reply_to=bot_message["message_id"]
    )

    # Telegram's quirk: a message in a topic that replies to nothing replies to the topic.
    assert answer.reply_to_message_id == thread
    assert direct.reply_to_message_id == bot_message["message_id"]
    updates = await api.ok("getUpdates", timeout=0)
    assert updates[-1]["message"]["message_thread_id"] == thread


async def test_group_member_messages_reach_the_bot(
    api: RawClient, team: EmulatedGroup, counsellor: EmulatedUser
) -> None:
    await counsellor.send_text("Hallo Bot", chat=team)

    update = (await api.ok("getUpdates", timeout=0))[-1]
    assert update["message"]["chat"]["id"] == team.id
    assert update["message"]["from"]["id"] == counsellor.id


async def test_sending_to_a_missing_topic(api: RawClient, team: EmulatedGroup) -> None:
    status, body = await api.call("sendMessage", chat_id=team.id, message_thread_id=77, text="x")

    assert (status, body["description"]) == (400, "Bad Request: message thread not found")


async def test_topics_need_a_forum(api: RawClient, emulator: BotApiEmulator) -> None:
    plain = emulator.add_group("Plain")

    status, body = await api.call("createForumTopic", chat_id=plain.id, name="x")

    assert (status, body["description"]) == (400, "Bad Request: the chat is not a forum")


async def test_topic_name_and_colour_rules(api: RawClient, team: EmulatedGroup) -> None:
    long_name = await api.call("createForumTopic", chat_id=team.id, name="x" * 129)
    bad_colour = await api.call("createForumTopic", chat_id=team.id, name="x", icon_color=1)

    assert long_name[1]["description"] == "Bad Request: TOPIC_NAME_INVALID"
    assert bad_colour[1]["description"] == "Bad Request: TOPIC_ICON_COLOR_INVALID"


async def test_members_and_administrators(
    api: RawClient, emulator: BotApiEmulator, team: EmulatedGroup, counsellor: EmulatedUser
) -> None:
    guest = emulator.add_user("Guest")
    team.add_member(guest)

    admins = await api.ok("getChatAdministrators", chat_id=team.id)
    member = await api.ok("getChatMember", chat_id=team.id, user_id=guest.id)
    await api.ok("banChatMember", chat_id=team.id, user_id=guest.id)
    banned = await api.ok("getChatMember", chat_id=team.id, user_id=guest.id)

    assert sorted(a["status"] for a in admins) == ["administrator", "creator"]
    assert member["status"] == "member"
    assert banned["status"] == "kicked"


async def test_bot_may_delete_members_messages_as_admin(
    api: RawClient, team: EmulatedGroup, counsellor: EmulatedUser
) -> None:
    message = await counsellor.send_text("oops", chat=team)

    assert await api.ok("deleteMessage", chat_id=team.id, message_id=message.message_id)


async def test_group_wait_for_bot_message(api: RawClient, team: EmulatedGroup) -> None:
    thread = (await api.ok("createForumTopic", chat_id=team.id, name="Fall"))["message_thread_id"]
    await api.ok("sendMessage", chat_id=team.id, message_thread_id=thread, text="Neue Anfrage")

    message = await team.wait_for_bot_message(lambda m: m.kind == "text", thread_id=thread)

    assert message.text == "Neue Anfrage"


async def test_someone_adds_the_bot_uninvited_and_it_leaves(
    api: RawClient, emulator: BotApiEmulator, counsellor: EmulatedUser
) -> None:
    group = emulator.add_group("Fremde Gruppe", members=[counsellor], with_bot=False)
    await group.add_bot(by=counsellor)

    change, service = await api.ok("getUpdates", timeout=0)
    assert change["my_chat_member"]["new_chat_member"]["status"] == "member"
    assert change["my_chat_member"]["from"]["id"] == counsellor.id
    assert service["message"]["new_chat_members"][0]["id"] == emulator.bot_user["id"]
    assert await api.ok("leaveChat", chat_id=group.id) is True
    assert group.bot_status == "left"
    await counsellor.send_text("Hallo?", chat=group)
    offset = service["update_id"] + 1
    assert await api.ok("getUpdates", offset=offset, timeout=0) == []
    status, _answer = await api.call("sendMessage", chat_id=group.id, text="x")
    assert status == 400


async def test_raw_updates_keep_their_id_and_type(api: RawClient, emulator: BotApiEmulator) -> None:
    emulator.push_update({"update_id": 5, "channel_post": {"message_id": 1}})
    emulator.push_update({"update_id": 5, "channel_post": {"message_id": 1}})

    updates = await api.ok("getUpdates", timeout=0)
    assert [u["update_id"] for u in updates] == [5, 5]
