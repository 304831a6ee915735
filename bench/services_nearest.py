"""Benchmark: the nearest 10 of 20,000 services for a topic, with filters (target under 1 ms median).

Services are scattered over North Rhine-Westphalia with 10 topics, 12 languages and mixed
accessibility and opening hours; queries come from random points in the same area. Figures are
per query: median and 99th percentile, without filters, with "speaks my language" and
"wheelchair", and with "open now" (which evaluates opening hours for every candidate).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time

from bot.content.loader import load_content_or_raise
from bot.content.models import Accessibility, Address, GeoPoint, Service
from bot.directory.search import Directory, Filters

LANGUAGES = ("de", "en", "ar", "fa", "uk", "ru", "tr", "ku", "ps", "ti", "so", "fr")
HOURS = ("Mo-Fr 09:00-16:00; PH off", "Mo,We 14:00-18:00", None, "Mo-Th 09:00-12:00,13:00-16:00")
COUNT = 20_000
QUERIES = 2_000


def synthetic_services(rng: random.Random, regions: list[str]) -> dict[str, Service]:
    services = {}
    for n in range(COUNT):
        services[f"s{n}"] = Service(
            id=f"s{n}",
            name=f"Beratung {n}",
            topics=(f"t{rng.randrange(10)}", f"t{rng.randrange(10)}"),
            region=regions[n % len(regions)],
            address=Address(None, None, None),
            location=GeoPoint(50.6 + rng.random() * 1.6, 6.0 + rng.random() * 2.6),
            phone=None,
            email=None,
            website=None,
            opening_hours=rng.choice(HOURS),
            languages=("de", rng.choice(LANGUAGES)),
            wheelchair=rng.choice((Accessibility.YES, Accessibility.NO, Accessibility.UNKNOWN)),
            sign_language=False,
            description=None,
            verified_on=None,
            sample=False,
            file="",
            line=0,
        )
    return services


def _measure(
    directory: Directory, rng: random.Random, filters: Filters, now: dt.datetime
) -> list[float]:
    timings = []
    for _ in range(QUERIES):
        point = GeoPoint(50.6 + rng.random() * 1.6, 6.0 + rng.random() * 2.6)
        topic = f"t{rng.randrange(10)}"
        language = LANGUAGES[rng.randrange(12)]
        started = time.perf_counter()
        result = directory.search(topic, point, language, filters, now, page_size=10)
        timings.append((time.perf_counter() - started) * 1000)
        assert len(result.found) == 10
    return timings


def main() -> dict:
    import dataclasses

    content = load_content_or_raise("content")
    rng = random.Random(3)
    active = [r.id for r in content.regions.values() if r.active]
    content = dataclasses.replace(content, services=synthetic_services(rng, active))
    directory = Directory(content)
    now = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
    figures = {}
    for label, filters in (
        ("no filter", Filters()),
        ("my language + wheelchair", Filters(my_language=True, wheelchair=True)),
        ("open now", Filters(open_now=True)),
    ):
        timings = sorted(_measure(directory, rng, filters, now))
        p99 = timings[int(len(timings) * 0.99)]
        print(
            f"services_nearest: nearest 10 of {COUNT} ({label}): median "
            f"{statistics.median(timings):.3f} ms, p99 {p99:.3f} ms ({QUERIES} queries; target < 1 ms)"
        )
        figures[label] = {
            "median_ms": round(statistics.median(timings), 3),
            "p99_ms": round(p99, 3),
        }
    return figures


if __name__ == "__main__":
    main()
