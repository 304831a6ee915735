"""Interface strings through gettext, the choice of a person's language, and locale formatting.

* :mod:`bot.i18n.catalogs` — ``Catalogs.load(locales_dir)`` compiles ``locales/*/LC_MESSAGES/
  messages.po`` in memory; ``catalogs.translator(chain)`` gives a :class:`Translator`.
* :mod:`bot.i18n.locale_choice` — ``match_language(telegram_code, available)``.
* :mod:`bot.i18n.formatting` — dates, times, numbers and distances; ``rtl_message`` for
  right-to-left languages (from :mod:`bot.i18n.bidi`).
* :mod:`bot.i18n.extraction` — what ``scripts/update_catalogs.py`` runs: extract and update.
"""

from bot.i18n.bidi import isolate_ltr, rtl_message
from bot.i18n.catalogs import N_, NN_, Catalogs, Translator
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
from bot.i18n.locale_choice import match_language

__all__ = [
    "NN_",
    "N_",
    "Catalogs",
    "Translator",
    "format_date",
    "format_datetime",
    "format_distance",
    "format_number",
    "format_relative_day",
    "format_skeleton",
    "format_time",
    "format_weekday_time",
    "isolate_ltr",
    "match_language",
    "rtl_message",
]
