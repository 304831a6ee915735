"""Find the nearest services for a topic from an origin, with the filters a person can toggle."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.content.models import Accessibility, Content, GeoPoint, Service
from bot.directory.hours import HoursState, OpenStatus, hours_state
from bot.directory.index import Hit, ServiceIndex

__all__ = ["Directory", "Filters", "Found", "SearchResult"]

PAGE_SIZE = 5
# Beyond this distance the nearest services are "further away": the person is told so and
# gets the help lines as well.
NEARBY_KM = 30.0


@dataclass(frozen=True, slots=True)
class Filters:
    """The filters a person toggles on the results."""

    my_language: bool = False
    open_now: bool = False
    wheelchair: bool = False

    def to_bits(self) -> int:
        return int(self.my_language) | int(self.open_now) << 1 | int(self.wheelchair) << 2

    @classmethod
    def from_bits(cls, bits: int) -> Filters:
        return cls(bool(bits & 1), bool(bits & 2), bool(bits & 4))

    def toggled(self, name: str) -> Filters:
        values = {
            "my_language": self.my_language,
            "open_now": self.open_now,
            "wheelchair": self.wheelchair,
        }
        values[name] = not values[name]
        return Filters(**values)


@dataclass(frozen=True, slots=True)
class Found:
    """One result: the service, how far, its hours now, and whether it speaks the person's language."""

    service: Service
    km: float
    hours: HoursState
    speaks_language: bool


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A page of results and what the person should be told about them."""

    found: tuple[Found, ...]
    page: int
    has_more: bool
    far_away: bool  # even the nearest match is more than NEARBY_KM away

    @property
    def empty(self) -> bool:
        return not self.found


class Directory:
    """The services of the content with a location index, ready to search."""

    def __init__(self, content: Content, timezone: str = "Europe/Berlin") -> None:
        active = {r.id for r in content.regions.values() if r.active}
        self.content = content
        self.timezone = timezone
        # One index per topic: a search then only looks at services of its topic.
        by_topic: dict[str, list[Service]] = {}
        for service in content.services.values():
            if service.region in active:
                for topic in service.topics:
                    by_topic.setdefault(topic, []).append(service)
        self.indexes = {topic: ServiceIndex(services) for topic, services in by_topic.items()}
        # "Speaks my language" keeps few services of a topic: those get an index of their own
        # (made on the first such search), so that a search does not walk past all the others.
        self._by_language: dict[tuple[str, str], ServiceIndex] = {}

    def _index(self, topic: str, language: str, filters: Filters) -> ServiceIndex | None:
        index = self.indexes.get(topic)
        if index is None or not filters.my_language:
            return index
        narrowed = self._by_language.get((topic, language))
        if narrowed is None:
            narrowed = self._by_language[topic, language] = ServiceIndex(
                service
                for bucket in index.cells.values()
                for service in bucket
                if language in service.languages
            )
        return narrowed

    def search(
        self,
        topic: str,
        origin: GeoPoint,
        language: str,
        filters: Filters,
        now: dt.datetime,
        page: int = 0,
        page_size: int = PAGE_SIZE,
    ) -> SearchResult:
        """Services of ``topic`` nearest to ``origin``; with "open now", open ones come first."""
        # Services share a handful of opening-hours expressions: each is evaluated once.
        states: dict[str | None, HoursState] = {}

        def state_of(service: Service) -> HoursState:
            state = states.get(service.opening_hours)
            if state is None:
                state = states[service.opening_hours] = hours_state(
                    service.opening_hours, now, self.timezone
                )
            return state

        def accept(service: Service) -> bool:
            if filters.my_language and language not in service.languages:
                return False
            if filters.wheelchair and service.wheelchair not in (
                Accessibility.YES,
                Accessibility.LIMITED,
            ):
                return False
            if filters.open_now:
                # Unknown hours are not hidden: they are listed after the open ones.
                return state_of(service).status is not OpenStatus.CLOSED
            return True

        wanted = (page + 1) * page_size + 1
        index = self._index(topic, language, filters)
        hits: list[Hit] = index.nearest(origin, wanted, accept) if index is not None else []
        found = [
            Found(h.service, h.km, state_of(h.service), language in h.service.languages)
            for h in hits
        ]
        if filters.open_now:
            found.sort(key=lambda f: (f.hours.status is not OpenStatus.OPEN, f.km))
        window = found[page * page_size : (page + 1) * page_size]
        return SearchResult(
            found=tuple(window),
            page=page,
            has_more=len(found) > (page + 1) * page_size,
            far_away=bool(found) and found[0].km > NEARBY_KM,
        )
