"""The playground's HTTP side without a browser: the page, the world as JSON, the event stream."""

from __future__ import annotations

import json

import httpx

from bot.config import Settings
from bot.content.reload import ReloadOutcome
from bot.emulator import BotApiEmulator
from bot.playground.web import Playground
from bot.playground.world import populate
from tests.helpers.content import default_content


async def test_the_page_the_world_and_the_event_stream():
    content = default_content()
    async with BotApiEmulator() as emulator:
        emulator.create_bot()
        settings, teams = populate(emulator, Settings(), content)
        assert settings.fallback_team == teams[0].settings.key
        assert {team.group.is_forum for team in teams} == {True, False}

        async def reload() -> ReloadOutcome:
            return ReloadOutcome(content=content)

        playground = Playground(emulator, teams, lambda: content, reload)
        playground.install()
        async with httpx.AsyncClient(base_url=emulator.address) as client:
            page = await client.get("/playground/")
            assert page.status_code == 200 and "<script" in page.text
            assert (await client.get("/playground/static/app.js")).status_code == 200
            created = await client.post(
                "/playground/people", json={"name": "Amal", "language": "ar"}
            )
            person = created.json()["id"]
            world = (await client.get("/playground/state")).json()
            (shown,) = world["people"]
            assert shown["id"] == person and shown["rtl"] is True
            assert shown["messages"][0]["html"].startswith('<a class="command"')  # /start
            assert len(world["places"]) > len(content.regions)
            async with client.stream("GET", "/playground/events") as events:
                async for line in events.aiter_lines():
                    if line.startswith("data: "):
                        assert json.loads(line[6:])["people"][0]["name"] == "Amal"
                        break
            bad = await client.post("/playground/act", json={"person": person, "kind": "dance"})
            assert bad.status_code == 400 and "dance" in bad.json()["error"]
            # another site open in the same browser cannot drive it
            form = await client.post(
                "/playground/reload", content="{}", headers={"Content-Type": "text/plain"}
            )
            assert form.status_code == 415
            foreign = await client.get("/playground/state", headers={"Host": "evil.example:80"})
            assert foreign.status_code == 403
            reloaded = (await client.post("/playground/reload", json={})).json()
            assert reloaded["ok"] and reloaded["report"].endswith("no change")
        # the Bot API itself is still served beside the page
        assert emulator.base_url.endswith("/bot")
