"""Bot processes for multi-process tests: a fresh PostgreSQL database, `lotse run` as subprocesses.

Each process is the real command line (``python -m bot run``) with its configuration in the
environment, as in the Docker image; the test talks to it only over HTTP (webhook, /readyz,
/metrics) and through the emulator, and may kill it with SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[2]

__all__ = ["BotProcess", "free_port", "fresh_database", "metric"]


def free_port() -> int:
    """A TCP port on loopback that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.asynccontextmanager
async def fresh_database(server_url: str) -> AsyncIterator[str]:
    """A new, empty database on the PostgreSQL server of ``server_url``; dropped afterwards."""
    url = make_url(server_url)
    name = f"lotse_test_{secrets.token_hex(5)}"
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def metric(text_format: str, name: str) -> float:
    """The value of an unlabelled series in Prometheus' text format (0 if absent)."""
    found = re.search(rf"^{re.escape(name)} (\S+)$", text_format, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


@dataclass
class BotProcess:
    """One ``lotse run`` in webhook mode on its own port."""

    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @classmethod
    def start(cls, name: str, config: Path, environment: dict[str, str], logs: Path) -> BotProcess:
        """Start ``python -m bot --config CONFIG run`` with ``environment`` on a free port."""
        port = free_port()
        log = logs / f"{name}.log"
        env = {**os.environ, **environment, "BOT_WEBHOOK_PORT": str(port)}
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "--config", str(config), "run"],
                cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip
        return cls(name, port, process, log)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def wait_ready(self, client: httpx.AsyncClient, timeout: float) -> None:
        """Wait until /readyz answers 200 (the process loaded everything and reached Telegram)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited: {self.log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{self.url}/readyz")).status_code == 200:
                    return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{self.name} not ready: {self.log.read_text()[-2000:]}")
            await asyncio.sleep(0.2)  # a process starting up: nothing to wait on but its port

    async def metrics(self, client: httpx.AsyncClient) -> str:
        return (await client.get(f"{self.url}/metrics")).text

    def kill(self) -> None:
        """SIGKILL: no clean-up, no goodbye to PostgreSQL — as when a machine dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
