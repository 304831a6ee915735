"""RequestRepository: drafts, encrypted messages, lookups from team chats, follow-up, forgetting."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select, text

from bot.contact.crypto import Cipher
from bot.contact.references import ReferenceGenerator
from bot.contact.repositories import (
    MAX_REFERENCE_ATTEMPTS,
    OutboxRepository,
    RequestRepository,
    WithdrawalNotice,
)
from bot.errors import StorageError
from bot.storage.database import Database
from bot.storage.models import (
    ContactRequest,
    Direction,
    MessageKind,
    OutboxEntry,
    RequestMessage,
    RequestStatus,
    User,
)
from bot.storage.repositories import UserRepository

TEAM_CHAT = -100_111
OTHER_CHAT = -100_222
HOUR = dt.timedelta(hours=1)
SECRET_TEXT = "Ich heiße Amal und wohne in der Hauptstraße 5"
SECRET_CAPTION = "Mein Bescheid vom Amt"
SECRET_FILE = "AgACAgIAAxkBAAIBZ2VzZWNyZXQtZmlsZS1pZA"
SECRET_PHONE = "+49 176 1234567"


class ScriptedSource:
    """A random source that spells out the given references, one character at a time."""

    def __init__(self, *references: str) -> None:
        self._characters = list("".join(references))

    def choice(self, seq):
        return self._characters.pop(0)


async def _person(session, telegram_id: int, now: dt.datetime) -> User:
    return await UserRepository(session).get_or_create(telegram_id, now)


async def _sent_request(
    database: Database,
    cipher: Cipher,
    references: ReferenceGenerator,
    now: dt.datetime,
    *,
    telegram_id: int = 5001,
    team: str = "berlin",
    team_chat_id: int = TEAM_CHAT,
    thread_id: int | None = None,
) -> int:
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        user = await _person(session, telegram_id, now)
        request = await requests.create_draft(user, "asylum", "ar", now, references)
        await requests.add_message(request, "in", "text", SECRET_TEXT, None, now)
        requests.submit(request, now, team=team, team_chat_id=team_chat_id)
        request.thread_id = thread_id
        return request.id


async def test_a_draft_gets_a_reference_and_is_the_current_draft(
    database, cipher, references, clock
):
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        user = await _person(session, 5001, clock.now())
        draft = await requests.create_draft(user, "asylum", "ar", clock.now(), references)
        draft_id, reference = draft.id, draft.reference

    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        current = await requests.current_draft((await UserRepository(session).get(5001)).id)
        by_reference = await requests.by_reference("#" + reference.lower())

    assert current.id == by_reference.id == draft_id
    assert current.status is RequestStatus.DRAFT
    assert (current.topic, current.language, current.contact_method) == ("asylum", "ar", "chat")
    assert current.created_at == clock.now()
    assert len(reference) == 4


async def test_a_taken_reference_is_drawn_again(database, cipher, clock):
    generator = ReferenceGenerator(ScriptedSource("K7QF", "K7QF", "HX4M"))
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        user = await _person(session, 5001, clock.now())
        first = await requests.create_draft(user, "asylum", "ar", clock.now(), generator)
        second = await requests.create_draft(user, "work", "ar", clock.now(), generator)

    assert (first.reference, second.reference) == ("K7QF", "HX4M")


async def test_a_generator_that_only_collides_gives_up_with_a_storage_error(
    database, cipher, clock
):
    generator = ReferenceGenerator(ScriptedSource(*["AAAA"] * (MAX_REFERENCE_ATTEMPTS + 1)))
    with pytest.raises(StorageError, match="no free request reference"):
        async with database.unit_of_work() as session:
            requests = RequestRepository(session, cipher)
            user = await _person(session, 5001, clock.now())
            await requests.create_draft(user, "asylum", "ar", clock.now(), generator)
            await requests.create_draft(user, "asylum", "ar", clock.now(), generator)


async def test_many_drafts_have_distinct_references(database, cipher, clock):
    generator = ReferenceGenerator(random.Random(99))
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        user = await _person(session, 5001, clock.now())
        drafts = [
            await requests.create_draft(user, "asylum", "ar", clock.now(), generator)
            for _ in range(50)
        ]

    assert len({draft.reference for draft in drafts}) == 50


async def test_messages_come_back_decrypted_in_order(database, cipher, references, clock):
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        user = await _person(session, 5001, clock.now())
        draft = await requests.create_draft(user, "asylum", "ar", clock.now(), references)
        await requests.add_message(
            draft, "in", "text", SECRET_TEXT, None, clock.now(), person_message_id=11
        )
        await requests.add_message(
            draft, Direction.IN, MessageKind.PHOTO, SECRET_CAPTION, SECRET_FILE, clock.now()
        )
        await requests.add_message(draft, "in", "voice", None, "voice-file", clock.now())
        draft_id = draft.id

    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        messages = await requests.messages(await requests.get(draft_id))

    assert [(m.direction, m.kind, m.body, m.file_id) for m in messages] == [
        ("in", "text", SECRET_TEXT, None),
        ("in", "photo", SECRET_CAPTION, SECRET_FILE),
        ("in", "voice", None, "voice-file"),
    ]
    assert messages[0].person_message_id == 11
    assert messages[0].created_at == clock.now()


async def test_unknown_directions_and_kinds_are_refused(database, cipher, references, clock):
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        user = await _person(session, 5001, clock.now())
        draft = await requests.create_draft(user, "asylum", "ar", clock.now(), references)
        with pytest.raises(ValueError):
            await requests.add_message(draft, "sideways", "text", "x", None, clock.now())
        with pytest.raises(ValueError):
            await requests.add_message(draft, "in", "sticker", None, "x", clock.now())


async def test_the_database_holds_no_plain_text_phone_or_file_id(
    database, cipher, references, clock
):
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        user = await _person(session, 5001, clock.now())
        draft = await requests.create_draft(user, "asylum", "ar", clock.now(), references)
        await requests.add_message(draft, "in", "text", SECRET_TEXT, None, clock.now())
        await requests.add_message(draft, "in", "photo", SECRET_CAPTION, SECRET_FILE, clock.now())
        await requests.add_message(
            draft, "note", "text", SECRET_TEXT, None, clock.now(), author_name="Jana"
        )
        requests.set_phone(draft, SECRET_PHONE)
        draft_id = draft.id

    async with database.unit_of_work() as session:
        rows = [
            tuple(row)
            for table in ("contact_requests", "request_messages", "outbox", "users")
            for row in await session.execute(text(f"SELECT * FROM {table}"))
        ]
        assert (
            RequestRepository(session, cipher).phone(await session.get(ContactRequest, draft_id))
            == SECRET_PHONE
        )
    stored = " ".join(str(value) for row in rows for value in row)

    for secret in (SECRET_TEXT, "Amal", SECRET_CAPTION, SECRET_FILE, SECRET_PHONE, "1234567"):
        assert secret not in stored


async def test_contents_written_with_an_old_key_are_read_after_a_new_key_comes_first(
    database, cipher, key, references, clock
):
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        user = await _person(session, 5001, clock.now())
        draft = await requests.create_draft(user, "asylum", "ar", clock.now(), references)
        await requests.add_message(draft, "in", "text", SECRET_TEXT, None, clock.now())
        draft_id = draft.id

    rotated = Cipher.from_keys((Fernet.generate_key().decode(), key))
    stranger = Cipher.from_keys((Fernet.generate_key().decode(),))
    async with database.unit_of_work() as session:
        request = await session.get(ContactRequest, draft_id)
        assert [m.body for m in await RequestRepository(session, rotated).messages(request)] == [
            SECRET_TEXT
        ]
        with pytest.raises(StorageError, match="cannot decrypt"):
            await RequestRepository(session, stranger).messages(request)


async def test_requests_are_found_by_thread_card_and_relayed_message(
    database, cipher, references, clock
):
    request_id = await _sent_request(database, cipher, references, clock.now(), thread_id=77)
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        request = await requests.get(request_id)
        request.card_message_id = 500
        relayed = await requests.add_message(request, "in", "text", "more", None, clock.now())
        assert await requests.set_team_message_id(relayed.id, 501)
        note = await requests.add_message(
            request, "note", "text", "internal", None, clock.now(), team_message_id=502
        )
        assert note.team_chat_id == TEAM_CHAT

    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        assert (await requests.by_thread(TEAM_CHAT, 77)).id == request_id
        assert await requests.by_thread(TEAM_CHAT, 78) is None
        assert await requests.by_thread(OTHER_CHAT, 77) is None
        for message_id in (500, 501, 502):
            assert (await requests.by_team_message(TEAM_CHAT, message_id)).id == request_id
        assert await requests.by_team_message(TEAM_CHAT, 503) is None
        assert await requests.by_team_message(OTHER_CHAT, 501) is None


async def test_after_an_escalation_the_old_chat_no_longer_leads_to_the_request(
    database, cipher, references, clock
):
    request_id = await _sent_request(database, cipher, references, clock.now(), thread_id=77)
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        request = await requests.get(request_id)
        relayed = await requests.add_message(request, "in", "text", "more", None, clock.now())
        await requests.set_team_message_id(relayed.id, 601, TEAM_CHAT)
        requests.escalate(request, clock.now(), team="fallback", team_chat_id=OTHER_CHAT)

    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        assert await requests.by_team_message(TEAM_CHAT, 601) is None
        assert await requests.by_thread(TEAM_CHAT, 77) is None
        # The same message id in the new chat is another message, not the old relayed one.
        assert await requests.by_team_message(OTHER_CHAT, 601) is None
        request = await requests.get(request_id)
        assert (request.escalated, request.team, request.thread_id) == (True, "fallback", None)


async def test_answers_and_person_messages_keep_the_request_times(
    database, cipher, references, clock
):
    request_id = await _sent_request(database, cipher, references, clock.now())
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        request = await requests.get(request_id)
        await requests.add_message(request, "note", "text", "n", None, clock.advance(HOUR))
        assert request.first_answer_at is None
        answered = clock.advance(HOUR)
        await requests.add_message(request, "out", "text", "a", None, answered, author_name="Jana")
        await requests.add_message(request, "out", "text", "b", None, clock.advance(HOUR))
        await requests.add_message(request, "in", "text", "c", None, clock.advance(HOUR))

    assert request.first_answer_at == answered
    assert request.last_team_message_at == answered + HOUR
    assert request.last_person_message_at == clock.now()


async def test_reminders_and_escalations_come_due_with_the_clock(
    database, cipher, references, clock
):
    first = await _sent_request(database, cipher, references, clock.now(), telegram_id=5001)
    clock.advance(HOUR)
    second = await _sent_request(database, cipher, references, clock.now(), telegram_id=5002)
    async with database.unit_of_work() as session:
        user = await _person(session, 5003, clock.now())
        await RequestRepository(session, cipher).create_draft(
            user, "asylum", "ar", clock.now(), references
        )

    async def due() -> tuple[list[int], list[int]]:
        async with database.unit_of_work() as session:
            requests = RequestRepository(session, cipher)
            remind = await requests.due_for_reminder(clock.now(), 4 * HOUR)
            escalate = await requests.due_for_escalation(clock.now(), 8 * HOUR)
            return [r.id for r in remind], [r.id for r in escalate]

    assert await due() == ([], [])
    clock.advance(3 * HOUR)  # first: 4 h, second: 3 h
    assert await due() == ([first], [])
    clock.advance(HOUR)
    assert await due() == ([first, second], [])

    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        requests.mark_reminded(await requests.get(first), clock.now())
        second_request = await requests.get(second)
        await requests.add_message(second_request, "out", "text", "hi", None, clock.now())
    assert await due() == ([], [])

    clock.advance(4 * HOUR)  # first: 9 h, unanswered, reminded
    assert await due() == ([], [first])
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        requests.escalate(await requests.get(first), clock.now(), team="x", team_chat_id=OTHER_CHAT)
    assert await due() == ([], [])


async def test_claimed_requests_are_reminded_but_not_escalated(database, cipher, references, clock):
    request_id = await _sent_request(database, cipher, references, clock.now())
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        requests.claim(await requests.get(request_id), 900, "Jana")

    clock.advance(10 * HOUR)
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        assert [r.id for r in await requests.due_for_reminder(clock.now(), HOUR)] == [request_id]
        assert await requests.due_for_escalation(clock.now(), HOUR) == []


async def test_open_requests_are_listed_by_team_for_the_digest(database, cipher, references, clock):
    a = await _sent_request(database, cipher, references, clock.now(), telegram_id=1, team="a")
    b = await _sent_request(database, cipher, references, clock.now(), telegram_id=2, team="b")
    clock.advance(HOUR)
    a2 = await _sent_request(database, cipher, references, clock.now(), telegram_id=3, team="a")
    closed = await _sent_request(database, cipher, references, clock.now(), telegram_id=4, team="a")
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        requests.close(await requests.get(closed), clock.now())
        requests.claim(await requests.get(a2), 900, "Jana")

    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        by_team = await requests.open_by_team()
        of_a = await requests.open_requests_of_team("a")
        reference = {r.id: r.reference for r in (*of_a, await requests.get(b))}

    assert by_team == {"a": [reference[a], reference[a2]], "b": [reference[b]]}
    assert [r.id for r in of_a] == [a, a2]


async def test_close_and_reopen(database, cipher, references, clock):
    request_id = await _sent_request(database, cipher, references, clock.now())
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        request = await requests.get(request_id)
        requests.close(request, clock.now())
        assert (request.status, request.closed_at) == (RequestStatus.CLOSED, clock.now())
        requests.reopen(request)
        assert (request.status, request.closed_at) == (RequestStatus.OPEN, None)
        requests.claim(request, 900, "Jana")
        requests.close(request, clock.now())
        requests.reopen(request)
        assert request.status is RequestStatus.CLAIMED


async def _counts(database: Database) -> tuple[int, int, int]:
    async with database.unit_of_work() as session:
        counts = []
        for model in (ContactRequest, RequestMessage, OutboxEntry):
            counted = await session.execute(select(func.count()).select_from(model))
            counts.append(counted.scalar_one())
        return tuple(counts)


async def test_purge_deletes_finished_requests_and_old_drafts_after_the_retention(
    database, cipher, references, clock
):
    retention = dt.timedelta(days=30)
    closed = await _sent_request(database, cipher, references, clock.now(), telegram_id=1)
    withdrawn = await _sent_request(database, cipher, references, clock.now(), telegram_id=2)
    still_open = await _sent_request(database, cipher, references, clock.now(), telegram_id=3)
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        outbox = OutboxRepository(session)
        for request_id in (closed, withdrawn, still_open):
            await outbox.enqueue(
                f"request:{request_id}:card",
                "card",
                {"request": request_id},
                clock.now(),
                request_id=request_id,
            )
        requests.close(await requests.get(closed), clock.now())
        requests.withdraw(await requests.get(withdrawn), clock.now() + dt.timedelta(days=5))
        user = await _person(session, 4, clock.now())
        draft = await requests.create_draft(user, "asylum", "ar", clock.now(), references)
        await requests.add_message(draft, "in", "text", "abandoned", None, clock.now())
    assert await _counts(database) == (4, 4, 3)

    async def purge() -> int:
        async with database.unit_of_work() as session:
            return await RequestRepository(session, cipher).purge_closed(clock.now(), retention)

    clock.advance(retention - dt.timedelta(seconds=1))
    assert await purge() == 0
    clock.advance(dt.timedelta(seconds=1))
    assert await purge() == 2  # the closed request and the draft
    assert await _counts(database) == (2, 2, 2)
    clock.advance(dt.timedelta(days=5))
    assert await purge() == 1
    assert await _counts(database) == (1, 1, 1)
    async with database.unit_of_work() as session:
        assert (await RequestRepository(session, cipher).get(still_open)) is not None


async def test_discarding_a_draft_deletes_its_messages(database, cipher, references, clock):
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        user = await _person(session, 5001, clock.now())
        draft = await requests.create_draft(user, "asylum", "ar", clock.now(), references)
        await requests.add_message(draft, "in", "text", "x", None, clock.now())
        await requests.discard_draft(draft)
        assert await requests.current_draft(user.id) is None
    assert await _counts(database) == (0, 0, 0)

    request_id = await _sent_request(database, cipher, references, clock.now())
    with pytest.raises(ValueError, match="sent already"):
        async with database.unit_of_work() as session:
            requests = RequestRepository(session, cipher)
            await requests.discard_draft(await requests.get(request_id))


async def test_erasing_a_person_returns_notices_for_their_open_requests_and_deletes_all(
    database, cipher, references, clock
):
    open_id = await _sent_request(database, cipher, references, clock.now(), thread_id=77)
    closed_id = await _sent_request(database, cipher, references, clock.now())
    other_person = await _sent_request(database, cipher, references, clock.now(), telegram_id=6000)
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        open_request = await requests.get(open_id)
        open_request.card_message_id = 500
        requests.close(await requests.get(closed_id), clock.now())
        user = await UserRepository(session).get(5001)
        await requests.create_draft(user, "work", "ar", clock.now(), references)
        await OutboxRepository(session).enqueue(
            f"request:{open_id}:card", "card", {"request": open_id}, clock.now(), request_id=open_id
        )
        user_id, reference = user.id, open_request.reference

    async with database.unit_of_work() as session:
        notices = await RequestRepository(session, cipher).erase_user(user_id)
        # The caller tells the teams in the same unit of work; the notices outlive the rows.
        for notice in notices:
            await OutboxRepository(session).enqueue(
                f"withdrawn:{notice.reference}:{notice.team_chat_id}",
                "withdrawn",
                {
                    "chat": notice.team_chat_id,
                    "thread": notice.thread_id,
                    "reference": notice.reference,
                },
                clock.now(),
            )

    assert notices == [WithdrawalNotice(reference, TEAM_CHAT, 77)]
    async with database.unit_of_work() as session:
        assert await UserRepository(session).get(5001) is None
        assert await RequestRepository(session, cipher).requests_of_user(user_id) == []
        assert await RequestRepository(session, cipher).get(other_person) is not None
        assert await OutboxRepository(session).get(f"request:{open_id}:card") is None
    assert await _counts(database) == (1, 1, 1)  # the other person's request; the notice


async def test_requests_of_a_person_for_my_data(database, cipher, references, clock):
    first = await _sent_request(database, cipher, references, clock.now())
    clock.advance(HOUR)
    second = await _sent_request(database, cipher, references, clock.now())
    async with database.unit_of_work() as session:
        user = await UserRepository(session).get(5001)
        found = await RequestRepository(session, cipher).requests_of_user(user.id)

    assert [r.id for r in found] == [first, second]


async def test_delivered_copies_are_remembered_and_gone_messages_are_reported(
    database, cipher, references, clock
):
    request_id = await _sent_request(database, cipher, references, clock.now())
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        request = await requests.get(request_id)
        answer = await requests.add_message(request, "out", "text", "hi", None, clock.now())
        assert await requests.set_person_message_id(answer.id, 900)
        assert not await requests.set_person_message_id(answer.id + 100, 901)
        assert not await requests.set_team_message_id(answer.id + 100, 902)
        (message,) = [m for m in await requests.messages_of(request_id) if m.id == answer.id]
        again = await requests.message(answer.id)
        assert await requests.message(answer.id + 100) is None

    assert message == again
    assert (message.person_message_id, message.direction) == (900, Direction.OUT)


async def test_ids_of_deleted_requests_and_messages_are_never_given_out_again(
    database, cipher, references, clock
):
    # Outbox keys name ids ("message:42:to-team"): a reused id would pass for a sent entry.
    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        user = await _person(session, 5001, clock.now())
        draft = await requests.create_draft(user, "asylum", "ar", clock.now(), references)
        message = await requests.add_message(draft, "in", "text", "x", None, clock.now())
        old_ids = (draft.id, message.id)
        await requests.discard_draft(draft)

    async with database.unit_of_work() as session:
        requests = RequestRepository(session, cipher)
        user = await UserRepository(session).get(5001)
        draft = await requests.create_draft(user, "asylum", "ar", clock.now(), references)
        message = await requests.add_message(draft, "in", "text", "x", None, clock.now())

    assert draft.id > old_ids[0]
    assert message.id > old_ids[1]
