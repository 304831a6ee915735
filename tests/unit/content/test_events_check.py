"""The editors' check of events: dates, regions, topics, links, past events — each with file:line."""

from __future__ import annotations

import datetime as dt

from bot.content.check import check_content
from bot.content.loader import load_content_or_raise
from bot.content.models import Address, GeoPoint
from tests.helpers.content import write_content

TODAY = dt.date(2026, 11, 25)

GOOD = """\
events:
  - id: forum
    title: Austauschforum
    start: 2026-12-03 18:00
    end: 2026-12-03 20:00
    place: Dietrich-Keuning-Haus
    address: {street: Leopoldstraße 50, postal_code: "44147", city: Dortmund}
    location: {lat: 51.52, lon: 7.46}
    regions: [dortmund]
    topics: [violence]
    registration: https://example.org/anmeldung
    contact: info@example.org
    text: Austausch der Beratungsstellen.
"""


def findings(folder):
    report = check_content(folder, today=TODAY)
    return [(f.code, f"{f.file}:{f.line}", f.message) for f in report.findings]


def test_a_complete_event_is_read_with_all_its_details(tmp_path):
    folder = write_content(tmp_path, {"events.yaml": GOOD})
    problems = [f for f in findings(folder) if f[0] != "missing-translation"]
    assert problems == []
    event = load_content_or_raise(folder).events[0]
    assert event.start == dt.datetime(2026, 12, 3, 18, 0)
    assert event.address == Address("Leopoldstraße 50", "44147", "Dortmund")
    assert event.location == GeoPoint(51.52, 7.46)
    assert (event.regions, event.topics) == (("dortmund",), ("violence",))
    assert event.registration == "https://example.org/anmeldung"
    assert event.contact == "info@example.org"


def test_every_mistake_in_an_event_names_its_line(tmp_path):
    bad = """\
events:
  - id: forum
    title: Austauschforum
    start: 2026-12-03 18:00
    end: 2026-12-02 20:00
    regions: [dortmnud]
    topics: [gewalt]
    registration: www.example.org
    contact: bitte anrufen
  - id: ohne-region
    title: Treffen
    start: 3. Dezember
"""
    found = findings(write_content(tmp_path, {"events.yaml": bad}))
    by_code = {(code, where) for code, where, _ in found}
    assert ("bad-value", "content/events.yaml:5") in by_code  # ends before it starts
    assert ("dangling-reference", "content/events.yaml:6") in by_code
    assert ("dangling-reference", "content/events.yaml:7") in by_code
    assert ("bad-link", "content/events.yaml:8") in by_code
    assert ("contact", "content/events.yaml:9") in by_code
    assert ("missing-key", "content/events.yaml:10") in by_code  # no regions
    assert ("type", "content/events.yaml:12") in by_code  # not a date and time
    messages = " ".join(message for _, _, message in found)
    assert 'did you mean "dortmund"' in messages


def test_past_events_are_flagged_as_warnings(tmp_path):
    past = GOOD.replace("2026-12-03", "2026-11-20")
    report = check_content(write_content(tmp_path, {"events.yaml": past}), today=TODAY)
    warnings = [(f.code, f.line) for f in report.warnings if f.code == "past-event"]
    assert warnings == [("past-event", 4)]
    assert report.errors == []


def test_news_are_read_and_their_regions_checked(tmp_path):
    news = """\
news:
  - id: sommerfest
    text: Das Sommerfest ist am 1. Juli.
    regions: [dortmund]
  - id: rundbrief
    text: Der Rundbrief ist da.
    regions: [dortmnud]
"""
    folder = write_content(tmp_path, {"news.yaml": news})
    assert ("dangling-reference", "content/news.yaml:7") in {
        (code, where) for code, where, _ in findings(folder)
    }
    folder = write_content(tmp_path, {"news.yaml": news.replace("dortmnud", "dortmund")})
    content = load_content_or_raise(folder)
    assert content.news["sommerfest"].text.source == "Das Sommerfest ist am 1. Juli."
    assert content.news["rundbrief"].regions == ("dortmund",)
