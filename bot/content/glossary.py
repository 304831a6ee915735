"""The glossary: one chosen spelling per term and language, and the check for its known variants.

Editors keep it in ``content/glossary.yaml``::

    glossary:
      ku:
        - term: Chat                      # the German term (or "Sie (Anrede)" for the address)
          use: çat                        # the chosen translation
          variants: [chat, Chat]          # spellings that must not appear
          note: Kurmanji spelling, as in the menu.

A variant is matched as a whole word and with its case, so that ``Ви`` (the polite Ukrainian
form) can be kept while ``ви`` is reported. :func:`glossary_findings` reports every content
translation and every interface catalog text (``locales/<code>/LC_MESSAGES/messages.po``) that
uses a variant, with its file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from babel.messages.pofile import read_po
from yaml.nodes import MappingNode, Node, SequenceNode

from bot.content.findings import Findings
from bot.content.models import Content, GlossaryTerm
from bot.content.yamlread import MapReader, line_of

__all__ = ["glossary_findings", "parse_glossary", "variant_pattern"]

_FIELDS = ("term", "use", "variants", "note")


def parse_glossary(
    node: Node, path: Path, file: str, findings: Findings, into: dict[str, list[GlossaryTerm]]
) -> None:
    """Read a ``glossary:`` section (language code → list of terms) into ``into``."""
    if not isinstance(node, MappingNode):
        findings.error(
            path, line_of(node), "type", "glossary must map a language code to a list of terms"
        )
        return
    for key_node, value_node in node.value:
        code = str(key_node.value)
        if not isinstance(value_node, SequenceNode):
            findings.error(
                path,
                line_of(value_node),
                "type",
                f'glossary {code}: must be a list of terms ("- term: …")',
            )
            continue
        terms = into.setdefault(code, [])
        for entry in value_node.value:
            reader = MapReader.open(entry, path, findings, f"glossary {code}", _FIELDS)
            if reader is None:
                continue
            term, use = reader.text("term", required=True), reader.text("use", required=True)
            variants = reader.words("variants", required=True)
            if term is None or use is None or not variants:
                continue
            clashing = [v for v in variants if variant_pattern(v).search(use)]
            if clashing:
                reader.error(
                    "variants",
                    "glossary",
                    f'the variant "{clashing[0]}" is part of the chosen "{use}" itself',
                )
                continue
            terms.append(
                GlossaryTerm(
                    code, term, use, variants, reader.text("note") or "", file, reader.line
                )
            )


# Combining marks (Latin accents, Arabic vowel signs) belong to the word they follow: the
# feminine "أنتِ" of a page for women is not the masculine "أنت" a glossary may list.
_MARKS = "\u0300-\u036f\u064b-\u065f\u0670"


def variant_pattern(variant: str) -> re.Pattern[str]:
    """A variant as a whole word (letters of any script count as word characters), with case."""
    return re.compile(rf"(?<![\w{_MARKS}]){re.escape(variant)}(?![\w{_MARKS}])")


def glossary_findings(content: Content, findings: Findings, locales: Path | None) -> None:
    """Report content and catalog texts that use a variant of a glossary term.

    Args:
        content: the loaded content, with its glossary.
        findings: where the warnings go (code ``glossary``).
        locales: the folder of the interface catalogs, or None to check the content only.
    """
    for code, terms in content.glossary.items():
        if code not in content.languages:
            file, line = (terms[0].file, terms[0].line) if terms else ("", 0)
            findings.error(
                file, line, "dangling-reference", f'glossary for "{code}", not a listed language'
            )
            continue
        patterns = [
            (term, variant, variant_pattern(variant)) for term in terms for variant in term.variants
        ]
        for file, line, text in _texts(content, code, locales, findings):
            for term, variant, pattern in patterns:
                if pattern.search(text):
                    findings.warning(
                        file,
                        line,
                        "glossary",
                        f'{code}: "{variant}" — the glossary says "{term.use}" ({term.term}; '
                        f"{term.file}:{term.line})",
                    )


def _texts(
    content: Content, code: str, locales: Path | None, findings: Findings
) -> Iterator[tuple[str, int, str]]:
    """Every text of language ``code``: content translations (or sources), then its catalog.

    Keywords are left out: they list the spellings people may type, variants included.
    """
    for text in content.texts.values():
        if text.key.endswith(".keywords"):
            continue
        if code == content.source_language:
            yield text.file, text.line, text.source
            continue
        found = text.translations.get(code)
        if found is not None:
            yield found.file, found.line, found.text
    if locales is None:
        return
    catalog = locales / code / "LC_MESSAGES" / "messages.po"
    if not catalog.is_file():
        return
    with catalog.open("rb") as handle:
        messages = read_po(handle, locale=None)
    name = findings._name(catalog)
    for message in messages:
        if not message.id:
            continue
        for string in _strings(message.string):
            yield name, message.lineno, string


def _strings(value: str | Iterable[str] | None) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif value is not None:
        yield from (s for s in value if s)
