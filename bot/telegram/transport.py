"""HTTP to the Bot API through aiohttp: python-telegram-bot's request interface, a cheaper client.

python-telegram-bot talks HTTP through httpx (:class:`telegram.request.HTTPXRequest`), and lets
a bot bring another client as a :class:`telegram.request.BaseRequest`. Every update costs at
least two calls (``getUpdates`` and the answer); with httpx, its connection pool (httpcore) and
anyio, those two took about half of the CPU time of a free-text update (``bench/README.md``).
aiohttp parses HTTP in C and keeps its connections with less bookkeeping.

Requests go out as python-telegram-bot's own do: the parameters as a form (each value JSON, as
:attr:`telegram.request.RequestData.json_parameters` gives them), or as ``multipart/form-data``
when a file is uploaded. Timeouts mean what they mean for :class:`HTTPXRequest` (connect, read,
write, and waiting for a free connection of the pool), and failures become the same errors:
:class:`telegram.error.TimedOut` for a timeout, :class:`telegram.error.NetworkError` for
anything else on the way. What to do about them (repeat, give up) is decided above, in
:mod:`bot.telegram.resilience` and python-telegram-bot. A proxy and the certificates to trust
are found where httpx finds them (``HTTPS_PROXY`` …, ``SSL_CERT_FILE``, else certifi's bundle), so
that an installation behind a proxy or with its own CA works as it did.
"""

from __future__ import annotations

import os
import re
import ssl
import urllib.parse
import urllib.request

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest", "TransportFailure"]

# The bot's token is part of every Bot API address (``…/bot<token>/sendMessage``).
_TOKEN_IN_ADDRESS = re.compile(r"/bot[^/\s]+/")


class TransportFailure(Exception):
    """What went wrong on the way to the Bot API, without the address: it holds the token.

    Raised as the cause of :class:`~telegram.error.TimedOut` and
    :class:`~telegram.error.NetworkError` (some of aiohttp's messages name the whole address,
    and a logged traceback shows the cause), and telling a failure on the way from an error
    status of Telegram's, which has no cause (:func:`bot.telegram.resilience.server_error`).
    """

    @classmethod
    def of(cls, error: BaseException) -> TransportFailure:
        text = _TOKEN_IN_ADDRESS.sub("/bot…/", str(error))
        return cls(f"aiohttp.{type(error).__name__}: {text}" if text else type(error).__name__)


class AiohttpRequest(BaseRequest):
    """python-telegram-bot's requests through an :class:`aiohttp.ClientSession`.

    Args:
        connection_pool_size: Connections kept open to the Bot API at most.
        read_timeout: Seconds to wait for the answer (python-telegram-bot adds the long poll's
            ``timeout`` for ``getUpdates``).
        write_timeout: Seconds to send a request; ``media_write_timeout`` for an upload.
        connect_timeout: Seconds to open a connection.
        pool_timeout: Seconds to wait for a free connection of the pool.
    """

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_proxies",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        *,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ssl=_tls_context()),
                headers={"User-Agent": self.USER_AGENT},
                # Not trust_env: it would read ~/.netrc in a thread on every call. The proxy
                # is taken from the environment once per address instead (_proxy_for).
            )
            self._proxies.clear()

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout=BaseRequest.DEFAULT_NONE,
        write_timeout=BaseRequest.DEFAULT_NONE,
        connect_timeout=BaseRequest.DEFAULT_NONE,
        pool_timeout=BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        read = self._given(read_timeout, self._read_timeout)
        write = self._given(
            write_timeout, self._media_write_timeout if files else self._write_timeout
        )
        connect = self._given(connect_timeout, self._connect_timeout)
        pool = self._given(pool_timeout, self._pool_timeout)
        timeout = aiohttp.ClientTimeout(
            # aiohttp times the whole call and the wait for the answer's bytes; a write that
            # stalls is caught by the whole call's limit.
            total=_sum(pool, connect, write, read),
            connect=_sum(pool, connect),
            sock_connect=connect,
            sock_read=read,
        )
        body: aiohttp.FormData | dict[str, str] | None = fields
        if files:
            body = aiohttp.FormData(fields or {})
            for name, part in files.items():
                if isinstance(part, tuple):
                    filename, content, mime = part
                    body.add_field(name, content, filename=filename, content_type=mime)
                else:
                    body.add_field(name, part)
        try:
            async with session.request(
                method, url, data=body, timeout=timeout, proxy=self._proxy_for(url)
            ) as answer:
                return answer.status, await answer.read()
        except TimeoutError as exc:
            raise TimedOut from TransportFailure.of(exc)
        except aiohttp.ClientError as exc:
            failure = TransportFailure.of(exc)
            raise NetworkError(str(failure)) from failure

    def _proxy_for(self, url: str) -> str | None:
        """The proxy for ``url`` from HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY, as httpx
        (python-telegram-bot's own client) takes it; looked up once per scheme and host."""
        parts = urllib.parse.urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            proxies = urllib.request.getproxies()
            proxy = proxies.get(parts.scheme) or proxies.get("all")
            if proxy and urllib.request.proxy_bypass(parts.hostname or ""):
                proxy = None
            self._proxies[key] = proxy
        return self._proxies[key]

    @staticmethod
    def _given(value, default: float | None) -> float | None:
        return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value


def _tls_context() -> ssl.SSLContext:
    """The certificates to trust, found as httpx (python-telegram-bot's own client) finds them:
    the file in ``SSL_CERT_FILE`` or the folder in ``SSL_CERT_DIR`` if set, else certifi's
    bundle, whatever the system's own store holds."""
    file, folder = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if file and os.path.isfile(file):
        return ssl.create_default_context(cafile=file)
    if folder and os.path.isdir(folder):
        return ssl.create_default_context(capath=folder)
    return ssl.create_default_context(cafile=certifi.where())


def _sum(*seconds: float | None) -> float | None:
    """The seconds added up; None (no limit) if any of them is None."""
    return None if any(s is None for s in seconds) else sum(seconds)  # type: ignore[arg-type]
