"""Encryption at rest of what people write in contact requests: :class:`Cipher`.

Texts, captions, file ids and phone numbers are stored as Fernet tokens (AES-128-CBC with an
HMAC-SHA256, so a changed or foreign token is detected, not decrypted into garbage). Several keys
can be configured, newest first: new tokens use the newest, every key still decrypts, so a key can
be replaced without making old messages unreadable (:meth:`Cipher.rotate` re-encrypts a token with
the newest key; drop an old key only once nothing uses it any more).
"""

from __future__ import annotations

from collections.abc import Iterable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.errors import StorageError

__all__ = ["Cipher"]


class Cipher:
    """Encrypts and decrypts short texts with the configured keys.

    Args:
        fernets: One :class:`~cryptography.fernet.Fernet` per key, newest first.

    Raises:
        ValueError: If no key is given.
    """

    def __init__(self, fernets: Iterable[Fernet]) -> None:
        fernets = list(fernets)
        if not fernets:
            raise ValueError("a Cipher needs at least one key (see bot.storage.keys)")
        self._fernet = MultiFernet(fernets)
        self._newest = fernets[0]
        self.key_count = len(fernets)

    @classmethod
    def from_keys(cls, keys: tuple[str, ...]) -> Cipher:
        """A cipher for Fernet keys as text (44 URL-safe base64 characters), newest first.

        Raises:
            ValueError: If there is no key or one is not a Fernet key; the message says which
                one (by position, never the key itself) and how to make a valid one.
        """
        if not keys:
            raise ValueError("no encryption key given (set encryption_key or BOT_ENCRYPTION_KEY)")
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.strip().encode("ascii")))
            except (ValueError, UnicodeEncodeError):
                raise ValueError(
                    f"encryption key {position} of {len(keys)} is not a Fernet key "
                    "(44 characters; create one with `lotse keygen`)"
                ) from None
        return cls(fernets)

    def encrypt(self, text: str) -> str:
        """The token for ``text``, as ASCII text, made with the newest key."""
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The text of a token made by :meth:`encrypt` with any of the keys.

        Raises:
            StorageError: If none of the keys opens the token (the message never contains it).
        """
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise StorageError(_CANNOT_DECRYPT) from None

    def rotate(self, token: str) -> str:
        """The same text as a token of the newest key (for re-encrypting after a key change).

        Raises:
            StorageError: If none of the keys opens the token.
        """
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise StorageError(_CANNOT_DECRYPT) from None

    def is_current(self, token: str) -> bool:
        """Whether ``token`` was made with the newest key (no need to re-encrypt it)."""
        try:
            self._newest.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeError):
            return False
        return True

    def encrypt_optional(self, text: str | None) -> str | None:
        """:meth:`encrypt`, passing None through."""
        return None if text is None else self.encrypt(text)

    def decrypt_optional(self, token: str | None) -> str | None:
        """:meth:`decrypt`, passing None through."""
        return None if token is None else self.decrypt(token)

    def __repr__(self) -> str:
        # Never show keys, not even in a debugger or a traceback.
        return "<Cipher>"


_CANNOT_DECRYPT = (
    "cannot decrypt: the encryption key has changed (the key that encrypted this value is not "
    "among the configured encryption keys; keep old keys after new ones) or the value is damaged"
)
