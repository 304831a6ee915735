"""The playground in a real browser: a person and a team talk, an editor reloads the content."""

from __future__ import annotations

import re

from playwright.async_api import expect

from bot.content.addresses import page_address

SECRET = "أحتاج مساعدة، زوجي يهددني"
WAIT = 15_000  # ms; the bot answers in well under a second, the margin is for a busy machine


async def add_person(page, name: str, language: str) -> None:
    await page.fill("#person-name", name)
    await page.select_option("#person-language", language)
    await page.click("#add-person button[type=submit]")
    await page.locator("#person-tabs button", has_text=name).wait_for(timeout=WAIT)


async def press(page, data: str) -> None:
    """Press the inline button with this callback data in the person's chat."""
    button = page.locator(f'#person-chat button[data-callback="{data}"]').last
    await button.click(timeout=WAIT)


async def send_request(page, version: str, region: str, words: str) -> str:
    """Walk the person shown through two menu levels and a contact request; return its #ref."""
    await press(page, page_address(version, "violence"))
    await press(page, page_address(version, "violence_contact"))
    await press(page, "k:agree:")
    await press(page, f"k:region:{region}")
    await press(page, "k:method:chat")
    await page.fill("#person-input", words)
    await page.press("#person-input", "Enter")
    await press(page, "k:send:")
    sent = page.locator("#person-chat .msg.bot", has_text="#").last
    await sent.wait_for(timeout=WAIT)
    return re.search(r"#\w{4}", await sent.inner_text()).group(0)


async def test_arabic_person_and_coordinator_talk_through_a_topic(page, playground):
    version = playground.playground.content.version
    await add_person(page, "Amal", "ar")
    chat = page.locator("#person-chat")
    assert await chat.get_attribute("dir") == "rtl"
    # two menu levels, then the contact request
    reference = await send_request(page, version, "dortmund", SECRET)
    # the team: a topic with the reference in its title, the person's words inside it
    await page.click('#team-tabs button[data-team="dortmund"]')
    topic = page.locator("#topics li", has_text=reference)
    await topic.click(timeout=WAIT)
    team_chat = page.locator("#team-chat")
    await team_chat.locator(".msg", has_text=SECRET).wait_for(timeout=WAIT)
    assert "Amal" not in await team_chat.inner_text()
    await page.fill("#team-input", "Guten Tag, wir haben Ihre Nachricht.")
    await page.press("#team-input", "Enter")
    await page.fill("#team-input", "/t received")
    await page.press("#team-input", "Enter")
    await team_chat.locator(".msg", has_text="📤").wait_for(timeout=WAIT)

    # the person sees both: the coordinator's words and the template in Arabic, right to left
    await chat.locator(".msg", has_text="Guten Tag, wir haben").wait_for(timeout=WAIT)
    template = playground.harness.content.templates["received"].text.get("ar")
    first_words = template.split()[0]
    answer = chat.locator(".msg.bot .text", has_text=first_words).last
    await answer.wait_for(timeout=WAIT)
    # The chat is redrawn live (an edit, a new message), so the element can be replaced between
    # two steps: the assertion retries until it holds on the current one.
    await expect(answer).to_have_css("direction", "rtl", timeout=WAIT)
    for _ in range(20):  # no box while the bubble is being replaced
        await answer.wait_for(timeout=WAIT)
        if (box := await answer.bounding_box()) is not None:
            break
    assert box is not None, "the template's bubble kept being replaced"
    chat_box = await chat.bounding_box()
    # laid out right to left: the bot's bubble starts at the right edge of the chat
    assert box["x"] + box["width"] > chat_box["x"] + chat_box["width"] * 0.8


async def reload(page) -> str:
    await page.click("#reload")
    report = page.locator("#report")
    await report.wait_for(state="visible", timeout=WAIT)
    await page.wait_for_function("!document.getElementById('reload').disabled", timeout=WAIT)
    return await page.locator("#report-text").inner_text()


async def test_an_edited_page_is_seen_after_reloading_from_the_page(page, playground):
    await add_person(page, "Jana", "de")
    chat = page.locator("#person-chat")
    await chat.locator(".msg.bot", has_text="Willkommen!").wait_for(timeout=WAIT)
    old_version = playground.playground.content.version
    menu = playground.content_dir / "menu.yaml"
    menu.write_text(
        menu.read_text(encoding="utf-8").replace(
            "Willkommen! Hier finden Sie Hilfe", "Hallo! Neu: Hier finden Sie Hilfe"
        ),
        encoding="utf-8",
    )
    report = await reload(page)
    assert await page.locator("#report").get_attribute("class") == "ok"
    assert "pages: ~ main" in report
    assert "coverage:" in report  # every translation of the changed text is now outdated
    new_version = playground.playground.content.version
    assert new_version != old_version
    assert await page.locator("#version").inner_text() == new_version
    # a button from before the reload still answers: with the current menu and a notice
    await press(page, page_address(old_version, "violence"))
    await page.locator("#toast").wait_for(state="visible", timeout=WAIT)
    await page.fill("#person-input", "/start")
    await page.press("#person-input", "Enter")
    await chat.locator(".msg.bot", has_text="Hallo! Neu:").wait_for(timeout=WAIT)


