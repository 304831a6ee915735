"""The moments the shared send budget granted a token, by Redis' clock, seen through MONITOR.

The send budget's Lua script writes a bucket only when it grants a token, and Redis' MONITOR shows
every command a script runs with the server's timestamp. So a separate process that watches
MONITOR for writes of the bot's overall bucket records when each token was granted, exactly and
without touching the product, and without the test's own event loop (busy playing a hundred
people) delaying the stamps. Run as ``python -m tests.helpers.budget_grants URL KEY OUTPUT``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["GrantRecorder"]

READY = "ready"


@dataclass
class GrantRecorder:
    """A process that writes the Redis time of every write of one bucket key to a file.

    Use :meth:`start`, then :meth:`stop` and :meth:`times`.
    """

    process: subprocess.Popen
    output: Path
    ended_early: bool = False

    @classmethod
    def start(cls, redis_url: str, key: str, output: Path, timeout: float = 10.0) -> GrantRecorder:
        """Start watching writes of ``key``; returns once MONITOR is on."""
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.helpers.budget_grants", redis_url, key, str(output)],
            cwd=Path(__file__).resolve().parents[2],
        )
        recorder = cls(process, output)
        deadline = time.monotonic() + timeout
        while not (output.exists() and output.read_text().startswith(READY)):
            if process.poll() is not None or time.monotonic() > deadline:
                recorder.stop()
                raise RuntimeError("the Redis MONITOR process did not start")
            time.sleep(0.05)  # a separate process: nothing to await
        return recorder

    def stop(self) -> None:
        """End the watching process (noting whether it had ended before: see :meth:`times`)."""
        self.ended_early = self.process.poll() is not None
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def times(self) -> list[float]:
        """The grants' Unix times (Redis' clock), in order.

        Raises:
            RuntimeError: If the watching process had ended before :meth:`stop` (a gap).
        """
        if self.ended_early:
            raise RuntimeError("the Redis MONITOR process ended early: the record has a gap")
        lines = self.output.read_text().splitlines()[1:]
        return [float(line) for line in lines if line]


def _watch(redis_url: str, key: str, output: Path) -> None:
    import redis

    # No read timeout: a quiet minute (processes starting) is no reason to stop watching.
    client = redis.Redis.from_url(redis_url, socket_timeout=None)
    # A line of MONITOR: 1796166362.210838 [0 lua] "HSET" "lotse:budget:1:all" "tokens" …
    write = f'[0 lua] "HSET" "{key}" '.encode()
    with output.open("w", buffering=1) as file, client.monitor() as monitor:
        file.write(READY + "\n")  # entering the block switched MONITOR on
        while True:
            line = monitor.connection.read_response()
            # Cheap test first: MONITOR shows every client's commands on a shared Redis.
            if isinstance(line, bytes) and write in line:
                file.write(line.split(b" ", 1)[0].decode() + "\n")


if __name__ == "__main__":
    _watch(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
