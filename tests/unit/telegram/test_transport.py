"""The aiohttp transport keeps python-telegram-bot's request contract: what goes out, what fails how.

The whole suite talks to the emulator through it; these tests pin what the emulator does not
show: the form python-telegram-bot sends, an upload, the errors a slow, absent or vanishing
server gives (python-telegram-bot and bot.telegram.resilience decide on them by their type), and
where a proxy and the trusted certificates come from (as with httpx, the client it replaces).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import json
import socket
import ssl
import traceback
from collections.abc import AsyncIterator

import aiohttp
import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from telegram import Bot, InputFile
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.telegram.transport import AiohttpRequest, TransportFailure

_ME = {"id": 1, "is_bot": True, "first_name": "Lotse", "username": "lotse_bot"}


class _Recorder(tornado.web.RequestHandler):
    seen: list[tuple[str, dict[str, str], dict[str, bytes], str]]

    def initialize(self, seen, behaviour) -> None:
        self.seen, self.behaviour = seen, behaviour

    async def post(self, method: str) -> None:
        fields = {k: v[0].decode() for k, v in self.request.body_arguments.items()}
        files = {k: v[0]["body"] for k, v in self.request.files.items()}
        self.seen.append((method, fields, files, self.request.headers.get("User-Agent", "")))
        if self.behaviour == "slow":
            await asyncio.sleep(2)
        if self.behaviour == "vanish":
            self.request.connection.stream.close()
            return
        if method == "fail":
            self.set_status(400)
            self.write(
                json.dumps(
                    {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
                )
            )
            return
        result = _ME if method == "getMe" else True
        self.write(json.dumps({"ok": True, "result": result}))


@contextlib.asynccontextmanager
async def _server(
    behaviour: str = "answer", *, tls: ssl.SSLContext | None = None
) -> AsyncIterator[tuple[str, list]]:
    """A stand-in Bot API on a free port; yields its base address (``…/bot``) and the calls seen."""
    seen: list = []
    handler = (r"/bot[^/]+/(\w+)", _Recorder, {"seen": seen, "behaviour": behaviour})
    app = tornado.web.Application([handler])
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(app, ssl_options=tls)
    server.add_sockets(sockets)
    scheme = "https" if tls is not None else "http"
    try:
        yield f"{scheme}://127.0.0.1:{sockets[0].getsockname()[1]}/bot", seen
    finally:
        server.stop()


def _nobody_listening(path: str) -> str:
    """An address on a port of this machine that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}{path}"


@contextlib.asynccontextmanager
async def _request(**timeouts) -> AsyncIterator[AiohttpRequest]:
    request = AiohttpRequest(**timeouts)
    await request.initialize()
    try:
        yield request
    finally:
        await request.shutdown()


@contextlib.asynccontextmanager
async def _bot(base: str) -> AsyncIterator[Bot]:
    async with Bot("1:token", base_url=base, request=AiohttpRequest()) as bot:
        yield bot


async def _call(bot: Bot, method: str, **parameters):
    # Methods the Bot API does not have: python-telegram-bot sends them as it sends its own.
    return await bot.do_api_request(method, api_kwargs=parameters)


async def test_parameters_go_out_as_python_telegram_bots_form_and_the_answer_comes_back():
    async with _server() as (base, seen), _bot(base) as bot:
        seen.clear()  # getMe, when the bot started
        answer = await _call(
            bot, "record", chat_id=7, text="Привет", reply_markup={"inline_keyboard": []}
        )
    assert answer is True
    method, fields, files, agent = seen[0]
    assert method == "record" and not files
    assert fields == {"chat_id": "7", "text": "Привет", "reply_markup": '{"inline_keyboard": []}'}
    assert agent == AiohttpRequest.USER_AGENT


