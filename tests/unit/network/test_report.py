"""The funders' report on a database with seeded activity, checked number by number; the HTML page
rendered in headless Chromium (screenshot kept in artifacts/)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.cli import main
from bot.network.report import build_report
from bot.network.report_formats import render_csv, render_html, render_markdown, render_stats
from bot.network.usage import SERVICES_SHOWN, UsageCounter
from bot.storage.models import ContactRequest, EventReminder, RequestStatus, User
from tests.e2e.test_events import EVENTS
from tests.helpers.botharness import default_catalogs
from tests.helpers.content import default_content

BERLIN = dt.timezone(dt.timedelta(hours=1))
START, END = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
ARTIFACTS = Path(
    os.environ.get("LOTSE_ARTIFACTS", Path(__file__).resolve().parents[3] / "artifacts")
)


def at(day: int, hour: int = 12, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=BERLIN)


async def seed(database) -> None:
    """Activity of November 2026 (and some of October, which the report must leave out)."""
    async with database.unit_of_work() as session:
        people = []
        for number, (language, day, month) in enumerate(
            [("ar", 2 + i, 11) for i in range(7)]
            + [("de", 10 + i, 11) for i in range(5)]
            + [("fa", 20 + i, 11) for i in range(3)]
            + [("uk", 15, 10)]
        ):
            user = User(
                telegram_id=1000 + number, language=language,
                first_seen=at(day, month=month), last_seen=at(day, month=month),
            )  # fmt: skip
            session.add(user)
            people.append(user)
        people[0].news_subscribed, people[0].region = True, "dortmund"
        for user in people[1:5]:
            user.news_subscribed, user.region = True, "dortmund"
        for user in people[5:7]:
            user.news_subscribed, user.region = True, "duesseldorf"
        people[7].region = "dortmund"  # chose a region, did not subscribe
        await session.flush()
        requests = (
            [("violence", "dortmund", RequestStatus.CLOSED, hours) for hours in (1, 2, 3, 4, 5, 6)]
            + [("asylum", "duesseldorf", RequestStatus.OPEN, None)] * 3
            + [("health", "dortmund", RequestStatus.CLAIMED, hours) for hours in (10, 20)]
        )
        for number, (topic, region, status, hours) in enumerate(requests):
            submitted = at(3 + number)
            answered = submitted + dt.timedelta(hours=hours) if hours is not None else None
            session.add(
                _request(
                    f"R{number:03d}",
                    people[number % 7].id,
                    topic,
                    region,
                    status,
                    submitted,
                    answered,
                )
            )
        session.add(
            _request(
                "DRAFT1", people[0].id, "violence", "dortmund", RequestStatus.DRAFT, at(5), None
            )
        )
        session.add(
            _request(
                "OCT001",
                people[0].id,
                "violence",
                "dortmund",
                RequestStatus.CLOSED,
                at(20, month=10),
                at(21, month=10),
            )
        )
        counter = UsageCounter(session)
        await counter.add(dt.date(2026, 11, 4), SERVICES_SHOWN, "violence", 7)
        await counter.add(dt.date(2026, 11, 5), SERVICES_SHOWN, "violence", 5)
        await counter.add(dt.date(2026, 11, 5), SERVICES_SHOWN, "asylum", 3)
        await counter.add(dt.date(2026, 10, 31), SERVICES_SHOWN, "violence", 100)
        for number in range(6):
            session.add(
                EventReminder(
                    user_id=people[number].id, event_id="forum", created_at=at(10 + number)
                )
            )
        session.add(
            EventReminder(user_id=people[8].id, event_id="forum", created_at=at(30, month=10))
        )
    # fmt: on


def _request(reference, user_id, topic, region, status, submitted, answered) -> ContactRequest:
    return ContactRequest(
        reference=reference, user_id=user_id, topic=topic, region=region, team=region,
        language="ar", status=status, created_at=submitted, submitted_at=submitted,
        first_answer_at=answered,
    )  # fmt: skip


def content():
    return dataclasses.replace(default_content(), events=EVENTS)


def german():
    return default_catalogs().translator(content().language_chain("de"))


async def report_of(database):
    await seed(database)
    async with database.unit_of_work() as session:
        return await build_report(session, content(), START, END, "Europe/Berlin")


async def test_every_number_of_the_report(database):
    report = await report_of(database)
    assert report.people_by_language == {"ar": 7, "de": 5, "fa": 3}
    assert report.people == 15
    assert report.requests_by_topic == {"violence": 6, "asylum": 3, "health": 2}
    assert report.requests_by_region == {"dortmund": 8, "duesseldorf": 3}
    assert report.requests_by_team == {"dortmund": 8, "duesseldorf": 3}
    assert report.requests_by_status == {"closed": 6, "open": 3, "claimed": 2}
    assert report.requests == 11
    assert report.answer_hours == (1, 2, 3, 4, 5, 6, 10, 20)
    assert report.answer_percentile(50) == 4.5
    assert report.answer_percentile(90) == pytest.approx(13.0)  # 10 + 0.3 × (20 − 10)
    assert report.services_by_topic == {"violence": 12, "asylum": 3}
    assert report.events == 1  # "past" on 20 November; forum and rhein are in December
    assert report.reminders == 6
    assert report.subscribers_by_region == {"dortmund": 5, "duesseldorf": 2}


async def test_small_counts_are_hidden_in_every_format(database):
    report = await report_of(database)
    tr = german()
    rows = render_csv(report, content(), tr).splitlines()
    assert rows[0] == "section,item,value"
    expected = [
        "Personen nach Sprache (erste Nachricht im Zeitraum),العربية (ar),7",
        "Personen nach Sprache (erste Nachricht im Zeitraum),Deutsch (de),5",
        "Personen nach Sprache (erste Nachricht im Zeitraum),فارسی / دری (fa),<5",
        "Personen nach Sprache (erste Nachricht im Zeitraum),gesamt,15",
        "Anfragen nach Stand,abgeschlossen,6",
        "Anfragen nach Stand,offen,<5",
        "Anfragen nach Stand,übernommen,<5",
        "Anfragen nach Stand,gesamt,11",
        "Zeit bis zur ersten Antwort (Stunden),beantwortete Anfragen,8",
        "Zeit bis zur ersten Antwort (Stunden),Median,4,5",
        "Zeit bis zur ersten Antwort (Stunden),90. Perzentil,13",
        "Veranstaltungen und Abonnements,Veranstaltungen im Zeitraum,<5",
        "Veranstaltungen und Abonnements,gewünschte Erinnerungen an Veranstaltungen,6",
        "Veranstaltungen und Abonnements,Abonnements der Neuigkeiten in Dortmund,5",
        "Veranstaltungen und Abonnements,Abonnements der Neuigkeiten in Düsseldorf,<5",
    ]
    parsed = [",".join(row) for row in __import__("csv").reader(rows)]
    for line in expected:
        assert line in parsed, line
    markdown = render_markdown(report, content(), tr)
    assert "| Gewalt | 6 |" in markdown and "| Düsseldorf | <5 |" in markdown
    stats = render_stats(report, content(), tr)
    assert "• Düsseldorf: &lt;5" in stats and "• Dortmund: 8" in stats
    for small in range(1, 5):  # no count below five anywhere
        assert f": {small}\n" not in stats
    # Durations only from five answered requests on
    few = dataclasses.replace(report, answer_hours=(1.0, 2.0))
    assert few.answer_percentile(50) is None
    assert "• Median: —" in render_stats(few, content(), tr)


async def test_html_report_with_charts_in_chromium(database, tmp_path):
    report = await report_of(database)
    page = render_html(report, content(), german())
    assert page.count("<svg") == 6  # people, topics, regions, teams, status, services shown
    assert "<table>" in page and "Lotse-Bericht 01.11.2026 – 30.11.2026" in page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    html_file = ARTIFACTS / "report.html"
    html_file.write_text(page, encoding="utf-8")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium): no screenshot")
    screenshot = ARTIFACTS / "report.png"
    screenshot.unlink(missing_ok=True)
    subprocess.run(
        [
            browser, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1000,2400", f"--screenshot={screenshot}", html_file.as_uri(),
        ],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    assert screenshot.stat().st_size > 10_000
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_lotse_report_writes_the_chosen_format(tmp_path, monkeypatch):
    import asyncio

    from bot.storage.database import Database
    from bot.storage.migrate import upgrade_database

    url = f"sqlite+aiosqlite:///{tmp_path / 'lotse.db'}"

    async def prepare() -> None:
        await upgrade_database(url)
        database = Database(url)
        try:
            await seed(database)
        finally:
            await database.dispose()

    asyncio.run(prepare())
    monkeypatch.setenv("DATABASE_URL", url)
    out = tmp_path / "report.md"
    args = ["report", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "md"]
    assert main([*args, "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Lotse-Bericht 01.11.2026 – 30.11.2026")
    assert "| Gewalt | 6 |" in text
    assert main(["report", "--from", "2026-11-30", "--to", "2026-11-01"]) != 0
