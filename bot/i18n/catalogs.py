"""The interface's gettext catalogs, compiled in memory at start-up, and per-person translators.

The catalogs are ``locales/<code>/LC_MESSAGES/messages.po``; msgids are the English source strings
written in the code. We read the ``.po`` files and compile them in memory (no ``.mo`` files), so a
compiled file can never be missing or older than the text a translator just fixed.
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import NullTranslations, Translations

from bot.content.findings import Finding, Severity
from bot.errors import ContentError

__all__ = [
    "DOMAIN",
    "MSGID_LANGUAGE",
    "NN_",
    "N_",
    "Catalogs",
    "Translator",
    "catalog_path",
    "read_catalog",
]

logger = logging.getLogger(__name__)

DOMAIN = "messages"

#: The language of the msgids. A chain stops here: after English there is nothing better than the
#: msgid itself, which *is* English (a German fallback after English would be a step backwards).
MSGID_LANGUAGE = "en"


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it (for module-level constants).

    Translate the constant where it is shown: ``tr.gettext(CONSTANT)``.
    """
    return message


def NN_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with a count for extraction, as ``ngettext`` would, without translating it.

    Translate the pair where it is shown: ``tr.ngettext(*PAIR, n)``.
    """
    return singular, plural


def catalog_path(locales_dir: Path, language: str) -> Path:
    """Where the catalog of ``language`` lives below ``locales_dir``."""
    return locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True, slots=True, eq=False)
class Translator:
    """The interface strings in one person's language, falling back along their language chain.

    Attributes:
        language: the person's language (the first of the chain).
        locale: the Babel locale of ``language``, for formatting dates and numbers.
        chain: the languages tried in order; the msgid (English) comes after the last.
    """

    language: str
    locale: Locale
    chain: tuple[str, ...]
    _translations: NullTranslations = field(repr=False)

    @property
    def is_rtl(self) -> bool:
        """True if the language is written right to left (Arabic, Farsi, Pashto)."""
        return self.locale.text_direction == "rtl"

    def gettext(self, message: str) -> str:
        """Translate ``message``; an untranslated or fuzzy entry falls back along the chain."""
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate a message with a count, choosing the plural form by the language's rule."""
        return self._translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        """Translate ``message`` in ``context`` (for short words that differ by meaning)."""
        return self._translations.pgettext(context, message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        """:meth:`ngettext` with a context."""
        return self._translations.npgettext(context, singular, plural, n)


class Catalogs:
    """The compiled catalogs of all interface languages; hands out a translator per chain."""

    def __init__(self, compiled: Mapping[str, bytes]) -> None:
        """Wrap compiled ``.mo`` images by language; use :meth:`load` to read a locales folder."""
        self._compiled = MappingProxyType(dict(compiled))
        # One translator per chain: a Translations object's fallback is set by mutating it, so each
        # chain gets its own objects, built once. A race builds one twice; both are equivalent.
        self._translators: dict[tuple[str, ...], Translator] = {}

    @classmethod
    def load(cls, locales_dir: Path) -> Catalogs:
        """Read and compile every ``<code>/LC_MESSAGES/messages.po`` below ``locales_dir``.

        Raises:
            ContentError: ``locales_dir`` is missing, or a catalog cannot be read or has a
                translation whose placeholders do not fit the msgid; lists every problem with
                file:line.
        """
        if not locales_dir.is_dir():
            raise ContentError(
                [_error(locales_dir, 0, "the folder of gettext catalogs is missing")]
            )
        compiled: dict[str, bytes] = {}
        findings: list[Finding] = []
        for path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            language = path.parent.parent.name
            try:
                catalog = read_catalog(path)
            except ContentError as exc:
                findings.extend(exc.findings)
                continue
            problems = list(_check(catalog, path))
            findings.extend(problems)
            if not problems:
                compiled[language] = _compile(catalog)
        if findings:
            raise ContentError(findings)
        logger.debug("Loaded gettext catalogs: %s", ", ".join(sorted(compiled)))
        return cls(compiled)

    @property
    def languages(self) -> frozenset[str]:
        """The languages that have a catalog."""
        return frozenset(self._compiled)

    def translator(self, chain: tuple[str, ...]) -> Translator:
        """The translator for a person whose languages, in order of preference, are ``chain``.

        Languages without a catalog are skipped; the chain ends at :data:`MSGID_LANGUAGE`.
        """
        found = self._translators.get(chain)
        if found is None:
            found = self._translators[chain] = self._build(chain)
        return found

    def _build(self, chain: tuple[str, ...]) -> Translator:
        if not chain:
            raise ValueError("a language chain needs at least one language, e.g. ('de',)")
        used = _until_msgid_language(chain)
        translations: NullTranslations = NullTranslations()
        for language in reversed(used):
            if language in self._compiled:
                # Built from the innermost fallback outwards, so each object gets one fallback.
                outer = Translations(io.BytesIO(self._compiled[language]), domain=DOMAIN)
                outer.add_fallback(translations)
                translations = outer
        return Translator(chain[0], _locale(chain), used, translations)


def read_catalog(path: Path) -> Catalog:
    """Parse one ``.po`` file strictly.

    Raises:
        ContentError: the file cannot be read or is not a valid catalog (with its line).
    """
    try:
        with path.open("rb") as fileobj:
            return read_po(fileobj, abort_invalid=True)
    except PoFileError as exc:
        # Babel counts lines from 0 and appends " on <line>" to the message.
        message = str(exc).removesuffix(f" on {exc.lineno}")
        raise ContentError([_error(path, exc.lineno + 1, message)]) from exc
    except (OSError, UnicodeDecodeError, ValueError, UnknownLocaleError) as exc:
        raise ContentError([_error(path, 0, f"cannot read the catalog: {exc}")]) from exc


def _check(catalog: Catalog, path: Path) -> Iterable[Finding]:
    # Babel's checkers: the number of plural forms, and placeholders that the code can fill.
    # A translation with an unknown %(name)s would raise KeyError in a handler; refuse it here.
    for message, errors in catalog.check():
        if message.fuzzy:
            continue  # never used, so it cannot break anything
        for error in errors:
            yield _error(path, message.lineno, f"{_describe(message.id)}: {error}")


def _compile(catalog: Catalog) -> bytes:
    # write_mo drops empty and fuzzy entries but keeps a plural entry with some forms empty; drop
    # those too, so the chain's next language (or the msgid) is used instead of an empty string.
    for message in list(catalog)[1:]:
        if message.pluralizable and not all(message.string):
            catalog.delete(message.id, context=message.context)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _until_msgid_language(chain: tuple[str, ...]) -> tuple[str, ...]:
    if MSGID_LANGUAGE in chain:
        return chain[: chain.index(MSGID_LANGUAGE) + 1]
    return chain


@functools.lru_cache(maxsize=64)
def _locale(chain: tuple[str, ...]) -> Locale:
    # The first language Babel knows; a language Babel lacks must not break a person's update.
    for language in chain:
        try:
            return Locale.parse(language)
        except (UnknownLocaleError, ValueError):
            logger.warning("Babel has no locale %r; formatting for the next language", language)
    return Locale.parse(MSGID_LANGUAGE)


def _describe(msgid: str | tuple[str, ...]) -> str:
    text = msgid[0] if isinstance(msgid, tuple) else msgid
    return f'"{text[:40]}…"' if len(text) > 40 else f'"{text}"'


def _error(path: Path, line: int, message: str) -> Finding:
    # Relative to the working directory when below it: "locales/ar/LC_MESSAGES/messages.po:12".
    try:
        shown = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        shown = path.as_posix()
    return Finding(Severity.ERROR, shown, line, message, "catalog")
