"""Fixtures for the emulator's tests: a running emulator, a controllable clock, a raw client."""

from __future__ import annotations

import datetime as dtm
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from bot.emulator import BotApiEmulator, EmulatedUser


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self) -> None:
        self.now = dtm.datetime(2026, 3, 2, 9, 0, tzinfo=dtm.UTC)

    def __call__(self) -> dtm.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move time forward, e.g. ``clock.advance(hours=49)``."""
        self.now += dtm.timedelta(**delta)


class RawClient:
    """Calls the emulator over HTTP the way different clients do (JSON, form, query, files)."""

    def __init__(self, client: httpx.AsyncClient, emulator: BotApiEmulator, token: str) -> None:
        self._client = client
        self._emulator = emulator
        self.token = token

    def url(self, method: str, token: str | None = None) -> str:
        return f"{self._emulator.base_url}{token or self.token}/{method}"

    async def call(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        """POST a JSON body."""
        response = await self._client.post(self.url(method), json=params)
        return response.status_code, response.json()

    async def form(
        self, method: str, files: dict[str, Any] | None = None, **params: Any
    ) -> tuple[int, dict[str, Any]]:
        """POST form fields as PTB does: strings as they are, everything else JSON-encoded."""
        data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        response = await self._client.post(self.url(method), data=data, files=files)
        return response.status_code, response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        """Call with JSON and return the result, failing the test on an error answer."""
        status, body = await self.call(method, **params)
        assert status == 200 and body["ok"], body
        return body["result"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture
async def emulator(clock: FakeClock) -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(clock=clock) as running:
        yield running


@pytest.fixture
def token(emulator: BotApiEmulator) -> str:
    return emulator.create_bot()


@pytest_asyncio.fixture
async def api(emulator: BotApiEmulator, token: str) -> AsyncIterator[RawClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield RawClient(client, emulator, token)


@pytest_asyncio.fixture
async def alice(emulator: BotApiEmulator, token: str) -> EmulatedUser:
    """A user who has started the bot (so the bot may write to her)."""
    user = emulator.add_user("Alice", language_code="ar", username="alice_k")
    await user.send_text("/start")
    return user
