"""The typed callback context: handlers reach the runtime as ``context.runtime``."""

from __future__ import annotations

import asyncio

from telegram.ext import Application, CallbackContext, ExtBot

from bot.ops.signals import ContentSignal
from bot.runtime import Runtime
from bot.telegram.resilience import AnsweredPresses, answer_once

__all__ = ["BotData", "LotseContext"]


class BotData:
    """Application-wide data: the runtime, and which button presses were answered.

    Per-person state lives in the database.
    """

    def __init__(self) -> None:
        self.runtime: Runtime | None = None
        self.answered = AnsweredPresses()
        # Content reloads one at a time: two editors' presses must not interleave load and swap.
        self.reload_lock = asyncio.Lock()
        # Updates whose handling the database interrupted: the poller handles them again
        # (update id → tries left; and those to try again after this round).
        self.tries_left: dict[int, int] = {}
        self.try_again: set[int] = set()
        # Reloads reach the other processes of the bot through this (set when jobs run).
        self.content_signal: ContentSignal | None = None
        # Sends broadcasts in the leader (set when jobs run); see bot.telegram.broadcasting.
        self.broadcasts = None


class LotseContext(CallbackContext[ExtBot, dict, dict, BotData]):
    """CallbackContext with typed access to the runtime."""

    def __init__(
        self, application: Application, chat_id: int | None = None, user_id: int | None = None
    ):
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def runtime(self) -> Runtime:
        runtime = self.bot_data.runtime
        if runtime is None:  # pragma: no cover - set before the application starts
            raise RuntimeError("the runtime was not attached to the application")
        return runtime

    async def answer(self, query, text: str | None = None, **kwargs) -> None:
        """Answer a button press once (see :func:`bot.telegram.resilience.answer_once`)."""
        await answer_once(self.bot_data.answered, query, text, **kwargs)

    def answered(self, query) -> bool:
        """Whether the press has been answered by this process."""
        return query.id in self.bot_data.answered
