"""Fault injection (errors, rate limits, slow answers) and the log of every request."""

from __future__ import annotations

import datetime as dtm
from dataclasses import dataclass
from typing import Any

from bot.emulator._errors import ApiError

__all__ = ["Fault", "FaultInjector", "RecordedRequest"]

_DESCRIPTIONS = {
    400: "Bad Request: injected by the emulator",
    403: "Forbidden: injected by the emulator",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass(eq=False)
class Fault:
    """A planned misbehaviour of the server for matching requests.

    Attributes:
        method: The method it applies to (any case), or None for every method.
        status: The HTTP status to answer with, or None to answer normally (after ``delay``).
        retry_after: For 429: the seconds sent in ``parameters.retry_after`` (default 1).
        description: The error description; a realistic default is used when None.
        delay: Seconds to wait before answering (awaited, so other requests proceed).
        times: How many requests it affects; None means until removed.
        chat_id: Only requests whose ``chat_id`` parameter equals this, if set.
        hits: How many requests it has affected so far.
    """

    method: str | None = None
    status: int | None = None
    retry_after: int | None = None
    description: str | None = None
    delay: float = 0.0
    times: int | None = 1
    chat_id: int | str | None = None
    hits: int = 0

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        """Whether this fault applies to a call of ``method`` with ``params``."""
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)

    def error(self) -> ApiError | None:
        """The error to answer with, or None for a delay-only fault."""
        if self.status is None:
            return None
        if self.status == 429:
            retry_after = self.retry_after if self.retry_after is not None else 1
            error = ApiError.too_many_requests(retry_after)
            if self.description:
                error.description = self.description
            return error
        default = _DESCRIPTIONS.get(self.status, f"Error {self.status}")
        return ApiError(self.status, self.description or default)

    @property
    def exhausted(self) -> bool:
        """Whether it has affected as many requests as planned."""
        return self.times is not None and self.hits >= self.times


class FaultInjector:
    """The faults planned for an emulator, applied to requests in the order they were added."""

    def __init__(self) -> None:
        self.planned: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        """Plan a fault and return it (its ``hits`` tell how often it struck)."""
        if fault.status is None and not fault.delay:
            raise ValueError("a fault needs a status (e.g. 429, 502) or a delay in seconds")
        if fault.status is not None and not 400 <= fault.status <= 599:
            raise ValueError(f"fault status must be an HTTP error status, not {fault.status}")
        self.planned.append(fault)
        return fault

    def take(self, method: str, params: dict[str, Any]) -> Fault | None:
        """Return the first fault matching a request and count the hit."""
        for fault in self.planned:
            if fault.matches(method, params):
                fault.hits += 1
                if fault.exhausted:
                    self.planned.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        """Forget every planned fault."""
        self.planned.clear()


@dataclass(frozen=True)
class RecordedRequest:
    """One request the bot made, as the emulator answered it.

    Attributes:
        method: The method as the bot spelled it.
        params: The parameters as received (files appear as ``UploadedFile``).
        ok: Whether the answer was ``{"ok": true}``.
        status: The HTTP status of the answer.
        description: The error description, for failed requests.
        result: The ``result`` of a successful answer.
        injected: Whether a planned :class:`Fault` produced the answer.
        bot_id: The bot that made the request (None for unknown tokens).
        at: When the request arrived, by the emulator's clock.
    """

    method: str
    params: dict[str, Any]
    ok: bool
    status: int
    description: str | None
    result: Any
    injected: bool
    bot_id: int | None
    at: dtm.datetime
