"""The emergency card: emergency numbers first, then the nationwide help lines, in the person's language."""

from __future__ import annotations

from bot.content.models import Content, Helpline
from bot.content.navigation import Translator
from bot.content.telegram_html import escape
from bot.screens import Button, PageTarget, Screen

__all__ = ["emergency_card", "helpline_lines"]


def helpline_lines(content: Content, helplines: list[Helpline] | tuple[Helpline, ...], language: str) -> list[str]:
    """One block per help line: name and number (bold for emergencies), then what it is for."""
    chain = content.language_chain(language)
    blocks = []
    for line in helplines:
        name = escape(line.name.resolve(chain)[0])
        number = escape(line.phone)
        head = f"☎️ <b>{number}</b> — <b>{name}</b>" if line.emergency else f"☎️ {number} — <b>{name}</b>"
        if line.description is not None:
            head += "\n" + line.description.resolve(chain)[0]
        blocks.append(head)
    return blocks


def emergency_card(content: Content, language: str, tr: Translator, *, back_to: str | None = None) -> Screen:
    """The emergency card, always reachable: /emergency, the 🆘 button on every screen.

    Emergency numbers (police, ambulance) come first, then every other nationwide help line.
    """
    emergencies = [h for h in content.helplines if h.emergency]
    others = [h for h in content.helplines if not h.emergency]
    parts = ["🆘 <b>" + tr.gettext("In danger? Call now — free of charge, day and night:") + "</b>"]
    parts += helpline_lines(content, emergencies, language)
    if others:
        parts.append("<b>" + tr.gettext("Help lines (free, confidential):") + "</b>")
        parts += helpline_lines(content, others, language)
    rows = ((Button("‹ " + tr.gettext("Back"), PageTarget(back_to or content.root)),),)
    return Screen(html="\n\n".join(parts), rows=rows)
