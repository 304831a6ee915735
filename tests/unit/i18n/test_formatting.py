"""Dates, times, numbers and distances as Babel writes them for our languages."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from bot.i18n.catalogs import Catalogs
from bot.i18n.formatting import (
    format_date,
    format_datetime,
    format_distance,
    format_number,
    format_relative_day,
    format_skeleton,
    format_time,
    format_weekday_time,
)

BERLIN = "Europe/Berlin"
PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")
# Clocks in Berlin go forward on 29 March 2026 at 02:00 and back on 25 October 2026 at 03:00.
BEFORE_SPRING = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)
AFTER_SPRING = dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)


def test_german_times_follow_the_change_to_summer_time() -> None:
    assert format_time(BEFORE_SPRING, "de", BERLIN) == "01:30"
    assert format_time(AFTER_SPRING, "de", BERLIN) == "03:30"
    assert format_datetime(AFTER_SPRING, "de", BERLIN, format="short") == "29.03.26, 03:30"
    assert format_weekday_time(AFTER_SPRING, "de", BERLIN) == "Sonntag, 03:30"


def test_the_hour_repeated_in_autumn_reads_the_same_twice() -> None:
    summer, winter = (dt.datetime(2026, 10, 25, h, 30, tzinfo=dt.UTC) for h in (0, 1))

    assert format_time(summer, "de", BERLIN) == format_time(winter, "de", BERLIN) == "02:30"


def test_arabic_uses_ascii_digits_and_its_own_am_marker() -> None:
    assert format_time(AFTER_SPRING, "ar", BERLIN) == "3:30 ص"
    assert format_weekday_time(AFTER_SPRING, "ar", BERLIN) == "الأحد، 3:30 ص"
    # Babel's short Arabic date carries RLMs so that day/month/year read right to left.
    assert (
        format_date(AFTER_SPRING, "ar", timezone=BERLIN, format="short") == "29\u200f/3\u200f/2026"
    )


@pytest.mark.parametrize("language", ["fa", "ps"])
def test_farsi_and_pashto_get_ascii_digits_from_babel(language: str) -> None:
    shown = [
        format_time(AFTER_SPRING, language, BERLIN),
        format_datetime(AFTER_SPRING, language, BERLIN, format="long"),
        format_number(1234.5, language),
        format_distance(1.24, language),
    ]

    assert shown[0] == "3:30"
    assert not PERSIAN_DIGITS & set("".join(shown))


def test_farsi_weekday_and_time() -> None:
    assert format_weekday_time(AFTER_SPRING, "fa", BERLIN) == "یکشنبه،\u200f 3:30"


def test_a_time_zone_may_be_a_name_or_a_tzinfo() -> None:
    zone = zoneinfo.ZoneInfo(BERLIN)

    assert format_time(AFTER_SPRING, "de", zone) == format_time(AFTER_SPRING, "de", BERLIN)


def test_the_local_date_is_shown_not_the_utc_date() -> None:
    late = dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC)

    assert format_date(late, "de", timezone=BERLIN) == "29.03.2026"
    assert format_date(dt.date(2026, 3, 28), "en", format="long") == "March 28, 2026"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        format_time(dt.datetime(2026, 3, 29, 1, 30), "de", BERLIN)
    with pytest.raises(ValueError, match="time zone"):
        format_date(AFTER_SPRING, "de")


def test_skeletons_let_the_locale_order_the_fields() -> None:
    assert format_skeleton("MMMMd", AFTER_SPRING, "de", BERLIN) == "29. März"
    assert format_skeleton("MMMMd", AFTER_SPRING, "en", BERLIN) == "March 29"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("de", "1.234,5"), ("en", "1,234.5"), ("fr", "1\u202f234,5"), ("ar", "1,234.5")],
)
def test_format_number(language: str, expected: str) -> None:
    assert format_number(1234.5, language) == expected


@pytest.mark.parametrize(
    ("km", "language", "expected"),
    [
        (0.347, "de", "350 m"),
        (0.01, "de", "50 m"),
        (0.98, "de", "1 km"),
        (1.24, "de", "1,2 km"),
        (1.24, "en", "1.2 km"),
        (9.96, "en", "10 km"),
        (12.4, "de", "12 km"),
        (1234.0, "en", "1,234 km"),
        (1.24, "ar", "1.2 كم"),
        (0.35, "ar", "350 مترًا"),
        (1.24, "uk", "1,2 км"),
        (1.24, "fr", "1,2\u202fkm"),
    ],
)
def test_format_distance(km: float, language: str, expected: str) -> None:
    assert format_distance(km, language) == expected


def test_relative_day(tmp_path) -> None:
    tmp_path.joinpath("locales").mkdir()
    tr = Catalogs.load(tmp_path / "locales").translator(("de",))
    now = dt.datetime(2026, 3, 28, 10, 0, tzinfo=dt.UTC)

    def shown(days: int, hour: int) -> str:
        return format_relative_day(
            dt.datetime(2026, 3, 28 + days, hour, tzinfo=dt.UTC), now, tr, BERLIN
        )

    assert shown(0, 16) == "today, 17:00"  # msgids: this folder has no German catalog
    assert shown(0, 23) == "tomorrow, 00:00"  # 23:00 UTC is already Sunday in Berlin
    assert shown(1, 16) == "tomorrow, 18:00"  # summer time since the night
    assert shown(2, 8) == "Montag, 10:00"
    later = dt.datetime(2026, 4, 8, 8, 0, tzinfo=dt.UTC)
    assert format_relative_day(later, now, tr, BERLIN) == "8. April, 10:00"
