"""Plural rules chosen by meaning: the same header whatever Babel release, French ``many`` folded."""

from __future__ import annotations

import babel
import pytest

from bot.i18n.catalogs import Catalogs
from bot.i18n.plurals import CANDIDATES, SAMPLES, catalog_category, disagreement, plural_forms

#: The installed Babel is part of every test id, so a report says which CLDR data was checked.
BABEL = f"babel-{babel.__version__}"
LANGUAGES = ["ar", "de", "en", "fa", "fr", "ku", "ps", "ru", "so", "ti", "tr", "uk"]
FILES = ("%(n)d file", "%(n)d files")

#: What the catalogs must say, independent of Babel's spelling of CLDR's rules.
EXPECTED = {
    "ar": CANDIDATES[5],
    "de": "nplurals=2; plural=(n != 1);",
    "en": "nplurals=2; plural=(n != 1);",
    "fa": "nplurals=2; plural=(n > 1);",
    "fr": "nplurals=2; plural=(n > 1);",
    "ku": "nplurals=2; plural=(n != 1);",
    "ps": "nplurals=2; plural=(n != 1);",
    "ru": CANDIDATES[3],
    "so": "nplurals=2; plural=(n != 1);",
    "ti": "nplurals=2; plural=(n > 1);",
    "tr": "nplurals=2; plural=(n != 1);",
    "uk": CANDIDATES[3],
}


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda code: f"{code}-{BABEL}")
def test_the_chosen_rule_does_not_depend_on_the_babel_release(language: str) -> None:
    assert plural_forms(language) == EXPECTED[language]
    assert disagreement(EXPECTED[language], language) is None


@pytest.mark.parametrize(
    ("n", "form"),
    [
        (0, "%(n)d fichier"),
        (1, "%(n)d fichier"),
        (2, "%(n)d fichiers"),
        (1_000_000, "%(n)d fichiers"),
        (2_000_000, "%(n)d fichiers"),
    ],
    ids=lambda value: f"{value}-{BABEL}" if isinstance(value, int) else None,
)
def test_french_one_million_takes_the_other_form(make_catalog, n: int, form: str) -> None:
    locales = make_catalog("fr", {FILES: ("%(n)d fichier", "%(n)d fichiers")})
    tr = Catalogs.load(locales).translator(("fr",))

    assert tr.ngettext(*FILES, n) == form


def test_french_many_is_folded_into_other_only_where_cldr_has_it() -> None:
    # Babel ≥ 2.19 (CLDR 42+) says "many" for 1,000,000; older releases say "other". Either way
    # the catalog category is "other", and 0 and 1 stay "one".
    assert babel.Locale.parse("fr").plural_form(1_000_000) in ("many", "other")
    assert catalog_category("fr", 1_000_000) == "other"
    assert [catalog_category("fr", n) for n in (0, 1, 2)] == ["one", "one", "other"]


def test_a_three_form_french_rule_is_refused_with_a_reason() -> None:
    three = "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;"

    reason = disagreement(three, "fr")

    assert reason == "forms 1 and 2 both stand for other"


@pytest.mark.parametrize(
    ("expression", "language", "reason"),
    [
        ("nplurals=2; plural=(n != 1);", "fa", "form 1 mixes the categories one, other"),
        ("nplurals=2; plural=(n == 1);", "de", "forms are in the order other, one, not CLDR's"),
        ("nplurals=1; plural=0;", "de", "form 0 mixes the categories one, other"),
        (
            "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
            "uk",
            "form 2 mixes the categories one, many",
        ),
    ],
)
def test_a_rule_that_splits_numbers_differently_is_refused(
    expression: str, language: str, reason: str
) -> None:
    assert disagreement(expression, language) == reason


def test_the_samples_reach_every_remainder_and_the_round_millions() -> None:
    assert set(range(1000)) <= set(SAMPLES)
    assert {10**6, 2 * 10**6, 10**9, 10**6 + 1} <= set(SAMPLES)


def test_a_language_no_candidate_fits_is_named(monkeypatch) -> None:
    monkeypatch.setattr("bot.i18n.plurals.CANDIDATES", ("nplurals=1; plural=0;",))

    with pytest.raises(ValueError, match=r"'de'.*add one there"):
        plural_forms("de")
