"""Fault injection (errors, rate limits, slow answers, dropped connections) and the request log.

Faults are planned one by one (:class:`Fault`, for a test that needs a 502 at one exact call) or
at random (:class:`RandomFaults`, for a soak: a share of all calls, with a fixed seed so that a
failing run can be repeated).
"""

from __future__ import annotations

import datetime as dtm
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.emulator._errors import ApiError

__all__ = [
    "DropConnection",
    "Fault",
    "FaultInjector",
    "RandomFaults",
    "RecordedRequest",
]


class DropConnection(Exception):
    """The server closes the connection without an answer (raised to the HTTP layer)."""


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
        drop: Close the connection without an answer: ``"before"`` the call is carried out (the
            bot sees a dropped connection, or a time-out after a long ``delay``), or ``"after"``
            it was carried out (the answer is lost: the bot cannot know it happened).
        hits: How many requests it has affected so far.
    """

    method: str | None = None
    status: int | None = None
    retry_after: int | None = None
    description: str | None = None
    delay: float = 0.0
    times: int | None = 1
    chat_id: int | str | None = None
    drop: str | None = None
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

    def add(self, fault: Fault) -> Fault:
        """Plan a fault and return it (its ``hits`` tell how often it struck)."""
        if fault.status is None and not fault.delay and fault.drop is None:
            raise ValueError("a fault needs a status (e.g. 429, 502), a delay or a drop")
        if fault.drop not in (None, "before", "after"):
            raise ValueError(f'drop must be "before" or "after", not {fault.drop!r}')
        if fault.status is not None and not 400 <= fault.status <= 599:
            raise ValueError(f"fault status must be an HTTP error status, not {fault.status}")
        self.planned.append(fault)
        return fault

    def __init__(self) -> None:
        self.planned: list[Fault] = []
        self.random: RandomFaults | None = None

    def take(self, method: str, params: dict[str, Any]) -> Fault | None:
        """Return the first fault matching a request and count the hit (else maybe a random one)."""
        for fault in self.planned:
            if fault.matches(method, params):
                fault.hits += 1
                if fault.exhausted:
                    self.planned.remove(fault)
                return fault
        return self.random.pick(method) if self.random is not None else None

    def clear(self) -> None:
        """Forget every planned fault and stop random ones."""
        self.planned.clear()
        self.random = None


# The kinds of random faults and what each does. "timeout" outlasts a client's read time-out
# (the call is not carried out); "lost-answer" carries the call out and drops the answer.
RANDOM_KINDS = ("429", "500", "502", "timeout", "drop", "lost-answer", "slow")


@dataclass
class RandomFaults:
    """Faults for a share of all calls, drawn from a seeded generator (repeatable runs).

    Attributes:
        seed: The generator's seed.
        rate: The share of calls that get a fault (0.05: one in twenty).
        kinds: Weights of the kinds in :data:`RANDOM_KINDS` (missing kinds never happen).
        methods: Only these methods (canonical names), or None for every method.
        retry_after: The seconds a 429 asks for.
        slow: The delay of a "slow" answer, in seconds.
        timeout: The delay before a "timeout" drops the connection (above the client's
            read time-out).
        counts: How often each kind struck, by kind and by method ("sendMessage:502").
    """

    seed: int = 11
    rate: float = 0.05
    kinds: Mapping[str, float] = field(default_factory=lambda: dict.fromkeys(RANDOM_KINDS, 1.0))
    methods: frozenset[str] | None = None
    retry_after: int = 1
    slow: float = 0.3
    timeout: float = 1.5
    counts: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(RANDOM_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {RANDOM_KINDS}")
        if not 0 <= self.rate <= 1:
            raise ValueError(f"rate must be between 0 and 1, not {self.rate}")
        self._random = random.Random(self.seed)
        self._names = list(self.kinds)
        self._weights = [self.kinds[name] for name in self._names]

    def pick(self, method: str) -> Fault | None:
        """A fault for one call of ``method``, or None (most of the time)."""
        if self.methods is not None and method not in self.methods:
            return None
        if self._random.random() >= self.rate:
            return None
        kind = self._random.choices(self._names, self._weights)[0]
        if method == "getUpdates" and kind in ("timeout", "slow"):
            return None  # a long poll is slow by nature
        self.counts[kind] += 1
        self.counts[f"{method}:{kind}"] += 1
        if kind == "429":
            return Fault(status=429, retry_after=self.retry_after)
        if kind in ("500", "502"):
            return Fault(status=int(kind))
        if kind == "timeout":
            return Fault(delay=self.timeout, drop="before")
        if kind == "drop":
            return Fault(drop="before")
        if kind == "lost-answer":
            return Fault(drop="after")
        return Fault(delay=self.slow)


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
