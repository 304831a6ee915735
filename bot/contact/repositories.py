"""Repositories of contact requests and of the outbox; like all repositories, they never commit.

* :class:`RequestRepository`: a request with its messages — created as a draft, sent, claimed,
  closed, followed up, purged, erased. Contents go in encrypted and come out as
  :class:`DecryptedMessage`; nothing else in the code base sees a token or needs the cipher.
* :class:`OutboxRepository`: what is still to be sent to Telegram. Stored in the unit of work that
  made the change, claimed by a delivery process with a lease, marked sent or failed with
  back-off (:func:`backoff`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.contact.crypto import Cipher
from bot.contact.references import ReferenceGenerator, parse_reference
from bot.errors import StorageError
from bot.storage.database import conflict_insert
from bot.storage.models import (
    ContactRequest,
    Direction,
    MessageKind,
    OutboxEntry,
    OutboxStatus,
    RequestMessage,
    RequestStatus,
    User,
)

__all__ = [
    "ACTIVE_STATUSES",
    "MAX_DELIVERY_ATTEMPTS",
    "MAX_REFERENCE_ATTEMPTS",
    "DecryptedMessage",
    "OutboxRepository",
    "RequestRepository",
    "WithdrawalNotice",
    "backoff",
]

# Requests a team still has to deal with.
ACTIVE_STATUSES = (RequestStatus.OPEN, RequestStatus.CLAIMED)
_FINISHED_STATUSES = (RequestStatus.CLOSED, RequestStatus.WITHDRAWN)
# With a few hundred active requests a collision is rare; twenty in a row means a broken generator.
MAX_REFERENCE_ATTEMPTS = 20
MAX_DELIVERY_ATTEMPTS = 12
_BACKOFF_FIRST = dt.timedelta(seconds=5)
_BACKOFF_CAP = dt.timedelta(minutes=15)
_ERROR_LENGTH = 200


@dataclass(frozen=True, slots=True)
class DecryptedMessage:
    """A message of a request with its contents in plain text; never log ``body`` or ``file_id``."""

    id: int
    request_id: int
    direction: Direction
    kind: MessageKind
    body: str | None
    file_id: str | None
    person_message_id: int | None
    team_chat_id: int | None
    team_message_id: int | None
    author_name: str | None
    created_at: dt.datetime


class WithdrawalNotice(NamedTuple):
    """Where to tell a team that a request was withdrawn, once the request itself is gone."""

    reference: str
    team_chat_id: int
    thread_id: int | None


class RequestRepository:
    """Contact requests and their messages.

    Args:
        session: The unit of work's session.
        cipher: Encrypts contents on the way in, decrypts them on the way out.
    """

    def __init__(self, session: AsyncSession, cipher: Cipher) -> None:
        self._session = session
        self._cipher = cipher

    @property
    def session(self) -> AsyncSession:
        """The unit of work's session (to flush before using a new row's id)."""
        return self._session

    # --- creating and finding -----------------------------------------------------------------

    async def create_draft(
        self,
        user: User,
        topic: str,
        language: str,
        now: dt.datetime,
        reference_generator: ReferenceGenerator,
    ) -> ContactRequest:
        """Start a request of ``user`` with a fresh reference, as a draft no team sees yet.

        The reference is inserted with ON CONFLICT DO NOTHING, so a reference that is taken
        (also by a request another process creates at this moment) just means drawing again.

        Raises:
            StorageError: If no free reference was drawn in :data:`MAX_REFERENCE_ATTEMPTS`.
        """
        insert = _insert_for(self._session)
        for _ in range(MAX_REFERENCE_ATTEMPTS):
            reference = reference_generator.new()
            inserted = await self._session.execute(
                insert(ContactRequest)
                .values(
                    reference=reference,
                    user_id=user.id,
                    topic=topic,
                    language=language,
                    status=RequestStatus.DRAFT,
                    created_at=now,
                )
                .on_conflict_do_nothing(index_elements=[ContactRequest.reference])
                .returning(ContactRequest.id)
            )
            request_id = inserted.scalar_one_or_none()
            if request_id is not None:
                request = await self._session.get(ContactRequest, request_id)
                if request is None:  # pragma: no cover - inserted just now, in this transaction
                    raise LookupError("the request row vanished right after it was inserted")
                return request
        raise StorageError(
            f"no free request reference after {MAX_REFERENCE_ATTEMPTS} tries "
            "(is the reference generator's random source broken?)"
        )

    async def current_draft(self, user_id: int) -> ContactRequest | None:
        """The person's newest draft, or None."""
        result = await self._session.execute(
            select(ContactRequest)
            .where(ContactRequest.user_id == user_id, ContactRequest.status == RequestStatus.DRAFT)
            .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def discard_draft(self, request: ContactRequest) -> None:
        """Delete a draft with its messages (the person cancelled before sending).

        Raises:
            ValueError: If the request was already sent.
        """
        if request.status is not RequestStatus.DRAFT:
            raise ValueError(f"{request!r} was sent already; close or withdraw it instead")
        await self._delete_requests([request.id])

    async def get(self, request_id: int) -> ContactRequest | None:
        """The request with this id, or None."""
        return await self._session.get(ContactRequest, request_id)

    async def by_reference(self, reference: str) -> ContactRequest | None:
        """The request with this reference, as typed (``"#k7qf"`` works too), or None."""
        stored = parse_reference(reference)
        if stored is None:
            return None
        return await self._one(ContactRequest.reference == stored)

    async def by_thread(self, team_chat_id: int, thread_id: int) -> ContactRequest | None:
        """The request whose forum topic this is, or None."""
        return await self._one(
            ContactRequest.team_chat_id == team_chat_id, ContactRequest.thread_id == thread_id
        )

    async def by_team_message(self, team_chat_id: int, message_id: int) -> ContactRequest | None:
        """The request a message of a team chat belongs to (its card or a relayed message).

        Only requests that are with this chat now: after an escalation the old team's messages
        no longer lead to the request.
        """
        card = await self._one(
            ContactRequest.team_chat_id == team_chat_id,
            ContactRequest.card_message_id == message_id,
        )
        if card is not None:
            return card
        result = await self._session.execute(
            select(ContactRequest)
            .join(RequestMessage, RequestMessage.request_id == ContactRequest.id)
            .where(
                ContactRequest.team_chat_id == team_chat_id,
                RequestMessage.team_chat_id == team_chat_id,
                RequestMessage.team_message_id == message_id,
            )
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def requests_of_user(self, user_id: int) -> list[ContactRequest]:
        """All requests of a person, oldest first (for /my_data)."""
        result = await self._session.execute(
            select(ContactRequest)
            .where(ContactRequest.user_id == user_id)
            .order_by(ContactRequest.created_at, ContactRequest.id)
        )
        return list(result.scalars())

    # --- messages and contents ----------------------------------------------------------------

    async def add_message(
        self,
        request: ContactRequest,
        direction: Direction | str,
        kind: MessageKind | str,
        body: str | None,
        file_id: str | None,
        now: dt.datetime,
        *,
        person_message_id: int | None = None,
        team_message_id: int | None = None,
        author_name: str | None = None,
    ) -> RequestMessage:
        """Store a message of the request, its body and file id encrypted.

        Also keeps the request's times: a message from the person sets
        ``last_person_message_at``, one to the person ``last_team_message_at`` and, the first
        time, ``first_answer_at``; ``waiting_for_person`` says who wrote last. Internal notes
        change nothing of this.

        Args:
            direction: ``"in"`` (from the person), ``"out"`` (to them) or ``"note"``.
            kind: ``"text"``, ``"voice"``, ``"photo"``, ``"document"``, ``"audio"``, ``"video"``.
            body: The text, or the caption of a medium.
            file_id: Telegram's file id of a medium.
            team_message_id: The copy in the team chat, if there is one already (a note
                written there); the request's current team chat is recorded with it.

        Raises:
            ValueError: For an unknown direction or kind.
        """
        direction, kind = Direction(direction), MessageKind(kind)
        message = RequestMessage(
            request_id=request.id,
            direction=direction.value,
            kind=kind.value,
            encrypted_body=self._cipher.encrypt_optional(body),
            encrypted_file_id=self._cipher.encrypt_optional(file_id),
            person_message_id=person_message_id,
            team_chat_id=request.team_chat_id if team_message_id is not None else None,
            team_message_id=team_message_id,
            author_name=author_name,
            created_at=now,
        )
        if direction is Direction.IN:
            request.last_person_message_at = now
            request.waiting_for_person = False
        elif direction is Direction.OUT:
            request.last_team_message_at = now
            request.waiting_for_person = True
            if request.first_answer_at is None:
                request.first_answer_at = now
        self._session.add(message)
        await self._session.flush()
        return message

    async def is_stored(
        self,
        request: ContactRequest,
        *,
        person_message_id: int | None = None,
        team_message_id: int | None = None,
    ) -> bool:
        """Whether this Telegram message is already stored with the request.

        Telegram may deliver an update twice (a webhook call retried, a process that died before
        confirming it); a message seen before must not be stored and relayed again.

        Args:
            person_message_id: A message the person wrote, in their chat.
            team_message_id: A message a coordinator wrote, in the request's team chat.
        """
        if person_message_id is not None:
            direction = Direction.IN
            same = RequestMessage.person_message_id == person_message_id
        elif team_message_id is not None:
            direction = Direction.OUT
            same = (RequestMessage.team_message_id == team_message_id) & (
                RequestMessage.team_chat_id == request.team_chat_id
            )
        else:
            return False
        result = await self._session.execute(
            select(RequestMessage)
            .where(
                RequestMessage.request_id == request.id,
                RequestMessage.direction == direction.value,
                same,
            )
            .limit(1)
        )
        return result.scalar_one_or_none() is not None

    async def messages(self, request: ContactRequest) -> list[DecryptedMessage]:
        """The request's messages in the order they were written, decrypted.

        Raises:
            StorageError: If a content cannot be decrypted with the configured keys.
        """
        return await self.messages_of(request.id)

    async def messages_of(self, request_id: int) -> list[DecryptedMessage]:
        """:meth:`messages` by the request's id."""
        result = await self._session.execute(
            select(RequestMessage)
            .where(RequestMessage.request_id == request_id)
            .order_by(RequestMessage.created_at, RequestMessage.id)
        )
        return [self._decrypted(message) for message in result.scalars()]

    async def message(self, message_id: int) -> DecryptedMessage | None:
        """One message, decrypted (for the deliverer of an outbox entry), or None if gone."""
        message = await self._session.get(RequestMessage, message_id)
        return None if message is None else self._decrypted(message)

    async def set_team_message_id(
        self, message_id: int, team_message_id: int, team_chat_id: int | None = None
    ) -> bool:
        """Remember the message's copy in the team chat, so that replies to it are matched.

        Args:
            team_chat_id: The chat of the copy; default: the request's team chat now.

        Returns:
            False if the message is gone (purged, erased).
        """
        message = await self._session.get(RequestMessage, message_id)
        if message is None:
            return False
        if team_chat_id is None:
            request = await self._session.get(ContactRequest, message.request_id)
            team_chat_id = request.team_chat_id if request is not None else None
        message.team_chat_id, message.team_message_id = team_chat_id, team_message_id
        return True

    async def set_person_message_id(self, message_id: int, person_message_id: int) -> bool:
        """Remember the message's copy in the person's chat; False if the message is gone."""
        message = await self._session.get(RequestMessage, message_id)
        if message is None:
            return False
        message.person_message_id = person_message_id
        return True

    def set_phone(self, request: ContactRequest, phone: str | None) -> None:
        """Keep the phone number the person shared (encrypted), or forget it with None."""
        request.encrypted_phone = self._cipher.encrypt_optional(phone)

    def phone(self, request: ContactRequest) -> str | None:
        """The phone number the person shared, or None."""
        return self._cipher.decrypt_optional(request.encrypted_phone)

    # --- the life of a request ----------------------------------------------------------------

    def submit(
        self,
        request: ContactRequest,
        now: dt.datetime,
        *,
        team: str | None,
        team_chat_id: int | None,
    ) -> None:
        """Send a draft to a team: it becomes OPEN and the follow-up clocks start."""
        request.status = RequestStatus.OPEN
        request.submitted_at = now
        request.team, request.team_chat_id = team, team_chat_id

    def claim(
        self, request: ContactRequest, coordinator_id: int, coordinator_name: str | None
    ) -> None:
        """A coordinator takes the request up (the others see their first name)."""
        request.status = RequestStatus.CLAIMED
        request.claimed_by_id, request.claimed_by_name = coordinator_id, coordinator_name

    def close(self, request: ContactRequest, now: dt.datetime) -> None:
        """Done; the retention period starts now."""
        request.status, request.closed_at = RequestStatus.CLOSED, now

    def reopen(self, request: ContactRequest) -> None:
        """Back to work: claimed again if someone had claimed it, else open."""
        claimed = request.claimed_by_id is not None
        request.status = RequestStatus.CLAIMED if claimed else RequestStatus.OPEN
        request.closed_at = None

    def withdraw(self, request: ContactRequest, now: dt.datetime) -> None:
        """The person withdrew the request; the retention period starts now."""
        request.status, request.closed_at = RequestStatus.WITHDRAWN, now

    def mark_reminded(self, request: ContactRequest, now: dt.datetime) -> None:
        """The team was reminded; :meth:`due_for_reminder` leaves the request alone from now."""
        request.reminded_at = now

    def escalate(
        self, request: ContactRequest, now: dt.datetime, *, team: str | None, team_chat_id: int
    ) -> None:
        """Move the request to another team (the fallback team); it needs a new topic and card."""
        request.escalated, request.escalated_at = True, now
        request.team, request.team_chat_id = team, team_chat_id
        request.thread_id = request.card_message_id = None
        request.shown_state, request.topic_closed = None, False

    # --- follow-up ----------------------------------------------------------------------------

    async def open_requests_of_team(self, team: str) -> list[ContactRequest]:
        """The team's open and claimed requests, oldest first."""
        return await self._many(
            ContactRequest.team == team, ContactRequest.status.in_(ACTIVE_STATUSES)
        )

    async def due_for_reminder(self, now: dt.datetime, after: dt.timedelta) -> list[ContactRequest]:
        """Open or claimed requests sent at least ``after`` ago, never answered, not reminded."""
        return await self._many(
            ContactRequest.status.in_(ACTIVE_STATUSES),
            ContactRequest.submitted_at <= now - after,
            ContactRequest.first_answer_at.is_(None),
            ContactRequest.reminded_at.is_(None),
        )

    async def due_for_escalation(
        self, now: dt.datetime, after: dt.timedelta
    ) -> list[ContactRequest]:
        """Open requests sent at least ``after`` ago that nobody claimed or answered.

        Claimed requests are left with their coordinator: who claimed a request to call the
        person may well never write in the chat.
        """
        return await self._many(
            ContactRequest.status == RequestStatus.OPEN,
            ContactRequest.submitted_at <= now - after,
            ContactRequest.first_answer_at.is_(None),
            ContactRequest.escalated.is_(False),
        )

    async def open_by_team(self) -> dict[str | None, list[str]]:
        """For the daily digest: the references (without "#") of open and claimed requests by
        team key (None: no team), oldest first; the count is the length of the list."""
        by_team: dict[str | None, list[str]] = {}
        for request in await self._many(ContactRequest.status.in_(ACTIVE_STATUSES)):
            by_team.setdefault(request.team, []).append(request.reference)
        return by_team

    # --- forgetting ---------------------------------------------------------------------------

    async def purge_closed(self, now: dt.datetime, retention: dt.timedelta) -> int:
        """Delete what the retention period no longer allows to keep; returns how many requests.

        That is closed and withdrawn requests closed before ``now - retention``, and drafts
        started before then (a person who never pressed Send), each with its messages and
        outbox entries.
        """
        cutoff = now - retention
        result = await self._session.execute(
            select(ContactRequest.id).where(
                or_(
                    and_(
                        ContactRequest.status.in_(_FINISHED_STATUSES),
                        ContactRequest.closed_at <= cutoff,
                    ),
                    and_(
                        ContactRequest.status == RequestStatus.DRAFT,
                        ContactRequest.created_at <= cutoff,
                    ),
                )
            )
        )
        ids = list(result.scalars())
        await self._delete_requests(ids)
        return len(ids)

    async def erase_user(self, user_id: int) -> list[WithdrawalNotice]:
        """Delete a person with all their requests, messages and pending outbox entries.

        Returns ``(reference, team_chat_id, thread_id)`` for each open or claimed request that
        is in a team chat: what its team must be told. The rows are gone when the notices are
        sent, so put what the message needs in the payload, enqueue the notices in the same unit
        of work, and do *not* give them a ``request_id`` (they would be deleted with the
        request). The session's ``User`` object is deleted too: do not change it afterwards.
        """
        requests = await self.requests_of_user(user_id)
        notices = [
            WithdrawalNotice(request.reference, request.team_chat_id, request.thread_id)
            for request in requests
            if request.status in ACTIVE_STATUSES and request.team_chat_id is not None
        ]
        await self._delete_requests([request.id for request in requests])
        await self._session.execute(delete(User).where(User.id == user_id))
        return notices

    # --- helpers ------------------------------------------------------------------------------

    async def _delete_requests(self, ids: Sequence[int]) -> None:
        # The foreign keys cascade too, but we do not rely on them: SQLite enforces them only
        # with its pragma on, and explicit deletes say what goes.
        if not ids:
            return
        for statement in (
            delete(OutboxEntry).where(OutboxEntry.request_id.in_(ids)),
            delete(RequestMessage).where(RequestMessage.request_id.in_(ids)),
            delete(ContactRequest).where(ContactRequest.id.in_(ids)),
        ):
            await self._session.execute(statement.execution_options(synchronize_session="fetch"))

    async def _one(self, *conditions: ColumnElement[bool]) -> ContactRequest | None:
        result = await self._session.execute(select(ContactRequest).where(*conditions).limit(1))
        return result.scalar_one_or_none()

    async def _many(self, *conditions: ColumnElement[bool]) -> list[ContactRequest]:
        result = await self._session.execute(
            select(ContactRequest)
            .where(*conditions)
            .order_by(ContactRequest.submitted_at, ContactRequest.id)
        )
        return list(result.scalars())

    def _decrypted(self, message: RequestMessage) -> DecryptedMessage:
        return DecryptedMessage(
            id=message.id,
            request_id=message.request_id,
            direction=Direction(message.direction),
            kind=MessageKind(message.kind),
            body=self._cipher.decrypt_optional(message.encrypted_body),
            file_id=self._cipher.decrypt_optional(message.encrypted_file_id),
            person_message_id=message.person_message_id,
            team_chat_id=message.team_chat_id,
            team_message_id=message.team_message_id,
            author_name=message.author_name,
            created_at=message.created_at,
        )


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 5 s, 10 s, 20 s … at most 15 min.

    Raises:
        ValueError: If ``attempts`` is below 1.
    """
    if attempts < 1:
        raise ValueError(f"attempts count from 1, not {attempts}")
    # Capping the exponent first keeps 2**n small for absurd attempt counts.
    return min(_BACKOFF_FIRST * 2 ** min(attempts - 1, 20), _BACKOFF_CAP)


#: Within one request, an entry of the kind on the left waits until every earlier entry of the
#: kinds on the right is sent (or given up): the team sees a request's messages in the order the
#: person wrote them and only once its topic is open, the person gets the team's answers in
#: order, and the topic's title is edited by one delivery at a time — two edits racing could
#: leave an older title in place while the request records the newer one. Relays never wait
#: for a title. An opening is waited for even if it came later: a request given to the fallback
#: team is opened anew there, and its messages wait for that.
_WAITS_FOR = {
    "to-team": ("open", "to-team"),
    "to-person": ("to-person",),
    "state": ("open", "state"),
}


def _waits_for_earlier() -> ColumnElement[bool]:
    """True for an outbox entry that must wait for an earlier entry of its request."""
    earlier = aliased(OutboxEntry)
    return exists().where(
        earlier.request_id == OutboxEntry.request_id,
        earlier.id != OutboxEntry.id,
        or_(earlier.id < OutboxEntry.id, earlier.kind == "open"),
        earlier.status.in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]),
        or_(
            *(
                and_(OutboxEntry.kind == kind, earlier.kind.in_(before))
                for kind, before in _WAITS_FOR.items()
            )
        ),
    )


class OutboxRepository:
    """What is still to be sent to Telegram, delivered at least once and usually exactly once.

    A delivery round: :meth:`claim_due` in one unit of work (commit, so the claims are seen by
    other processes), send each entry outside any transaction, then :meth:`mark_sent` or
    :meth:`mark_failed` in another. If the process dies after sending and before marking, the
    entry's lease runs out and it is sent again: the one case of a duplicate, so keep the lease
    well above the time a send takes.

    Args:
        session: The unit of work's session.
        max_attempts: After this many attempts an entry is given up (status ``failed``).
    """

    def __init__(self, session: AsyncSession, *, max_attempts: int = MAX_DELIVERY_ATTEMPTS) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {max_attempts}")
        self._session = session
        self._max_attempts = max_attempts

    async def enqueue(
        self,
        key: str,
        kind: str,
        payload: dict[str, Any],
        now: dt.datetime,
        *,
        request_id: int | None = None,
        not_before: dt.datetime | None = None,
    ) -> OutboxEntry:
        """Add an entry unless one with ``key`` exists; returns the new or the existing entry.

        Args:
            key: The idempotency key, e.g. ``"message:42:to-team"``: enqueueing the same thing
                twice (a retried update) must give the same key.
            kind: What the deliverer does with it.
            payload: Small JSON: ids of rows, never message contents.
            request_id: The request it belongs to: the entry is deleted with the request
                (purge, erasure), so nothing of an erased person is sent after all.
            not_before: The earliest time to send (default: now).
        """
        await self._session.execute(
            _insert_for(self._session)(OutboxEntry)
            .values(
                key=key,
                kind=kind,
                payload=payload,
                request_id=request_id,
                status=OutboxStatus.PENDING.value,
                attempts=0,
                next_attempt_at=not_before or now,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=[OutboxEntry.key])
        )
        result = await self._session.execute(select(OutboxEntry).where(OutboxEntry.key == key))
        return result.scalar_one()

    async def claim_due(
        self,
        now: dt.datetime,
        limit: int,
        lease: dt.timedelta,
        *,
        exclude: Collection[int] = (),
    ) -> list[OutboxEntry]:
        """Take up to ``limit`` due entries for sending, oldest due first.

        Due are pending entries whose time has come and entries being sent whose lease ran out
        (the process that took them died). Each is set to ``sending`` until ``now + lease`` and
        counts an attempt. On PostgreSQL rows another process is claiming are skipped
        (``FOR UPDATE SKIP LOCKED``); on SQLite units of work run one after the other anyway.
        Entries of one request that must keep their order wait for the earlier ones
        (see ``_WAITS_FOR``): an earlier entry counts until it is sent or given up, in
        whichever process it is, so the order holds across processes too.
        An expired entry that used up its attempts is marked failed instead of being returned.

        Args:
            exclude: Ids this process is sending right now: never taken twice by one process,
                however long a send takes (the lease only guards against other processes).
        """
        result = await self._session.execute(
            select(OutboxEntry)
            .where(
                OutboxEntry.status.in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]),
                OutboxEntry.next_attempt_at <= now,
                OutboxEntry.id.not_in(list(exclude)),
                ~_waits_for_earlier(),
            )
            .order_by(OutboxEntry.next_attempt_at, OutboxEntry.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=OutboxEntry)
            .execution_options(populate_existing=True)
        )
        claimed = []
        for entry in result.scalars():
            if entry.attempts >= self._max_attempts:
                entry.status = OutboxStatus.FAILED.value
                entry.last_error = "gave up: the lease ran out on the last attempt"
                continue
            entry.status = OutboxStatus.SENDING.value
            entry.attempts += 1
            entry.next_attempt_at = now + lease
            claimed.append(entry)
        await self._session.flush()
        return claimed

    async def renew(self, entry_id: int, attempts: int, until: dt.datetime) -> bool:
        """Extend the lease of an entry this process claimed, right before performing it.

        A batch is claimed at once but performed one entry after the other, and waiting for the
        send budget can make that longer than the lease. ``attempts`` is the count this process's
        claim left; if another process has taken the entry since (its claim counted another
        attempt), or it is no longer being sent, nothing changes and False says: skip it.
        """
        result = await self._session.execute(
            update(OutboxEntry)
            .where(
                OutboxEntry.id == entry_id,
                OutboxEntry.attempts == attempts,
                OutboxEntry.status == OutboxStatus.SENDING.value,
            )
            .values(next_attempt_at=until)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def mark_sent(
        self, entry: OutboxEntry, result: dict[str, Any] | None, now: dt.datetime
    ) -> bool:
        """Record a delivery and what Telegram answered (e.g. ``{"message_id": 42}``).

        ``entry`` may come from the (committed) unit of work that claimed it: the row is read
        afresh. Returns False if the entry is gone (purged, erased) or already marked sent.
        """
        row = await self._locked(entry)
        if row is None or row.status == OutboxStatus.SENT.value:
            return False
        row.status, row.result, row.sent_at, row.last_error = (
            OutboxStatus.SENT.value,
            result,
            now,
            None,
        )
        return True

    async def mark_failed(
        self,
        entry: OutboxEntry,
        error: str | BaseException,
        now: dt.datetime,
        *,
        retry_at: dt.datetime | None = None,
        final: bool = False,
    ) -> bool:
        """Record a failed attempt: retry later with back-off, or give up.

        Args:
            error: What went wrong. An exception is stored as its class name only; a text is
                stored as given (cut to 200 characters), so pass Telegram's description, never
                the content that was being sent.
            retry_at: When Telegram asked us to retry (429 with ``retry_after``). Such a wait
                does not count as a failed attempt: the entry itself is fine.
            final: No retry can help (the bot was blocked, the chat is gone): give up now.

        Returns:
            False if the entry is no longer being sent (gone, or already marked).
        """
        row = await self._locked(entry)
        if row is None or row.status != OutboxStatus.SENDING.value:
            return False
        description = type(error).__name__ if isinstance(error, BaseException) else error
        row.last_error = description[:_ERROR_LENGTH]
        if retry_at is not None and not final:
            row.attempts = max(row.attempts - 1, 0)
            row.status, row.next_attempt_at = OutboxStatus.PENDING.value, retry_at
        elif final or row.attempts >= self._max_attempts:
            row.status = OutboxStatus.FAILED.value
        else:
            row.status = OutboxStatus.PENDING.value
            row.next_attempt_at = now + backoff(max(row.attempts, 1))
        return True

    async def get(self, key: str) -> OutboxEntry | None:
        """The entry with this idempotency key, or None."""
        result = await self._session.execute(select(OutboxEntry).where(OutboxEntry.key == key))
        return result.scalar_one_or_none()

    async def pending_count(self) -> int:
        """How many entries are waiting or being sent (for health checks and the admins)."""
        result = await self._session.execute(
            select(func.count())
            .select_from(OutboxEntry)
            .where(OutboxEntry.status.in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]))
        )
        return result.scalar_one()

    async def delete_sent_before(self, cutoff: dt.datetime) -> int:
        """Forget entries sent before ``cutoff``, and entries given up that were made before it.

        Their keys can then be enqueued again, so ``cutoff`` must lie beyond the time anything
        would enqueue the same key (the retention period does). Entries of a request go with the
        request anyway; this forgets the others, e.g. who was sent which announcement.
        """
        result = await self._session.execute(
            delete(OutboxEntry)
            .where(
                or_(
                    and_(
                        OutboxEntry.status == OutboxStatus.SENT.value,
                        OutboxEntry.sent_at < cutoff,
                    ),
                    and_(
                        OutboxEntry.status == OutboxStatus.FAILED.value,
                        OutboxEntry.created_at < cutoff,
                    ),
                )
            )
            .execution_options(synchronize_session="fetch")
        )
        return result.rowcount

    async def _locked(self, entry: OutboxEntry) -> OutboxEntry | None:
        # Read afresh and lock: the entry may come from another session, and a process whose
        # lease ran out may be marking it at the same time.
        return await self._session.get(
            OutboxEntry, entry.id, with_for_update=True, populate_existing=True
        )


def _insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING (SQLite and PostgreSQL alike)."""
    return conflict_insert(session.get_bind().dialect.name)
