"""The coordinators' topic list reads like a queue: each title says where its request stands."""

from __future__ import annotations

import pytest

from bot.contact.queue import MAX_TITLE
from bot.telegram.delivery import deliver_due
from tests.e2e.test_contact_requests import SECRET, team_setup, write_request


def renamed(starts: str):
    """A predicate: the bot renamed a topic to a title starting with ``starts``."""

    def predicate(message) -> bool:
        return message.raw.get("forum_topic_edited", {}).get("name", "").startswith(starts)

    return predicate


def service(kind: str):
    """A predicate: a service message of ``kind`` (``forum_topic_closed``, …)."""
    return lambda message: kind in message.raw


async def opened(bot, group, person, words=SECRET):
    """Write a request and wait until it is in the team's forum; returns its thread id."""
    await write_request(bot, person, words=words)
    copied = await group.wait_for_bot_message(lambda m: words in (m.text or ""))
    return copied.thread_id


async def test_the_title_follows_the_request_from_new_to_closed(database):
    async with team_setup(database) as (bot, group, anna):
        amal = bot.person("Amal", "de")
        thread = await opened(bot, group, amal)
        title = group.topics()[thread].name
        assert title.startswith("🆕 neu · #") and title.endswith(" · de"), title

        await anna.send_text("/claim", chat=group, thread_id=thread)
        await group.wait_for_bot_message(renamed("🙋 Anna · #"), thread_id=thread)

        await anna.send_text("Wir rufen Sie morgen an.", chat=group, thread_id=thread)
        await group.wait_for_bot_message(
            renamed("⏳ wartet auf die Person · Anna · #"), thread_id=thread
        )

        await amal.send_text("Danke, bis morgen")
        await group.wait_for_bot_message(renamed("🙋 Anna · #"), thread_id=thread)

        await anna.send_text("/close", chat=group, thread_id=thread)
        await group.wait_for_bot_message(renamed("✅ geschlossen · #"), thread_id=thread)
        await group.wait_for_bot_message(service("forum_topic_closed"), thread_id=thread)
        assert group.topics()[thread].closed

        await anna.send_text("/reopen", chat=group, thread_id=thread)
        await group.wait_for_bot_message(service("forum_topic_reopened"), thread_id=thread)
        await bot.idle()
        topic = group.topics()[thread]
        assert not topic.closed and topic.name.startswith("🙋 Anna · #"), topic
        # Two deliveries may make the same call at once; Telegram's "not modified" is expected.
        rejected = [
            r
            for r in bot.emulator.rejected_requests()
            if "NOT_MODIFIED" not in (r.description or "")
        ]
        assert not rejected, rejected


async def test_claim_with_a_team_alias(database):
    async with team_setup(database) as (bot, group, anna):
        thread = await opened(bot, group, bot.person("Amal", "de"))
        await anna.send_text("/claim Team Nord", chat=group, thread_id=thread)
        await group.wait_for_bot_message(renamed("🙋 Team Nord · #"), thread_id=thread)
        taken = [m.text for m in group.bot_messages(thread) if "Team Nord" in (m.text or "")]
        assert taken and "Anna" not in taken[0]


async def test_an_urgent_request_stays_marked_until_claimed(database):
    async with team_setup(database) as (bot, group, anna):
        amal = bot.person("Amal", "ar")
        thread = await opened(bot, group, amal, words="زوجي ضربني وأنا خائفة")
        assert group.topics()[thread].name.startswith("🚨 dringend · neu · #")
        # the team answers without claiming: still urgent, now waiting for the person
        await anna.send_text("Sind Sie jetzt in Sicherheit?", chat=group, thread_id=thread)
        await group.wait_for_bot_message(
            renamed("🚨 dringend · wartet auf die Person · #"), thread_id=thread
        )
        await anna.send_text("/claim", chat=group, thread_id=thread)
        await group.wait_for_bot_message(
            renamed("⏳ wartet auf die Person · Anna · #"), thread_id=thread
        )


async def test_a_request_that_turns_urgent_is_marked(database):
    async with team_setup(database) as (bot, group, _anna):
        amal = bot.person("Amal", "de")
        thread = await opened(bot, group, amal)
        await amal.send_text("Ich will nicht mehr leben")
        await group.wait_for_bot_message(renamed("🚨 dringend · neu · #"), thread_id=thread)


