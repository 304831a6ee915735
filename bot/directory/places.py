"""Find where a person is without a geocoder: their shared location, a postal code, a place name.

Everything comes from the content (regions with their districts and postal codes), so nothing
leaves the bot and nothing is looked up online.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from bot.content.models import Content, GeoPoint, Region, Service
from bot.directory.index import distance_km

__all__ = [
    "PlaceLookup",
    "SearchOrigin",
    "all_places",
    "district_of",
    "lookup_place",
    "nearest_region",
    "origin_of_location",
    "postal_origin",
]

_POSTAL = re.compile(r"\b(\d{5})\b")
# A location farther than this from every place of a region is "outside" the network's area.
OUTSIDE_KM = 25.0
# A service without a known postal code belongs to the nearest district within this distance.
_DISTRICT_KM = 3.0


@dataclass(frozen=True, slots=True)
class SearchOrigin:
    """Where to search from, and what to call it for the person.

    ``postal`` is the postal code the person typed, if that is how it was found: the heading then
    names it with its district ("44137 Dortmund-Innenstadt-West"), so that a typo is seen.
    """

    point: GeoPoint
    label: str
    region: str | None
    postal: str | None = None


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
        if (origin := _postal_origin(content, code)) is not None:
            return PlaceLookup(origin)
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


def _postal_origin(content: Content, code: str) -> SearchOrigin | None:
    """The district (or else the region) a postal code belongs to, labelled with the code."""
    for region in _active(content):
        city = region.cities[0] if region.cities else region.name.source
        for place in region.places:
            if code in place.postal_codes:
                return SearchOrigin(place.location, f"{code} {city}-{place.name}", region.id, code)
        if code in region.postal_codes:
            return SearchOrigin(region.center, f"{code} {city}", region.id, code)
    return None


def postal_origin(content: Content, code: str) -> SearchOrigin | None:
    """The origin of a postal code the person typed earlier (carried by the result buttons)."""
    return _postal_origin(content, code) if _POSTAL.fullmatch(code) else None


def district_of(content: Content, service: Service) -> str | None:
    """The district a service lies in, so that services of the same name can be told apart.

    The places of the service's region whose postal codes include the service's; of several
    (a postal code may cross district borders) the nearest to the service. Without a postal
    code match, the nearest place within a few kilometres. None if nothing fits.
    """
    region = content.regions.get(service.region)
    if region is None or not region.places:
        return None
    code = service.address.postal_code
    matching = [p for p in region.places if code and code in p.postal_codes]
    if service.location is None:
        return matching[0].name if len(matching) == 1 else None
    candidates = matching or list(region.places)
    location = service.location
    place = min(candidates, key=lambda p: distance_km(location, p.location))
    near = distance_km(location, place.location) <= _DISTRICT_KM
    return place.name if matching or near else None


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
