"""The bot's commands, registered per language so that Telegram shows them in the person's language."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand

from bot.i18n.catalogs import N_
from bot.runtime import Runtime

__all__ = ["COMMANDS", "register_commands"]

logger = logging.getLogger(__name__)

# (command, description) — descriptions are translated per language when registered.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Main menu")),
    ("emergency", N_("Emergency numbers")),
    # One tap for a person who knows they want to write to someone (also a button in the menu).
    ("write", N_("Write to a counsellor")),
    ("language", N_("Change language")),
    ("help", N_("How this bot works")),
    ("clear", N_("Clear this chat")),
    ("discreet", N_("Discreet mode")),
    ("cancel", N_("Cancel what you are doing")),
    ("my_data", N_("What the bot stores about you")),
    ("delete_my_data", N_("Delete your data")),
)


async def register_commands(bot: Bot, runtime: Runtime) -> None:
    """setMyCommands for every content language, and a default list in the source language."""
    for code in (None, *runtime.content.languages):
        tr = runtime.translator(code or runtime.content.source_language)
        commands = [BotCommand(name, tr.gettext(description)) for name, description in COMMANDS]
        await bot.set_my_commands(commands, language_code=code)