async def test_a_yaml_error_is_reported_and_the_old_menu_keeps_working(page, playground):
    version = playground.playground.content.version
    await add_person(page, "Olena", "uk")
    menu = playground.content_dir / "menu.yaml"
    lines = menu.read_text(encoding="utf-8").splitlines()
    broken = len(lines) + 2
    menu.write_text("\n".join([*lines, "  - id: oops", "    title: a: b"]) + "\n", encoding="utf-8")
    report = await reload(page)
    assert await page.locator("#report").get_attribute("class") == "error"
    assert re.search(rf"menu\.yaml:{broken}\b", report), report
    assert "keeps serving the previous content" in report
    assert playground.playground.content.version == version
    # the old menu goes on working
    await press(page, page_address(version, "violence"))
    await page.locator(
        f'#person-chat button[data-callback="{page_address(version, "violence_contact")}"]'
    ).wait_for(timeout=WAIT)


async def test_a_slow_answer_shows_the_spinner_and_deletions_appear_live(page, playground):
    version = playground.playground.content.version
    await add_person(page, "Jana", "de")
    chat = page.locator("#person-chat")
    await chat.locator(".msg.bot", has_text="Willkommen!").wait_for(timeout=WAIT)
    # Telegram is slow to take the bot's answer: the pressed button keeps turning meanwhile
    playground.harness.emulator.inject_fault("answerCallbackQuery", delay=2.0)
    await press(page, page_address(version, "violence"))
    spinning = chat.locator(f'button.pending[data-callback="{page_address(version, "violence")}"]')
    await spinning.wait_for(timeout=WAIT)
    await spinning.wait_for(state="detached", timeout=WAIT)
    # /clear deletes the chat's messages; the page follows without a reload
    await page.fill("#person-input", "/clear")
    await page.press("#person-input", "Enter")
    await chat.locator(".msg", has_text="Willkommen!").wait_for(state="detached", timeout=WAIT)
    await chat.locator(".msg", has_text="/start").wait_for(state="detached", timeout=WAIT)


async def test_a_coordinator_replies_to_the_card_in_a_plain_group(page, playground):
    version = playground.playground.content.version
    await add_person(page, "Jana", "de")
    reference = await send_request(page, version, "duesseldorf", "Ich brauche einen Termin")
    await page.click('#team-tabs button[data-team="duesseldorf"]')
    assert await page.locator("#topics li").count() == 0  # a plain group has no topics
    card = page.locator("#team-chat .msg.bot", has_text=reference).first
    await card.locator(".reply-action").click(timeout=WAIT)
    await page.fill("#team-input", "/t received")
    await page.press("#team-input", "Enter")
    await page.locator("#team-chat .msg", has_text="📤").wait_for(timeout=WAIT)
    template = playground.harness.content.templates["received"].text.source
    await page.locator("#person-chat .msg.bot", has_text=template.split(".")[0]).wait_for(
        timeout=WAIT
    )


async def test_a_photo_and_a_voice_message_reach_the_team_and_a_map_click_shares_a_place(
    page, playground
):
    version = playground.playground.content.version
    await add_person(page, "Jana", "de")
    await send_request(page, version, "duesseldorf", "Hier ist mein Bescheid")
    await page.click("#attach-toggle")
    await page.set_input_files(
        "#send-photo",
        files=[{"name": "bescheid.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\xe0x"}],
    )
    await page.click("#attach-toggle")
    await page.click("#send-voice")
    chat = page.locator("#person-chat")
    await chat.locator(".msg.me", has_text="photo").wait_for(timeout=WAIT)
    await chat.locator(".msg.me", has_text="voice message").wait_for(timeout=WAIT)
    await page.click('#team-tabs button[data-team="duesseldorf"]')
    team_chat = page.locator("#team-chat")
    await team_chat.locator(".msg.bot", has_text="photo").wait_for(timeout=WAIT)
    await team_chat.locator(".msg.bot", has_text="voice").wait_for(timeout=WAIT)
    # leaving the request, a click on the map shares that place; the bot answers it
    await page.fill("#person-input", "/start")
    await page.press("#person-input", "Enter")
    await chat.locator(".msg.bot", has_text="Wobei brauchen Sie Hilfe?").last.wait_for(timeout=WAIT)
    before = await chat.locator(".msg.bot").count()
    await page.click("#attach-toggle")
    await page.locator("#map").click(position={"x": 160, "y": 100})
    await chat.locator(".msg.me", has_text="📍").wait_for(timeout=WAIT)
    await page.wait_for_function(
        f"document.querySelectorAll('#person-chat .msg.bot').length > {before}", timeout=WAIT
    )
