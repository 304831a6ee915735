"""Cipher: round trip, several keys, rotation, and a clear error when no key fits."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from bot.contact.crypto import Cipher
from bot.errors import StorageError

SECRET = "Mein Name ist Amal, Telefon 0176 1234567 — أحتاج مساعدة"


def test_round_trip_of_any_text(cipher):
    token = cipher.encrypt(SECRET)

    assert token.isascii()
    assert SECRET not in token
    assert "Amal" not in token
    assert cipher.decrypt(token) == SECRET


def test_the_same_text_gives_different_tokens(cipher):
    assert cipher.encrypt("hello") != cipher.encrypt("hello")


def test_an_old_key_still_decrypts_after_a_new_one_is_put_first(key):
    old = Cipher.from_keys((key,))
    token = old.encrypt(SECRET)

    new_key = Fernet.generate_key().decode()
    both = Cipher.from_keys((new_key, key))

    assert both.decrypt(token) == SECRET
    rotated = both.rotate(token)
    assert Cipher.from_keys((new_key,)).decrypt(rotated) == SECRET
    with pytest.raises(StorageError):
        old.decrypt(rotated)


def test_a_missing_key_is_a_clear_storage_error_without_the_content(cipher):
    token = cipher.encrypt(SECRET)
    stranger = Cipher.from_keys((Fernet.generate_key().decode(),))

    with pytest.raises(
        StorageError, match="cannot decrypt: the encryption key has changed"
    ) as raised:
        stranger.decrypt(token)

    assert SECRET not in str(raised.value)
    assert token not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    with pytest.raises(StorageError, match="cannot decrypt"):
        stranger.rotate(token)


def test_a_damaged_token_is_a_storage_error(cipher):
    with pytest.raises(StorageError, match="cannot decrypt"):
        cipher.decrypt("not a token at all ✗")


def test_none_passes_through_the_optional_variants(cipher):
    assert cipher.encrypt_optional(None) is None
    assert cipher.decrypt_optional(None) is None
    assert cipher.decrypt_optional(cipher.encrypt_optional("x")) == "x"


@pytest.mark.parametrize("keys", [(), ("not-a-key",), (Fernet.generate_key().decode(), "short")])
def test_bad_keys_fail_fast_naming_the_position_but_not_the_key(keys):
    with pytest.raises(ValueError) as raised:
        Cipher.from_keys(keys)

    message = str(raised.value)
    assert "short" not in message and "not-a-key" not in message
    if keys:
        assert f"{len(keys)} of {len(keys)}" in message


def test_repr_shows_no_key(key):
    assert key not in repr(Cipher.from_keys((key,)))
