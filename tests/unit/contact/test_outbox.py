"""OutboxRepository: idempotent enqueueing, claims with leases, back-off, giving up."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from bot.contact.crypto import Cipher
from bot.contact.references import ReferenceGenerator
from bot.contact.repositories import (
    MAX_DELIVERY_ATTEMPTS,
    OutboxRepository,
    RequestRepository,
    backoff,
)
from bot.storage.database import Database
from bot.storage.models import OutboxEntry, OutboxStatus
from bot.storage.repositories import UserRepository

SECOND = dt.timedelta(seconds=1)
LEASE = dt.timedelta(seconds=60)


async def _enqueue(database: Database, now: dt.datetime, *keys: str) -> None:
    async with database.unit_of_work() as session:
        for key in keys:
            await OutboxRepository(session).enqueue(key, "to-team", {"message": key}, now)


async def _claim(database: Database, now: dt.datetime, limit: int = 10, **options) -> list[str]:
    async with database.unit_of_work() as session:
        entries = await OutboxRepository(session, **options).claim_due(now, limit, LEASE)
        return [entry.key for entry in entries]


async def _entry(database: Database, key: str) -> OutboxEntry:
    async with database.unit_of_work() as session:
        entry = await OutboxRepository(session).get(key)
        assert entry is not None
        return entry


async def _row_count(database: Database) -> int:
    async with database.unit_of_work() as session:
        counted = await session.execute(select(func.count()).select_from(OutboxEntry))
        return counted.scalar_one()


def test_backoff_doubles_from_five_seconds_up_to_fifteen_minutes():
    schedule = [backoff(attempts).total_seconds() for attempts in range(1, 12)]

    assert schedule == [5, 10, 20, 40, 80, 160, 320, 640, 900, 900, 900]
    assert backoff(10_000) == dt.timedelta(minutes=15)
    with pytest.raises(ValueError):
        backoff(0)


async def test_enqueueing_the_same_key_twice_keeps_one_entry(database, clock):
    async with database.unit_of_work() as session:
        outbox = OutboxRepository(session)
        first = await outbox.enqueue("message:1:to-team", "to-team", {"message": 1}, clock.now())
        again = await outbox.enqueue("message:1:to-team", "other", {"message": 2}, clock.now())

    assert again.id == first.id
    assert (again.kind, again.payload, again.status) == ("to-team", {"message": 1}, "pending")
    assert await _row_count(database) == 1


async def test_enqueueing_again_after_sending_sends_nothing_new(database, clock):
    await _enqueue(database, clock.now(), "request:1:card")
    async with database.unit_of_work() as session:
        outbox = OutboxRepository(session)
        (entry,) = await outbox.claim_due(clock.now(), 10, LEASE)
        await outbox.mark_sent(entry, {"message_id": 42}, clock.now())

    await _enqueue(database, clock.advance(SECOND), "request:1:card")

    assert await _claim(database, clock.now()) == []
    assert (await _entry(database, "request:1:card")).result == {"message_id": 42}


async def test_two_processes_enqueueing_the_same_key_at_once_make_one_entry(
    database, database_url, database_schema, clock
):
    other_process = Database(database_url, schema=database_schema)
    first_inserted = asyncio.Event()

    async def first() -> int:
        async with database.unit_of_work() as session:
            entry = await OutboxRepository(session).enqueue("k", "to-team", {}, clock.now())
            first_inserted.set()
            await asyncio.sleep(0.2)
            return entry.id

    async def second() -> int:
        await first_inserted.wait()
        async with other_process.unit_of_work() as session:
            entry = await OutboxRepository(session).enqueue("k", "to-team", {}, clock.now())
            return entry.id

    try:
        ids = await asyncio.gather(first(), second())
    finally:
        await other_process.dispose()

    assert ids[0] == ids[1]
    assert await _row_count(database) == 1


async def test_only_due_entries_are_claimed_oldest_first_and_up_to_the_limit(database, clock):
    now = clock.now()
    async with database.unit_of_work() as session:
        outbox = OutboxRepository(session)
        await outbox.enqueue("later", "k", {}, now, not_before=now + 10 * SECOND)
        await outbox.enqueue("b", "k", {}, now)
        await outbox.enqueue("a", "k", {}, now - SECOND)
        await outbox.enqueue("c", "k", {}, now)

    assert await _claim(database, now, limit=2) == ["a", "b"]
    assert await _claim(database, now) == ["c"]
    assert await _claim(database, now) == []
    assert await _claim(database, now + 10 * SECOND) == ["later"]

    claimed = await _entry(database, "a")
    assert (claimed.status, claimed.attempts) == ("sending", 1)
    assert claimed.next_attempt_at == now + LEASE


async def test_two_processes_claiming_at_once_never_take_the_same_entry(
    database, database_url, database_schema, clock
):
    # On PostgreSQL the second claim skips the rows the first holds (SKIP LOCKED) and takes the
    # others at once; on SQLite it waits for the first unit of work and then finds them taken.
    keys = [f"message:{n}:to-team" for n in range(10)]
    await _enqueue(database, clock.now(), *keys)
    other_process = Database(database_url, schema=database_schema)
    first_claimed, first_committed = asyncio.Event(), asyncio.Event()
    second_waited = None

    async def first() -> list[str]:
        async with database.unit_of_work() as session:
            entries = await OutboxRepository(session).claim_due(clock.now(), 6, LEASE)
            first_claimed.set()
            await asyncio.sleep(0.3)
        first_committed.set()
        return [entry.key for entry in entries]

    async def second() -> list[str]:
        nonlocal second_waited
        await first_claimed.wait()
        async with other_process.unit_of_work() as session:
            entries = await OutboxRepository(session).claim_due(clock.now(), 10, LEASE)
            second_waited = first_committed.is_set()
            return [entry.key for entry in entries]

    try:
        taken_first, taken_second = await asyncio.gather(first(), second())
    finally:
        await other_process.dispose()

    assert len(taken_first) == 6
    assert second_waited is (database.dialect == "sqlite")
    assert not set(taken_first) & set(taken_second)
    assert sorted(taken_first + taken_second) == sorted(keys)


async def test_an_entry_whose_process_died_is_offered_again_when_its_lease_runs_out(
    database, clock
):
    await _enqueue(database, clock.now(), "request:1:card")
    assert await _claim(database, clock.now()) == ["request:1:card"]
    # The process dies here: sent or not, never marked.

    clock.advance(LEASE - SECOND)
    assert await _claim(database, clock.now()) == []
    clock.advance(SECOND)
    assert await _claim(database, clock.now()) == ["request:1:card"]
    assert (await _entry(database, "request:1:card")).attempts == 2


async def test_marking_sent_from_another_unit_of_work(database, clock):
    await _enqueue(database, clock.now(), "request:1:card")
    async with database.unit_of_work() as session:
        (entry,) = await OutboxRepository(session).claim_due(clock.now(), 10, LEASE)
    # Sending happens here, outside any transaction.
    async with database.unit_of_work() as session:
        outbox = OutboxRepository(session)
        assert await outbox.mark_sent(entry, {"message_id": 42}, clock.advance(SECOND))
        assert not await outbox.mark_sent(entry, {"message_id": 43}, clock.now())
        assert await outbox.pending_count() == 0

    stored = await _entry(database, "request:1:card")
    assert (stored.status, stored.result, stored.sent_at) == (
        "sent",
        {"message_id": 42},
        clock.now(),
    )
    clock.advance(LEASE * 2)
    assert await _claim(database, clock.now()) == []


async def test_a_failed_attempt_is_retried_after_the_back_off(database, clock):
    await _enqueue(database, clock.now(), "k")
    async with database.unit_of_work() as session:
        (entry,) = await OutboxRepository(session).claim_due(clock.now(), 10, LEASE)
    async with database.unit_of_work() as session:
        outbox = OutboxRepository(session)
        assert await outbox.mark_failed(entry, TimeoutError("secret text"), clock.now())
        assert not await outbox.mark_failed(entry, "again", clock.now())
        assert await outbox.pending_count() == 1

    stored = await _entry(database, "k")
    assert (stored.status, stored.attempts, stored.last_error) == ("pending", 1, "TimeoutError")
    assert stored.next_attempt_at == clock.now() + backoff(1)
    assert await _claim(database, clock.advance(backoff(1) - SECOND)) == []
    assert await _claim(database, clock.advance(SECOND)) == ["k"]


async def test_a_retry_after_from_telegram_is_kept_and_not_counted(database, clock):
    await _enqueue(database, clock.now(), "k")
    async with database.unit_of_work() as session:
        (entry,) = await OutboxRepository(session).claim_due(clock.now(), 10, LEASE)
        retry_at = clock.now() + 30 * SECOND
        await OutboxRepository(session).mark_failed(
            entry, "RetryAfter: flood control", clock.now(), retry_at=retry_at
        )

    stored = await _entry(database, "k")
    assert (stored.status, stored.attempts, stored.next_attempt_at) == ("pending", 0, retry_at)
    assert stored.last_error == "RetryAfter: flood control"


async def test_a_final_error_gives_up_at_once(database, clock):
    await _enqueue(database, clock.now(), "k")
    async with database.unit_of_work() as session:
        (entry,) = await OutboxRepository(session).claim_due(clock.now(), 10, LEASE)
        await OutboxRepository(session).mark_failed(
            entry, "Forbidden: bot was blocked by the user", clock.now(), final=True
        )
        assert await OutboxRepository(session).pending_count() == 0

    assert (await _entry(database, "k")).status == OutboxStatus.FAILED
    assert await _claim(database, clock.advance(dt.timedelta(days=1))) == []


async def test_after_the_last_attempt_the_entry_is_given_up(database, clock):
    await _enqueue(database, clock.now(), "k")
    for attempt in range(1, 4):
        async with database.unit_of_work() as session:
            outbox = OutboxRepository(session, max_attempts=3)
            (entry,) = await outbox.claim_due(clock.now(), 10, LEASE)
            assert entry.attempts == attempt
            await outbox.mark_failed(entry, "NetworkError", clock.now())
        clock.advance(backoff(attempt))

    stored = await _entry(database, "k")
    assert (stored.status, stored.attempts) == ("failed", 3)
    assert await _claim(database, clock.now(), max_attempts=3) == []


async def test_a_lease_that_runs_out_on_the_last_attempt_gives_up(database, clock):
    await _enqueue(database, clock.now(), "k")
    assert await _claim(database, clock.now(), max_attempts=1) == ["k"]

    assert await _claim(database, clock.advance(LEASE), max_attempts=1) == []
    stored = await _entry(database, "k")
    assert stored.status == "failed"
    assert "lease" in stored.last_error


async def test_long_error_descriptions_are_cut(database, clock):
    await _enqueue(database, clock.now(), "k")
    async with database.unit_of_work() as session:
        (entry,) = await OutboxRepository(session).claim_due(clock.now(), 10, LEASE)
        await OutboxRepository(session).mark_failed(entry, "x" * 500, clock.now())

    assert len((await _entry(database, "k")).last_error) == 200


async def test_sent_entries_can_be_forgotten_after_a_while(database, clock):
    await _enqueue(database, clock.now(), "old", "pending")
    async with database.unit_of_work() as session:
        outbox = OutboxRepository(session)
        entries = await outbox.claim_due(clock.now(), 1, LEASE)
        await outbox.mark_sent(entries[0], None, clock.now())

    async with database.unit_of_work() as session:
        assert await OutboxRepository(session).delete_sent_before(clock.advance(SECOND)) == 1
    assert await _row_count(database) == 1


async def test_entries_given_up_are_forgotten_too_but_never_pending_ones(database, clock):
    await _enqueue(database, clock.now(), "refused", "waiting")
    async with database.unit_of_work() as session:
        outbox = OutboxRepository(session)
        (entry,) = await outbox.claim_due(clock.now(), 1, LEASE)
        await outbox.mark_failed(entry, "Forbidden", clock.now(), final=True)

    async with database.unit_of_work() as session:
        assert await OutboxRepository(session).delete_sent_before(clock.now()) == 0
        assert await OutboxRepository(session).delete_sent_before(clock.advance(SECOND)) == 1
    assert (await _entry(database, "waiting")).status == OutboxStatus.PENDING.value


def test_the_default_attempt_limit_gives_over_an_hour_of_retries():
    total = sum((backoff(n) for n in range(1, MAX_DELIVERY_ATTEMPTS)), dt.timedelta())
    assert total > dt.timedelta(hours=1)


def test_max_attempts_must_be_positive():
    with pytest.raises(ValueError):
        OutboxRepository(None, max_attempts=0)  # type: ignore[arg-type]


async def _request_id(database: Database, now: dt.datetime, telegram_id: int) -> int:
    async with database.unit_of_work() as session:
        user = await UserRepository(session).get_or_create(telegram_id, now)
        request = await RequestRepository(
            session, Cipher([Fernet(Fernet.generate_key())])
        ).create_draft(user, "asylum", "de", now, ReferenceGenerator())
        return request.id


async def _mark_sent(database: Database, key: str, now: dt.datetime) -> None:
    async with database.unit_of_work() as session:
        outbox = OutboxRepository(session)
        entry = await outbox.get(key)
        assert entry is not None
        await outbox.mark_sent(entry, None, now)


async def test_a_requests_entries_keep_their_order_across_claims(database, clock):
    # The team sees the person's messages in order and only once the topic is open; the
    # person gets the answers in order; one title edit at a time. Other requests do not wait.
    now = clock.now()
    first, second = await _request_id(database, now, 1), await _request_id(database, now, 2)
    async with database.unit_of_work() as session:
        outbox = OutboxRepository(session)
        for key, kind, request in [
            ("open", "open", first),
            ("state-1", "state", first),
            ("in-1", "to-team", first),
            ("in-2", "to-team", first),
            ("out-1", "to-person", first),
            ("out-2", "to-person", first),
            ("state-2", "state", first),
            ("other-open", "open", second),
            ("other-in", "to-team", second),
        ]:
            await outbox.enqueue(key, kind, {}, now, request_id=request)

    assert await _claim(database, now) == ["open", "out-1", "other-open"]
    assert await _claim(database, now) == []
    await _mark_sent(database, "open", now)
    await _mark_sent(database, "out-1", now)
    assert await _claim(database, now) == ["state-1", "in-1", "out-2"]
    await _mark_sent(database, "state-1", now)
    await _mark_sent(database, "in-1", now)
    # A title waits for the title before it, a message for the message before it — and a
    # message never for a title.
    assert await _claim(database, now) == ["in-2", "state-2"]
    await _mark_sent(database, "other-open", now)
    assert await _claim(database, now) == ["other-in"]


async def test_an_entry_given_up_no_longer_holds_up_the_next(database, clock):
    now = clock.now()
    request = await _request_id(database, now, 1)
    async with database.unit_of_work() as session:
        outbox = OutboxRepository(session)
        await outbox.enqueue("in-1", "to-team", {}, now, request_id=request)
        await outbox.enqueue("in-2", "to-team", {}, now, request_id=request)
    async with database.unit_of_work() as session:
        (entry,) = await OutboxRepository(session).claim_due(now, 10, LEASE)
        assert entry.key == "in-1"
    async with database.unit_of_work() as session:
        await OutboxRepository(session).mark_failed(entry, "Forbidden", now, final=True)
    assert await _claim(database, now) == ["in-2"]
