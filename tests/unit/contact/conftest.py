"""Fixtures of the contact request tests: a cipher, a clock, a person with a draft."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from cryptography.fernet import Fernet

from bot.contact.crypto import Cipher
from bot.contact.references import ReferenceGenerator
from tests.helpers.clock import FakeClock

START = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def cipher(key: str) -> Cipher:
    return Cipher.from_keys((key,))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def references() -> ReferenceGenerator:
    return ReferenceGenerator(random.Random(1234))
