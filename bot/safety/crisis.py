"""Recognise crisis words in what a person writes, in any of the content's languages.

A person in danger may write "he is beating me" in their own language, misspelled, in capitals,
with or without Arabic vowel marks. Both the editors' phrases and the message are folded the
same way before matching (a phrase matches when the folded message contains it), so that
spelling variants that look alike to a reader also match for the bot.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

__all__ = ["CrisisMatcher", "fold"]

# Letters that are written differently but read the same by people of one language community.
_SAME = str.maketrans(
    {
        "ي": "ی",  # Arabic and Persian yeh
        "ى": "ی",  # alef maksura
        "ك": "ک",  # Arabic and Persian kaf
        "ة": "ه",  # teh marbuta, often written as heh
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",  # alef with hamza or madda
        "ؤ": "و", "ئ": "ی",
        "ı": "i",  # Turkish dotless i (and İ folds to i + a dot that is dropped below)
        "ё": "е",  # Russian yo
        "’": "'", "ʼ": "'",  # apostrophes (Ukrainian б'є)
    }
)  # fmt: skip
_INVISIBLE = re.compile("[\u200b-\u200f\u2066-\u2069\u0640\u00ad]")  # ZWNJ/ZWJ, marks, tatweel
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, without accents, vowel marks, tatweel or invisible joiners; letters unified."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _INVISIBLE.sub("", text).translate(_SAME)
    return _SPACES.sub(" ", text).strip()


class CrisisMatcher:
    """Every language's crisis phrases, folded once; matches a message against all of them."""

    def __init__(self, phrases: Mapping[str, tuple[str, ...]]) -> None:
        folded = {fold(p) for words in phrases.values() for p in words}
        self._phrases = sorted((p for p in folded if len(p) >= 3), key=len)

    def matches(self, text: str | None) -> bool:
        """True if ``text`` contains a crisis phrase of any language."""
        if not text:
            return False
        folded = fold(text)
        return any(phrase in folded for phrase in self._phrases)
