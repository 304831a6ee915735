"""Telegram's flood limits, enforced when a test asks: per bot, per chat, per group; 429 beyond.

Telegram's Bot FAQ ("My bot is hitting limits, how do I avoid this?") names three limits and no
algorithm: about 30 messages a second overall, one a second inside a chat ("we may allow short
bursts"), 20 a minute in a group. The emulator models each as a token bucket that starts full:
``burst`` tokens at most, refilled at the rate. That is the precise form of "short bursts": in any
window of T seconds a bucket lets ``burst + rate × T`` calls through, no more. A call that finds
a bucket empty is answered as Telegram does, ``429 Too Many Requests: retry after N``, takes no
token, and is recorded in :attr:`FloodControl.refusals`.

Which calls count: the FAQ speaks of messages, so every call that makes a message appear in a chat
or changes one there — the ``send*`` methods (not ``sendChatAction``, which shows a status and
posts nothing), copies and forwards, edits of messages, stopping polls and live locations, pins,
and the forum topic changes that post a service message. Reading calls (``getChat``…), deletions
and ``answerCallbackQuery`` (no chat) do not. A bot that stays within the limits for these is
within them for Telegram too; a bot that budgets more calls than these (every call with a
``chat_id``, say) only errs on the safe side.

Groups (negative ids, ``@channel`` names) are limited per minute, private chats per second; both
draw from the bot's overall bucket. Time is a monotonic clock in seconds, separate from the
emulator's date clock: a test that stands the date still still sees the limits refill.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.emulator._errors import ApiError

__all__ = ["COUNTED_METHODS", "FloodControl", "FloodLimits", "FloodRefusal"]

COUNTED_METHODS = frozenset(
    {
        "sendAnimation", "sendAudio", "sendChecklist", "sendContact", "sendDice",
        "sendDocument", "sendGame", "sendGift", "sendInvoice", "sendLivePhoto", "sendLocation",
        "sendMediaGroup", "sendMessage", "sendMessageDraft", "sendPaidMedia", "sendPhoto",
        "sendPoll", "sendRichMessage", "sendRichMessageDraft", "sendSticker", "sendVenue",
        "sendVideo", "sendVideoNote", "sendVoice",
        "copyMessage", "copyMessages", "forwardMessage", "forwardMessages",
        "editMessageCaption", "editMessageChecklist", "editMessageLiveLocation",
        "editMessageMedia", "editMessageReplyMarkup", "editMessageText",
        "stopMessageLiveLocation", "stopPoll", "pinChatMessage",
        "createForumTopic", "editForumTopic", "closeForumTopic", "reopenForumTopic",
        "editGeneralForumTopic", "closeGeneralForumTopic", "reopenGeneralForumTopic",
    }
)  # fmt: skip
"""Canonical names of the methods that count against the flood limits (see the module doc)."""


@dataclass(frozen=True, slots=True)
class FloodLimits:
    """The limits the emulator enforces, Telegram's by default.

    Attributes:
        per_second: Counted calls a second, all chats together.
        per_chat_per_second: Counted calls a second into one private chat.
        per_group_per_minute: Counted calls a minute into one group, supergroup or channel.
        burst: How many calls the overall bucket holds (let through at once after a pause);
            None means a fifth of ``per_second``.
        chat_burst: How many calls a private chat's bucket holds.
        group_burst: How many calls a group's bucket holds.

    Raises:
        ValueError: If a rate is not positive or a bucket holds less than one call.
    """

    per_second: float = 30
    per_chat_per_second: float = 1
    per_group_per_minute: float = 20
    burst: float | None = None
    chat_burst: float = 3
    group_burst: float = 1

    def __post_init__(self) -> None:
        for name in ("per_second", "per_chat_per_second", "per_group_per_minute"):
            if not getattr(self, name) > 0:
                raise ValueError(f"FloodLimits.{name} must be positive, not {getattr(self, name)}")
        for name, value in (
            ("burst", self.overall_burst),
            ("chat_burst", self.chat_burst),
            ("group_burst", self.group_burst),
        ):
            if value < 1:
                raise ValueError(f"FloodLimits.{name} must let at least one call through")

    @property
    def overall_burst(self) -> float:
        """The overall bucket's size: ``burst``, or a fifth of ``per_second`` (at least 1)."""
        return self.burst if self.burst is not None else max(1.0, self.per_second / 5)


@dataclass(frozen=True, slots=True)
class FloodRefusal:
    """One call the emulator refused with 429.

    Attributes:
        method: The canonical method name.
        chat_id: The chat the call was for.
        limit: Which bucket was empty: ``"overall"``, ``"chat"`` or ``"group"``.
        retry_after: The seconds sent in ``parameters.retry_after``.
        at: When it arrived, by the flood control's monotonic clock.
    """

    method: str
    chat_id: int | str
    limit: str
    retry_after: int
    at: float


@dataclass(slots=True)
class _Bucket:
    rate: float
    size: float
    tokens: float
    at: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.size, self.tokens + max(0.0, now - self.at) * self.rate)
        self.at = max(self.at, now)

    def wait(self) -> float:
        """Seconds until one token is there (0 if there is one now)."""
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass
class FloodControl:
    """Token buckets per bot and chat; refuses a counted call when one of its buckets is empty.

    Args:
        limits: The limits to enforce.
        clock: Monotonic seconds (``time.monotonic`` by default; tests pass their own).
    """

    limits: FloodLimits
    clock: Callable[[], float] = time.monotonic
    refusals: list[FloodRefusal] = field(default_factory=list)
    _buckets: dict[tuple[int, str, int | str], _Bucket] = field(default_factory=dict)

    def check(self, bot_id: int, method: str, params: dict[str, Any]) -> None:
        """Take a token for a counted call, or refuse it.

        Args:
            bot_id: The calling bot (limits are per bot).
            method: The canonical method name.
            params: The raw parameters (``chat_id`` as sent: number, numeric string or @name).

        Raises:
            ApiError: ``429 Too Many Requests: retry after N`` if a bucket is empty.
        """
        chat_id = _chat_id(params.get("chat_id"))
        if method not in COUNTED_METHODS or chat_id is None:
            return
        now = self.clock()
        buckets = [("overall", self._bucket(bot_id, "overall", "", now))]
        if isinstance(chat_id, str) or chat_id < 0:
            buckets.append(("group", self._bucket(bot_id, "group", chat_id, now)))
        else:
            buckets.append(("chat", self._bucket(bot_id, "chat", chat_id, now)))
        limit, wait = max(((name, bucket.wait()) for name, bucket in buckets), key=lambda x: x[1])
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            self.refusals.append(FloodRefusal(method, chat_id, limit, retry_after, now))
            raise ApiError.too_many_requests(retry_after)
        for _name, bucket in buckets:
            bucket.tokens -= 1

    def _bucket(self, bot_id: int, kind: str, chat_id: int | str, now: float) -> _Bucket:
        key = (bot_id, kind, chat_id)
        bucket = self._buckets.get(key)
        if bucket is None:
            limits = self.limits
            rate, size = {
                "overall": (limits.per_second, limits.overall_burst),
                "chat": (limits.per_chat_per_second, limits.chat_burst),
                "group": (limits.per_group_per_minute / 60, limits.group_burst),
            }[kind]
            bucket = self._buckets[key] = _Bucket(rate, size, size, now)
        bucket.refill(now)
        return bucket


def _chat_id(raw: Any) -> int | str | None:
    """The chat as sent: an integer (also from a numeric string), an @name, or None."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    text = str(raw).strip()
    try:
        return int(text)
    except ValueError:
        return text or None
