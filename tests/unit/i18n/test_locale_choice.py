"""The language a person gets from the tag Telegram reports, before they choose one themselves."""

from __future__ import annotations

import pytest

from bot.i18n.locale_choice import match_language

LOTSE = ("de", "en", "ar", "fa", "uk", "ru", "tr", "ku", "ps", "ti", "so", "fr")


@pytest.mark.parametrize(
    ("telegram", "expected"),
    [
        ("ar", "ar"),
        ("en-US", "en"),
        ("en-gb", "en"),
        ("EN", "en"),
        ("de-AT", "de"),
        ("de_CH", "de"),
        ("fa-IR", "fa"),
        ("fa-AF", "fa"),
        ("prs", "fa"),  # Dari
        ("prs-AF", "fa"),
        ("kmr", "ku"),  # Kurmanji
        ("ku", "ku"),
        ("ku-Latn-TR", "ku"),
        ("ckb", None),  # Sorani: not our Kurmanji texts; the picker
        ("ckb-IQ", None),
        ("ku-Arab", None),
        ("uk", "uk"),
        ("ru-UA", "ru"),
        ("ps-AF", "ps"),
        ("ti-ER", "ti"),
        ("so", "so"),
        ("tr", "tr"),
        ("fr-CA", "fr"),
        ("pt-br", None),
        ("zh-hans", None),
        ("xx", None),
        ("fa-raw", "fa"),  # unknown to Babel: tried by its first subtag
        ("en--us", "en"),
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_match_language(telegram: str | None, expected: str | None) -> None:
    assert match_language(telegram, LOTSE) == expected


def test_an_alias_to_a_language_we_do_not_offer_gives_none() -> None:
    assert match_language("prs", ("de", "en")) is None


def test_a_regional_variant_is_preferred_when_offered() -> None:
    assert match_language("pt-BR", ("pt", "pt_BR")) == "pt_BR"
    assert match_language("pt-PT", ("pt", "pt_BR")) == "pt"


def test_a_language_offered_only_with_a_region_is_found() -> None:
    assert match_language("fa", ("de", "fa_AF")) == "fa_AF"
