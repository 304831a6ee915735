"""Run every benchmark and print its figures (``make bench``)."""

from __future__ import annotations

import argparse
import importlib

BENCHMARKS = ("bench.content_load", "bench.services_nearest")


def main() -> None:
    parser = argparse.ArgumentParser(description="Run Lotse's benchmarks.")
    parser.add_argument("names", nargs="*", help="only these (e.g. content_load)")
    args = parser.parse_args()
    for name in BENCHMARKS:
        if args.names and name.rsplit(".", 1)[-1] not in args.names:
            continue
        importlib.import_module(name).main()


if __name__ == "__main__":
    main()
