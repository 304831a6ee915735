"""The metrics count updates by kind: the kind an update carries, never its content."""

from __future__ import annotations

import pytest
from telegram import Update

from bot.telegram.webhook import update_kind

PERSON = {"id": 7, "is_bot": False, "first_name": "Amal"}
CHAT = {"id": 7, "type": "private"}


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ({"message": {"message_id": 1, "date": 0, "chat": CHAT, "text": "Hilfe"}}, "message"),
        (
            {"callback_query": {"id": "1", "from": PERSON, "chat_instance": "c", "data": "p"}},
            "callback_query",
        ),
        ({"my_chat_member_of_the_future": {"x": 1}}, "my_chat_member_of_the_future"),
        ({}, "unknown"),
    ],
)
def test_update_kind(payload: dict, kind: str) -> None:
    assert update_kind(Update.de_json({"update_id": 1, **payload}, None)) == kind
