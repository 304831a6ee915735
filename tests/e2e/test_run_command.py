"""`lotse run` as an operator meets it: one clear line and a non-zero exit when it cannot start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.emulator import BotApiEmulator

REPO = Path(__file__).resolve().parents[2]


def run_lotse(tmp_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path}/lotse.db", **environment)
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def errors_of(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("lotse:")]


async def test_a_token_the_api_rejects(tmp_path):
    async with BotApiEmulator() as emulator:
        import asyncio

        result = await asyncio.to_thread(
            run_lotse, tmp_path, BOT_TOKEN="123456:" + "A" * 35, BOT_API_BASE_URL=emulator.base_url
        )
    assert result.returncode != 0
    (line,) = errors_of(result)
    assert "rejected the bot token" in line
    assert "Traceback" not in result.stderr


def test_an_api_that_cannot_be_reached(tmp_path):
    result = run_lotse(
        tmp_path,
        BOT_TOKEN="123456:" + "A" * 35,
        BOT_API_BASE_URL="http://127.0.0.1:9/bot",
        BOT_START_PATIENCE="3",  # it keeps trying for that long, then says so in one line
    )
    assert result.returncode != 0
    (line,) = errors_of(result)
    assert "cannot reach the Bot API at http://127.0.0.1:9/bot" in line
    assert "Traceback" not in result.stderr


def test_a_malformed_token_is_a_configuration_error(tmp_path):
    result = run_lotse(tmp_path, BOT_TOKEN="not-a-token")
    assert result.returncode == 2
    (line,) = errors_of(result)
    assert "telegram.token" in line


@pytest.mark.parametrize("mode", ["production"])
def test_production_without_a_key_refuses_to_start(tmp_path, mode):
    result = run_lotse(tmp_path, BOT_ENVIRONMENT=mode)
    assert result.returncode == 2
    assert "encryption_key" in errors_of(result)[0]


def test_without_a_token_it_runs_against_the_emulator_and_stops_cleanly(tmp_path):
    import signal
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path}/lotse.db", PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        assert "local Bot API emulator at http://127.0.0.1:" in first
        page = process.stdout.readline()
        assert "Playground" in page and "http://127.0.0.1:" in page
        deadline = time.monotonic() + 30
        log = ""
        while "serving @" not in log and time.monotonic() < deadline:
            log += process.stderr.readline()
        assert "serving @" in log
        # SIGHUP reloads the content and logs what changed (here: nothing)
        process.send_signal(signal.SIGHUP)
        while "reload:" not in log and time.monotonic() < deadline:
            log += process.stderr.readline()
        assert "reload: content" in log and "loaded" in log
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()


async def test_bad_gateways_at_start_are_waited_out(tmp_path):
    """Telegram answering 502 while the bot starts: it tries again and then serves (issue 11)."""
    import asyncio
    import signal

    async with BotApiEmulator() as emulator:
        token = emulator.create_bot()
        # More 502s than one call repeats by itself: the start as a whole is tried again too.
        fault = emulator.inject_fault("getMe", 502, times=8)
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
        env.update(
            DATABASE_URL=f"sqlite:///{tmp_path}/lotse.db",
            BOT_TOKEN=token,
            BOT_API_BASE_URL=emulator.base_url,
            PYTHONUNBUFFERED="1",
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=REPO, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        log = ""
        try:
            async with asyncio.timeout(60):
                while "serving @" not in log:
                    line = (await process.stderr.readline()).decode()
                    if not line:
                        break
                    log += line
            assert "serving @" in log, log
            assert fault.hits == 8
            process.send_signal(signal.SIGTERM)
            _, rest = await process.communicate()
            log += rest.decode()
            assert process.returncode == 0
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert "Traceback" not in log
    assert "trying again" in log
