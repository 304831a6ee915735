"""Security as an attacker meets it: team commands, forged buttons, uninvited groups, stored data, logs."""

from __future__ import annotations

import contextlib
import logging

from sqlalchemy import inspect, text

from bot.content.addresses import page_address
from bot.telegram.handlers.team import COMMANDS
from tests.e2e.test_contact_requests import (
    SECRET,
    choose_region,
    see_and_erase_my_data,
    write_request,
)
from tests.e2e.test_services_near_me import DORTMUND, open_services
from tests.helpers.botharness import emulated_network

PHONE = "+4917612345678"
PERSON = ("Amal", "Haddad", "amal_h")  # the person's names, which no one should store or log


@contextlib.asynccontextmanager
async def two_teams(database, *, admins=()):
    """Team A (forum, Anna and the admin) and team B (plain group, Bernd), Amal's open request."""
    async with emulated_network() as network:
        anna, bernd = network.coordinator("Anna"), network.coordinator("Bernd")
        admin = network.coordinator("Admin")
        team_a = network.team("dortmund", "Team A", members=(anna, admin), languages=("de", "ar"))
        team_b = network.team("duesseldorf", "Team B", members=(bernd,), forum=False)
        async with network.run(database, fallback="dortmund", admins=(admin.id,)) as bot:
            amal = bot.person("Amal", "de")
            await write_request(bot, amal)
            copied = await team_a.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
            yield bot, team_a, team_b, amal, anna, bernd, admin, copied


async def _request_row(database):
    async with database.unit_of_work() as session:
        return (
            await session.execute(
                text("select status, claimed_by_id, team_chat_id from contact_requests")
            )
        ).one()


async def _count(database, sql):
    async with database.unit_of_work() as session:
        return (await session.execute(text(sql))).scalar_one()


async def test_coordinator_and_admin_commands_are_refused_to_everyone_else(database):
    async with two_teams(database) as (bot, team_a, team_b, amal, anna, bernd, admin, copied):
        before = await _request_row(database)
        seen_by_amal = len(amal.messages())
        card = next(m for m in team_a.bot_messages() if m.text)
        eve = bot.person("Eve", "de")
        for name in COMMANDS:
            command = f"/{name} received" if name == "t" else f"/{name} Notiz"
            # a stranger, in her private chat with the bot
            await eve.send_text(command)
            # a coordinator of another team, in his own team's group and in private
            await bernd.send_text(command, chat=team_b)
            await bernd.send_text(command)
        await bot.idle()
        # a coordinator of team A who is not an admin cannot block
        await anna.send_text("/block", chat=team_a, thread_id=copied.thread_id)
        refused = await team_a.wait_for_bot_message(thread_id=copied.thread_id)
        assert "⛔" not in refused.text
        await bot.idle()
        assert await _request_row(database) == before
        assert (
            await _count(database, "select count(*) from request_messages where direction = 'note'")
            == 0
        )
        assert await _count(database, "select count(*) from users where banned") == 0
        assert len(amal.messages()) == seen_by_amal, "nothing reached the person"
        leaked = [
            m.text or ""
            for m in [*eve.bot_messages(), *bernd.bot_messages(), *team_b.bot_messages()]
        ]
        assert not any(SECRET in t or card.text.split("·")[0] in t for t in leaked)
        assert not any("#" in t for t in leaked), "no reference of team A's request leaks"
        # the admin can
        await admin.send_text("/block", chat=team_a, thread_id=copied.thread_id)
        await team_a.wait_for_bot_message(lambda m: "⛔" in (m.text or ""))


