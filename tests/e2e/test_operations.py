"""Operators' endpoints of a running bot: /metrics with the named series, /healthz, /readyz."""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy.engine import make_url

from bot.storage.database import Database
from bot.telegram.webhook import WebServer
from tests.e2e.test_contact_requests import team_setup, write_request
from tests.helpers.tcpproxy import TcpProxy

SECRET_TOKEN = "ops-test-secret"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET_TOKEN}


def _start_update(person) -> dict:
    """The update Telegram sends when ``person`` writes /start (delivered by hand here)."""
    user = {
        "id": person.id,
        "is_bot": False,
        "first_name": person.first_name,
        "language_code": "de",
    }
    return {
        "update_id": 900001,
        "message": {
            "message_id": 1, "date": int(time.time()), "from": user,
            "chat": {"id": person.id, "type": "private", "first_name": person.first_name},
            "text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }  # fmt: skip


SERIES = (
    "lotse_updates_total",
    "lotse_update_handling_seconds_bucket",
    "lotse_outbox_backlog",
    "lotse_outbox_oldest_age_seconds",
    "lotse_open_requests",
    "lotse_send_budget_waits_total",
    "lotse_send_budget_wait_seconds_total",
    "lotse_telegram_flood_waits_total",
    "lotse_errors_total",
    "lotse_leader",
)


async def test_metrics_show_updates_outbox_open_requests_and_errors(database):
    async with team_setup(database) as (bot, _group, _anna):
        server = WebServer(bot.application, webhook=False)
        await server.start("127.0.0.1", 0)
        try:
            amal = bot.person("Amal", "de")
            await write_request(bot, amal)
            await bot.idle()
            async with httpx.AsyncClient() as client:
                response = await client.get(f"http://127.0.0.1:{server.port}/metrics")
        finally:
            await server.stop()
    assert response.status_code == 200
    text = response.text
    for series in SERIES:
        assert series in text, series
    lines = text.splitlines()
    assert any(line.startswith('lotse_updates_total{kind="message"}') for line in lines)
    assert any(line.startswith('lotse_updates_total{kind="callback_query"}') for line in lines)
    assert 'lotse_open_requests{team="dortmund"} 1.0' in lines
    assert "Amal" not in text and str(amal.id) not in text  # no personal data in labels


@pytest.mark.postgres
async def test_readyz_fails_while_the_database_is_down_and_recovers(
    database, database_url, database_schema
):
    if not database_url.startswith("postgresql"):
        pytest.skip("plays a PostgreSQL outage through a TCP proxy")
    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.open()
    proxied = Database(
        url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
        schema=database_schema,
    )
    try:
        async with team_setup(proxied) as (bot, _group, _anna):
            server = WebServer(bot.application, webhook=True, secret_token=SECRET_TOKEN)
            await server.start("127.0.0.1", 0)
            base = f"http://127.0.0.1:{server.port}"
            try:
                async with httpx.AsyncClient(timeout=10) as client:
                    ready = await client.get(f"{base}/readyz")
                    assert ready.status_code == 200, ready.text
                    assert ready.json()["checks"] == {
                        "database": "ok", "content": "ok", "telegram": "ok"
                    }  # fmt: skip
                    amal = bot.person("Amal", "de")
                    await amal.send_text("/start")
                    await amal.wait_for_bot_message()
                    await proxy.close()
                    down = await client.get(f"{base}/readyz")
                    assert down.status_code == 503
                    assert down.json()["checks"]["database"] != "ok"
                    assert (await client.get(f"{base}/healthz")).status_code == 200
                    # An update that arrives now is refused, so that Telegram sends it again.
                    update = _start_update(amal)
                    refused = await client.post(f"{base}/telegram", json=update, headers=HEADERS)
                    assert refused.status_code == 503
                    await proxy.open()
                    again = await client.get(f"{base}/readyz")
                    assert again.status_code == 200, again.text
                    # …and when it comes again, the person gets the menu.
                    retried = await client.post(f"{base}/telegram", json=update, headers=HEADERS)
                    assert retried.status_code == 200
                    assert (await amal.wait_for_bot_message()).buttons
            finally:
                await server.stop()
    finally:
        await proxied.dispose()
        await proxy.close()
