"""The grid index returns exactly what a full scan would, nearest first."""

from __future__ import annotations

import dataclasses
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.models import Accessibility, Address, GeoPoint, Service
from bot.directory.index import ServiceIndex, distance_km


def service(n: int, lat: float, lon: float, topics=("violence",)) -> Service:
    return Service(
        id=f"s{n}",
        name=f"S{n}",
        topics=topics,
        region="r",
        address=Address(None, None, None),
        location=GeoPoint(lat, lon),
        phone=None,
        email=None,
        website=None,
        opening_hours=None,
        languages=("de",),
        wheelchair=Accessibility.UNKNOWN,
        sign_language=False,
        description=None,
        verified_on=None,
        sample=False,
        file="",
        line=0,
    )


def scattered(count: int, seed: int = 1) -> list[Service]:
    rng = random.Random(seed)
    return [
        service(n, 51.0 + rng.random(), 6.5 + rng.random() * 1.5, topics=(f"t{n % 5}",))
        for n in range(count)
    ]


@settings(max_examples=60, deadline=None)
@given(
    lat=st.floats(45, 56),
    lon=st.floats(2, 15),
    k=st.integers(1, 30),
    topic=st.sampled_from(["t0", "t1", "t9"]),
)
def test_same_as_a_full_scan(lat, lon, k, topic):
    services = scattered(600)
    index = ServiceIndex(services)
    point = GeoPoint(lat, lon)
    hits = index.nearest(point, k, lambda s: topic in s.topics)
    expected = sorted(
        (distance_km(point, s.location), s.id) for s in services if topic in s.topics
    )[:k]
    assert [h.service.id for h in hits] == [sid for _, sid in expected]


def test_nearest_first_and_services_without_location_left_out():
    services = [service(1, 51.51, 7.46), service(2, 51.22, 6.77), service(3, 51.19, 6.44)]
    services.append(dataclasses.replace(services[0], id="nowhere", location=None))
    index = ServiceIndex(services)
    dortmund = GeoPoint(51.5136, 7.4653)
    assert [h.service.id for h in index.nearest(dortmund, 3)] == ["s1", "s2", "s3"]
    assert index.nearest(dortmund, 0) == []


def test_empty_index():
    assert ServiceIndex([]).nearest(GeoPoint(51, 7), 5) == []


@settings(max_examples=40, deadline=None)
@given(
    lat=st.floats(50.5, 52.5),
    lon=st.floats(5.5, 9.5),
    language=st.sampled_from(["de", "ar", "fa", "uk", "ti"]),
    my_language=st.booleans(),
    wheelchair=st.booleans(),
)
def test_a_search_with_filters_finds_what_a_full_scan_finds(
    lat, lon, language, my_language, wheelchair
):
    import datetime as dt
    from types import SimpleNamespace

    from bot.directory.search import Directory, Filters

    rng = random.Random(7)
    services = {
        s.id: dataclasses.replace(
            s,
            languages=("de", rng.choice(["ar", "fa", "uk", "ti", "so"])),
            wheelchair=rng.choice(list(Accessibility)),
        )
        for s in scattered(800)
    }
    content = SimpleNamespace(
        regions={"r": SimpleNamespace(id="r", active=True)}, services=services
    )
    directory = Directory(content)  # type: ignore[arg-type]
    filters = Filters(my_language=my_language, wheelchair=wheelchair)
    point = GeoPoint(lat, lon)
    now = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)

    result = directory.search("t1", point, language, filters, now, page_size=12)

    usable = {Accessibility.YES, Accessibility.LIMITED}
    expected = sorted(
        (distance_km(point, s.location), s.id)
        for s in services.values()
        if "t1" in s.topics
        and (not my_language or language in s.languages)
        and (not wheelchair or s.wheelchair in usable)
    )[:12]
    assert [f.service.id for f in result.found] == [sid for _, sid in expected]
