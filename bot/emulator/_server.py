"""The HTTP side: tornado handlers that read requests as Telegram does and write its envelope."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

import tornado.web

from bot.emulator._errors import ApiError
from bot.emulator._faults import DropConnection
from bot.emulator._params import UploadedFile

if TYPE_CHECKING:
    from bot.emulator._emulator import BotApiEmulator

__all__ = ["make_application"]

_LOGGER = logging.getLogger(__name__)


class _ApiHandler(tornado.web.RequestHandler):
    """``/bot<token>/<method>``: any HTTP verb, parameters from query, form, multipart or JSON."""

    SUPPORTED_METHODS = ("GET", "POST")

    def initialize(self, emulator: BotApiEmulator) -> None:
        self._emulator = emulator
        self._disconnected = asyncio.Event()

    def on_connection_close(self) -> None:
        # Ends a pending long poll when the client gave up (PTB cancels getUpdates on stop).
        self._disconnected.set()

    async def get(self, token: str, method: str) -> None:
        try:
            params, files = self._read_parameters()
        except ApiError as error:
            self._write_envelope(error.status, error.envelope())
            return
        try:
            status, body = await self._emulator._dispatcher.handle(
                token, method, params, files, self._disconnected
            )
        except DropConnection:
            if not self._disconnected.is_set():
                self.detach().close()  # no answer at all, as a broken network gives
            return
        if not self._disconnected.is_set():
            self._write_envelope(status, body)

    post = get

    def _read_parameters(self) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        request = self.request
        params: dict[str, Any] = {
            name: values[-1].decode("utf-8") for name, values in request.query_arguments.items()
        }
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type == "application/json" and request.body:
            try:
                body = json.loads(request.body)
            except ValueError:
                raise ApiError.bad_request("can't parse JSON encoded request body") from None
            if not isinstance(body, dict):
                raise ApiError.bad_request("JSON object expected as request body")
            params.update(body)
        else:
            # tornado has already parsed url-encoded and multipart bodies.
            params.update(
                {
                    name: values[-1].decode("utf-8")
                    for name, values in request.body_arguments.items()
                }
            )
        files = {
            name: UploadedFile(
                filename=parts[-1].filename or "",
                content=parts[-1].body,
                content_type=parts[-1].content_type or "application/octet-stream",
            )
            for name, parts in request.files.items()
        }
        return params, files

    def _write_envelope(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))


class _FileHandler(tornado.web.RequestHandler):
    """``/file/bot<token>/<file_path>``: downloads of files described by getFile."""

    def initialize(self, emulator: BotApiEmulator) -> None:
        self._emulator = emulator

    def get(self, token: str, file_path: str) -> None:
        stored = self._emulator._file_for_download(token, file_path)
        if stored is None:
            self.set_status(404)
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(ApiError.not_found().envelope()))
            return
        self.set_header("Content-Type", stored.mime_type or "application/octet-stream")
        self.finish(stored.content)


class _NotFoundHandler(tornado.web.RequestHandler):
    def prepare(self) -> None:
        self.set_status(404)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(ApiError.not_found().envelope()))


def make_application(emulator: BotApiEmulator) -> tornado.web.Application:
    """Build the tornado application serving the Bot API and file downloads."""
    arguments = {"emulator": emulator}
    return tornado.web.Application(
        [
            (r"/bot([^/]+)/([A-Za-z0-9_]+)/?", _ApiHandler, arguments),
            (r"/file/bot([^/]+)/(.+)", _FileHandler, arguments),
        ],
        default_handler_class=_NotFoundHandler,
        log_function=_log_request,
    )


def _log_request(handler: tornado.web.RequestHandler) -> None:
    # Error answers are the emulator doing its job; tornado would log every 4xx as a warning.
    request = handler.request
    _LOGGER.debug("%s %s %s", handler.get_status(), request.method, request.path)
