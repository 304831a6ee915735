"""The list of important numbers as a text file, built from the help lines in the person's language.

The menu promises "a short list with important phone numbers" to save or print. It is made when
the person asks for it, from ``helplines.yaml``, the help lines' translations and the person's
interface catalog, so it always says what the emergency card says, in the same language, and there
is no second copy for editors to keep in step.
"""

from __future__ import annotations

import html
import re

from bot.content.models import Content, Helpline
from bot.content.navigation import Translator
from bot.content.telegram_html import escape
from bot.i18n.bidi import rtl_message
from bot.screens import Document

__all__ = ["numbers_document"]

_TAG = re.compile(r"<[^>]*>")
_INDENT = " " * 4


def numbers_document(content: Content, language: str, tr: Translator) -> Document:
    """The list of emergency numbers and help lines in ``language``, as a UTF-8 text file.

    Each line gives the number, the line's name in the person's language and, unless the name
    already carries it, the German name in brackets (for showing the paper to someone who only
    reads German), then what the line is for.
    """
    title = tr.gettext("Important phone numbers")
    emergencies = [h for h in content.helplines if h.emergency]
    others = [h for h in content.helplines if not h.emergency]
    lines = [escape(title.upper()), ""]
    lines += ["🆘 " + escape(tr.gettext("In danger? Call now — free of charge, day and night:"))]
    lines += _entries(content, emergencies, language)
    if others:
        lines += ["", escape(tr.gettext("Help lines (free, confidential):"))]
        lines += _entries(content, others, language)
    lines += ["", escape(tr.gettext("You are not alone."))]
    text = "\n".join(lines)
    found = content.languages.get(language)
    if found is not None and found.is_rtl:
        # Numbers such as "0800 111 0 111" must not be reordered in an Arabic, Farsi or Pashto file.
        text = "\n".join(rtl_message(line) if line else line for line in text.split("\n"))
    plain = html.unescape(_TAG.sub("", text)) + "\n"
    return Document(f"numbers-{language}.txt", plain.encode("utf-8"))


def _entries(content: Content, helplines: list[Helpline], language: str) -> list[str]:
    chain = content.language_chain(language)
    lines: list[str] = []
    for line in helplines:
        name, shown_in = line.name.resolve(chain)
        head = f"{escape(line.phone)} — {escape(name)}"
        if shown_in != content.source_language and line.name.source.split()[0] not in name:
            head += f" ({escape(line.name.source)})"
        lines.append("☎️ " + head)
        if line.description is not None:
            description = " ".join(line.description.resolve(chain)[0].split())
            lines.append(_INDENT + description)
    return lines
