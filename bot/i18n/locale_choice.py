"""Choose a person's language from the IETF tag Telegram reports for their app (``en-US``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from types import MappingProxyType

from babel import Locale, UnknownLocaleError

__all__ = ["match_language"]

# Tags whose meaning for our languages Babel cannot decide for us. The value None means "do not
# guess": the person gets the language picker, which is better than a text they cannot read.
_ALIASES: Mapping[str, str | None] = MappingProxyType(
    {
        # Dari (Afghanistan) is written like Farsi; our "fa" texts are written for both.
        "prs": "fa",
        # Kurmanji is the Kurdish of our "ku" texts (Latin script). Babel maps it to ku_TR as well;
        # we keep the decision here so that it does not hang on CLDR's alias data.
        "kmr": "ku",
        # Sorani is written in Arabic script and is a different standard from Kurmanji.
        "ckb": None,
        # Kurdish in Arabic script is Sorani in practice; Babel would drop the script and say "ku".
        "ku-arab": None,
    }
)


def match_language(telegram_code: str | None, available: Collection[str]) -> str | None:
    """The language of ``available`` that a person with ``telegram_code`` reads, or None.

    Tries, in order: the tag as it is; the aliases above; Babel's reading of the tag as
    language + territory (``pt-br`` → ``pt_BR``) and as language alone (``de-AT`` → ``de``);
    the first available variant of the language (``fa`` → ``fa_AF`` if only that exists).
    Tags Babel does not know (``xx-raw``) are tried by their first subtag, as aiogram does.

    Args:
        telegram_code: ``User.language_code`` from Telegram; may be None or empty.
        available: the content's language codes, in Babel's form (``fa``, ``pt_BR``).

    Returns:
        A code from ``available``, or None when the person should choose from the picker.
    """
    if not telegram_code or not telegram_code.strip():
        return None
    if telegram_code in available:
        return telegram_code
    tag = telegram_code.strip().replace("_", "-").lower()
    subtags = tag.split("-")
    for key in (f"{subtags[0]}-{subtags[1]}" if len(subtags) > 1 else None, subtags[0]):
        if key in _ALIASES:
            alias = _ALIASES[key]
            return alias if alias in available else None
    try:
        locale = Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError):
        language, candidates = subtags[0], [subtags[0]]
    else:
        language = locale.language
        candidates = (
            [f"{language}_{locale.territory}", language] if locale.territory else [language]
        )
    for candidate in candidates:
        if candidate in available:
            return candidate
    return next((code for code in available if code.split("_")[0] == language), None)
