"""A request's place in the team's queue: its state, the forum topic title that shows it.

The topic list of a team's forum reads like a queue: each title starts with an emoji and the
state — new (🆕, or 🚨 while an urgent request is unclaimed), claimed by whom (🙋), waiting for
the person (⏳), closed (✅) — then the reference, topic and language. Whenever the state changes,
:func:`record_state_change` puts an outbox entry in the same unit of work; the deliverer renders
the title from the request as it is *then* and edits the topic (or, in a plain group, the card).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from bot.contact.repositories import OutboxRepository
from bot.content.models import Content
from bot.content.navigation import Translator
from bot.storage.models import ContactRequest, RequestStatus

__all__ = [
    "MAX_TITLE",
    "QueueState",
    "StateView",
    "queue_state",
    "record_state_change",
    "state_label",
    "topic_title",
    "withdrawn_titles",
]

#: Telegram's limit for a forum topic's name (1–128 characters).
MAX_TITLE = 128
# A coordinator's name or alias in a title; the reference, topic and language must still fit.
_MAX_NAME = 32


class QueueState(enum.StrEnum):
    """Where a request stands for the team."""

    NEW = "new"
    CLAIMED = "claimed"
    WAITING = "waiting"  # the team wrote last: it waits for the person
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"  # the person erased their data; the request is gone


@dataclass(frozen=True, slots=True)
class StateView:
    """What the team chat shows of a request: its state, by whom, and whether urgent."""

    state: QueueState
    claimed_by: str | None
    urgent: bool


def queue_state(request: ContactRequest) -> StateView:
    """The state of ``request`` as the team's queue shows it."""
    if request.status in (RequestStatus.CLOSED, RequestStatus.WITHDRAWN):
        return StateView(QueueState.CLOSED, None, False)
    claimed = request.claimed_by_name if request.status is RequestStatus.CLAIMED else None
    if request.waiting_for_person:
        state = QueueState.WAITING
    else:
        state = QueueState.CLAIMED if claimed else QueueState.NEW
    # Urgent stays in the title until somebody claims the request.
    return StateView(state, claimed, bool(request.urgent) and not claimed)


def state_label(view: StateView, tr: Translator) -> str:
    """The emoji and words of a state, e.g. ``🙋 Anna`` or ``🚨 dringend · neu``."""
    name = _short(view.claimed_by or "", _MAX_NAME)
    if view.state is QueueState.CLOSED:
        return "✅ " + tr.pgettext("request", "closed")
    if view.state is QueueState.WITHDRAWN:
        return "🗑 " + tr.pgettext("request", "withdrawn")
    if view.state is QueueState.WAITING:
        emoji, words = "⏳", tr.pgettext("request", "waiting for the person")
        words = f"{words} · {name}" if name else words
    elif view.state is QueueState.CLAIMED:
        emoji, words = "🙋", name
    else:
        emoji, words = "🆕", tr.pgettext("request", "new")
    if view.urgent:
        emoji, words = "🚨", tr.pgettext("request", "urgent") + " · " + words
    return f"{emoji} {words}"


def topic_title(
    request: ContactRequest, content: Content, tr: Translator, view: StateView | None = None
) -> str:
    """The forum topic's title: state, reference, topic, language — at most 128 characters.

    Args:
        view: The state to show; by default the request's own (:func:`queue_state`).
    """
    chain = content.language_chain(content.source_language)
    topic = (
        content.topics[request.topic].name.resolve(chain)[0]
        if request.topic in content.topics
        else request.topic
    )
    head = f"{state_label(view or queue_state(request), tr)} · #{request.reference}"
    tail = f" · {request.language}"
    room = MAX_TITLE - _length(head) - _length(tail) - len(" · ")
    middle = f" · {_short(topic, room)}" if room > 1 else ""
    return _short(head + middle + tail, MAX_TITLE)


async def record_state_change(
    outbox: OutboxRepository, request: ContactRequest, before: StateView, now: dt.datetime
) -> bool:
    """Queue an update of the team chat if the request's state is no longer ``before``.

    Returns:
        Whether an update was queued.
    """
    if queue_state(request) == before or request.team_chat_id is None:
        return False
    request.state_changes = (request.state_changes or 0) + 1
    await outbox.enqueue(
        f"request:{request.id}:state:{request.state_changes}",
        "state",
        {"request": request.id},
        now,
        request_id=request.id,
    )
    return True


def withdrawn_titles(
    requests: list[ContactRequest], content: Content, tr: Translator
) -> list[tuple[int, int, str]]:
    """``(chat, thread, title)`` for the forum topics of open requests a person withdraws.

    Computed before the requests are erased: the entry that renames and closes the topic must
    not depend on the rows (see :meth:`RequestRepository.erase_user`).
    """
    gone = StateView(QueueState.WITHDRAWN, None, False)
    return [
        (request.team_chat_id, request.thread_id, topic_title(request, content, tr, gone))
        for request in requests
        if request.status in (RequestStatus.OPEN, RequestStatus.CLAIMED)
        and request.team_chat_id is not None
        and request.thread_id is not None
    ]


def _length(text: str) -> int:
    # Telegram counts UTF-16 code units: an emoji outside the BMP counts twice.
    return len(text.encode("utf-16-le")) // 2


def _short(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-16 code units, with an ellipsis if cut."""
    if _length(text) <= limit:
        return text
    while text and _length(text) > limit - 1:
        text = text[:-1]
    return text.rstrip() + "…"
