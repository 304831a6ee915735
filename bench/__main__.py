"""Run every benchmark, print its figures and write them all to one JSON file (``make bench``).

Each benchmark runs in a process of its own, so that its peak memory is its own; their figures
are collected in ``bench/results.json`` with the date, the machine and its load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BENCHMARKS = ("content_load", "services_nearest", "updates", "broadcast")


def machine() -> dict:
    """What the figures were measured on."""
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Run Lotse's benchmarks.")
    parser.add_argument("names", nargs="*", help="only these (e.g. content_load)")
    parser.add_argument("--json", default="bench/results.json", help="where to write the figures")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # run one benchmark in this process
    args = parser.parse_args()
    if args.one:
        figures = importlib.import_module(f"bench.{args.one}").main()
        Path(args.json).write_text(json.dumps(figures, indent=1, ensure_ascii=False))
        return
    results = {"machine": machine()}
    started = time.perf_counter()
    print(f"load average before: {results['machine']['load_average']}", flush=True)
    for name in BENCHMARKS:
        if args.names and name not in args.names:
            continue
        part = Path(args.json).with_suffix(f".{name}.json")
        subprocess.run(
            [sys.executable, "-m", "bench", "--one", name, "--json", str(part)], check=True
        )
        results[name] = json.loads(part.read_text())
        part.unlink()
    results["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    results["machine"]["seconds"] = round(time.perf_counter() - started)
    Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(
        f"load average after: {results['machine']['load_average_after']}; "
        f"{results['machine']['seconds']} s in all; figures in {args.json}"
    )


if __name__ == "__main__":
    main()
