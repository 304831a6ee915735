"""A translator that returns the English msgids, for unit tests of domain screens."""

from __future__ import annotations


class EnglishTranslator:
    """Implements the Translator protocol of bot.content.navigation with the msgids themselves."""

    def __init__(self, language: str = "en", is_rtl: bool = False) -> None:
        self.language = language
        self.is_rtl = is_rtl

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural
