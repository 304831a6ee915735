"""Every count shown to a person goes through the catalogs' plural forms, in every language."""

from __future__ import annotations

import re

import pytest

from bot.i18n.catalogs import Catalogs, catalog_path, read_catalog
from bot.i18n.plurals import CLDR_ORDER, SAMPLES, catalog_category
from tests.unit.i18n.test_real_catalogs import LANGUAGES, LOCALES, TEMPLATE

COUNTS = (0, 1, 2, 5, 11)
_PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")
_SAMPLE_TEXT = {"ref": "#K7QF", "date": "1.12.2026", "refs": "#K7QF, #B2XM", "team": "dortmund"}


def _plurals():
    return [m for m in read_catalog(TEMPLATE) if m.id and m.pluralizable]


def _values(msgid: str, n: int) -> dict[str, object]:
    return {
        name: (n if kind == "d" else _SAMPLE_TEXT.get(name, name))
        for name, kind in _PLACEHOLDER.findall(msgid)
    }


def test_no_count_is_shown_without_plural_forms():
    """A number placeholder (%(…)d) only appears in messages with plural forms ("1 messages")."""
    singular = [
        m.id for m in read_catalog(TEMPLATE) if m.id and not m.pluralizable and "%(" in m.id
    ]
    counted = [msgid for msgid in singular if any(k == "d" for _, k in _PLACEHOLDER.findall(msgid))]
    assert counted == [], "use ngettext (or NN_) for these"


def test_the_counts_of_the_interface_are_all_checked():
    assert len(_plurals()) >= 9


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_count_renders_in_the_right_plural_form(language: str):
    catalogs = Catalogs.load(LOCALES)
    tr = catalogs.translator((language,))
    catalog = read_catalog(catalog_path(LOCALES, language))
    # The catalog's forms stand for the language's categories in CLDR order (see plurals.py).
    used = sorted({catalog_category(language, n) for n in SAMPLES}, key=CLDR_ORDER.index)
    for template in _plurals():
        singular, plural = template.id
        forms = catalog.get(singular).string
        assert len(forms) == len(used), (language, singular)
        for n in COUNTS:
            values = _values(singular, n)
            shown = tr.ngettext(singular, plural, n) % values
            expected = forms[used.index(catalog_category(language, n))] % values
            assert shown == expected, (language, n, singular)
            assert "%(" not in shown, (language, n, shown)
            # A form for one number only may say it in words (Arabic "رسالة واحدة").
            category = catalog_category(language, n)
            alone = sum(catalog_category(language, m) == category for m in SAMPLES) == 1
            assert alone or str(n) in shown, (language, n, shown)


@pytest.mark.parametrize(
    ("language", "n", "word"),
    [
        ("de", 1, "1 Nachricht,"),
        ("de", 11, "11 Nachrichten,"),
        ("ru", 1, "1 сообщение"),
        ("ru", 2, "2 сообщения"),
        ("ru", 5, "5 сообщений"),
        ("ru", 11, "11 сообщений"),
        ("uk", 2, "2 повідомлення"),
        ("uk", 11, "11 повідомлень"),
        ("ar", 2, "2 رسالتان"),
        ("ar", 5, "5 رسائل"),
        ("fr", 0, "0 message,"),
        ("fr", 2, "2 messages,"),
    ],
)
def test_my_data_reads_naturally(language: str, n: int, word: str):
    tr = Catalogs.load(LOCALES).translator((language,))
    shown = tr.ngettext(
        "Request %(ref)s from %(date)s: %(count)d message, stored encrypted",
        "Request %(ref)s from %(date)s: %(count)d messages, stored encrypted",
        n,
    ) % {"ref": "#K7QF", "date": "1.12.2026", "count": n}
    assert word in shown
