"""Reports for funders: what the bot did in a period, as aggregates only.

Nothing in a report points to a person: it holds counts per language, topic, region, team and
status, the median and 90th percentile of the time to the first answer, services shown per topic,
events and subscribers. Every count below :data:`MIN_COUNT` is written as ``<5``, so that a small
group (three people of one language in one city) cannot be singled out; durations are shown only
when at least :data:`MIN_COUNT` requests were answered.

Closed requests are deleted after the retention period, so a report of a period older than that
counts fewer requests than there were.
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.models import Content
from bot.network.usage import SERVICES_SHOWN
from bot.storage.models import ContactRequest, EventReminder, RequestStatus, UsageCount, User

__all__ = ["MIN_COUNT", "Report", "build_report", "shown"]

MIN_COUNT = 5


def shown(count: int) -> str:
    """A count as a report may show it: ``<5`` below :data:`MIN_COUNT`."""
    return f"<{MIN_COUNT}" if count < MIN_COUNT else str(count)


@dataclass(frozen=True, slots=True)
class Report:
    """The aggregates of one period (``start`` to ``end``, both days included, local time).

    Every mapping goes from a key (language code, topic id, region id, team key, status name) to
    a count, largest first.
    """

    start: dt.date
    end: dt.date
    people_by_language: dict[str, int]
    requests_by_topic: dict[str, int]
    requests_by_region: dict[str, int]
    requests_by_team: dict[str, int]
    requests_by_status: dict[str, int]
    answer_hours: tuple[float, ...]  # time to the first answer of each answered request
    services_by_topic: dict[str, int]
    events: int  # events of the content that take place in the period
    reminders: int  # reminders people asked for in the period
    subscribers_by_region: dict[str, int]  # now, not in the period: subscriptions keep no history

    @property
    def requests(self) -> int:
        return sum(self.requests_by_status.values())

    @property
    def people(self) -> int:
        return sum(self.people_by_language.values())

    def answer_percentile(self, percent: int) -> float | None:
        """The ``percent`` percentile of the hours to the first answer; None for too few."""
        if len(self.answer_hours) < MIN_COUNT:
            return None
        if percent == 50:
            return statistics.median(self.answer_hours)
        cuts = statistics.quantiles(self.answer_hours, n=100, method="inclusive")
        return cuts[percent - 1]


def _sorted(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


async def build_report(
    session: AsyncSession, content: Content, start: dt.date, end: dt.date, timezone: str
) -> Report:
    """Count what happened from ``start`` to ``end`` (local days, both included)."""
    zone = zoneinfo.ZoneInfo(timezone)
    since = dt.datetime.combine(start, dt.time(0), tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=zone)

    people = Counter[str]()
    rows = await session.execute(
        select(User.language, func.count())
        .where(User.first_seen >= since, User.first_seen < until)
        .group_by(User.language)
    )
    for language, count in rows:
        people[language or "?"] += count

    requests = await session.execute(
        select(
            ContactRequest.topic, ContactRequest.region, ContactRequest.team,
            ContactRequest.status, ContactRequest.submitted_at, ContactRequest.first_answer_at,
        ).where(
            ContactRequest.submitted_at >= since,
            ContactRequest.submitted_at < until,
            ContactRequest.status != RequestStatus.DRAFT,
        )
    )  # fmt: skip
    topics, regions, teams, statuses = (
        Counter[str](),
        Counter[str](),
        Counter[str](),
        Counter[str](),
    )
    hours: list[float] = []
    for topic, region, team, status, submitted, answered in requests:
        topics[topic] += 1
        regions[region or "-"] += 1
        teams[team or "-"] += 1
        statuses[RequestStatus(status).name.lower()] += 1
        if answered is not None and submitted is not None:
            hours.append((answered - submitted).total_seconds() / 3600)

    services = Counter[str]()
    rows = await session.execute(
        select(UsageCount.key, func.sum(UsageCount.count))
        .where(UsageCount.kind == SERVICES_SHOWN, UsageCount.day >= start, UsageCount.day <= end)
        .group_by(UsageCount.key)
    )
    for key, count in rows:
        services[key] += int(count or 0)

    reminders = await session.scalar(
        select(func.count())
        .select_from(EventReminder)
        .where(EventReminder.created_at >= since, EventReminder.created_at < until)
    )
    subscribers = Counter[str]()
    rows = await session.execute(
        select(User.region, func.count())
        .where(User.news_subscribed.is_(True), User.region.is_not(None))
        .group_by(User.region)
    )
    for region, count in rows:
        subscribers[region] += count
    events = sum(1 for e in content.events if start <= e.start.date() <= end)
    return Report(
        start, end, _sorted(people), _sorted(topics), _sorted(regions), _sorted(teams),
        _sorted(statuses), tuple(sorted(hours)), _sorted(services), events, int(reminders or 0),
        _sorted(subscribers),
    )  # fmt: skip


async def write_report(settings, start: dt.date, end: dt.date, fmt: str, *, locales=None) -> str:
    """``lotse report``: the report of a period from the configured database, as text.

    Labels are in the content's source language (the network's working language).
    """
    from bot.app import LOCALES
    from bot.content.loader import load_content_or_raise
    from bot.i18n.catalogs import Catalogs
    from bot.network.report_formats import RENDERERS
    from bot.storage.database import Database

    content = load_content_or_raise(settings.content_path)
    catalogs = Catalogs.load(locales or LOCALES)
    tr = catalogs.translator(content.language_chain(content.source_language))
    database = Database(settings.database_url)
    try:
        async with database.unit_of_work() as session:
            report = await build_report(session, content, start, end, settings.timezone)
    finally:
        await database.dispose()
    return RENDERERS[fmt](report, content, tr)
