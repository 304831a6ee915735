"""Fixtures for browser tests: the playground of a running bot, seen in Debian's headless chromium.

Playwright drives the system's ``/usr/bin/chromium`` (``apt-get install chromium``; ``.ci/run``
installs it); Playwright's own browser download is never used. Without chromium or Playwright the
tests skip and say why. Screenshots land in ``artifacts/browser/`` (not committed).
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings, TeamSettings
from bot.content.loader import load_content_or_raise
from bot.emulator import BotApiEmulator
from bot.playground.web import Playground, serve_playground
from bot.playground.world import populate
from tests.helpers.botharness import START, running_bot
from tests.helpers.clock import FakeClock
from tests.helpers.content import CONTENT, REPO

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "artifacts" / "browser"


def pytest_collection_modifyitems(items):
    # One database is enough to see the page; the bot's storage is tested on both elsewhere.
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/") and "[postgresql" in item.name:
            item.add_marker(pytest.mark.skip(reason="browser tests run on SQLite only"))


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    """Headless chromium (Debian's package), or a skip that says what is missing."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is not installed (apt-get install -y chromium; .ci/run does it): "
            "browser tests skipped"
        )
    async_api = pytest.importorskip(
        "playwright.async_api", reason="Playwright is not installed (make install)"
    )
    async with async_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            await browser.close()


@dataclasses.dataclass
class RunningPlayground:
    """The playground of a running bot whose content lives in a folder the test may edit."""

    playground: Playground
    content_dir: Path
    harness: object

    @property
    def url(self) -> str:
        return self.playground.url


@pytest.fixture
async def playground(database, tmp_path) -> AsyncIterator[RunningPlayground]:
    """The bot with two teams (a forum and a plain group) and the page, on a copy of the content."""
    content_dir = tmp_path / "content"
    shutil.copytree(CONTENT, content_dir)
    content = load_content_or_raise(content_dir)
    clock = FakeClock(START)
    async with BotApiEmulator(clock=clock.now) as emulator:
        token = emulator.create_bot()
        configured = Settings(
            content_path=content_dir,
            teams={
                "dortmund": TeamSettings(
                    "dortmund", "Koordination Dortmund", 0, ("de", "ar"), "Mo-Fr 08:00-18:00"
                ),
                "duesseldorf": TeamSettings("duesseldorf", "Koordination Düsseldorf", 0, ("de",)),
            },
            fallback_team="dortmund",
        )
        settings, teams = populate(emulator, configured, content)
        async with running_bot(
            database, settings=settings, emulator=emulator, clock=clock, token=token
        ) as harness:
            application = harness.application
            application.bot_data.runtime = dataclasses.replace(
                application.bot_data.runtime, content=content, content_root=content_dir
            )
            playground = serve_playground(emulator, teams, application)
            yield RunningPlayground(playground, content_dir, harness)


@pytest.fixture
async def page(browser, playground, request) -> AsyncIterator[object]:
    """The playground page; a screenshot of it is saved when the test ends (pass or fail)."""
    context = await browser.new_context(viewport={"width": 1300, "height": 820})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(playground.url)
    try:
        yield page
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
        await context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
