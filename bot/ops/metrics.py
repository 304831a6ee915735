"""Prometheus metrics of one process: updates, handling time, outbox, open requests, budget, errors.

Counters and histograms are counted where things happen; the outbox and the open requests are read
from the database when ``/metrics`` is scraped (:func:`refresh_from_database`), so every process
reports the same, current figures. No label ever holds a person's data: update kinds, team keys,
error class names only.
"""

from __future__ import annotations

import datetime as dt

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select

from bot.storage.database import Database
from bot.storage.models import ContactRequest, OutboxEntry, OutboxStatus, RequestStatus

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_OPEN = (RequestStatus.OPEN, RequestStatus.CLAIMED)


class Metrics:
    """The metrics of one bot process, in a registry of their own (tests run several)."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.updates = Counter(
            "lotse_updates", "Updates handled, by kind", ["kind"], registry=registry
        )
        self.handling_seconds = Histogram(
            "lotse_update_handling_seconds",
            "Time to handle one update",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        )
        self.outbox_backlog = Gauge(
            "lotse_outbox_backlog", "Outbox entries waiting or being sent", registry=registry
        )
        self.outbox_oldest_age = Gauge(
            "lotse_outbox_oldest_age_seconds",
            "Age of the oldest outbox entry still waiting (0 if none)",
            registry=registry,
        )
        self.open_requests = Gauge(
            "lotse_open_requests", "Open or claimed contact requests, by team", ["team"],
            registry=registry,
        )  # fmt: skip
        self.budget_waits = Counter(
            "lotse_send_budget_waits", "Calls that waited for the shared send budget",
            registry=registry,
        )  # fmt: skip
        self.budget_wait_seconds = Counter(
            "lotse_send_budget_wait_seconds", "Seconds spent waiting for the send budget",
            registry=registry,
        )  # fmt: skip
        # The budget is kept when tokens are granted, Telegram counts when calls arrive: on an
        # overloaded host calls granted at the pace can arrive bunched. This is Telegram's verdict.
        self.flood_waits = Counter(
            "lotse_telegram_flood_waits", "Calls Telegram refused as too many (429), then retried",
            registry=registry,
        )  # fmt: skip
        self.broadcast_messages = Counter(
            "lotse_broadcast_messages",
            "Recipients of broadcasts this process settled, by outcome (sent, failed, blocked, "
            "unknown, skipped)",
            ["outcome"],
            registry=registry,
        )
        self.errors = Counter(
            "lotse_errors", "Errors, by kind (exception class)", ["kind"], registry=registry
        )
        self.scheduled_runs = Counter(
            "lotse_scheduled_runs", "Rounds of the scheduled jobs this process ran (as leader)",
            registry=registry,
        )  # fmt: skip
        self.leader = Gauge(
            "lotse_leader", "1 while this process runs the scheduled jobs", registry=registry
        )

    async def refresh_from_database(self, database: Database, now: dt.datetime) -> None:
        """Read the outbox backlog and the open requests per team (called at each scrape)."""
        waiting = [OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]
        async with database.unit_of_work() as session:
            count, oldest = (
                await session.execute(
                    select(func.count(), func.min(OutboxEntry.created_at)).where(
                        OutboxEntry.status.in_(waiting)
                    )
                )
            ).one()
            teams = (
                await session.execute(
                    select(ContactRequest.team, func.count())
                    .where(ContactRequest.status.in_(_OPEN))
                    .group_by(ContactRequest.team)
                )
            ).all()
        self.outbox_backlog.set(count)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=dt.UTC)
        self.outbox_oldest_age.set(max((now - oldest).total_seconds(), 0) if oldest else 0)
        self.open_requests.clear()
        for team, number in teams:
            self.open_requests.labels(team=team or "none").set(number)

    def render(self) -> bytes:
        """The text exposition format of every metric."""
        return generate_latest(self.registry)
