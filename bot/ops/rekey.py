"""Key rotation: re-encrypt stored contents with the newest key, in small batches, while the bot runs.

The operator puts a new key in front of the old one (``BOT_ENCRYPTION_KEY=NEW,OLD``) and restarts:
from then on everything new is encrypted with the new key, everything old still opens with the old
one. The leader process then re-encrypts the old tokens a batch at a time in the background
(``lotse keys rotate`` does all batches at once); once :func:`reencrypt_batch` finds nothing left,
the old key can be removed. Each batch is one short unit of work that locks only its rows (and on
PostgreSQL skips rows another process holds), so people and coordinators are not held up.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.contact.crypto import Cipher
from bot.storage.database import Database
from bot.storage.models import ContactRequest, RequestMessage

__all__ = ["RekeyProgress", "reencrypt_all", "reencrypt_batch"]

BATCH = 200
# The mapped attributes that hold tokens, per model.
_ENCRYPTED = (
    (RequestMessage, ("encrypted_body", "encrypted_file_id")),
    (ContactRequest, ("encrypted_phone",)),
)


@dataclass
class RekeyProgress:
    """Where the rotation stands: the last id looked at per table, and tokens re-encrypted."""

    after: dict[str, int]
    reencrypted: int = 0
    done: bool = False

    @classmethod
    def start(cls) -> RekeyProgress:
        return cls({model.__tablename__: 0 for model, _ in _ENCRYPTED})


async def reencrypt_batch(
    database: Database, cipher: Cipher, progress: RekeyProgress, batch: int = BATCH
) -> RekeyProgress:
    """Re-encrypt the next ``batch`` rows of each table that still use an older key."""
    if cipher.key_count < 2:
        progress.done = True
        return progress
    finished = True
    async with database.unit_of_work() as session:
        for model, attributes in _ENCRYPTED:
            name = model.__tablename__
            query = (
                select(model)
                .where(model.id > progress.after[name])
                .order_by(model.id)
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
            rows = list((await session.execute(query)).scalars())
            if len(rows) == batch:
                finished = False
            for row in rows:
                for attribute in attributes:
                    token = getattr(row, attribute)
                    if token is not None and not cipher.is_current(token):
                        setattr(row, attribute, cipher.rotate(token))
                        progress.reencrypted += 1
                progress.after[name] = row.id
    progress.done = finished
    return progress


async def reencrypt_all(database: Database, cipher: Cipher, batch: int = BATCH) -> int:
    """Run batches until every token uses the newest key; returns how many were re-encrypted.

    Rows skipped because another process held them are picked up by a later pass: passes repeat
    until one re-encrypts nothing.
    """
    total = 0
    while True:
        progress = RekeyProgress.start()
        while not progress.done:
            await reencrypt_batch(database, cipher, progress, batch)
        total += progress.reencrypted
        if progress.reencrypted == 0:
            return total
