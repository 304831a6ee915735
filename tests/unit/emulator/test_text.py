"""HTML parse mode: Telegram's tags, entities in UTF-16 offsets, Telegram's parse errors."""

from __future__ import annotations

import pytest

from bot.emulator import ApiError, EmulatedUser
from bot.emulator._text import detect_entities, entity_text, parse_html
from tests.unit.emulator.conftest import RawClient


def test_bold_italic_and_link_become_entities() -> None:
    text, entities = parse_html(
        '<b>Hilfe</b> und <i>Rat</i>: <a href="https://x.de/a?b=1&amp;c=2">hier</a>'
    )

    assert text == "Hilfe und Rat: hier"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 5},
        {"type": "italic", "offset": 10, "length": 3},
        {"type": "text_link", "offset": 15, "length": 4, "url": "https://x.de/a?b=1&c=2"},
    ]


def test_offsets_count_utf16_code_units() -> None:
    text, entities = parse_html("🆘 <b>مساعدة</b>")

    assert entities == [{"type": "bold", "offset": 3, "length": 6}]
    assert entity_text(text, entities[0]) == "مساعدة"


def test_character_references_are_decoded() -> None:
    text, _ = parse_html("a &lt; b &amp;&amp; c &gt; d &quot;q&quot; &#8364; &#x20AC;")

    assert text == 'a < b && c > d "q" € €'


def test_lone_ampersand_is_kept() -> None:
    assert parse_html("Tom & Jerry")[0] == "Tom & Jerry"


def test_all_allowed_tags() -> None:
    source = (
        "<strong>a</strong><em>b</em><u>c</u><ins>d</ins><s>e</s><strike>f</strike><del>g</del>"
        '<span class="tg-spoiler">h</span><tg-spoiler>i</tg-spoiler><code>j</code>'
        '<tg-emoji emoji-id="5368324170671202286">k</tg-emoji>'
        '<pre><code class="language-python">l</code></pre><blockquote>m</blockquote>'
        "<blockquote expandable>n</blockquote>"
    )

    text, entities = parse_html(source)

    assert text == "abcdefghijklmn"
    assert [entity["type"] for entity in entities] == [
        "bold",
        "italic",
        "underline",
        "underline",
        "strikethrough",
        "strikethrough",
        "strikethrough",
        "spoiler",
        "spoiler",
        "code",
        "custom_emoji",
        "pre",
        "blockquote",
        "expandable_blockquote",
    ]
    assert entities[11]["language"] == "python"


def test_nested_tags_are_allowed() -> None:
    _, entities = parse_html("<b>bold <i>both</i></b>")

    assert entities == [
        {"type": "bold", "offset": 0, "length": 9},
        {"type": "italic", "offset": 5, "length": 4},
    ]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("write to <kahn@inbox.ru>", 'Unsupported start tag "kahn@inbox.ru" at byte offset 9'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("a <b", "Unclosed start tag at byte offset 2"),
        ('<span class="red">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("a&nbsp;b", 'Unsupported HTML entity "&nbsp;" at byte offset 1'),
        ("ä <p>", 'Unsupported start tag "p" at byte offset 3'),
    ],
)
def test_parse_errors_read_like_telegrams(source: str, reason: str) -> None:
    with pytest.raises(ApiError) as raised:
        parse_html(source)

    assert raised.value.status == 400
    assert raised.value.description.startswith(f"Bad Request: can't parse entities: {reason}")


def test_detected_entities_skip_code_and_links() -> None:
    text = "Try /start or mail help@lotse.de, see https://lotse.de. @lotse_team"
    found = detect_entities(text, [])

    assert {entity_text(text, entity): entity["type"] for entity in found} == {
        "/start": "bot_command",
        "help@lotse.de": "email",
        "https://lotse.de": "url",
        "@lotse_team": "mention",
    }
    code = [{"type": "code", "offset": 4, "length": 6}]
    assert [entity["type"] for entity in detect_entities(text, code)].count("bot_command") == 0


@pytest.mark.asyncio
async def test_sent_message_shows_plain_text_with_entities(
    api: RawClient, alice: EmulatedUser
) -> None:
    await api.ok(
        "sendMessage",
        chat_id=alice.id,
        text="  <b>Beratung</b> in <i>Dortmund</i>\n",
        parse_mode="HTML",
    )

    message = alice.last_bot_message()
    assert message is not None
    assert message.text == "Beratung in Dortmund"
    assert message.entity_texts("bold") == ["Beratung"]
    assert message.entity_texts("italic") == ["Dortmund"]


@pytest.mark.asyncio
async def test_bad_html_is_rejected_by_send_message(api: RawClient, alice: EmulatedUser) -> None:
    status, body = await api.call("sendMessage", chat_id=alice.id, text="1 < 2", parse_mode="HTML")

    assert status == 400
    assert body["description"].startswith("Bad Request: can't parse entities: ")


@pytest.mark.asyncio
async def test_markdown_passes_through(api: RawClient, alice: EmulatedUser) -> None:
    result = await api.ok("sendMessage", chat_id=alice.id, text="*bold*", parse_mode="Markdown")

    assert result["text"] == "*bold*"