async def test_forged_callback_data_reaches_only_the_sender_own_data(database):
    async with two_teams(database) as (bot, team_a, _team_b, amal, anna, _bernd, _admin, _copied):
        version = bot.content.version
        mallory = bot.person("Mallory", "de")
        await mallory.send_text("/start")
        await mallory.wait_for_bot_message()
        forged = [
            "k:erase:yes", "k:erase:", "k:send:", "k:method:call", "k:region:../../x",
            "k:agree:", f"c:{version}:999999:0:P0:0:0", f"v:{version}:-1", f"s:{version}:0:P-1:0:0",
            f"s:{version}:0:L1e308,1e308:0:0", f"s:{version}:0:L91,0:9:99999", "l:../../etc/passwd",
            "x:clear", "x:discreet", "p:" + "9" * 60, "\x00", "💥" * 16, "k:" + "a" * 61,
        ]  # fmt: skip
        for data in forged:
            await mallory.send_callback_data(data)
            await bot.idle()
        # Amal's request, messages and account are untouched; Mallory erased only herself.
        assert (await _request_row(database))[0] == 1
        assert await _count(database, "select count(*) from request_messages") >= 1
        amal_rows = f"select count(*) from users where telegram_id = {amal.id}"
        assert await _count(database, amal_rows) == 1
        # Buttons pressed on the team's messages (a forged client in the team group) do nothing
        # there: the card and the copy stay as they are, and no one gets a menu in the group.
        card = next(m for m in team_a.bot_messages() if m.text)
        for data in (page_address(version, "main"), "k:erase:yes", "x:clear", "k:send:"):
            query = await anna.send_callback_data(data, message=card)
            await bot.emulator.wait_for_answer(query)
        await bot.idle()
        assert next(m for m in team_a.bot_messages() if m.text).text == card.text
        assert not any("🆘" in (m.text or "") for m in team_a.bot_messages())
        coordinator_rows = f"select count(*) from users where telegram_id = {anna.id}"
        assert await _count(database, coordinator_rows) == 0, "no account for a coordinator"
        assert not [q for q in bot.emulator.callback_queries() if not q.answered]
        # and the bot still serves Amal
        await amal.send_text("/start")
        assert (await amal.wait_for_bot_message()).buttons


async def test_an_uninvited_group_is_left_at_once_and_learns_nothing(database):
    async with two_teams(database) as (bot, _team_a, team_b, _amal, _anna, bernd, _admin, _copied):
        mallory = bot.person("Mallory", "de")
        lair = bot.emulator.add_group("Mallorys Gruppe", members=[mallory], with_bot=False)
        await lair.add_bot(by=mallory)
        await bot.idle()
        assert lair.bot_status == "left"
        assert bot.emulator.requests_for("leaveChat")
        await mallory.send_text("/start", chat=lair)
        await mallory.send_text("/claim", chat=lair)
        await bot.idle()
        assert lair.bot_messages() == []
        # a team's own group keeps the bot
        await team_b.add_bot(by=bernd)
        await bot.idle()
        assert team_b.bot_status == "member"


async def test_a_message_delivered_twice_is_relayed_once(database):
    async with two_teams(database) as (bot, team_a, _team_b, amal, anna, _bernd, _admin, copied):
        thread = copied.thread_id
        sent = await amal.send_text("Noch eine Frage zum Termin")
        await team_a.wait_for_bot_message(lambda m: "Noch eine Frage" in (m.text or ""))
        await bot.idle()
        again = next(m for m in sent_updates(bot, amal.id) if m["message_id"] == sent.message_id)
        bot.emulator.push_update({"update_id": 1, "message": again})
        bot.emulator.push_update({"update_id": 1, "message": again})
        answer = await anna.send_text("Wir melden uns morgen", chat=team_a, thread_id=thread)
        await amal.wait_for_bot_message(lambda m: "Wir melden uns" in (m.text or ""))
        await bot.idle()
        bot.emulator.push_update({"message": team_a_message(bot, team_a, answer.message_id)})
        await bot.idle()
        template = await anna.send_text("/t received", chat=team_a, thread_id=thread)
        await amal.wait_for_bot_message(
            lambda m: "Koordination" in (m.text or "") or "Team A" in (m.text or "")
        )
        await bot.idle()
        bot.emulator.push_update({"message": team_a_message(bot, team_a, template.message_id)})
        await bot.idle()
        received = bot.content.templates["received"].text.source[:20]
        assert len([m for m in amal.bot_messages() if received in (m.text or "")]) == 1
        copies = [m for m in team_a.bot_messages() if "Noch eine Frage" in (m.text or "")]
        assert len(copies) == 1
        replies = [m for m in amal.bot_messages() if "Wir melden uns" in (m.text or "")]
        assert len(replies) == 1


def sent_updates(bot, chat_id):
    """The raw message objects of a chat as the emulator stores them (to send them again)."""
    state = bot.emulator._primary_bot().chats[chat_id]
    return [record.data for record in state.messages.values()]


def team_a_message(bot, group, message_id):
    return next(m for m in sent_updates(bot, group.id) if m["message_id"] == message_id)


