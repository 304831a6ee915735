"""Every page of the default menu, in every default language, reached by pressing buttons."""

from __future__ import annotations

import asyncio
import re

import pytest
from telegram.ext import AIORateLimiter

from bot.content.addresses import page_address
from bot.content.models import ActionKind
from bot.content.telegram_html import escape
from tests.helpers.botharness import running_bot

_SENDS_A_FILE = (ActionKind.ATTACHMENT, ActionKind.NUMBERS)
BIDI_MARKS = re.compile("[\u200e\u200f\u2066-\u2069]")


def visible(text):
    """The text without the invisible direction marks added for right-to-left languages."""
    return BIDI_MARKS.sub("", text or "")


@pytest.fixture
async def bot(database):
    """The running bot without the overall 30 calls a second: this test walks about 1,500 pages.

    The limiter would make it take 50 s per database while testing nothing about limits (the
    rate-limit and send-budget tests do that).
    """
    unthrottled = AIORateLimiter(overall_max_rate=0, group_max_rate=0)
    async with running_bot(database, rate_limiter=unthrottled) as harness:
        yield harness


async def _press(person, content, node_id):
    await person.press_button(page_address(content.version, node_id))
    shown = await person.wait_for_bot_message()
    node = content.nodes[node_id]
    if node.action is not None and node.action.kind in _SENDS_A_FILE:
        document = await person.wait_for_bot_message(lambda m: m.kind == "document")
        assert document.file_id
    if node.action is not None and node.action.kind is ActionKind.SERVICES:
        await person.wait_for_bot_message()  # the message with the location button
        assert person.reply_keyboard()[0][0]["request_location"]
    return shown


async def _walk(person, content, language, node_id, path, visited):
    """Visit every child of ``node_id`` (shown now), then come back to it."""
    chain = content.language_chain(language)
    for child in content.nodes[node_id].children:
        node = content.nodes[child]
        if node.action is not None and node.action.kind is ActionKind.LINK:
            continue  # a URL button: opens the browser, no page to show
        shown = await _press(person, content, child)
        visited.add(child)
        if node.action is not None and node.action.kind is ActionKind.LANGUAGE:
            assert content.languages[language].name in shown.buttons
            await person.press_button(content.languages[language].name)
            await person.wait_for_bot_message()
            for step in path:  # back to where we were
                await _press(person, content, step)
            continue
        if node.action is not None and node.action.kind is ActionKind.CONTACT:
            assert "/delete_my_data" in shown.text, (language, child)  # consent comes first
            await person.press_button("k:cancel:")
            back = await person.wait_for_bot_message()
            assert back.buttons
            continue
        heading = node.title.resolve(chain)[0]
        if node.action is None or node.action.kind in _SENDS_A_FILE:
            assert escape(heading) in visible(shown.text) or heading in visible(shown.text), (
                language,
                child,
            )
        assert shown.buttons, (language, child)
        if node.children and child not in path:
            await _walk(person, content, language, child, [*path, child], visited)
        await _press(person, content, node_id)


async def _every_page(bot, content, language):
    person = bot.person(f"Person-{language}", language)
    await person.send_text("/start")
    menu = await person.wait_for_bot_message()
    chain = content.language_chain(language)
    assert content.nodes["violence"].title.resolve(chain)[0] in menu.buttons
    visited: set[str] = {content.root}
    await _walk(person, content, language, content.root, [], visited)
    reachable = {
        n
        for n in content.nodes
        if not (content.nodes[n].action and content.nodes[n].action.kind is ActionKind.LINK)
    }
    assert visited == reachable, (language, reachable - visited)


async def test_every_page_in_every_language(bot):
    # One person per language, all at once (as people use the bot): each walks the whole tree.
    content = bot.content
    await asyncio.gather(*(_every_page(bot, content, language) for language in content.languages))
    await bot.idle()
    assert not bot.emulator.rejected_requests()
