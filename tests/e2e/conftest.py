"""Fixtures for end-to-end tests: the real bot against the emulator, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.helpers.botharness import running_bot


@pytest.fixture
async def bot(database):
    """The running bot (see tests.helpers.botharness), on each test database."""
    async with running_bot(database) as harness:
        yield harness
    rejected = [
        r
        for r in harness.emulator.rejected_requests()
        # Telegram's answer to an edit that changes nothing; the bot expects and ignores it.
        if "message is not modified" not in (r.description or "")
    ]
    assert not rejected, rejected
    assert not harness.emulator.unanswered_callback_queries()
