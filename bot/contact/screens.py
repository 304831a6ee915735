"""What a person sees while writing a confidential contact request, step by step."""

from __future__ import annotations

from bot.content.models import Content
from bot.content.navigation import Translator
from bot.content.telegram_html import escape
from bot.safety.emergency import helpline_lines
from bot.screens import Button, ContactTarget, Screen

__all__ = [
    "compose_screen",
    "consent_screen",
    "method_screen",
    "region_screen",
    "sent_screen",
]


def _cancel(tr: Translator) -> Button:
    return Button("✖ " + tr.gettext("Cancel"), ContactTarget("cancel"))


def consent_screen(content: Content, topic: str, tr: Translator, retention_days: int) -> Screen:
    """Explain what happens with a message before the person agrees to write one."""
    name = content.topics[topic].name.resolve(content.language_chain(tr.language))[0]
    parts = [
        "💬 <b>"
        + tr.gettext("Write to a counsellor: %(topic)s") % {"topic": escape(name)}
        + "</b>",
        tr.gettext(
            "Your message goes to the counsellors of our network in your city. Only they read it. "
            "They do not see your name, your username or your phone number — unless you choose to share your number."
        ),
        tr.ngettext(
            "Your messages are stored encrypted. When your request is closed, everything is deleted "
            "after %(days)d day. You can delete it earlier at any time with /delete_my_data.",
            "Your messages are stored encrypted. When your request is closed, everything is deleted "
            "after %(days)d days. You can delete it earlier at any time with /delete_my_data.",
            retention_days,
        )
        % {"days": retention_days},
        tr.gettext("A counsellor answers here in this chat, usually within one working day."),
        tr.gettext("In danger? Call 110 now."),
    ]
    rows = (
        (Button("✅ " + tr.gettext("I agree"), ContactTarget("agree")),),
        (_cancel(tr),),
    )
    return Screen(html="\n\n".join(parts), rows=rows)


def region_screen(content: Content, tr: Translator, preferred: str | None = None) -> Screen:
    """Which city the person lives in, so that the right team answers."""
    chain = content.language_chain(tr.language)
    rows = []
    for region in content.regions.values():
        if region.active:
            mark = "✓ " if region.id == preferred else "🏙 "
            rows.append(
                (Button(mark + region.name.resolve(chain)[0], ContactTarget("region", region.id)),)
            )
    rows.append((Button("🌍 " + tr.gettext("Another place"), ContactTarget("region", "-")),))
    rows.append((_cancel(tr),))
    return Screen(html="📍 " + tr.gettext("Where do you live?"), rows=tuple(rows))


def method_screen(tr: Translator) -> Screen:
    """How the person wants to be contacted."""
    rows = (
        (Button("💬 " + tr.gettext("Only here in this chat"), ContactTarget("method", "chat")),),
        (
            Button(
                "📞 " + tr.gettext("Call me (share my number)"), ContactTarget("method", "phone")
            ),
        ),
        (Button("🗣 " + tr.gettext("A call in my language"), ContactTarget("method", "call")),),
        (_cancel(tr),),
    )
    return Screen(html=tr.gettext("How should we contact you?"), rows=rows)


def compose_screen(tr: Translator, count: int) -> Screen:
    """Ask for the message itself; after each part, say how many parts are ready to send."""
    if count == 0:
        html = "✍️ " + tr.gettext(
            "Now write your message. You can send text, a voice message, photos or documents — "
            "one or several. Then tap Send."
        )
    else:
        html = tr.ngettext(
            "%(count)d message is ready. Add more, or tap Send.",
            "%(count)d messages are ready. Add more, or tap Send.",
            count,
        ) % {"count": count}
    rows = [(_cancel(tr),)]
    if count:
        rows.insert(0, (Button("📨 " + tr.gettext("Send"), ContactTarget("send")),))
    return Screen(html=html, rows=tuple(rows))


def sent_screen(
    content: Content, tr: Translator, reference: str, *, answer_from: str | None
) -> Screen:
    """The request is on its way: the reference, what happens next, and help until then."""
    parts = [
        "✅ <b>"
        + tr.gettext("Your message has been sent. Your reference: %(ref)s") % {"ref": reference}
        + "</b>",
        tr.gettext(
            "A counsellor will answer you here in this chat. You can write more messages here at any time; "
            "they go to the same counsellor."
        ),
    ]
    if answer_from is not None:
        parts.append(
            "🕘 "
            + tr.gettext(
                "Our team is not working right now. You can expect an answer from %(time)s."
            )
            % {"time": answer_from}
        )
        emergencies = [h for h in content.helplines if h.emergency]
        parts.append(tr.gettext("If you are in danger, do not wait:"))
        parts += helpline_lines(content, emergencies, tr.language)
    return Screen(html="\n\n".join(parts))
