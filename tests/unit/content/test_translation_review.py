"""The reviewed wording: one form of address, both genders, no word that excludes (issue 12)."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from tests.helpers.content import REPO, default_content


def catalog_text(language: str, msgid: str) -> str:
    with (REPO / "locales" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    return catalog[msgid].string


def content_text(language: str, key: str) -> str:
    return default_content().texts[key].get(language)


@pytest.mark.parametrize(
    ("msgid", "plural_form"),
    [
        ("Where do you live?", "تسكنون"),
        ("If you are in danger, do not wait:", "كنتم"),
        ("In danger? Call 110 now.", "اتصلوا"),
        ("Choose your language", "اختاروا"),
    ],
)
def test_the_arabic_interface_speaks_in_the_polite_plural_like_the_content(msgid, plural_form):
    assert plural_form in catalog_text("ar", msgid)


@pytest.mark.parametrize(
    ("language", "both", "either"),
    [
        ("fr", ("conseillère", "conseiller"), " ou "),
        ("uk", ("Консультантка", "консультант"), " або "),
        ("ru", ("Консультантка", "консультант"), " или "),
        ("ar", ("مستشارة", "مستشار"), "فريق"),  # Arabic writes to the team: no gender
        ("ps", ("مشاوره", "مشاور"), " یا "),
    ],
)
def test_a_counsellor_is_a_woman_or_a_man(language, both, either):
    text = catalog_text(
        language, "A counsellor answers here in this chat, usually within one working day."
    )
    assert all(word in text for word in both)
    assert either in catalog_text(language, "Write to a counsellor: %(topic)s")


def test_the_womens_helpline_has_female_interpreters_in_french_and_kurmanji():
    assert "interprètes femmes" in content_text("fr", "helpline.hilfetelefon.description")
    assert "wergêrên jin" in content_text("ku", "helpline.hilfetelefon.description")
    assert "консультантке или консультанту" in content_text("ru", "menu.violence_contact.text")


def test_aufenthalt_is_not_narrowed_to_a_residence_permit():
    for key in ("menu.violence_residence.title", "menu.violence_residence.text"):
        assert "titre de séjour" not in content_text("fr", key)
        assert "oturum izni" not in content_text("tr", key)
    assert "titre de séjour" not in content_text("fr", "menu.housing_info.text")


def test_the_fixed_sentences_say_what_the_german_says():
    assert content_text("fa", "menu.psychosocial_crisis.title") != "وقتی دیگر نمی‌توانید"
    assert content_text("ku", "menu.psychosocial_crisis.title") != "Dema ku hûn êdî nikarin"
    assert "وسپارئ" in content_text("ps", "menu.work_info.text")
    assert "باید هېڅ" not in content_text("ps", "menu.courses_info.text")
    assert "на время" in content_text("ru", "menu.violence_safe.text")
    assert "yine de" not in content_text("tr", "template.emergency.text")
    for language, literal in {
        "fr": "Alors",
        "tr": "O zaman",
        "ku": "Wê demê",
        "uk": "Тоді",
        "ru": "Тогда",
    }.items():
        assert literal not in content_text(language, "template.callback.text")
