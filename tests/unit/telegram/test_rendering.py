"""Messages as Telegram accepts them: long relayed texts split, never refused."""

from __future__ import annotations

import html as htmllib

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.telegram_html import visible_length
from bot.i18n.bidi import rtl_message
from bot.telegram.rendering import MAX_TEXT, split_message


@settings(max_examples=100, deadline=None)
@given(
    body=st.text(min_size=1, max_size=9000)
    | st.integers(1, 9000).map(lambda n: ("ab<&> " * n)[:n]),
    rtl=st.booleans(),
)
def test_a_long_relayed_text_is_split_into_messages_telegram_accepts(body, rtl):
    head = "👤 <b>#K7QF</b>"
    messages = split_message(head, body, render=rtl_message if rtl else str)
    assert messages[0].startswith(rtl_message(head)[:3] if rtl else head)
    assert all(visible_length(m) <= MAX_TEXT for m in messages)
    if not rtl:
        messages[0] = messages[0].removeprefix(head + "\n")
        text = "".join(htmllib.unescape(m) for m in messages)
        assert text.replace(" ", "") == body.replace(" ", "")
