"""Opening hours across weekdays, holidays, midnight and the changes of daylight saving time."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from bot.directory.hours import OpenStatus, hours_state

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
OFFICE = "Mo-Fr 09:00-16:00; PH off"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("moment", "status", "next_change"),
    [
        ("2026-11-25 10:00", OpenStatus.OPEN, "2026-11-25 16:00"),  # Wednesday
        ("2026-11-25 16:00", OpenStatus.CLOSED, "2026-11-26 09:00"),  # closing time itself
        ("2026-11-28 11:00", OpenStatus.CLOSED, "2026-11-30 09:00"),  # Saturday → Monday
        ("2026-12-25 10:00", OpenStatus.CLOSED, "2026-12-28 09:00"),  # Christmas (PH)
        ("2026-10-03 10:00", OpenStatus.CLOSED, "2026-10-05 09:00"),  # German Unity Day (Sa)
        ("2027-01-01 10:00", OpenStatus.CLOSED, "2027-01-04 09:00"),  # New Year (Fr)
    ],
)
def test_weekdays_and_holidays(moment, status, next_change):
    state = hours_state(OFFICE, at(moment))
    assert state.status is status
    assert state.next_change == at(next_change)


def test_across_midnight():
    night = "Mo-Fr 20:00-02:00"
    assert hours_state(night, at("2026-11-28 01:00")).status is OpenStatus.OPEN  # Friday's night
    assert hours_state(night, at("2026-11-28 01:00")).next_change == at("2026-11-28 02:00")
    assert hours_state(night, at("2026-11-28 03:00")).status is OpenStatus.CLOSED


def test_daylight_saving_time_changes():
    # Spring forward on Sunday 2026-03-29: the next opening on Monday is 09:00 summer time.
    state = hours_state("Mo-Fr 09:00-16:00", at("2026-03-27 17:00"))
    assert state.next_change == at("2026-03-30 09:00")
    assert state.next_change.utcoffset() == dt.timedelta(hours=2)
    # Fall back on Sunday 2026-10-25: a 24-hour line stays open through the doubled hour.
    night = hours_state("Su 00:00-24:00", dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC))
    assert night.status is OpenStatus.OPEN
    assert night.next_change == at("2026-10-26 00:00")


def test_in_utc_the_local_time_counts():
    # 08:30 UTC is 09:30 in Berlin in winter: open.
    assert (
        hours_state(OFFICE, dt.datetime(2026, 11, 25, 8, 30, tzinfo=dt.UTC)).status
        is OpenStatus.OPEN
    )


def test_unknown_hours():
    assert hours_state(None, at("2026-11-25 10:00")).status is OpenStatus.UNKNOWN
    assert hours_state("unknown", at("2026-11-25 10:00")).status is OpenStatus.UNKNOWN
    assert hours_state("not hours at all", at("2026-11-25 10:00")).status is OpenStatus.UNKNOWN


def test_always_open():
    state = hours_state("24/7", at("2026-11-25 03:00"))
    assert state.status is OpenStatus.OPEN and state.next_change is None
