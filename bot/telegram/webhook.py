"""The bot's web server: the webhook for Telegram and, for operators, /healthz, /readyz and /metrics.

Unlike python-telegram-bot's built-in webhook server, which answers Telegram before it handles the
update, this one answers after the update was handled: a process that dies in the middle leaves the
update unanswered, so Telegram (or the reverse proxy in front of several processes) delivers it
again, and nothing is lost. Telegram waits for the answer before it sends the same chat's next
update, so one person's updates are handled in order even when they reach different processes.
"""

from __future__ import annotations

import json
import logging
import time

import tornado.httpserver
import tornado.netutil
import tornado.web
from telegram import Update
from telegram.ext import Application

from bot.ops.health import Readiness
from bot.ops.metrics import CONTENT_TYPE
from bot.runtime import Runtime
from bot.telegram.resilience import database_hiccup

__all__ = ["LotseApplication", "WebServer", "update_kind"]

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def update_kind(update: Update) -> str:
    """What an update is (``message``, ``callback_query``, …), for the metrics: never its content."""
    # An update carries exactly one of these; looking them up costs far less than to_dict().
    for kind in _KINDS:
        if getattr(update, kind, None) is not None:
            return kind
    data = update.to_dict()  # a kind newer than python-telegram-bot (kept in api_kwargs)
    return next((key for key in data if key != "update_id"), "unknown")


_KINDS = tuple(kind.value for kind in Update.ALL_TYPES)


class LotseApplication(Application):
    """The Application, counting updates by kind and timing their handling (polling and webhook).

    It also remembers which updates failed because the database could not be reached, so that
    the webhook can refuse them: Telegram then sends them again later instead of their being lost.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._storage_failed: set[int] = set()
        # Set by a WebServer that takes Telegram's updates: a failed update is then refused and
        # sent again by Telegram, so the error handler does not apologise for it.
        self.refuses_failed_updates = False

    async def process_update(self, update: object) -> None:
        """Handle one update as python-telegram-bot does, and record it in the metrics."""
        metrics = self.bot_data.runtime.metrics
        started = time.perf_counter()
        try:
            await super().process_update(update)
        finally:
            if isinstance(update, Update):
                metrics.updates.labels(kind=update_kind(update)).inc()
                metrics.handling_seconds.observe(time.perf_counter() - started)

    async def stop(self) -> None:
        """Stop as python-telegram-bot does, then give up the leader lease and the listener.

        Released here rather than in ``post_stop``, which python-telegram-bot calls only from
        ``run_polling``/``run_webhook``: another process takes over the jobs at once.
        """
        if self.bot_data.broadcasts is not None:
            await self.bot_data.broadcasts.stop()  # the call under way first: no "unknown"
        await super().stop()
        runtime = self.bot_data.runtime
        if runtime is not None:
            await runtime.lease.release()
        if self.bot_data.content_signal is not None:
            await self.bot_data.content_signal.close()

    async def process_error(self, update, error, job=None, coroutine=None) -> bool:
        """Note an update the database failed, then let the error handlers speak."""
        if isinstance(update, Update) and database_hiccup(error):
            self._storage_failed.add(update.update_id)
        return await super().process_error(update, error, job, coroutine)

    def storage_failed(self, update: Update) -> bool:
        """Whether handling ``update`` failed for want of the database (asked once per update)."""
        try:
            self._storage_failed.remove(update.update_id)
        except KeyError:
            return False
        return True


class _TelegramHandler(tornado.web.RequestHandler):
    """POST /telegram: one update, handled before the answer."""

    def initialize(self, bot_application: Application, secret_token: str | None) -> None:
        self._application = bot_application
        self._secret = secret_token

    async def post(self) -> None:
        if self._secret is not None and self.request.headers.get(SECRET_HEADER) != self._secret:
            raise tornado.web.HTTPError(403)
        try:
            update = Update.de_json(json.loads(self.request.body), self._application.bot)
        except (ValueError, TypeError, KeyError):
            raise tornado.web.HTTPError(400) from None
        if update is None:
            raise tornado.web.HTTPError(400)
        await self._application.process_update(update)
        application = self._application
        if isinstance(application, LotseApplication) and application.storage_failed(update):
            # Not handled: the database is away. Telegram retries the update later.
            raise tornado.web.HTTPError(503)
        self.set_status(200)

    def log_exception(self, typ, value, tb) -> None:
        # Tornado would log the request (and its body) with the traceback: one line instead.
        if not isinstance(value, tornado.web.HTTPError):
            logger.error("webhook: %s", typ.__name__ if typ else "error")


class _HealthHandler(tornado.web.RequestHandler):
    """GET /healthz: the process serves."""

    def get(self) -> None:
        self.write("ok\n")


class _ReadyHandler(tornado.web.RequestHandler):
    """GET /readyz: 200 if database, content and Telegram are fine, else 503; JSON either way."""

    def initialize(self, readiness: Readiness) -> None:
        self._readiness = readiness

    async def get(self) -> None:
        report = await self._readiness.report()
        self.set_status(200 if report.ready else 503)
        self.set_header("Content-Type", "application/json")
        self.write(json.dumps({"ready": report.ready, "checks": report.checks}))


class _MetricsHandler(tornado.web.RequestHandler):
    """GET /metrics: Prometheus' text format."""

    def initialize(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def get(self) -> None:
        runtime = self._runtime
        try:
            await runtime.metrics.refresh_from_database(runtime.database, runtime.clock.now())
        except Exception as exc:  # the other metrics are still worth scraping
            runtime.metrics.errors.labels(kind=type(exc).__name__).inc()
        self.set_header("Content-Type", CONTENT_TYPE)
        self.write(runtime.metrics.render())


class WebServer:
    """The bot's HTTP server; with ``webhook=True`` it also takes Telegram's updates at /telegram.

    Args:
        application: The initialised Application.
        webhook: Serve /telegram (webhook mode).
        secret_token: The secret Telegram sends with every update (required with ``webhook``).
    """

    def __init__(
        self, application: Application, *, webhook: bool, secret_token: str | None = None
    ) -> None:
        runtime: Runtime = application.bot_data.runtime
        readiness = Readiness(
            runtime.database, lambda: runtime.content is not None, application.bot.get_me
        )
        routes: list = [
            (r"/healthz", _HealthHandler),
            (r"/readyz", _ReadyHandler, {"readiness": readiness}),
            (r"/metrics", _MetricsHandler, {"runtime": runtime}),
        ]
        if webhook:
            if isinstance(application, LotseApplication):
                application.refuses_failed_updates = True
            routes.append(
                (r"/telegram", _TelegramHandler,
                 {"bot_application": application, "secret_token": secret_token})
            )  # fmt: skip
        self._app = tornado.web.Application(routes, log_function=_quiet)
        self._server: tornado.httpserver.HTTPServer | None = None
        self.port: int | None = None

    async def start(self, listen: str, port: int) -> None:
        """Listen on ``listen:port`` (port 0: any free port, see :attr:`port`)."""
        self._server = tornado.httpserver.HTTPServer(self._app, xheaders=True)
        sockets = tornado.netutil.bind_sockets(port, listen)
        self._server.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None


def _quiet(handler: tornado.web.RequestHandler) -> None:
    # Access logs would show Telegram's and the prober's requests every second: errors only.
    if handler.get_status() >= 500:
        logger.warning(
            "%s %s: %d", handler.request.method, handler.request.path, handler.get_status()
        )
