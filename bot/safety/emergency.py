"""The emergency card: emergency numbers first, then the nationwide help lines, in the person's language."""

from __future__ import annotations

import dataclasses

from bot.content.models import ActionKind, Content, Helpline
from bot.content.navigation import Translator
from bot.content.telegram_html import escape
from bot.screens import Button, PageTarget, SafetyTarget, Screen

__all__ = ["emergency_card", "emergency_page", "helpline_lines", "with_emergency_button"]


def helpline_lines(
    content: Content, helplines: list[Helpline] | tuple[Helpline, ...], language: str
) -> list[str]:
    """One block per help line: name and number (bold for emergencies), then what it is for."""
    chain = content.language_chain(language)
    blocks = []
    for line in helplines:
        name = escape(line.name.resolve(chain)[0])
        number = escape(line.phone)
        head = (
            f"☎️ <b>{number}</b> — <b>{name}</b>"
            if line.emergency
            else f"☎️ {number} — <b>{name}</b>"
        )
        if line.description is not None:
            head += "\n" + line.description.resolve(chain)[0]
        blocks.append(head)
    return blocks


def emergency_card(
    content: Content, language: str, tr: Translator, *, back_to: str | None = None
) -> Screen:
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
    rows = (
        (Button("🧹 " + tr.gettext("Clear this chat"), SafetyTarget("clear")),),
        (Button("‹ " + tr.gettext("Back"), PageTarget(back_to or content.root)),),
    )
    return Screen(html="\n\n".join(parts), rows=rows, is_emergency_card=True)


def emergency_page(content: Content) -> str | None:
    """The id of the menu page that shows the emergency card, if the content has one."""
    for node in content.nodes.values():
        if node.action is not None and node.action.kind is ActionKind.EMERGENCY:
            return node.id
    return None


def with_emergency_button(screen: Screen, content: Content, tr: Translator) -> Screen:
    """``screen`` with a 🆘 button at the end, unless it already leads to the emergency card.

    Emergency help is one tap away on every screen that has buttons.
    """
    page = emergency_page(content)
    if page is None or not screen.rows or screen.is_emergency_card:
        return screen
    target = PageTarget(page)
    if any(button.target == target for row in screen.rows for button in row):
        return screen
    button = Button("🆘 " + tr.gettext("Emergency"), target)
    return dataclasses.replace(screen, rows=(*screen.rows, (button,)))
