"""The table of implemented Bot API methods and the call context they receive."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.emulator._errors import ApiError
from bot.emulator._params import UploadedFile
from bot.emulator._records import BotRecord, ChatState, MessageRecord
from bot.emulator._store import Store

__all__ = ["METHODS", "MethodCall", "api_method"]

Implementation = Callable[["MethodCall"], Awaitable[Any]]
METHODS: dict[str, Implementation] = {}
"""Canonical method name → implementation; filled by the ``_methods_*`` modules on import."""


def api_method(*names: str) -> Callable[[Implementation], Implementation]:
    """Register an implementation under one or more canonical method names."""

    def register(implementation: Implementation) -> Implementation:
        for name in names:
            METHODS[name] = implementation
        return implementation

    return register


@dataclass
class MethodCall:
    """One validated call of a method by a bot.

    Attributes:
        store: The emulator's state.
        bot: The calling bot.
        method: The canonical method name.
        params: The parameters, converted to their documented types.
        uploads: File parts of a multipart request, by part name (for ``attach://`` references).
        disconnected: Set when the client closed the connection (ends long polls early).
    """

    store: Store
    bot: BotRecord
    method: str
    params: dict[str, Any]
    uploads: dict[str, UploadedFile] = field(default_factory=dict)
    disconnected: asyncio.Event | None = None

    def get(self, name: str, default: Any = None) -> Any:
        """Return a parameter or ``default``."""
        return self.params.get(name, default)

    def chat(self, key: str = "chat_id") -> ChatState:
        """Return the bot's view of the chat named by parameter ``key``."""
        return self.store.chat_state(self.bot, self.params[key])

    def message(self, state: ChatState, message_id: int, missing: str) -> MessageRecord:
        """Return an existing message of a chat, or fail with ``Bad Request: <missing>``."""
        record = state.messages.get(message_id)
        if record is None:
            raise ApiError.bad_request(missing)
        return record