async def test_a_long_alias_still_fits_telegrams_limit(database):
    async with team_setup(database) as (bot, group, anna):
        thread = await opened(bot, group, bot.person("Amal", "de"))
        await anna.send_text("/claim " + "🦊Füchsin" * 20, chat=group, thread_id=thread)
        edited = await group.wait_for_bot_message(renamed("🙋 🦊Füchsin"), thread_id=thread)
        name = edited.raw["forum_topic_edited"]["name"]
        assert len(name.encode("utf-16-le")) // 2 <= MAX_TITLE
        assert "#" in name and name.endswith(" · de")


@pytest.mark.parametrize("status", [400, 500])
async def test_a_failing_title_edit_never_blocks_or_loses_a_relay(database, status):
    async with team_setup(database) as (bot, group, anna):
        amal = bot.person("Amal", "de")
        thread = await opened(bot, group, amal)
        fault = bot.emulator.inject_fault("editForumTopic", status, times=3, chat_id=group.id)
        await anna.send_text("/claim", chat=group, thread_id=thread)
        await anna.send_text("Wie geht es Ihnen?", chat=group, thread_id=thread)
        answer = await amal.wait_for_bot_message(lambda m: "Wie geht es Ihnen?" in (m.text or ""))
        assert "Koordination Dortmund" in answer.text
        await amal.send_text("Besser, danke")
        await group.wait_for_bot_message(lambda m: "Besser, danke" in (m.text or ""))
        for _ in range(3):
            await deliver_due(bot.application.bot, bot.runtime)
            await bot.idle()
        # The title edit was tried (and failed). The bot's own delivery round may hold it in a
        # batch it is still working through (the test's rounds then leave it to that one).
        await bot.emulator.wait_until(lambda: fault.hits >= 1, 15)
        if status == 500:
            # a server error is retried: the title catches up with the request
            for _ in range(8):
                bot.clock.advance(120)
                await deliver_due(bot.application.bot, bot.runtime)
            await bot.idle()
            # The call itself is repeated after a short back-off (bot.telegram.resilience), so
            # the last repetition may still be under way: wait for the title, not for quiet.
            while not group.topics()[thread].name.startswith("🙋 Anna · #"):
                assert await bot.emulator.wait_for_change(timeout=10), group.topics()[thread].name


async def test_in_a_plain_group_the_card_shows_the_state(database):
    async with team_setup(database, forum=False) as (bot, group, anna):
        amal = bot.person("Amal", "de")
        await write_request(bot, amal)
        card = await group.wait_for_bot_message(lambda m: "📨" in (m.text or ""))
        assert card.text.startswith("🆕 neu\n")
        await group.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
        await anna.send_text("/claim", chat=group, reply_to=card.message_id)
        edited = await group.wait_for_bot_message(
            lambda m: m.message_id == card.message_id and m.text.startswith("🙋 Anna\n")
        )
        assert "#" in edited.text
        await anna.send_text("/close", chat=group, reply_to=card.message_id)
        await group.wait_for_bot_message(
            lambda m: m.message_id == card.message_id and m.text.startswith("✅ geschlossen\n")
        )
        await anna.send_text("/reopen", chat=group, reply_to=card.message_id)
        await group.wait_for_bot_message(
            lambda m: m.message_id == card.message_id and m.text.startswith("🙋 Anna\n")
        )


async def test_reopen_by_reference_outside_the_closed_topic(database):
    async with team_setup(database) as (bot, group, anna):
        amal = bot.person("Amal", "de")
        sent = await write_request(bot, amal)
        reference = sent.text.split("#", 1)[1][:4]
        copied = await group.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
        thread = copied.thread_id
        await anna.send_text("/close", chat=group, thread_id=thread)
        await group.wait_for_bot_message(service("forum_topic_closed"), thread_id=thread)
        await anna.send_text(f"/reopen #{reference}", chat=group)
        await group.wait_for_bot_message(service("forum_topic_reopened"), thread_id=thread)
        assert group.topics()[thread].name.startswith("🆕 neu · #")


async def test_a_withdrawn_request_leaves_the_queue(database):
    from tests.e2e.test_contact_requests import see_and_erase_my_data

    async with team_setup(database) as (bot, group, _anna):
        amal = bot.person("Amal", "de")
        thread = await opened(bot, group, amal)
        await see_and_erase_my_data(amal)
        await group.wait_for_bot_message(renamed("🗑 zurückgezogen · #"), thread_id=thread)
        await group.wait_for_bot_message(service("forum_topic_closed"), thread_id=thread)
        assert group.topics()[thread].closed
