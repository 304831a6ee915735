"""Count, after a soak or a crash run, what reached whom: lost and doubled requests and replies."""

from __future__ import annotations

import contextlib
from collections import Counter

from sqlalchemy import select

from bot.contact.repositories import RequestRepository
from bot.emulator import CLIENT_GONE
from bot.storage.models import ContactRequest, OutboxEntry, OutboxStatus, RequestStatus

AMBIGUOUS = "answer lost after the call"  # the emulator's record of a lost answer
_SENDS = ("sendMessage", "copyMessage", "createForumTopic")


async def count_deliveries(runtime, emulator, groups, walkers, coordinators, *, blocked=None):
    """Compare the chats with the database and with what people and coordinators did.

    Args:
        runtime: Something with ``database`` and ``cipher`` (to read the stored requests).
        groups: The team groups by team key.
        walkers: The people (:class:`tests.helpers.walkers.Walker`).
        coordinators: The coordinators (:class:`tests.helpers.walkers.Coordinator`).
        blocked: A walker who blocked the bot: replies to them are not expected to arrive.

    Returns:
        The figures: requests sent, stored, lost, cards and messages doubled, replies written,
        lost and doubled, and the lost answers the emulator injected on sends (the window in
        which the Bot API leaves a duplicate possible).
    """
    everyone = [*walkers, *([blocked] if blocked else [])]
    team_chats = {group.id for group in groups.values()}
    team_texts = Counter(m.text or "" for g in groups.values() for m in g.bot_messages())
    owner = {ref: w.person for w in everyone for ref in w.references}
    figures = Counter()
    doubled: list[str] = []
    async with runtime.database.unit_of_work() as session:
        repository = RequestRepository(session, runtime.cipher)
        requests = (await session.execute(select(ContactRequest))).scalars().all()
        given_up = (
            await session.execute(
                select(OutboxEntry.kind, OutboxEntry.last_error).where(
                    OutboxEntry.status == OutboxStatus.FAILED.value
                )
            )
        ).all()
        stored = {"#" + r.reference for r in requests if r.status is not RequestStatus.DRAFT}
        figures["requests_lost"] += sum(ref not in stored for w in everyone for ref in w.references)
        for request in requests:
            if request.status is RequestStatus.DRAFT:
                continue
            reference = "#" + request.reference
            cards = sum(n for text, n in team_texts.items() if _is_card(text, reference))
            figures["requests_lost"] += cards == 0
            figures["cards_doubled"] += max(cards - 1, 0)
            # The same words can be written more than once (a person retrying, or typing a
            # place name while their request is open): each is relayed once, so a body is
            # doubled when the request's topic shows it more often than it was written.
            written = Counter(
                m.body or "" for m in await repository.messages(request) if m.direction == "in"
            )
            for body, times in written.items():
                copies = sum(
                    n
                    for text, n in team_texts.items()
                    if text.endswith("\n" + body) and reference in text
                )
                figures["messages_lost"] += max(times - copies, 0)
                figures["messages_doubled"] += max(copies - times, 0)
                if copies > times:  # what the outbox did with it, to tell a window from a bug
                    calls = [
                        (r.method, r.status, r.description, r.at.strftime("%H:%M:%S.%f"))
                        for r in emulator.requests
                        if str(r.params.get("text", "")).endswith("\n" + body)
                        and reference in str(r.params.get("text", ""))
                    ]
                    doubled.append(f"{reference} {body!r} written {times}, shown {copies}: {calls}")
    for coordinator in coordinators:
        for reply, reference in coordinator.replies.items():
            person = owner.get(reference)
            if person is None or (blocked is not None and person is blocked.person):
                continue
            copies = sum(reply in (m.text or "") for m in person.bot_messages())
            figures["replies_lost"] += copies == 0
            figures["replies_doubled"] += max(copies - 1, 0)
    # Answers the bot never got for calls that were carried out: injected, or its own read
    # time-out ran out first (a loaded machine) — either way the Bot API's double-relay window.
    lost_answers = [
        r
        for r in emulator.requests
        if (r.injected and r.description == AMBIGUOUS) or r.description == CLIENT_GONE
    ]
    return {
        "requests_sent": sum(len(w.references) for w in walkers),
        "requests_stored": len(stored),
        "replies_written": sum(len(c.replies) for c in coordinators),
        **{
            key: figures[key]
            for key in (
                "requests_lost",
                "messages_lost",
                "replies_lost",
                "cards_doubled",
                "messages_doubled",
                "replies_doubled",
            )
        },
        "outbox_given_up": [f"{kind}: {error}" for kind, error in given_up],
        "doubled_messages": doubled,
        "lost_answers_to_teams": sum(
            _chat(r) in team_chats and r.method in _SENDS for r in lost_answers
        ),
        "lost_answers_of_replies": sum(
            "Antwort" in str(r.params.get("text", "")) for r in lost_answers
        ),
    }


def _is_card(text: str, reference: str) -> bool:
    """Whether ``text`` is the card of ``reference`` (in plain groups a state line comes first)."""
    return any(
        line.startswith(("📨 ", "🚨 ")) and (reference + " ") in line for line in text.splitlines()
    )


def _chat(record) -> int | None:
    with contextlib.suppress(TypeError, ValueError):
        return int(record.params.get("chat_id"))
    return None
