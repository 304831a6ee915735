"""Content reload while the bot runs: /reload for admins; buttons from before keep answering."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil

from bot.config import Settings
from bot.content.addresses import page_address
from bot.content.loader import load_content_or_raise
from tests.helpers.botharness import emulated_network, running_bot
from tests.helpers.content import CONTENT


@contextlib.asynccontextmanager
async def bot_on_a_copy(database, tmp_path):
    """The bot serving a copy of the content that the test edits; one admin."""
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    async with emulated_network() as network:
        admin = network.emulator.add_user("Ada", language_code="de")
        settings = Settings(admins=(admin.id,))
        async with running_bot(
            database, settings=settings, emulator=network.emulator, clock=network.clock,
            token=network.token,
        ) as bot:  # fmt: skip
            runtime = dataclasses.replace(
                bot.runtime, content=load_content_or_raise(folder), content_root=folder
            )
            bot.application.bot_data.runtime = bot.runtime = runtime
            yield bot, admin, folder


def edit(folder, old: str, new: str) -> None:
    menu = folder / "menu.yaml"
    menu.write_text(menu.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


async def test_admin_reloads_and_old_buttons_answer_with_the_current_menu(database, tmp_path):
    async with bot_on_a_copy(database, tmp_path) as (bot, admin, folder):
        person = bot.person("Amal", "de")
        await person.send_text("/start")
        await person.wait_for_bot_message()
        old = bot.application.bot_data.runtime.content.version
        edit(folder, "Willkommen! Hier finden Sie Hilfe", "Hallo! Hier finden Sie Hilfe")
        await admin.send_text("/reload")
        report = await admin.wait_for_bot_message(timeout=15)
        assert report.text.startswith("✅ Die Inhalte wurden neu geladen.")
        assert "pages: ~ main" in report.text
        assert bot.application.bot_data.runtime.content.version != old
        query = await person.press_button(page_address(old, "violence"))
        await bot.emulator.wait_for_answer(query)
        assert "aktualisiert" in (query.text or "")  # the menu was updated
        current = await person.wait_for_bot_message()  # the same page, of the new content
        new = bot.application.bot_data.runtime.content.version
        assert current.button(page_address(new, "violence_contact"))
        await person.send_text("/start")
        assert "Hallo!" in (await person.wait_for_bot_message()).text
        await bot.idle()


async def test_a_broken_file_is_reported_to_the_admin_and_the_bot_keeps_serving(database, tmp_path):
    async with bot_on_a_copy(database, tmp_path) as (bot, admin, folder):
        version = bot.application.bot_data.runtime.content.version
        menu = folder / "menu.yaml"
        lines = menu.read_text(encoding="utf-8").splitlines()
        menu.write_text(
            "\n".join([*lines, "  - id: oops", "    title: a: b"]) + "\n", encoding="utf-8"
        )
        await admin.send_text("/reload")
        report = await admin.wait_for_bot_message(timeout=15)
        assert report.text.startswith("⚠️")
        assert f"menu.yaml:{len(lines) + 2}" in report.text
        assert bot.application.bot_data.runtime.content.version == version
        person = bot.person("Olena", "uk")
        await person.send_text("/start")
        await person.wait_for_bot_message()
        await person.press_button(page_address(version, "violence"))
        page = await person.wait_for_bot_message()
        assert page.button(page_address(version, "violence_contact"))
        await bot.idle()


async def test_reload_is_not_for_everyone(database, tmp_path):
    async with bot_on_a_copy(database, tmp_path) as (bot, _admin, _folder):
        person = bot.person("Amal", "de")
        await person.send_text("/reload")
        answer = await person.wait_for_bot_message()
        assert "neu geladen" not in answer.text and "pages:" not in answer.text
        await bot.idle()
