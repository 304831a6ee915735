"""The way of one API request: authenticate, apply faults, validate, run the method, log it."""

from __future__ import annotations

import asyncio
import re
from typing import Any

# The method modules register their implementations in METHODS when imported.
from bot.emulator import _methods_bot, _methods_chats, _methods_edit, _methods_send  # noqa: F401
from bot.emulator._errors import ApiError
from bot.emulator._facts import load_facts
from bot.emulator._faults import DropConnection, FaultInjector, RecordedRequest
from bot.emulator._flood import FloodControl
from bot.emulator._params import UploadedFile, validate_parameters
from bot.emulator._records import BotRecord
from bot.emulator._registry import METHODS, MethodCall
from bot.emulator._store import Store

__all__ = ["CLIENT_GONE", "TOKEN_PATTERN", "ApiDispatcher"]

#: The description recorded for a call carried out after the client stopped waiting for it.
CLIENT_GONE = "answer lost: the client had given up waiting"

TOKEN_PATTERN = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{35}$")
"""A bot token as Telegram issues them; others get 404 instead of 401."""


class ApiDispatcher:
    """Answers API requests and keeps what tests need to know about them.

    Attributes:
        faults: The planned faults.
        flood: Telegram's flood limits, if the emulator enforces them (None: it does not).
        requests: Every request, in order of completion.
        active_requests: Requests being answered right now (long polls included).
        last_activity: Event-loop time when the last request that did something finished.

    Args:
        store: The emulator's state.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._facts = load_facts()
        self.faults = FaultInjector()
        self.flood: FloodControl | None = None
        self.requests: list[RecordedRequest] = []
        self.active_requests = 0
        self.last_activity = 0.0

    async def handle(
        self,
        token: str,
        method: str,
        raw: dict[str, Any],
        files: dict[str, UploadedFile],
        disconnected: asyncio.Event | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Answer one request.

        Args:
            token: The token from the URL.
            method: The method name from the URL, in any case.
            raw: Parameters from query string and body (strings, or JSON values).
            files: File parts of a multipart body, by part name.
            disconnected: Set by the HTTP layer when the client goes away.

        Returns:
            The HTTP status and Telegram's JSON envelope.

        Raises:
            DropConnection: A planned fault drops the connection (recorded with status 0).
        """
        loop = asyncio.get_running_loop()
        arrived = self._store.clock()
        bot = self._store.bots_by_token.get(token)
        injected = False
        dropped = ""
        result: Any = None
        self.active_requests += 1
        self._store.changed.notify()
        try:
            if bot is None:
                raise (
                    ApiError.unauthorized() if TOKEN_PATTERN.match(token) else ApiError.not_found()
                )
            canonical = self._facts.canonical_method(method)
            if canonical is None:
                raise ApiError.not_found()
            fault = self.faults.take(canonical, raw)
            if fault is not None:
                if fault.delay:
                    await asyncio.sleep(fault.delay)  # a slow server, as realistic as it gets
                error = fault.error()
                if error is not None:
                    injected = True
                    raise error
                if fault.drop == "before":
                    injected, dropped = True, "dropped before the call"
                    raise DropConnection(dropped)
            if self.flood is not None:
                self.flood.check(bot.id, canonical, raw)
            result = await self._run(bot, canonical, raw, files, disconnected)
            if fault is not None and fault.drop == "after":
                injected, dropped = True, "answer lost after the call"
                raise DropConnection(dropped)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, body = error.status, error.envelope()
        except DropConnection:
            status, body = 0, {"ok": False, "description": dropped}
        finally:
            self.active_requests -= 1
            if not (method.lower() == "getupdates" and not result):
                # Empty long polls are not activity: they end every few seconds on their own.
                self.last_activity = loop.time()
            self._store.changed.notify()
        description = body.get("description")
        if status == 200 and disconnected is not None and disconnected.is_set():
            # Carried out, but the client had given up waiting (its read time-out): the bot
            # cannot know whether the call happened — the window in which a send is repeated.
            description = CLIENT_GONE
        self.requests.append(
            RecordedRequest(
                method=method,
                params={**raw, **files},
                ok=body["ok"],
                status=status,
                description=description,
                result=result,
                injected=injected,
                bot_id=bot.id if bot else None,
                at=arrived,
            )
        )
        if dropped:
            raise DropConnection(dropped)
        return status, body

    async def _run(
        self,
        bot: BotRecord,
        method: str,
        raw: dict[str, Any],
        files: dict[str, UploadedFile],
        disconnected: asyncio.Event | None,
    ) -> Any:
        spec = self._facts.parameters(method)
        # File parts named like a parameter are that parameter; others are attach:// targets.
        params = {**raw, **{name: file for name, file in files.items() if name in spec}}
        uploads = {name: file for name, file in files.items() if name not in spec}
        converted = validate_parameters(self._facts, method, params)
        implementation = METHODS.get(method)
        if implementation is None:
            raise ApiError.bad_request(f"method not supported by the emulator: {method}")
        call = MethodCall(
            store=self._store,
            bot=bot,
            method=method,
            params=converted,
            uploads=uploads,
            disconnected=disconnected,
        )
        return await implementation(call)