async def full_session(bot, team, anna):
    """A person walks the menu, searches services, writes a request sharing their phone
    number, gets a coordinator's reply, looks at and erases their data."""
    amal = bot.emulator.add_user(
        "Amal", last_name="Haddad", username="amal_h", language_code="de", phone_number=PHONE
    )
    await open_services(bot, amal)
    await amal.press_reply_button(amal.reply_keyboard()[0][0]["text"], location=DORTMUND)
    await amal.wait_for_bot_message()
    await choose_region(bot, amal)
    await amal.press_button("k:method:phone")
    await amal.wait_for_bot_message(lambda m: bool(amal.reply_keyboard()))
    await amal.press_reply_button(amal.reply_keyboard()[0][0]["text"])
    await bot.idle()
    await amal.send_text(SECRET)
    ready = await amal.wait_for_bot_message(lambda m: m.button("k:send:") is not None)
    await amal.press_button("k:send:", message=ready)
    await amal.wait_for_bot_message(lambda m: "#" in (m.text or ""))
    copied = await team.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
    card = next(m for m in team.bot_messages() if PHONE in (m.text or ""))
    assert card, "the number reached the team, as the person chose"
    await anna.send_text("/claim", chat=team, thread_id=copied.thread_id)
    await anna.send_text("Wir rufen Sie heute an", chat=team, thread_id=copied.thread_id)
    await amal.wait_for_bot_message(lambda m: "Wir rufen Sie" in (m.text or ""))
    await amal.send_text("Danke, ich warte")
    await team.wait_for_bot_message(lambda m: "Danke, ich warte" in (m.text or ""))
    await bot.idle()
    return amal


async def test_stored_data_is_encrypted_when_read_from_the_database(database):
    async with emulated_network() as network:
        anna = network.coordinator("Anna")
        team = network.team("dortmund", "Team A", members=(anna,), languages=("de",))
        async with network.run(database, fallback="dortmund") as bot:
            amal = await full_session(bot, team, anna)
            dump = []
            async with database.unit_of_work() as session:
                connection = await session.connection()
                tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
                for table in tables:
                    rows = (await session.execute(text(f'select * from "{table}"'))).all()
                    dump.append(f"{table}: {rows!r}")
            stored = "\n".join(dump)
            assert "request_messages" in stored and "gAAAAA" in stored, "ciphertext was read"
            for secret in (SECRET, "Danke, ich warte", "Wir rufen Sie", PHONE, PHONE[1:], *PERSON):
                assert secret not in stored, secret
            if database.dialect.startswith("sqlite"):
                raw = b"".join(
                    path.read_bytes() for path in _sqlite_files(database) if path.exists()
                )
                for secret in (SECRET, "Danke, ich warte", PHONE):
                    assert secret.encode() not in raw, secret
            assert amal.id  # the id is kept (the bot must answer), and shown in /my_data


