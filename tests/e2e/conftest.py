"""Fixtures for end-to-end tests: the real bot against the emulator, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.helpers.botharness import running_bot


@pytest.fixture
async def bot(database):
    """The running bot (see tests.helpers.botharness), on each test database."""
    async with running_bot(database) as harness:
        yield harness
    # Everything the bot asked Telegram for was accepted — also no edit that changes nothing
    # ("message is not modified": the bot does not make such edits in the first place).
    rejected = harness.emulator.rejected_requests()
    assert not rejected, rejected
    assert not harness.emulator.unanswered_callback_queries()
