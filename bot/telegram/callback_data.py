"""Encode button targets as compact callback data (at most 64 bytes) and decode them safely.

Anything can arrive as callback data — an old button, a forged one — so decoding never raises:
it returns a target (marked stale when it was made for an earlier content version), or None.
Ids of topics and services are encoded as their position in the content, which is stable within
one content version; every such button carries the version, so a position never points at the
wrong entry after an editor's change.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.addresses import MAX_CALLBACK_BYTES, PageAddress
from bot.content.models import Content
from bot.screens import (
    ContactTarget,
    EventTarget,
    LanguageTarget,
    OriginRef,
    PageTarget,
    SafetyTarget,
    SearchTarget,
    ServiceTarget,
    Target,
    UrlTarget,
    VenueTarget,
)

__all__ = ["CallbackCodec", "Decoded"]


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded button press: its target, and whether it came from an older content version."""

    target: Target
    stale: bool = False


class CallbackCodec:
    """Callback data for the targets of one content version."""

    def __init__(self, content: Content) -> None:
        self.version = content.version
        self.topics = sorted(content.topics)
        self.services = sorted(content.services)
        self._topic_index = {t: i for i, t in enumerate(self.topics)}
        self._service_index = {s: i for i, s in enumerate(self.services)}

    def encode(self, target: Target) -> str:
        """Callback data for ``target``; raises ValueError for URL buttons and oversized data."""
        if isinstance(target, PageTarget):
            data = PageAddress(self.version, target.node_id).encode()
        elif isinstance(target, LanguageTarget):
            data = f"l:{target.code}"
        elif isinstance(target, SearchTarget):
            data = f"s:{self.version}:{self._search(target)}"
        elif isinstance(target, ServiceTarget):
            data = f"c:{self.version}:{self._service_index[target.service]}:{self._search(target.back)}"
        elif isinstance(target, SafetyTarget):
            data = f"x:{target.action}"
        elif isinstance(target, ContactTarget):
            data = f"k:{target.action}:{target.value}"
        elif isinstance(target, EventTarget):
            # Event positions are only valid in this content version, like service positions.
            data = f"e:{self.version}:{target.action}:{target.value}"
        elif isinstance(target, VenueTarget):
            data = f"v:{self.version}:{self._service_index[target.service]}"
        elif isinstance(target, UrlTarget):
            raise ValueError("a URL button has no callback data")
        else:  # pragma: no cover - a new target type must be added here
            raise TypeError(f"no callback encoding for {type(target).__name__}")
        if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
        return data

    def decode(self, data: str | None) -> Decoded | None:
        """The target of a pressed button, or None for data we never made."""
        if not data or len(data.encode("utf-8", "replace")) > MAX_CALLBACK_BYTES:
            return None
        try:
            return self._decode(data)
        except (ValueError, IndexError, KeyError):
            return None

    def _decode(self, data: str) -> Decoded | None:
        address = PageAddress.decode(data)
        if address is not None:
            return Decoded(PageTarget(address.node_id), stale=address.version != self.version)
        kind, _, rest = data.partition(":")
        if kind == "l" and rest:
            return Decoded(LanguageTarget(rest))
        if kind == "x" and rest in ("clear", "discreet"):
            return Decoded(SafetyTarget(rest))
        if kind == "k" and rest:
            action, _, value = rest.partition(":")
            return Decoded(ContactTarget(action, value))
        if kind == "e" and rest:
            version, _, rest = rest.partition(":")
            action, _, value = rest.partition(":")
            if action not in ("list", "regions", "region", "news", "remind"):
                return None
            if version != self.version:
                return Decoded(PageTarget("main"), stale=True)
            return Decoded(EventTarget(action, value))
        if kind not in ("s", "c", "v"):
            return None
        version, _, rest = rest.partition(":")
        if version != self.version:
            return Decoded(PageTarget("main"), stale=True)
        if kind == "s":
            return Decoded(self._unsearch(rest))
        if kind == "v":
            return Decoded(VenueTarget(_at(self.services, rest)))
        service, _, rest = rest.partition(":")
        return Decoded(ServiceTarget(_at(self.services, service), self._unsearch(rest)))

    def _search(self, target: SearchTarget) -> str:
        origin = target.origin
        if origin.postal is not None:
            where = f"Z{origin.postal}"
        elif origin.place is not None:
            where = f"P{origin.place}"
        else:
            where = f"L{origin.lat:.3f},{origin.lon:.3f}"
        return f"{self._topic_index[target.topic]}:{where}:{target.filters}:{target.page}"

    def _unsearch(self, text: str) -> SearchTarget:
        topic, where, filters, page = text.split(":")
        if where.startswith("P"):
            if not where[1:].isdigit():
                raise ValueError("not a place")
            origin = OriginRef(place=int(where[1:]))
        elif where.startswith("Z"):
            if not (len(where) == 6 and where[1:].isdigit()):
                raise ValueError("not a postal code")
            origin = OriginRef(postal=where[1:])
        elif where.startswith("L"):
            lat, lon = (float(x) for x in where[1:].split(","))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError("not a place on earth")
            origin = OriginRef(lat=lat, lon=lon)
        else:
            raise ValueError("unknown origin")
        bits, number = int(filters), int(page)
        if not (0 <= bits < 8 and 0 <= number < 1000):
            raise ValueError("out of range")
        return SearchTarget(_at(self.topics, topic), origin, bits, number)


def _at(items: list[str], position: str) -> str:
    """``items[position]`` for a decimal position written by us; no negative indexing."""
    if not position.isdigit():
        raise ValueError("not a position")
    return items[int(position)]