def _sqlite_files(database):
    from pathlib import Path

    path = Path(database.engine.url.database)
    return (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal"))


async def test_a_full_session_logs_no_text_name_id_or_number(database, caplog):
    from bot.cli import configure_logging

    configure_logging(debug=True)  # the operator's most talkative setting
    caplog.set_level(logging.DEBUG, logger="bot")
    async with emulated_network() as network:
        anna = network.coordinator("Anna")
        team = network.team("dortmund", "Team A", members=(anna,), languages=("de",))
        async with network.run(database, fallback="dortmund") as bot:
            amal = await full_session(bot, team, anna)
            await see_and_erase_my_data(amal)
            await bot.idle()
    # The emulator plays Telegram in this process; its own records are not the bot's log.
    lines = [
        f"{r.name} {r.getMessage()} {r.exc_text or ''}"
        for r in caplog.records
        if not r.name.startswith("bot.emulator")
    ]
    assert any("Application started" in line for line in lines), "the log was captured"
    assert len(lines) > 10
    forbidden = (SECRET, "Danke, ich warte", "Wir rufen Sie", PHONE, PHONE[1:], *PERSON, "Anna")
    for line in lines:
        for secret in (*forbidden, str(amal.id), str(anna.id)):
            assert secret not in line, (secret, line)


async def test_webhook_calls_without_the_right_secret_are_refused(tmp_path):
    import asyncio
    import os
    import signal
    import socket
    import subprocess
    import sys

    import httpx

    from bot.emulator import BotApiEmulator
    from tests.e2e.test_run_command import REPO

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with BotApiEmulator() as emulator:
        token = emulator.create_bot()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
        env.update(
            BOT_TOKEN=token,
            BOT_API_BASE_URL=emulator.base_url,
            BOT_MODE="webhook",
            # Telegram would call this address; the test calls the listening port itself.
            BOT_WEBHOOK_URL=f"https://127.0.0.1:{port}/telegram",
            BOT_WEBHOOK_SECRET="the-right-secret",
            BOT_WEBHOOK_LISTEN="127.0.0.1",
            BOT_WEBHOOK_PORT=str(port),
            DATABASE_URL=f"sqlite:///{tmp_path}/lotse.db",
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            for _ in range(300):  # the process starts (migrations, content): up to 30 s
                if emulator.requests_for("setWebhook") or process.poll() is not None:
                    break
                await asyncio.sleep(0.1)
            assert emulator.requests_for("setWebhook"), "lotse run did not set its webhook"
            amal = emulator.add_user("Amal", language_code="de")
            written = await amal.send_text("/start")
            update = {"update_id": 7, "message": written.raw}
            url = f"http://127.0.0.1:{port}/telegram"
            async with httpx.AsyncClient() as client:
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "a-wrong-secret"}):
                    refused = await client.post(url, json=update, headers=headers)
                    assert refused.status_code == 403
                await asyncio.sleep(
                    0.5
                )  # time in which a wrongly accepted update would be answered
                assert amal.bot_messages() == []
                accepted = await client.post(
                    url,
                    json=update,
                    headers={"X-Telegram-Bot-Api-Secret-Token": "the-right-secret"},
                )
                assert accepted.status_code == 200
            welcome = await amal.wait_for_bot_message(timeout=15)
            assert welcome.buttons
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=30)
    assert "Traceback" not in output, output


async def test_people_without_requests_are_forgotten_after_the_retention_period(database):
    import datetime as dt

    from bot.contact.followup import run_follow_up

    async with two_teams(database) as (bot, _a, _b, amal, _anna, _bernd, _admin, _copied):
        visitor, troll = bot.person("Visitor", "de"), bot.person("Troll", "de")
        for person in (visitor, troll):
            await person.send_text("/start")
            await person.wait_for_bot_message()
        await bot.idle()  # the bot answers before its unit of work commits: wait for the rows
        async with database.unit_of_work() as session:
            await session.execute(
                text(f"update users set banned = true where telegram_id = {troll.id}")
            )
        bot.clock.advance(dt.timedelta(days=bot.runtime.settings.retention_days - 1))
        await run_follow_up(bot.runtime)
        assert await _count(database, "select count(*) from users") == 3
        bot.clock.advance(dt.timedelta(days=2))
        await run_follow_up(bot.runtime)
        remaining = "select telegram_id from users order by telegram_id"
        async with database.unit_of_work() as session:
            kept = set((await session.execute(text(remaining))).scalars())
        # Amal's open request keeps her; the blocked troll stays blocked; the visitor is gone.
        assert kept == {amal.id, troll.id}
        orphans = "select count(*) from chat_messages where user_id not in (select id from users)"
        assert await _count(database, orphans) == 0


async def _arrived(wait, word: str, expected: int) -> None:
    """Wait until ``expected`` occurrences of ``word`` arrived, in however many messages."""
    seen = 0
    while seen < expected:
        seen += ((await wait(lambda m: word in (m.text or ""))).text or "").count(word)
    assert seen == expected, (word, seen, expected)


async def test_messages_as_long_as_telegram_allows_are_relayed_whole_both_ways(database):
    async with two_teams(database) as (_bot, team_a, _b, amal, anna, _bernd, _admin, copied):
        longest = ("ساعدوني " * 600)[:4096]  # Telegram's limit for what a person writes
        caption = ("صورة " * 300)[:1024]
        await amal.send_text(longest)
        await _arrived(team_a.wait_for_bot_message, "ساعدوني", longest.count("ساعدوني"))
        await amal.send_photo(caption=caption)
        await _arrived(team_a.wait_for_bot_message, "صورة", caption.count("صورة"))
        answer = ("Antwort " * 600)[:4096]
        await anna.send_text(answer, chat=team_a, thread_id=copied.thread_id)
        await _arrived(amal.wait_for_bot_message, "Antwort", answer.count("Antwort"))
