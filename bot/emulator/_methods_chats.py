"""Methods about chats: information, members, forum topics, menu button."""

from __future__ import annotations

from typing import Any

from bot.emulator._errors import ApiError
from bot.emulator._records import ADMIN_RIGHTS, ChatState, GroupRecord, TopicRecord
from bot.emulator._registry import MethodCall, api_method

__all__ = ["TOPIC_ICON_COLORS", "chat_member"]

TOPIC_ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
"""The only icon colours Telegram accepts for forum topics."""
_ACCEPTED_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


def chat_member(user: dict[str, Any], status: str) -> dict[str, Any]:
    """Return the ``ChatMember`` object for a user with a status."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "administrator":
        member.update(ADMIN_RIGHTS)
    elif status == "creator":
        member["is_anonymous"] = False
    elif status == "kicked":
        member["until_date"] = 0
    return member


def _known_chat(call: MethodCall) -> dict[str, Any]:
    """The chat for read-only methods, which work even where sending would be forbidden."""
    chat_id = call.params["chat_id"]
    chat_id = int(chat_id) if str(chat_id).lstrip("-").isdigit() else chat_id
    person = call.store.people.get(chat_id) if isinstance(chat_id, int) else None
    if person is not None and call.bot.id in person.started_bots:
        return person.as_private_chat()
    return call.store.chat_state(call.bot, chat_id).chat


def _user(call: MethodCall, user_id: int) -> dict[str, Any]:
    if user_id == call.bot.id:
        return call.bot.user
    person = call.store.people.get(user_id)
    if person is None:
        raise ApiError.bad_request("user not found")
    return person.as_user()


def _group(call: MethodCall) -> GroupRecord | None:
    return call.store.groups.get(_known_chat(call)["id"])


@api_method("getChat")
async def get_chat(call: MethodCall) -> dict[str, Any]:
    """Return ChatFullInfo for a chat the bot can see."""
    chat = _known_chat(call)
    return {
        **chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": _ACCEPTED_GIFTS,
    }


@api_method("getChatMember")
async def get_chat_member(call: MethodCall) -> dict[str, Any]:
    """Return a user's membership in a chat."""
    user_id = call.params["user_id"]
    user = _user(call, user_id)
    group = _group(call)
    if group is None:
        chat_id = _known_chat(call)["id"]
        return chat_member(user, "member" if user_id in (chat_id, call.bot.id) else "left")
    return chat_member(user, group.members.get(user_id, "left"))


@api_method("getChatAdministrators")
async def get_chat_administrators(call: MethodCall) -> list[dict[str, Any]]:
    """Return the owner and administrators of a group (the bot included)."""
    group = _group(call)
    if group is None:
        raise ApiError.bad_request("there are no administrators in the private chat")
    return [
        chat_member(_user(call, user_id), status)
        for user_id, status in group.members.items()
        if status in ("creator", "administrator")
    ]


@api_method("getChatMemberCount")
async def get_chat_member_count(call: MethodCall) -> int:
    """Return how many members a chat has."""
    group = _group(call)
    if group is None:
        return 2
    return sum(
        status in ("creator", "administrator", "member") for status in group.members.values()
    )


@api_method("banChatMember", "unbanChatMember")
async def ban_chat_member(call: MethodCall) -> bool:
    """Remove a user from a group (ban) or allow them back (unban)."""
    group = _group(call)
    if group is None:
        raise ApiError.bad_request("can't remove chat owner or members of a private chat")
    user_id = call.params["user_id"]
    _user(call, user_id)
    if call.method == "banChatMember":
        group.members[user_id] = "kicked"
    elif group.members.get(user_id) == "kicked":
        group.members[user_id] = "left"
    return True


@api_method("leaveChat")
async def leave_chat(call: MethodCall) -> bool:
    """The bot leaves a group: it gets no more updates from it and can no longer write there."""
    group = _group(call)
    if group is None:
        raise ApiError.bad_request("chat member status can't be changed in private chats")
    group.members[call.bot.id] = "left"
    return True


