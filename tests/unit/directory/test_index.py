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