async def test_an_upload_goes_out_as_multipart_with_the_other_parameters():
    document = InputFile(b"%PDF-1.4 numbers", filename="numbers.pdf")
    async with _server() as (base, seen), _bot(base) as bot:
        seen.clear()
        assert await _call(bot, "recordUpload", chat_id=7, document=document) is True
    _, fields, files, _ = seen[0]
    assert fields["chat_id"] == "7"
    assert list(files.values()) == [b"%PDF-1.4 numbers"]


async def test_an_error_answer_reaches_python_telegram_bot_as_the_error_it_is():
    async with _server() as (base, _), _bot(base) as bot:
        with pytest.raises(BadRequest, match=r"[Cc]hat not found"):
            await _call(bot, "fail", chat_id=7)


async def test_a_server_that_does_not_answer_in_time_is_a_timeout():
    async with _server("slow") as (base, _), _request(read_timeout=0.2) as request:
        with pytest.raises(TimedOut):
            await request.do_request(f"{base}1:token/sendMessage", "POST")
        # A read timeout given with the call wins over the default.
        with pytest.raises(TimedOut):
            await request.do_request(f"{base}1:token/sendMessage", "POST", read_timeout=0.1)


async def test_a_closed_port_and_a_vanishing_server_are_network_errors():
    closed = _nobody_listening("/bot1:token/getMe")
    async with _request() as request:
        with pytest.raises(NetworkError) as refused:
            await request.do_request(closed, "POST")
    assert not isinstance(refused.value, TimedOut)
    async with _server("vanish") as (base, _), _request() as request:
        with pytest.raises(NetworkError) as vanished:
            await request.do_request(f"{base}1:token/sendMessage", "POST")
    assert not isinstance(vanished.value, TimedOut)


async def test_a_request_before_initialize_or_after_shutdown_is_refused_plainly():
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:9/botgetMe", "POST")
    await request.initialize()
    await request.shutdown()
    await request.shutdown()  # twice is harmless, as python-telegram-bot's shutdown may do
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:9/botgetMe", "POST")


async def test_a_failure_never_carries_the_bots_token_into_a_log():
    token = "123456:SECRET-token"
    closed = _nobody_listening(f"/bot{token}/getMe")
    async with _request() as request:
        with pytest.raises(NetworkError) as refused:
            await request.do_request(closed, "POST")
    told = "".join(traceback.format_exception(refused.value))
    assert "SECRET" not in told and "Connect" in told
    # aiohttp names the whole address in some messages (a connection that timed out).
    failure = TransportFailure.of(
        aiohttp.ConnectionTimeoutError(f"Connection timeout to host {closed}")
    )
    assert "SECRET" not in str(failure) and "/bot…/getMe" in str(failure)


async def test_a_proxy_from_the_environment_is_used_as_python_telegram_bots_client_would(
    monkeypatch,
):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "bot-api.internal")
    request = AiohttpRequest()
    assert request._proxy_for("https://api.telegram.org/bot1:x/getMe") == (
        "http://proxy.example:3128"
    )
    assert request._proxy_for("https://bot-api.internal/bot1:x/getMe") is None
    assert request._proxy_for("http://127.0.0.1:8081/bot1:x/getMe") is None  # no HTTP_PROXY


def _self_signed(folder) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, as files in ``folder``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Bot API")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "api.pem", folder / "api.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)


async def test_https_checks_the_certificate_against_the_trusted_ones(tmp_path, monkeypatch):
    cert_file, key_file = _self_signed(tmp_path)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert_file, key_file)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    async with _server(tls=tls) as (base, _):
        address = f"{base}1:token/getMe"
        async with _request() as request:  # certifi's bundle: a self-signed server is refused
            with pytest.raises(NetworkError, match=r"[Cc]ertificate"):
                await request.do_request(address, "POST")
        monkeypatch.setenv("SSL_CERT_FILE", cert_file)  # as httpx, the operator's own CA
        async with _request() as request:
            status, payload = await request.do_request(address, "POST")
    assert status == 200 and json.loads(payload)["result"] == _ME
