"""Backups restore into an empty database and the bot serves on; a key rotation loses no message."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace

from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.contact.crypto import Cipher
from bot.contact.repositories import RequestRepository
from bot.ops.backup import restore_backup, write_backup
from bot.ops.rekey import reencrypt_all
from bot.storage.database import Database
from bot.storage.models import RequestMessage
from tests.e2e.test_contact_requests import SECRET, write_request
from tests.helpers.botharness import TEST_KEY, emulated_network
from tests.helpers.processes import fresh_database


@contextlib.asynccontextmanager
async def empty_database_like(database_url: str, tmp_path):
    """A new, empty database of the same kind (a file for SQLite, a database on the server)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
    else:
        async with fresh_database(database_url) as url:
            yield url


def _network_team(network):
    anna = network.coordinator("Anna")
    group = network.team(
        "dortmund", "Koordination Dortmund", members=(anna,), languages=("de", "ar"),
        office_hours="Mo-Fr 08:00-18:00",
    )  # fmt: skip
    return anna, group


async def test_a_restored_backup_serves_the_same_people_and_requests(
    database, database_url, tmp_path
):
    backup = tmp_path / "lotse.jsonl.gz"
    async with emulated_network() as network:
        anna, group = _network_team(network)
        async with network.run(database, fallback="dortmund") as bot:
            amal = bot.person("Amal", "ar")
            sent = await write_request(bot, amal)
            reference = "#" + sent.text.split("#", 1)[1][:4]
            copied = await group.wait_for_bot_message(lambda m: SECRET in (m.text or ""))
            await bot.idle()
            summary = await write_backup(database, backup, database_url=database_url)
        assert summary.rows["contact_requests"] == 1 and summary.rows["users"] >= 1
        assert SECRET.encode() not in backup.read_bytes()  # compressed, and encrypted inside

        async with empty_database_like(database_url, tmp_path) as target_url:
            restored = await restore_backup(backup, target_url)
            assert restored.rows == summary.rows
            target = Database(target_url)
            try:
                async with network.run(target, fallback="dortmund") as bot:
                    # The team answers in the request's old topic: it reaches the same person.
                    await anna.send_text(
                        "Wir rufen Sie morgen an", chat=group, thread_id=copied.thread_id
                    )
                    await amal.wait_for_bot_message(
                        lambda m: "Wir rufen Sie morgen an" in (m.text or "")
                    )
                    # The person still finds the request among their data, in their language.
                    await amal.send_text("/my_data")
                    mine = await amal.wait_for_bot_message()
                    assert reference in mine.text
                    # New requests get new ids after the restored ones.
                    rania = bot.person("Rania", "de")
                    await write_request(bot, rania, words="Eine neue Anfrage")
                    await group.wait_for_bot_message(
                        lambda m: "Eine neue Anfrage" in (m.text or "")
                    )
                    await bot.idle()
            finally:
                await target.dispose()


async def test_key_rotation_under_load_keeps_every_old_message_readable(database):
    new_key = Fernet.generate_key().decode()
    written = []
    async with emulated_network() as network:
        _anna, group = _network_team(network)
        async with network.run(database, fallback="dortmund") as bot:
            for i in range(4):
                words = f"Alte Nachricht {i}"
                await write_request(bot, bot.person(f"Alt {i}", "de"), words=words)
                written.append(words)
            await bot.idle()
        # The operator puts the new key first and restarts; the old one stays until rotated.
        async with network.run(database, fallback="dortmund") as bot:
            rotating = Cipher.from_keys((new_key, TEST_KEY))
            bot.runtime = replace(bot.runtime, cipher=rotating)
            bot.application.bot_data.runtime = bot.runtime

            async def load() -> None:
                for i in range(4):
                    words = f"Neue Nachricht {i}"
                    await write_request(bot, bot.person(f"Neu {i}", "de"), words=words)
                    written.append(words)

            # Small batches, so that the rotation and the people's requests interleave.
            rotated, _ = await asyncio.gather(reencrypt_all(database, rotating, batch=2), load())
            await group.wait_for_bot_message(lambda m: "Neue Nachricht 3" in (m.text or ""))
            await bot.idle()
            rotated += await reencrypt_all(database, rotating, batch=2)
    assert rotated >= 4
    # Only the new key from now on: every message, old and new, still opens.
    only_new = Cipher.from_keys((new_key,))
    async with database.unit_of_work() as session:
        ids = (await session.execute(select(RequestMessage.id))).scalars().all()
        repository = RequestRepository(session, only_new)
        bodies = [(await repository.message(i)).body for i in ids]
    assert sorted(b for b in bodies if b) == sorted(written)
