"""Find where a person is without a geocoder: their shared location, a postal code, a place name.

Everything comes from the content (regions with their districts and postal codes), so nothing
leaves the bot and nothing is looked up online.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from bot.content.models import Content, GeoPoint, Region
from bot.directory.index import distance_km

__all__ = [
    "PlaceLookup",
    "SearchOrigin",
    "all_places",
    "lookup_place",
    "nearest_region",
    "origin_of_location",
]

_POSTAL = re.compile(r"\b(\d{5})\b")
# A location farther than this from every place of a region is "outside" the network's area.
OUTSIDE_KM = 25.0


@dataclass(frozen=True, slots=True)
class SearchOrigin:
    """Where to search from, and what to call it for the person."""

    point: GeoPoint
    label: str
    region: str | None


@dataclass(frozen=True, slots=True)
class PlaceLookup:
    """The answer to a typed place: found, or suggestions to choose from."""

    origin: SearchOrigin | None
    suggestions: tuple[SearchOrigin, ...] = ()


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    return "".join(ch for ch in decomposed if ch.isalnum())


def _active(content: Content) -> list[Region]:
    return [region for region in content.regions.values() if region.active]


def all_places(content: Content) -> list[SearchOrigin]:
    """Every district and city centre of the active regions, as search origins."""
    origins: list[SearchOrigin] = []
    for region in _active(content):
        for city in region.cities or (region.name.source,):
            origins.append(SearchOrigin(region.center, city, region.id))
        for place in region.places:
            origins.append(
                SearchOrigin(
                    place.location,
                    f"{place.name} ({region.cities[0] if region.cities else region.id})",
                    region.id,
                )
            )
    return origins


def nearest_region(content: Content, point: GeoPoint) -> tuple[Region | None, float]:
    """The active region nearest to ``point`` (by its centre and districts) and the distance."""
    best: tuple[Region | None, float] = (None, float("inf"))
    for region in _active(content):
        candidates = [region.center, *(p.location for p in region.places)]
        km = min(distance_km(point, c) for c in candidates)
        if km < best[1]:
            best = (region, km)
    return best


def origin_of_location(content: Content, point: GeoPoint) -> SearchOrigin:
    """An origin for a shared location; its region is None when it is outside every region."""
    region, km = nearest_region(content, point)
    inside = region is not None and km <= OUTSIDE_KM
    return SearchOrigin(point, "", region.id if inside and region is not None else None)


def lookup_place(content: Content, typed: str) -> PlaceLookup:
    """A postal code or a place name typed by a person, matched against the regions' places."""
    postal = _POSTAL.search(typed)
    if postal:
        code = postal.group(1)
        for region in _active(content):
            for place in region.places:
                if code in place.postal_codes:
                    return PlaceLookup(
                        SearchOrigin(place.location, f"{code} {place.name}", region.id)
                    )
            if code in region.postal_codes:
                return PlaceLookup(
                    SearchOrigin(region.center, f"{code} {region.name.source}", region.id)
                )
        # Unknown code: suggest the places whose codes share the most leading digits.
        scored = []
        for origin in all_places(content):
            codes = _codes_of(content, origin)
            shared = max((_common_prefix(code, c) for c in codes), default=0)
            if shared >= 2:
                scored.append((shared, origin))
        scored.sort(key=lambda item: -item[0])
        return PlaceLookup(None, tuple(o for _, o in scored[:4]))
    wanted = _fold(typed)
    if len(wanted) < 2:
        return PlaceLookup(None)
    by_name: dict[str, SearchOrigin] = {}
    for origin in all_places(content):
        by_name.setdefault(_fold(origin.label.split(" (")[0]), origin)
    if wanted in by_name:
        return PlaceLookup(by_name[wanted])
    starts = [
        o for name, o in by_name.items() if name.startswith(wanted) or wanted.startswith(name)
    ]
    if len(starts) == 1:
        return PlaceLookup(starts[0])
    close = difflib.get_close_matches(wanted, list(by_name), n=4, cutoff=0.6)
    suggestions = tuple(dict.fromkeys([*starts, *(by_name[name] for name in close)]))[:4]
    return PlaceLookup(None, suggestions)


def _codes_of(content: Content, origin: SearchOrigin) -> tuple[str, ...]:
    region = content.regions.get(origin.region or "")
    if region is None:
        return ()
    for place in region.places:
        if place.location == origin.point:
            return place.postal_codes
    return region.postal_codes


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n
