"""Swap reloaded content into a running Application (the domain call is bot.content.reload)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from telegram.ext import Application

from bot.content.reload import ReloadOutcome, reload_content
from bot.ops.heap import settle_after_reload
from bot.runtime import Runtime
from bot.telegram.commands import register_commands

__all__ = ["reload_application_content"]

logger = logging.getLogger(__name__)


async def reload_application_content(
    application: Application, *, announce: bool = True
) -> ReloadOutcome:
    """Check the content folder again and, when it is fine, let ``application`` serve it.

    The running content stays when the new one has errors. Buttons sent before carry the old
    content version in their callback data, so they are answered with the current menu.

    Args:
        announce: Tell the bot's other processes to reload too (not when they told us).
    """
    async with application.bot_data.reload_lock:
        runtime: Runtime = application.bot_data.runtime
        outcome = await asyncio.to_thread(reload_content, runtime.content, runtime.content_root)
        if outcome.ok:
            # A new Runtime: the search index, the callback codec and the crisis words are
            # cached per runtime and must be built from the new content.
            application.bot_data.runtime = dataclasses.replace(runtime, content=outcome.content)
            del runtime  # the old content is garbage now: free it, freeze the new one
            settle_after_reload()
            if outcome.changes.languages:
                await register_commands_safely(application)
            logger.info("content reloaded: version %s", outcome.content.version)
            signal = application.bot_data.content_signal
            if announce and signal is not None:
                try:
                    await signal.announce(outcome.content.version)
                except Exception as exc:  # this process serves the new content all the same
                    logger.warning("could not tell the other processes: %s", type(exc).__name__)
        else:
            logger.warning("content not reloaded: %d errors", len(outcome.errors))
        return outcome


async def register_commands_safely(application: Application) -> None:
    """Register the commands again (new languages); a failure must not undo the reload."""
    try:
        await register_commands(application.bot, application.bot_data.runtime)
    except Exception:
        logger.warning("could not register the commands after a reload", exc_info=True)
