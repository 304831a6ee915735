"""Confidential contact requests, through the emulator: a person writes, a team answers."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from sqlalchemy import text

from bot.contact.followup import run_follow_up
from bot.contact.repositories import OutboxRepository
from bot.content.addresses import page_address
from bot.telegram.delivery import deliver_due
from tests.helpers.botharness import emulated_network

SECRET = "Mein Mann bedroht mich seit Wochen"


@contextlib.asynccontextmanager
async def team_setup(database, *, forum=True, deliver=True):
    async with emulated_network() as network:
        anna = network.coordinator("Anna")
        group = network.team(
            "dortmund", "Koordination Dortmund", members=(anna,), forum=forum,
            languages=("de", "ar"), office_hours="Mo-Fr 08:00-18:00",
        )  # fmt: skip
        async with network.run(database, fallback="dortmund", deliver=deliver) as bot:
            yield bot, group, anna


async def choose_region(bot, person):
    """From /start through consent to the region (Dortmund); returns the methods screen."""
    content = bot.content
    await person.send_text("/start")
    await person.wait_for_bot_message()
    await person.press_button(page_address(content.version, "violence"))
    await person.wait_for_bot_message()
    await person.press_button(page_address(content.version, "violence_contact"))
    consent = await person.wait_for_bot_message()
    assert "/delete_my_data" in consent.text
    await person.press_button(consent.buttons[0])  # I agree
    regions = await person.wait_for_bot_message()
    await person.press_button(
        next(b for b in regions.buttons if "Dortmund" in b or "دورتموند" in b)
    )
    return await person.wait_for_bot_message()


async def write_request(bot, person, words=SECRET):
    """Walk the person through consent, region, method and one message, then Send."""
    methods = await choose_region(bot, person)
    await person.press_button(methods.buttons[0])  # only in this chat
    await person.wait_for_bot_message()
    await person.send_text(words)
    ready = await person.wait_for_bot_message(lambda m: m.button("k:send:") is not None)
    await person.press_button("k:send:", message=ready)
    sent = await person.wait_for_bot_message()
    assert "#" in sent.text
    return sent


async def see_and_erase_my_data(person):
    """/my_data (which lists a request), then /delete_my_data, confirmed."""
    await person.send_text("/my_data")
    mine = await person.wait_for_bot_message()
    assert "#" in mine.text
    await person.send_text("/delete_my_data")
    confirm = await person.wait_for_bot_message()
    await person.press_button(confirm.buttons[0])
    await person.wait_for_bot_message()


async def request_and_reply(bot, group, coordinator, person, reply="Wir rufen Sie an"):
    """The person writes a request, the coordinator answers in its topic, the answer arrives."""
    await write_request(bot, person)
    copied = await group.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
    await coordinator.send_text(reply, chat=group, thread_id=copied.thread_id)
    await person.wait_for_bot_message(lambda m: reply in (m.text or ""))
    await bot.idle()
    return copied


@pytest.mark.parametrize("forum", [True, False], ids=["forum", "plain-group"])
async def test_round_trip_arabic_person_and_german_team(database, forum):
    async with team_setup(database, forum=forum) as (bot, group, anna):
        amal = bot.person("Amal", "ar")
        sent = await write_request(bot, amal)
        reference = "#" + sent.text.split("#", 1)[1][:4]
        card = await group.wait_for_bot_message(lambda m: reference in (m.text or ""))
        assert "Amal" not in card.text and str(amal.id) not in card.text
        copied = await group.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
        thread = copied.thread_id
        if forum:
            assert reference in group.topics()[thread].name
        # a coordinator's template reaches the person in Arabic, signed by the team
        await anna.send_text(
            "/t received", chat=group, thread_id=thread, reply_to=None if forum else card.message_id
        )
        answer = await amal.wait_for_bot_message(
            lambda m: "Koordination Dortmund" in (m.text or "")
        )
        arabic = bot.content.templates["received"].text.get("ar")
        assert arabic.splitlines()[0][:20] in answer.text
        assert "Anna" not in answer.text
        german = await group.wait_for_bot_message(lambda m: "📤" in (m.text or ""))
        assert bot.content.templates["received"].text.source[:20] in german.text
        # the person answers; it goes to the same place
        await amal.send_text("شكراً")
        reply = await group.wait_for_bot_message(lambda m: "شكراً" in (m.text or ""))
        assert reply.thread_id == thread
        await bot.idle()


async def test_no_plain_text_in_the_database(database):
    async with team_setup(database) as (bot, group, _anna):
        amal = bot.person("Amal", "de")
        await write_request(bot, amal)
        await group.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
        async with database.unit_of_work() as session:
            rows = (await session.execute(text("select * from request_messages"))).all()
        assert rows
        assert SECRET not in repr(rows) and "bedroht" not in repr(rows)


async def test_claim_close_reopen_and_internal_note(database):
    async with team_setup(database) as (bot, group, anna):
        amal = bot.person("Amal", "de")
        await write_request(bot, amal)
        copied = await group.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
        thread = copied.thread_id
        await anna.send_text("/claim", chat=group, thread_id=thread)
        await group.wait_for_bot_message(lambda m: "Anna" in (m.text or ""), thread_id=thread)
        taken = await amal.wait_for_bot_message()
        assert "#" in taken.text
        await anna.send_text("/note Rückruf am Montag", chat=group, thread_id=thread)
        await group.wait_for_bot_message(lambda m: "📝" in (m.text or ""), thread_id=thread)
        await anna.send_text("/close", chat=group, thread_id=thread)
        await group.wait_for_bot_message(lambda m: "✅" in (m.text or ""), thread_id=thread)
        await anna.send_text("noch eine Frage", chat=group, thread_id=thread)
        await group.wait_for_bot_message(lambda m: "/reopen" in (m.text or ""), thread_id=thread)
        await anna.send_text("/reopen", chat=group, thread_id=thread)
        await group.wait_for_bot_message(lambda m: "↩️" in (m.text or ""), thread_id=thread)
        await bot.idle()
        texts = [m.text or "" for m in amal.messages()]
        assert not any("Rückruf" in t for t in texts), "internal notes never reach the person"


@pytest.mark.parametrize("died", ["after-storing", "while-sending"])
async def test_killed_between_storing_and_delivering_then_delivered_exactly_once(database, died):
    async with emulated_network() as network:
        clock = network.clock
        group = network.team(
            "dortmund", "Koordination Dortmund", members=(network.coordinator("Anna"),)
        )
        # The first process stores the request and dies before it delivers anything.
        async with network.run(database, fallback="dortmund", deliver=False) as bot:
            amal = bot.person("Amal", "de")
            await write_request(bot, amal)
        if died == "while-sending":
            # ... or it had taken the entry for sending (its lease) when it died.
            async with database.unit_of_work() as session:
                taken = await OutboxRepository(session).claim_due(
                    clock.now(), 10, dt.timedelta(seconds=60)
                )
            assert taken
        assert not [
            m for m in group.bot_messages() if "📨" in (m.text or "") or SECRET in (m.text or "")
        ]
        # A new process starts; a lease of the dead process runs out after a minute.
        async with network.run(database, fallback="dortmund") as bot:
            clock.advance(120)
            await deliver_due(bot.application.bot, bot.runtime)
            await group.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
            clock.advance(120)
            await deliver_due(bot.application.bot, bot.runtime)
            await bot.idle()
        cards = [m for m in group.bot_messages() if "📨" in (m.text or "")]
        copies = [m for m in group.bot_messages() if SECRET in (m.text or "")]
        assert len(cards) == 1 and len(copies) == 1
        assert len(group.topics()) == 1


@pytest.mark.parametrize(("status", "retry_after"), [(429, 1), (502, None)])
async def test_telegram_errors_during_delivery_are_retried(database, status, retry_after):
    # The test is the only deliverer: with the delivery job running as well, the job could still
    # be sending an entry when the test moves the clock past the entry's lease and takes it too
    # (two copies), or hold the entry when the test last looks (none seen) — flaky under load.
    async with team_setup(database, deliver=False) as (bot, group, _anna):
        bot.emulator.inject_fault(
            method="sendMessage", status=status, retry_after=retry_after, times=4, chat_id=group.id
        )
        amal = bot.person("Amal", "de")
        await write_request(bot, amal)
        for _ in range(6):
            await deliver_due(bot.application.bot, bot.runtime)
            if any(SECRET in (m.text or "") for m in group.bot_messages()):
                break
            bot.clock.advance(60)
        copies = [m for m in group.bot_messages() if SECRET in (m.text or "")]
        assert len(copies) == 1


async def test_reminder_then_escalation_with_a_controlled_clock(database):
    async with emulated_network() as network:
        clock = network.clock
        anna = network.coordinator("Anna")
        team = network.team(
            "dortmund", "Koordination Dortmund", members=(anna,), languages=("de", "ar")
        )
        central = network.team("zentral", "Koordination Zentral", members=(anna,), forum=False)
        async with network.run(database, fallback="zentral") as bot:
            amal = bot.person("Amal", "ar")
            await write_request(bot, amal)
            await team.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
            await bot.idle()
            clock.advance(dt.timedelta(hours=25))
            await run_follow_up(bot.runtime)
            await team.wait_for_bot_message(lambda m: "⏰" in (m.text or ""))
            await bot.idle()  # the delivery is recorded before time jumps two days ahead
            clock.advance(dt.timedelta(hours=48))
            await run_follow_up(bot.runtime)
            await central.wait_for_bot_message(lambda m: "⚠️" in (m.text or ""))
            await run_follow_up(bot.runtime)  # nothing twice
            await bot.idle()
            assert len([m for m in team.bot_messages() if "⏰" in (m.text or "")]) == 1, [
                m.text for m in team.bot_messages()
            ]
            assert len([m for m in central.bot_messages() if "⚠️" in (m.text or "")]) == 1


async def test_out_of_office_hours_answer(database):
    async with team_setup(database) as (bot, _group, _anna):
        bot.clock.set(dt.datetime(2026, 11, 28, 21, 0, tzinfo=dt.UTC))  # Saturday night
        amal = bot.person("Amal", "de")
        sent = await write_request(bot, amal)
        assert "110" in sent.text
        expected = bot.runtime.translator("de").gettext(
            "Our team is not working right now. You can expect an answer from %(time)s."
        )
        assert expected.split("%")[0].strip() in sent.text


async def test_commands_from_outside_the_team_reveal_nothing(database):
    async with team_setup(database) as (bot, group, _anna):
        amal = bot.person("Amal", "de")
        await write_request(bot, amal)
        await group.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
        eve = bot.person("Eve", "de")
        await eve.send_text("/claim")
        answer = await eve.wait_for_bot_message()
        assert "#" not in (answer.text or "") and SECRET not in (answer.text or "")
        other = bot.emulator.add_group("Andere Gruppe", forum=False, members=[eve])
        await eve.send_text("/close", chat=other)
        await bot.idle()
        assert other.bot_messages() == []


async def test_erasure_tells_the_team_and_leaves_nothing(database):
    async with team_setup(database) as (bot, group, _anna):
        amal = bot.person("Amal", "de")
        await write_request(bot, amal)
        await group.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
        await see_and_erase_my_data(amal)
        await group.wait_for_bot_message(
            lambda m: "withdrawn" in (m.text or "") or "zurückgezogen" in (m.text or "")
        )
        async with database.unit_of_work() as session:
            for table in ("users", "contact_requests", "request_messages"):
                count = (await session.execute(text(f"select count(*) from {table}"))).scalar_one()
                assert count == 0, table


async def test_closed_requests_are_purged_after_retention(database):
    async with team_setup(database) as (bot, group, anna):
        amal = bot.person("Amal", "de")
        await write_request(bot, amal)
        copied = await group.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
        await anna.send_text("/close", chat=group, thread_id=copied.thread_id)
        await group.wait_for_bot_message(lambda m: "✅" in (m.text or ""))
        bot.clock.advance(dt.timedelta(days=bot.runtime.settings.retention_days + 1))
        await run_follow_up(bot.runtime)
        async with database.unit_of_work() as session:
            assert (
                await session.execute(text("select count(*) from contact_requests"))
            ).scalar_one() == 0
            assert (
                await session.execute(text("select count(*) from request_messages"))
            ).scalar_one() == 0


async def all_kinds(wait, kinds=("voice", "photo", "document")):
    """Wait until a message of each kind arrived, in whatever order; return them by kind."""
    found = {}
    while len(found) < len(kinds):
        message = await wait(lambda m: m.kind in kinds and m.kind not in found)
        found[message.kind] = message
    return found


async def test_voice_photo_and_document_both_ways(database):
    async with team_setup(database) as (bot, group, anna):
        amal = bot.person("Amal", "de")
        await write_request(bot, amal)
        copied = await group.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
        thread = copied.thread_id
        await amal.send_voice()
        await amal.send_photo(caption="Der Brief")
        await amal.send_document("brief.pdf", b"%PDF-1.4 test")
        arrived = await all_kinds(group.wait_for_bot_message)
        assert all("Amal" not in (m.text or "") and m.thread_id == thread for m in arrived.values())
        await anna.send_voice(chat=group, thread_id=thread)
        await anna.send_photo(chat=group, thread_id=thread, caption="Hier ist der Weg")
        await anna.send_document("termin.pdf", b"%PDF-1.4 termin", chat=group, thread_id=thread)
        received = await all_kinds(amal.wait_for_bot_message)
        for message in received.values():
            assert "Koordination Dortmund" in (message.text or "")
            assert "Anna" not in (message.text or "")


async def test_unreachable_team_chat_goes_to_the_fallback_team_and_admins_are_told(database):
    async with emulated_network() as network:
        admin = network.coordinator("Admin")
        # Dortmund's chat does not exist (the bot was removed from it, say).
        network.team("dortmund", "Koordination Dortmund", languages=("de", "ar"), chat_id=-100999)
        central = network.team(
            "zentral", "Koordination Zentral", members=(network.coordinator("Anna"),)
        )
        async with network.run(database, fallback="zentral", admins=(admin.id,)) as bot:
            await admin.send_text("/start")  # an admin has talked to the bot, so it may write
            await admin.wait_for_bot_message()
            amal = bot.person("Amal", "ar")
            await write_request(bot, amal)
            await central.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
            alert = await admin.wait_for_bot_message(lambda m: "dortmund" in (m.text or ""))
            assert "#" in alert.text


async def test_team_b_cannot_act_on_team_a_requests(database):
    async with emulated_network() as network:
        bernd = network.coordinator("Bernd")
        anna = network.coordinator("Anna")
        team_a = network.team("dortmund", "Team A", members=(anna,), languages=("de", "ar"))
        team_b = network.team("duesseldorf", "Team B", members=(bernd,), forum=False)
        async with network.run(database, fallback="dortmund") as bot:
            amal = bot.person("Amal", "de")
            await write_request(bot, amal)
            copied = await team_a.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
            # Team B replies to a message id of team A's chat and tries to close: nothing happens.
            await bernd.send_text("/close", chat=team_b, reply_to=None)
            await bernd.send_text("Hallo?", chat=team_b)
            await bot.idle()
            assert not any(SECRET in (m.text or "") for m in team_b.bot_messages())
            assert all("Hallo?" not in (m.text or "") for m in amal.messages() if m.from_bot)
            async with database.unit_of_work() as session:
                status = (
                    await session.execute(text("select status from contact_requests"))
                ).scalar_one()
            assert status == 1  # still open
            assert copied.thread_id is not None


async def test_logs_hold_no_message_content_names_or_numbers(database, caplog):
    import logging

    from bot.cli import configure_logging

    configure_logging(debug=True)  # the operator's most talkative setting
    caplog.set_level(logging.DEBUG, logger="bot")
    async with team_setup(database) as (bot, group, anna):
        amal = bot.person("Amal", "de")
        await request_and_reply(bot, group, anna, amal)
    logged = caplog.text
    assert "Application started" in logged, "the log was captured"
    for secret in (SECRET, "Wir rufen Sie an", "Amal", "Anna", str(amal.id)):
        assert secret not in logged, secret


async def test_crisis_words_in_a_request_mark_it_urgent_for_the_team(database):
    async with team_setup(database) as (bot, group, _anna):
        amal = bot.person("Amal", "ar")
        await write_request(bot, amal, words="زوجي ضربني وأنا خائفة")
        card = await group.wait_for_bot_message(
            lambda m: "#" in (m.text or "") and "·" in (m.text or "")
        )
        assert card.text.startswith("🚨")
        copied = await group.wait_for_bot_message(lambda m: "ضربني" in (m.text or ""))
        assert copied.text.startswith("🚨")


async def test_the_team_reads_the_messages_in_the_order_they_were_written(database):
    # Two messages before Send, one more right after it, before anything reached the team: the
    # topic shows them in the person's order (the delivery job is off, so nothing runs early).
    async with team_setup(database, deliver=False) as (bot, group, _anna):
        amal = bot.person("Amal", "de")
        methods = await choose_region(bot, amal)
        await amal.press_button(methods.buttons[0])
        await amal.wait_for_bot_message()
        for words in ("Erstens: wir brauchen Hilfe", "Zweitens: bitte auf Deutsch"):
            await amal.send_text(words)
            ready = await amal.wait_for_bot_message(lambda m: m.button("k:send:") is not None)
        await amal.press_button("k:send:", message=ready)
        await amal.wait_for_bot_message(lambda m: "#" in (m.text or ""))
        await amal.send_text("Drittens: am liebsten vormittags")
        await bot.idle()
        for _ in range(4):
            await deliver_due(bot.application.bot, bot.runtime)
            bot.clock.advance(60)
        relayed = [
            word
            for m in group.bot_messages()
            for word in ("Erstens", "Zweitens", "Drittens")
            if word in (m.text or "")
        ]
        assert relayed == ["Erstens", "Zweitens", "Drittens"]
