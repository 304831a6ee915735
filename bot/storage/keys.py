"""The encryption keys for message contents: from the settings, or created once beside the database.

A development installation must work without any set-up, so when no key is configured we create
one in a file next to the SQLite database (readable only by its owner) and warn once. Production
refuses to start without a configured key (see :mod:`bot.config`): a key that lives on the same
disk as the database protects little, and losing the file would make all stored messages unreadable.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet

from bot.config import Settings
from bot.errors import ConfigError

__all__ = ["encryption_keys", "key_file_for"]

logger = logging.getLogger(__name__)
KEY_FILE_NAME = "encryption.key"


def key_file_for(database_url: str) -> Path:
    """Where the generated key lives: beside an SQLite file, else in ``data/``."""
    if database_url.startswith("sqlite") and ":///" in database_url:
        db_path = database_url.split(":///", 1)[1]
        if db_path and db_path != ":memory:":
            return Path(db_path).parent / KEY_FILE_NAME
    return Path("data") / KEY_FILE_NAME


def encryption_keys(settings: Settings) -> tuple[str, ...]:
    """The Fernet keys to use, newest first; creates a key file in development if none is set."""
    if settings.encryption_keys:
        return settings.encryption_keys
    if settings.is_production:
        raise ConfigError("is required in production", source=settings.source, key="encryption_key")
    path = key_file_for(settings.database_url)
    if path.exists():
        key = path.read_text(encoding="ascii").strip()
        try:
            Fernet(key.encode())
        except ValueError:
            raise ConfigError(
                f"{path} does not hold a valid key", source=settings.source, key="encryption_key"
            ) from None
        return (key,)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    logger.warning(
        "No encryption_key configured: created %s (mode 0600). "
        "Back it up; set BOT_ENCRYPTION_KEY in production.",
        path,
    )
    return (key,)
