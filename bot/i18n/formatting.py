"""Dates, times, numbers and distances in a person's locale, and direction marks for RTL messages.

Every date and number a person reads goes through here, so that ``1,2 km`` reaches a German
reader and ``1.2 كم`` an Arabic one. Times are shown in the configured time zone (the bot serves
one country), whatever time zone the value carries.

Babel writes ASCII digits for every locale, also where the locale's default numbering system is
Extended Arabic-Indic (``fa``, ``ps``); we keep that: phone numbers and opening hours in the
content use ASCII digits too, and a message should not mix two kinds of digits.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import TYPE_CHECKING

from babel import Locale, dates, numbers, units

from bot.i18n.bidi import isolate_ltr, rtl_message

if TYPE_CHECKING:
    from bot.i18n.catalogs import Translator

__all__ = [
    "format_date",
    "format_datetime",
    "format_distance",
    "format_number",
    "format_period",
    "format_relative_day",
    "format_skeleton",
    "format_time",
    "format_weekday_time",
    "isolate_ltr",
    "rtl_message",
]

_Timezone = str | dt.tzinfo  # a zone name such as Europe/Berlin, or a tzinfo


def format_date(
    value: dt.date | dt.datetime,
    locale: Locale | str,
    *,
    timezone: _Timezone | None = None,
    format: str = "medium",
) -> str:
    """A date such as ``25.11.2026`` (``short``), ``25. Nov. 2026`` (``medium``) or a pattern.

    A datetime is first converted to ``timezone``, which it then requires.
    """
    if isinstance(value, dt.datetime):
        if timezone is None:
            raise ValueError("format_date of a datetime needs the time zone it is shown in")
        value = _local(value, timezone)
    return dates.format_date(value, format=format, locale=locale)


def format_time(
    value: dt.datetime,
    locale: Locale | str,
    timezone: _Timezone,
    *,
    format: str = "short",
) -> str:
    """A time of day in ``timezone``: ``17:00`` in German, ``5:00 PM`` in English, ``5:00 م``."""
    return dates.format_time(_local(value, timezone), format=format, locale=locale)


def format_datetime(
    value: dt.datetime,
    locale: Locale | str,
    timezone: _Timezone,
    *,
    format: str = "medium",
) -> str:
    """A date and time in ``timezone``, in one of Babel's widths or a pattern."""
    return dates.format_datetime(_local(value, timezone), format=format, locale=locale)


def format_skeleton(
    skeleton: str, value: dt.datetime, locale: Locale | str, timezone: _Timezone
) -> str:
    """A date/time from a CLDR skeleton (the fields wanted, in any order), e.g. ``MMMMEEEEd``.

    The locale decides order and punctuation: ``Montag, 30. März`` / ``الاثنين، 30 مارس``.
    """
    return dates.format_skeleton(skeleton, _local(value, timezone), locale=locale)


def format_weekday_time(value: dt.datetime, locale: Locale | str, timezone: _Timezone) -> str:
    """The full weekday and the time, e.g. ``Montag, 09:00``, ``Monday, 9:00 AM``.

    The weekday is written out: abbreviations (``Mo.``) are hard for people learning the language.
    """
    local = _local(value, timezone)
    loc = Locale.parse(locale)
    day = dates.format_date(local, "EEEE", locale=loc)
    return _join_date_time(day, dates.format_time(local, "short", locale=loc), loc)


def format_relative_day(
    value: dt.datetime, now: dt.datetime, tr: Translator, timezone: _Timezone
) -> str:
    """``today``, ``tomorrow``, the weekday within a week, else day and month; with the time.

    Babel has no words for today and tomorrow, so they come from the catalogs.
    """
    local, today = _local(value, timezone), _local(now, timezone).date()
    days = (local.date() - today).days
    if days == 0:
        day = tr.pgettext("day", "today")
    elif days == 1:
        day = tr.pgettext("day", "tomorrow")
    elif 1 < days < 7:
        day = dates.format_date(local, "EEEE", locale=tr.locale)
    else:
        day = dates.format_skeleton("MMMMd", local, locale=tr.locale)
    return _join_date_time(day, dates.format_time(local, "short", locale=tr.locale), tr.locale)


def format_period(
    start: dt.datetime, end: dt.datetime | None, locale: Locale | str, timezone: _Timezone
) -> str:
    """When something takes place: ``Freitag, 12. März 2027, 10:00–16:00`` in ``timezone``.

    The weekday is written out; an end on another day repeats the date (Babel's interval formats
    fall back to numeric dates with seconds for most of our locales, so we join the parts here).
    """
    loc = Locale.parse(locale)
    first = _local(start, timezone)
    day = dates.format_date(first, "full", locale=loc)
    begins = dates.format_time(first, "short", locale=loc)
    if end is None:
        return _join_date_time(day, begins, loc)
    last = _local(end, timezone)
    ends = dates.format_time(last, "short", locale=loc)
    if last.date() == first.date():
        return _join_date_time(day, f"{begins}–{ends}", loc)
    other_day = dates.format_date(last, "full", locale=loc)
    return f"{_join_date_time(day, begins, loc)} – {_join_date_time(other_day, ends, loc)}"


def format_number(number: float | int | Decimal, locale: Locale | str) -> str:
    """A number with the locale's separators: ``1.234,5`` / ``1,234.5``."""
    return numbers.format_decimal(number, locale=locale)


def format_distance(km: float, locale: Locale | str) -> str:
    """A distance as people say it: ``350 m`` below one kilometre, ``1,2 km``, ``12 km``.

    Distances are straight-line estimates, so metres are rounded to 50 and kilometres to one
    decimal below ten. The unit is localised too (``كم`` in Arabic).
    """
    metres = max(50, round(km * 1000 / 50) * 50)
    if metres < 1000:
        return units.format_unit(
            metres, "length-meter", length="short", locale=locale, format="#,##0"
        )
    pattern = "#,##0.#" if km < 9.95 else "#,##0"
    return units.format_unit(km, "length-kilometer", length="short", locale=locale, format=pattern)


def _local(value: dt.datetime, timezone: _Timezone) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        # A naive time would silently be taken as UTC by Babel, an hour or two off in Germany.
        raise ValueError(f"{value!r} has no time zone; pass an aware datetime (from the clock)")
    zone = zoneinfo.ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    return value.astimezone(zone)


def _join_date_time(day: str, time: str, locale: Locale) -> str:
    # The locale's own glue between a date and a time ("{1}, {0}" in German, "{1}، {0}" in Arabic).
    pattern = str(locale.datetime_formats.get("short", "{1} {0}"))
    return pattern.replace("{1}", day).replace("{0}", time)
