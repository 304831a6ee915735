"""A grid index of services by location: the nearest services matching a filter, fast.

Services are put into cells of a fixed size in degrees. A search looks at the cells around the
point in rings of growing distance and stops as soon as no farther ring can hold anything nearer
than what it has found — so it touches a few cells, not all 20,000 services.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.content.models import GeoPoint, Service

__all__ = ["Hit", "ServiceIndex", "distance_km"]

EARTH_KM = 6371.0088
_KM_PER_DEGREE = math.pi * EARTH_KM / 180


def distance_km(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance in kilometres (haversine)."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class Hit:
    """A service found near a point, with its distance."""

    service: Service
    km: float


class ServiceIndex:
    """Services with a location, bucketed in a grid of ``cell_degrees`` squares."""

    def __init__(self, services: Iterable[Service], cell_degrees: float = 0.05) -> None:
        self.cell = cell_degrees
        self.cells: dict[tuple[int, int], list[Service]] = {}
        for service in services:
            if service.location is not None:
                self.cells.setdefault(
                    self._key(service.location.lat, service.location.lon), []
                ).append(service)
        self.size = sum(len(bucket) for bucket in self.cells.values())
        # The occupied cells' bounding box: how far a search may have to look.
        rows, columns = [i for i, _ in self.cells], [j for _, j in self.cells]
        self._box = (min(rows), max(rows), min(columns), max(columns)) if self.cells else None

    def _key(self, lat: float, lon: float) -> tuple[int, int]:
        return (math.floor(lat / self.cell), math.floor(lon / self.cell))

    def _ring(self, center: tuple[int, int], radius: int) -> Iterable[tuple[int, int]]:
        ci, cj = center
        if radius == 0:
            yield center
            return
        for j in range(cj - radius, cj + radius + 1):
            yield (ci - radius, j)
            yield (ci + radius, j)
        for i in range(ci - radius + 1, ci + radius):
            yield (i, cj - radius)
            yield (i, cj + radius)

    def nearest(
        self, point: GeoPoint, k: int, accept: Callable[[Service], bool] | None = None
    ) -> list[Hit]:
        """The ``k`` nearest services for which ``accept`` is true, nearest first."""
        if k <= 0 or not self.cells:
            return []
        center = self._key(point.lat, point.lon)
        # The narrowest side of a cell in km (longitude degrees shrink towards the poles).
        cos_lat = max(0.01, math.cos(math.radians(min(89.0, abs(point.lat) + self.cell))))
        cell_km = self.cell * _KM_PER_DEGREE * cos_lat
        found: list[Hit] = []
        # The farthest occupied cell bounds the search (a point far outside every region).
        low_i, high_i, low_j, high_j = self._box  # type: ignore[misc]
        ci, cj = center
        limit = max(abs(low_i - ci), abs(high_i - ci), abs(low_j - cj), abs(high_j - cj))
        for radius in range(limit + 1):
            for key in self._ring(center, radius):
                for service in self.cells.get(key, ()):
                    if accept is None or accept(service):
                        found.append(Hit(service, distance_km(point, service.location)))  # type: ignore[arg-type]
            if len(found) >= k:
                found.sort(key=lambda hit: hit.km)
                # Anything in ring radius+1 is at least `radius` whole cells away.
                if found[k - 1].km <= radius * cell_km:
                    return found[:k]
        found.sort(key=lambda hit: hit.km)
        return found[:k]
