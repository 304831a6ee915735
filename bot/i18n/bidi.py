"""Direction marks for right-to-left messages: keep phone numbers, times and Latin names readable.

In an Arabic, Farsi or Pashto sentence the Unicode bidirectional algorithm reorders neutral
characters between left-to-right runs: ``116 016`` can show as ``016 116`` and ``Jobcenter
Dortmund`` as ``Dortmund Jobcenter``. Wrapping each left-to-right run in an isolate (U+2066 LRI …
U+2069 PDI) keeps it in one piece, and a leading U+200F RLM makes a line that starts with a digit
or a Latin word still read right to left.

The input is Telegram HTML. Marks go only into text, never into a tag or an entity; a run may
span inline tags (``<b>Jobcenter</b> Dortmund``) because they do not change direction.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["LRI", "PDI", "RLM", "isolate_ltr", "rtl_message"]

LRI = "\u2066"  # LEFT-TO-RIGHT ISOLATE
RLI = "\u2067"
FSI = "\u2068"
PDI = "\u2069"  # POP DIRECTIONAL ISOLATE
RLM = "\u200f"  # RIGHT-TO-LEFT MARK

_TAG = re.compile(r"</?([A-Za-z][\w-]*)[^>]*>")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
# Tags that start a block of their own: a run never reaches across them.
_BLOCK_TAGS = frozenset({"pre", "blockquote"})
_SPACES = frozenset(" \t\u00a0\u2009\u202f")
# Punctuation that belongs inside a run when it stands between two left-to-right characters:
# times (09:00–17:00), dates (29.03.), URLs and e-mail addresses, "Hauptstr. 5".
_INNER = frozenset(".,:/-–_&?=~'’%*")
# Sigils that may also *start* a run: "@user", "#K7QF" (a request reference). A "/" starts one
# too, so that a command such as /delete_my_data stays whole and Telegram still recognises it.
_SIGILS = frozenset("@#")

# One class letter per character of the message, matched by _RUN:
#   L strong left-to-right letter   D digit   M combining mark   + plus sign   ( ) brackets
#   " " space   P punctuation inside a run   T tag or entity (transparent inside a run)
#   / slash (inside, or at the end of a URL)   S @ or # (inside, or starting a run)
#   X anything else: right-to-left text, newline, emoji
_RUN = re.compile(r"(?:\+(?=T*D)|/(?=L)|S(?=[LD])|[LD])(?:[LDMPS/ +()T]*[LDM)/])?")


def isolate_ltr(html: str) -> str:
    """Wrap each left-to-right run of ``html`` in LRI … PDI.

    Runs are Latin-script words, numbers (phone numbers, times, dates, distances), URLs and
    e-mail addresses, with the spaces and punctuation between them. Text already inside an
    isolate is left alone, so applying this twice changes nothing.
    """
    classes = _classify(html)
    out: list[str] = []
    done = pos = 0
    while (match := _RUN.search(classes, pos)) is not None:
        start, end = match.start(), _balanced_end(classes, match.start(), match.end())
        out += [html[done:start], LRI, html[start:end], PDI]
        done = pos = end
    out.append(html[done:])
    return "".join(out)


def rtl_message(html: str) -> str:
    """Make ``html`` read right to left: isolate left-to-right runs, start each line with RLM.

    Telegram decides the direction of each line from its first strong character, so a line that
    starts with ``116 016`` or ``BAMF`` would otherwise be laid out left to right.
    """
    lines = isolate_ltr(html).split("\n")
    return "\n".join(line if not line or line.startswith(RLM) else RLM + line for line in lines)


def _classify(html: str) -> str:
    classes: list[str] = []
    depth = 0  # isolates open at this point; their content is never touched again
    i = 0
    while i < len(html):
        char = html[i]
        markup = (
            _TAG.match(html, i) if char == "<" else _ENTITY.match(html, i) if char == "&" else None
        )
        if markup is not None:
            blocking = depth or (char == "<" and markup.group(1).lower() in _BLOCK_TAGS)
            classes.append(("X" if blocking else "T") * len(markup.group()))
            i = markup.end()
            continue
        if char in (LRI, RLI, FSI):
            depth += 1
        elif char == PDI:
            depth = max(0, depth - 1)
        classes.append("X" if depth or char == PDI else _class_of(char))
        i += 1
    return "".join(classes)


@functools.lru_cache(maxsize=1024)
def _class_of(char: str) -> str:
    if char in _SPACES:
        return " "
    if char in "+()/":
        return char
    if char in _SIGILS:
        return "S"
    if char in _INNER:
        return "P"
    category = unicodedata.category(char)
    if category == "Nd":
        return "D"  # also Arabic-Indic digits: a phone number in them is reordered just the same
    if category in ("Mn", "Me"):
        return "M"
    return "L" if unicodedata.bidirectional(char) == "L" else "X"


def _balanced_end(classes: str, start: int, end: int) -> int:
    # A run must not hold half of a pair of brackets: "Jobcenter (Dortmund" inside an isolate and
    # ")" outside would be drawn apart. Cut before the first bracket without its partner.
    open_at: list[int] = []
    for i in range(start, end):
        if classes[i] == "(":
            open_at.append(i)
        elif classes[i] == ")":
            if not open_at:
                return _trim(classes, start, i)
            open_at.pop()
    return _trim(classes, start, open_at[0]) if open_at else end


def _trim(classes: str, start: int, end: int) -> int:
    while end > start + 1 and classes[end - 1] not in "LDM)/":
        end -= 1
    return end
