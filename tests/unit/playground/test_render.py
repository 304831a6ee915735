"""Messages on the playground page look as Telegram shows them."""

from __future__ import annotations

from bot.emulator._text import parse_html
from bot.playground.render import message_html


def test_telegram_html_survives_the_round_trip_through_entities():
    source = (
        '<b>Fett <i>und kursiv</i></b> 🙂 <a href="https://example.org">Link</a> &lt;kein Tag&gt;'
    )
    text, entities = parse_html(source)
    html = message_html(text, entities)
    assert html.startswith("<b>Fett <i>und kursiv</i></b> 🙂 ")
    assert '<a href="https://example.org" target="_blank" rel="noopener">Link</a>' in html
    assert "&lt;kein Tag&gt;" in html


def test_offsets_count_utf16_code_units_after_emoji():
    text = "🆘🆘 Notruf"
    html = message_html(text, [{"type": "bold", "offset": 5, "length": 6}])
    assert html == "🆘🆘 <b>Notruf</b>"


def test_phone_numbers_and_commands_can_be_tapped():
    text = "Rufen Sie 0800 116 016 an oder senden Sie /start"
    html = message_html(text, [{"type": "bot_command", "offset": 42, "length": 6}])
    assert '<a class="phone" href="tel:0800116016">0800 116 016</a>' in html
    assert '<a class="command" data-command="/start">/start</a>' in html
