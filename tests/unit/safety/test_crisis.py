"""Crisis words are recognised across spellings, scripts and languages — and harmless text is not."""

from __future__ import annotations

import pytest

from bot.safety.crisis import CrisisMatcher, fold
from tests.helpers.content import default_content

MATCHER = CrisisMatcher(default_content().crisis_words)


@pytest.mark.parametrize(
    "message",
    [
        "Mein Mann SCHLÄGT MICH jeden Tag",
        "Ich will sterben",
        "he is beating me",
        "زوجي ضربني اليوم",  # Arabic
        "زوجي ضَرَبَني اليوم",  # with vowel marks
        "شوهرم مرا می‌زند",  # Persian with a zero-width non-joiner
        "чоловік мене б'є",  # Ukrainian
        "муж меня бьёт",  # Russian with ё
        "kocam beni DÖVÜYOR",  # Turkish capitals
    ],
)
def test_crisis_phrases_in_several_languages(message):
    assert MATCHER.matches(message), message


@pytest.mark.parametrize(
    "message",
    ["Ich suche einen Deutschkurs", "Wo ist das Jobcenter?", "أبحث عن سكن", "Merhaba", "", None],
)
def test_harmless_text_is_not_a_crisis(message):
    assert not MATCHER.matches(message)


def test_folding():
    assert fold("ضَرَبَني") == fold("ضربني")
    assert fold("می‌زند") == fold("میزند")
    assert fold("İMDAT") == fold("imdat")
    assert fold("BIÇAK") == fold("bıçak")
