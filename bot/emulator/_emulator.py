"""BotApiEmulator: the local Bot API server and the entry point of the test API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

import tornado.httpserver
import tornado.netutil

from bot.emulator import _methods_bot
from bot.emulator._dispatch import TOKEN_PATTERN, ApiDispatcher
from bot.emulator._faults import Fault, RandomFaults, RecordedRequest
from bot.emulator._flood import FloodControl, FloodLimits, FloodRefusal
from bot.emulator._groups import EmulatedGroup
from bot.emulator._people import EmulatedUser, MessagePredicate
from bot.emulator._records import BotRecord, CallbackQueryRecord, ChatState, StoredFile
from bot.emulator._server import make_application
from bot.emulator._store import Clock, Store, utc_now
from bot.emulator._views import EmulatedMessage

__all__ = ["BotApiEmulator"]


class BotApiEmulator:
    """A local Telegram Bot API server with a Python API to play the people using the bot.

    It speaks the Bot API over HTTP on 127.0.0.1 (so the real PTB ``Application`` talks to it
    unchanged) and validates every call against the documented methods and Telegram's limits.
    It runs in the caller's event loop: start it in the test, next to the ``Application``.

    Example:
        >>> async with BotApiEmulator() as emulator:                      # doctest: +SKIP
        ...     token = emulator.create_bot()
        ...     app = (ApplicationBuilder().token(token).base_url(emulator.base_url)
        ...            .base_file_url(emulator.base_file_url).build())
        ...     alice = emulator.add_user("Alice", language_code="ar")
        ...     await alice.send_text("/start")
        ...     reply = await alice.wait_for_bot_message()

    Args:
        clock: Returns the current time as an aware UTC datetime; message dates, the 48-hour
            deletion rule and callback answer deadlines use it. Defaults to the real time.
        flood_limits: Enforce Telegram's flood limits: a call that sends into a chat beyond
            them is answered ``429 Too Many Requests`` (see :mod:`bot.emulator._flood` for which
            calls count) and recorded in :attr:`flood_refusals`. Off (None) by default, so
            that tests which do not care about pace need no rate limiter.
    """

    def __init__(
        self, clock: Clock | None = None, *, flood_limits: FloodLimits | None = None
    ) -> None:
        self._store = Store(clock or utc_now)
        self._dispatcher = ApiDispatcher(self._store)
        if flood_limits is not None:
            self._dispatcher.flood = FloodControl(flood_limits)
        self._server: tornado.httpserver.HTTPServer | None = None
        self._web = make_application(self)
        self._host = "127.0.0.1"
        self._port: int | None = None
        self._primary: BotRecord | None = None
        self._groups: dict[int, EmulatedGroup] = {}
        self.faults = self._dispatcher.faults
        """Planned faults; see :meth:`inject_fault`."""
        self.requests: list[RecordedRequest] = self._dispatcher.requests
        """Every request any bot made, in the order the answers were sent."""

    # Server life cycle -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (port 0 picks a free port; see :attr:`port`)."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        sockets = tornado.netutil.bind_sockets(port, host)
        # Telegram accepts uploads up to 50 MB; anything bigger is a bot bug worth seeing.
        server = tornado.httpserver.HTTPServer(self._web, max_body_size=50 * 1024 * 1024)
        server.add_sockets(sockets)
        self._server, self._host = server, host
        self._port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """End long polls and webhook deliveries, then close the server."""
        for bot in self._store.bots_by_token.values():
            await bot.updates.close()
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None

    def add_handlers(self, handlers: list[tuple]) -> None:
        """Serve more tornado routes beside the Bot API (the playground's web page uses this).

        Args:
            handlers: tornado rules ``(pattern, RequestHandler class, initialize arguments)``.
        """
        self._web.add_handlers(r".*", handlers)

    @property
    def address(self) -> str:
        """``http://host:port`` of the running server."""
        return f"http://{self._host}:{self.port}"

    async def wait_for_change(self, timeout: float | None = None) -> bool:
        """Wait for the next change of any chat, update or request; False after ``timeout``."""
        woken = False

        def changed() -> bool:
            # The first call happens before any wait: only a later call means a change.
            nonlocal woken
            first, woken = not woken, True
            return not first

        try:
            await self._store.changed.wait_for(changed, timeout)
        except TimeoutError:
            return False
        return True

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._port is None:
            raise RuntimeError("the emulator is not running; await emulator.start() first")
        return self._port

    @property
    def base_url(self) -> str:
        """The API base URL in PTB's form (PTB appends the token): ``http://host:port/bot``."""
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """The file download base URL in PTB's form: ``http://host:port/file/bot``."""
        return f"http://{self._host}:{self.port}/file/bot"

    # World building ----------------------------------------------------------------------------

    def create_bot(
        self, token: str | None = None, *, username: str = "lotse_bot", first_name: str = "Lotse"
    ) -> str:
        """Register a bot and return its token (``123456789:AA…``, 35 characters after the colon).

        The first bot created is the one emulated users and groups talk to. Passing an existing
        token returns it unchanged.

        Raises:
            ValueError: If ``token`` is not shaped like a Telegram token.
        """
        if token is not None and not TOKEN_PATTERN.match(token):
            raise ValueError("token must look like '123456789:' followed by 35 letters/digits/_-")
        if token in self._store.bots_by_token:
            return token
        bot = self._store.add_bot(token, username=username, first_name=first_name)
        self._primary = self._primary or bot
        for group in self._store.groups.values():
            group.members.setdefault(bot.id, "administrator")
        return bot.token

    @property
    def bot_user(self) -> dict[str, Any]:
        """The ``User`` object (getMe) of the bot people talk to."""
        return self._primary_bot().user

    def add_user(
        self,
        first_name: str = "Alice",
        *,
        language_code: str | None = "en",
        username: str | None = None,
        last_name: str | None = None,
        phone_number: str = "+491701234567",
    ) -> EmulatedUser:
        """Create a person who can talk to the bot (they have not started it yet)."""
        record = self._store.add_person(
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            phone_number=phone_number,
        )
        return EmulatedUser(self, record)

    def add_group(
        self,
        title: str,
        *,
        forum: bool = False,
        members: Iterable[EmulatedUser] = (),
        admins: Iterable[EmulatedUser] = (),
        supergroup: bool | None = None,
        with_bot: bool = True,
    ) -> EmulatedGroup:
        """Create a group with the bot as administrator (or without it: see ``add_bot``).

        Args:
            title: The group's title.
            forum: Whether it is a forum (always a supergroup) with topics.
            members: People in the group.
            admins: People who administer it (the first one becomes its creator).
            supergroup: Force a supergroup (True) or basic group (False); default: forum only.
            with_bot: False for a group the bot is not in yet (someone may add it uninvited
                with :meth:`EmulatedGroup.add_bot`).
        """
        record = self._store.add_group(
            title, supergroup=forum if supergroup is None else supergroup or forum, forum=forum
        )
        for bot in self._store.bots_by_token.values():
            record.members[bot.id] = "administrator" if with_bot else "left"
        for index, admin in enumerate(admins):
            record.members[admin.id] = "creator" if index == 0 else "administrator"
        for member in members:
            record.members.setdefault(member.id, "member")
        group = self._groups[record.id] = EmulatedGroup(self, record)
        return group

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update exactly as given, for tests of odd or hostile input.

        Unlike the people's actions this neither checks nor completes anything, and it passes
        even update types the bot did not ask for (as an old webhook or a forged request could).
        An ``update_id`` in ``update`` is kept, so the same id can arrive twice.

        Returns:
            The update's ``update_id``.
        """
        queue = self._primary_bot().updates
        body = dict(update)
        update_id = body.pop("update_id", None)
        if update_id is None:
            update_id = queue.next_update_id
            queue.next_update_id += 1
        queue.pending.append({"update_id": update_id, **body})
        queue._changed.notify()
        return update_id

    # Faults and the request log ----------------------------------------------------------------

    def inject_fault(
        self,
        method: str | None = None,
        status: int | None = None,
        *,
        retry_after: int | None = None,
        description: str | None = None,
        delay: float = 0.0,
        times: int | None = 1,
        chat_id: int | str | None = None,
        drop: str | None = None,
    ) -> Fault:
        """Make the next matching request(s) fail or answer slowly.

        Examples: ``inject_fault("sendMessage", 429, retry_after=2)``,
        ``inject_fault(status=502, times=3)``, ``inject_fault("getUpdates", delay=1.5)``.

        Args:
            method: The method (any case) or None for all methods.
            status: 429, 5xx, 400, 403… or None for a delay only.
            retry_after: Seconds sent with a 429 (default 1).
            description: Overrides the realistic default description.
            delay: Seconds to wait before answering (awaited; other requests go on).
            times: How many requests to affect; None for every one until :meth:`clear_faults`.
            chat_id: Only requests for this chat.
            drop: ``"before"``: close the connection instead of answering (after ``delay``: a
                time-out); ``"after"``: carry the call out, then close without answering.

        Returns:
            The fault; ``fault.hits`` counts the requests it affected.
        """
        return self.faults.add(
            Fault(
                method=method,
                status=status,
                retry_after=retry_after,
                description=description,
                delay=delay,
                times=times,
                chat_id=chat_id,
                drop=drop,
            )
        )

    def inject_random_faults(self, **settings: Any) -> RandomFaults:
        """Give a share of all calls a fault at random, repeatably (a seeded generator).

        Example: ``inject_random_faults(seed=11, rate=0.05)``: one call in twenty gets a 429,
        a 500 or 502, a time-out, a dropped connection, a lost answer or a slow answer.
        Planned faults (:meth:`inject_fault`) come first.

        Args:
            **settings: The fields of :class:`~bot.emulator.RandomFaults` (seed, rate, kinds,
                methods, retry_after, slow, timeout).

        Returns:
            The random faults; ``counts`` tells which struck how often.
        """
        self.faults.random = RandomFaults(**settings)
        return self.faults.random

    def clear_faults(self) -> None:
        """Remove every planned fault and stop random ones."""
        self.faults.clear()

    def rejected_requests(self, *, include_injected: bool = False) -> list[RecordedRequest]:
        """Requests answered with an error, except those a planned fault caused (by default).

        A test ends with ``assert not emulator.rejected_requests()`` to prove that Telegram
        would have accepted everything the bot sent.
        """
        return [
            request
            for request in self.requests
            if not request.ok and (include_injected or not request.injected)
        ]

    @property
    def flood_refusals(self) -> list[FloodRefusal]:
        """Calls refused because they exceeded the flood limits, in order (empty when off).

        They are rejections of the bot: :meth:`rejected_requests` lists them too.
        """
        flood = self._dispatcher.flood
        return list(flood.refusals) if flood is not None else []

    def requests_for(self, method: str) -> list[RecordedRequest]:
        """The requests of one method (any case), in order."""
        return [request for request in self.requests if request.method.lower() == method.lower()]

    # Inspection --------------------------------------------------------------------------------

    def callback_queries(self) -> list[CallbackQueryRecord]:
        """Every button press so far, in order."""
        return list(self._primary_bot().callback_queries.values())

    def unanswered_callback_queries(self) -> list[CallbackQueryRecord]:
        """Button presses the bot has not answered (the user still sees a spinner)."""
        return [query for query in self.callback_queries() if not query.answered]

    async def wait_for_answer(
        self, query: CallbackQueryRecord, timeout: float = 5.0
    ) -> CallbackQueryRecord:
        """Wait until the bot has answered ``query`` (event-driven; every request wakes it).

        Raises:
            AssertionError: If the bot did not answer within ``timeout`` seconds.
        """
        try:
            await self._store.changed.wait_for(lambda: query if query.answered else None, timeout)
        except TimeoutError:
            raise AssertionError(
                f"the bot did not answer the button press {query.data!r}"
            ) from None
        return query

    def file_content(self, file_id: str) -> bytes:
        """The bytes of a file the bot uploaded or a person sent."""
        return self._store.files[file_id].content

    def commands(self, *, scope: dict[str, Any] | None = None, language_code: str = "") -> list:
        """The bot commands set for a scope (default scope when None) and language."""
        key = _methods_bot.commands_key(scope, language_code)
        return list(self._primary_bot().commands.get(key, []))

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``condition()`` holds, checked again at every change of the emulator's state.

        Raises:
            AssertionError: If it did not hold within ``timeout`` seconds.
        """
        try:
            await self._store.changed.wait_for(condition, timeout)
        except TimeoutError:
            raise AssertionError(f"the condition did not hold within {timeout} s") from None

    def spread_webhook(self, urls: list[str], token: str | None = None) -> None:
        """Deliver the bot's webhook calls over several URLs, as a reverse proxy in front of
        several bot processes would (see :meth:`UpdateQueue.spread_webhook`)."""
        bot = self._store.bots_by_token[token] if token else self._primary_bot()
        bot.updates.spread_webhook(urls)

    @property
    def pending_updates(self) -> int:
        """Updates of the primary bot not yet confirmed (polling) or delivered (webhook)."""
        return len(self._primary_bot().updates.pending)

    async def wait_until_polling(self, timeout: float = 5.0) -> None:
        """Wait until the bot has a getUpdates long poll waiting (the Application is listening).

        Raises:
            AssertionError: If no long poll started within ``timeout`` seconds.
        """
        bot = self._primary_bot()
        try:
            await self._store.changed.wait_for(lambda: bot.updates.polling, timeout)
        except TimeoutError:
            raise AssertionError(f"the bot did not start polling within {timeout} s") from None

    async def wait_until_idle(self, timeout: float = 5.0, quiet: float = 0.05) -> None:
        """Wait until the bot has taken every update and made no request for ``quiet`` seconds.

        "Idle" means: no pending update, no request in progress (a waiting long poll does not
        count), and no request finished in the last ``quiet`` seconds — the bot's handlers had
        time to make their next call. Raise ``quiet`` for handlers that work long without calling
        the API. Event-driven: it wakes on every request and update, plus once when the quiet
        period can have passed.

        Raises:
            AssertionError: If the bot did not become idle within ``timeout`` seconds.
        """
        loop = asyncio.get_running_loop()

        def busy_for() -> float | None:
            """Seconds the quiet period still needs, or None while something is in progress."""
            polling = sum(bot.updates.polling for bot in self._store.bots_by_token.values())
            pending = sum(len(bot.updates.pending) for bot in self._store.bots_by_token.values())
            if pending or self._dispatcher.active_requests > polling:
                return None
            return self._dispatcher.last_activity + quiet - loop.time()

        def idle() -> bool:
            remaining = busy_for()
            return remaining is not None and remaining <= 0

        def recheck() -> float | None:
            remaining = busy_for()
            return remaining if remaining is not None and remaining > 0 else None

        try:
            await self._store.changed.wait_for(idle, timeout, recheck_after=recheck)
        except TimeoutError:
            pending = sum(len(bot.updates.pending) for bot in self._store.bots_by_token.values())
            raise AssertionError(
                f"the bot did not become idle within {timeout} s: {pending} pending update(s), "
                f"{self._dispatcher.active_requests} request(s) in progress "
                "(is the Application polling?)"
            ) from None

    # Internals shared with the test API and the HTTP layer -------------------------------------

    def _primary_bot(self) -> BotRecord:
        if self._primary is None:
            raise AssertionError("no bot yet: call emulator.create_bot() first")
        return self._primary

    async def _wait_for_message(
        self,
        state_of: Callable[[], ChatState | None],
        cursor: int,
        predicate: MessagePredicate | None,
        timeout: float,
        *,
        describe: str,
    ) -> tuple[EmulatedMessage, int]:
        def find() -> tuple[EmulatedMessage, int] | None:
            state = state_of()
            if state is None:
                return None
            fresh = sorted(
                (r for r in state.messages.values() if r.from_bot and r.seq > cursor),
                key=lambda record: record.seq,
            )
            for record in fresh:
                message = EmulatedMessage.of(record)
                if predicate is None or predicate(message):
                    return message, record.seq
            return None

        try:
            return await self._store.changed.wait_for(find, timeout)
        except TimeoutError:
            state = state_of()
            seen = [str(EmulatedMessage.of(r)) for r in state.messages.values()] if state else []
            errors = [f"{r.method}: {r.description}" for r in self.rejected_requests()]
            raise AssertionError(
                f"no matching bot message in {describe} within {timeout} s; the chat has "
                f"{seen or 'no messages'}; rejected requests: {errors or 'none'}"
            ) from None

    def _file_for_download(self, token: str, file_path: str) -> StoredFile | None:
        if token not in self._store.bots_by_token:
            return None
        return next((f for f in self._store.files.values() if f.file_path == file_path), None)
