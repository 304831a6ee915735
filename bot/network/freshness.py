"""The weekly message to the admins: what in the content needs looking at again.

Sent on Monday from 09:00 (the network's time zone). The outbox key names the ISO week and the
admin, so each admin gets it once a week, whichever bot process and however often the job runs.
The text is written when it is delivered, from the content as it is then.
"""

from __future__ import annotations

import datetime as dt
import html
import zoneinfo

from bot.contact.repositories import OutboxRepository
from bot.content.freshness import Freshness, freshness_of
from bot.content.models import Content
from bot.i18n.catalogs import Translator
from bot.i18n.formatting import format_date, format_number
from bot.runtime import Runtime

__all__ = ["SEND_AT", "SEND_ON", "freshness_message", "run_weekly_freshness"]

SEND_ON = 0  # Monday
SEND_AT = dt.time(9, 0)
LISTED = 10  # entries per part; the rest is counted


async def run_weekly_freshness(runtime: Runtime) -> int:
    """Put this week's freshness message for every admin into the outbox, once it is due.

    Returns:
        How many admins it was (newly or again) enqueued for; 0 before the weekly moment.
    """
    local = runtime.clock.now().astimezone(zoneinfo.ZoneInfo(runtime.settings.timezone))
    if local.weekday() != SEND_ON or local.time() < SEND_AT or not runtime.settings.admins:
        return 0
    year, week, _ = local.isocalendar()
    async with runtime.database.unit_of_work() as session:
        outbox = OutboxRepository(session)
        for admin in runtime.settings.admins:
            await outbox.enqueue(
                f"freshness:{year}-W{week:02d}:{admin}",
                "freshness",
                {"chat": admin},
                runtime.clock.now(),
            )
    runtime.kick_delivery()
    return len(runtime.settings.admins)


def freshness_message(content: Content, today: dt.date, tr: Translator) -> str:
    """The weekly message as HTML, in the admins' language."""
    found: Freshness = freshness_of(content, today)
    lines = ["🧭 <b>" + html.escape(tr.gettext("Weekly check of the content")) + "</b>"]
    if found.is_fresh:
        lines.append(html.escape(tr.gettext("Everything is up to date.")))
        return "\n".join(lines)
    chain = content.language_chain(tr.language)
    if found.stale_services:
        lines += [
            "",
            _heading(
                tr.gettext("Services not verified for 12 months: %(count)s"),
                len(found.stale_services),
                tr,
            ),
        ]
        for service in found.stale_services[:LISTED]:
            if service.verified_on is None:
                when = tr.gettext("never verified")
            else:
                when = format_date(service.verified_on, tr.locale)
            lines.append(f"• {html.escape(service.name)} ({html.escape(service.id)}): {when}")
        lines.extend(_more(tr, len(found.stale_services)))
    if found.outdated:
        total = sum(found.outdated.values())
        lines += [
            "",
            _heading(tr.gettext("Translations outdated by a German change: %(count)s"), total, tr),
        ]
        for code, count in sorted(found.outdated.items()):
            lines.append(f"• {html.escape(content.languages[code].name)} ({code}): {count}")
    if found.untranslated_events:
        lines += [
            "",
            _heading(
                tr.gettext("Events without a translation: %(count)s"),
                len(found.untranslated_events),
                tr,
            ),
        ]
        for event, missing in found.untranslated_events[:LISTED]:
            title = html.escape(event.title.resolve(chain)[0])
            lines.append(f"• {title} ({html.escape(event.id)}): {', '.join(missing)}")
        lines.extend(_more(tr, len(found.untranslated_events)))
    return "\n".join(lines)


def _heading(message: str, count: int, tr: Translator) -> str:
    # "Label: 12" — a number after a colon needs no plural form of the label.
    return "<b>" + html.escape(message % {"count": format_number(count, tr.locale)}) + "</b>"


def _more(tr: Translator, count: int) -> list[str]:
    if count <= LISTED:
        return []
    rest = format_number(count - LISTED, tr.locale)
    return [html.escape(tr.gettext("Not listed here: %(count)s") % {"count": rest})]