@api_method("setChatMenuButton")
async def set_chat_menu_button(call: MethodCall) -> bool:
    """Remember the menu button (per chat, or the default one)."""
    key = f"menu_button:{call.get('chat_id', 'default')}"
    call.bot.settings[key] = call.get("menu_button") or {"type": "default"}
    return True


@api_method("getChatMenuButton")
async def get_chat_menu_button(call: MethodCall) -> dict[str, Any]:
    """Return the menu button set for a chat, or the default one."""
    settings = call.bot.settings
    chat_key = f"menu_button:{call.get('chat_id', 'default')}"
    return settings.get(chat_key) or settings.get("menu_button:default") or {"type": "commands"}


def _forum(call: MethodCall) -> ChatState:
    state = call.chat()
    if not state.chat.get("is_forum"):
        raise ApiError.bad_request("the chat is not a forum")
    group = call.store.groups[state.id]
    if group.members.get(call.bot.id) != "administrator":
        raise ApiError.bad_request("not enough rights to manage topics in the chat")
    return state


def _topic(call: MethodCall, state: ChatState) -> TopicRecord:
    topic = state.topics.get(call.params["message_thread_id"])
    if topic is None:
        raise ApiError.bad_request("TOPIC_ID_INVALID")
    return topic


def _service(call: MethodCall, state: ChatState, topic: TopicRecord, content: dict) -> None:
    call.store.add_message(
        state, sender=call.bot.user, from_bot=True, content=content, thread_id=topic.thread_id
    )


def _check_name(name: str) -> None:
    if not 1 <= len(name) <= 128:
        raise ApiError.bad_request("TOPIC_NAME_INVALID")


@api_method("createForumTopic")
async def create_forum_topic(call: MethodCall) -> dict[str, Any]:
    """Open a topic; its id is the id of its "topic created" service message."""
    state = _forum(call)
    name = call.params["name"]
    _check_name(name)
    color = call.get("icon_color", TOPIC_ICON_COLORS[0])
    if color not in TOPIC_ICON_COLORS:
        raise ApiError.bad_request("TOPIC_ICON_COLOR_INVALID")
    topic = TopicRecord(
        thread_id=state.next_message_id,
        name=name,
        icon_color=color,
        icon_custom_emoji_id=call.get("icon_custom_emoji_id"),
    )
    state.topics[topic.thread_id] = topic
    _service(call, state, topic, {"forum_topic_created": {"name": name, "icon_color": color}})
    return topic.as_forum_topic()


@api_method("editForumTopic")
async def edit_forum_topic(call: MethodCall) -> bool:
    """Rename a topic or change its icon."""
    state = _forum(call)
    topic = _topic(call, state)
    edited: dict[str, Any] = {}
    if call.get("name") is not None:
        _check_name(call.params["name"])
        topic.name = edited["name"] = call.params["name"]
    if call.get("icon_custom_emoji_id") is not None:
        topic.icon_custom_emoji_id = edited["icon_custom_emoji_id"] = call.params[
            "icon_custom_emoji_id"
        ]
    if not edited:
        raise ApiError.bad_request("TOPIC_NOT_MODIFIED")
    _service(call, state, topic, {"forum_topic_edited": edited})
    return True


@api_method("closeForumTopic", "reopenForumTopic")
async def close_forum_topic(call: MethodCall) -> bool:
    """Close a topic (only admins may still write) or reopen it."""
    state = _forum(call)
    topic = _topic(call, state)
    closing = call.method == "closeForumTopic"
    if topic.closed == closing:
        raise ApiError.bad_request("TOPIC_NOT_MODIFIED")
    topic.closed = closing
    _service(call, state, topic, {"forum_topic_closed" if closing else "forum_topic_reopened": {}})
    return True


@api_method("deleteForumTopic")
async def delete_forum_topic(call: MethodCall) -> bool:
    """Delete a topic with all its messages."""
    state = _forum(call)
    topic = _topic(call, state)
    del state.topics[topic.thread_id]
    for message_id in [m for m, r in state.messages.items() if r.thread_id == topic.thread_id]:
        del state.messages[message_id]
    call.store.next_seq()
    call.store.changed.notify()
    return True
