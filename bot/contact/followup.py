"""Follow-up of requests: reminders, escalation, the daily digest, and the retention purge.

Nothing here is kept in process memory: what is due is computed from the timestamps in the
database, and what is sent goes through the outbox with keys that make it happen once — so the
schedule survives restarts and several bot processes running the same job.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

from bot.contact.repositories import OutboxRepository, RequestRepository
from bot.events.broadcasts import BroadcastRepository
from bot.i18n.catalogs import NN_
from bot.runtime import Runtime
from bot.storage.repositories import UserRepository

__all__ = ["run_follow_up"]

logger = logging.getLogger(__name__)

# Team-facing texts: translated into the coordinators' language when delivered, the form chosen
# by the count (payload "n").
REMINDER = NN_(
    "⏰ Request %(ref)s has had no answer for %(hours)d hour.",
    "⏰ Request %(ref)s has had no answer for %(hours)d hours.",
)
ESCALATION = NN_(
    "⚠️ Request %(ref)s has had no answer for %(hours)d hour and was passed to the fallback team.",
    "⚠️ Request %(ref)s has had no answer for %(hours)d hours and was passed to the fallback team.",
)
ESCALATED_IN = NN_(
    "⚠️ Escalated to you: request %(ref)s of team %(team)s has had no answer for %(hours)d hour.",
    "⚠️ Escalated to you: request %(ref)s of team %(team)s has had no answer for %(hours)d hours.",
)
DIGEST = NN_(
    "📋 %(count)d open request today: %(refs)s",
    "📋 %(count)d open requests today: %(refs)s",
)


def _counted(pair: tuple[str, str], n: int) -> dict:
    """The payload keys of a team text with a count (see bot.telegram.delivery)."""
    return {"text": pair[0], "plural": pair[1], "n": n}


async def run_follow_up(runtime: Runtime) -> None:
    """One round: remind, escalate, send due digests, purge expired requests and people."""
    settings = runtime.settings
    now = runtime.clock.now()
    follow = settings.follow_up
    async with runtime.database.unit_of_work() as session:
        requests = RequestRepository(session, runtime.cipher)
        outbox = OutboxRepository(session)
        remind = dt.timedelta(hours=follow.remind_after_hours)
        for request in await requests.due_for_reminder(now, remind):
            request.reminded_at = now
            await outbox.enqueue(
                f"reminder:{request.id}", "team-text",
                {"chat": request.team_chat_id, "thread": request.thread_id,
                 **_counted(REMINDER, follow.remind_after_hours),
                 "values": {"ref": "#" + request.reference, "hours": follow.remind_after_hours}},
                now,
            )  # fmt: skip
        escalate = dt.timedelta(hours=follow.escalate_after_hours)
        fallback = settings.teams.get(settings.fallback_team or "")
        for request in await requests.due_for_escalation(now, escalate):
            request.escalated, request.escalated_at = True, now
            values = {
                "ref": "#" + request.reference,
                "hours": follow.escalate_after_hours,
                "team": request.team or "—",
            }
            await outbox.enqueue(
                f"escalation:{request.id}", "team-text",
                {"chat": request.team_chat_id, "thread": request.thread_id,
                 **_counted(ESCALATION, follow.escalate_after_hours), "values": values},
                now,
            )  # fmt: skip
            if fallback is not None and fallback.chat_id != request.team_chat_id:
                await outbox.enqueue(
                    f"escalated-in:{request.id}", "team-text",
                    {"chat": fallback.chat_id, "thread": None,
                     **_counted(ESCALATED_IN, follow.escalate_after_hours), "values": values},
                    now,
                )  # fmt: skip
        await _digests(runtime, requests, outbox, now)
        retention = dt.timedelta(days=settings.retention_days)
        purged = await requests.purge_closed(now, retention)
        if purged:
            logger.info("retention: %d closed requests deleted", purged)
        forgotten = await UserRepository(requests.session).forget_inactive(now - retention)
        if forgotten:
            logger.info("retention: %d people without requests forgotten", forgotten)
        sent = await outbox.delete_sent_before(now - retention)
        if sent:
            logger.info("retention: %d delivered or abandoned outbox entries forgotten", sent)
        await BroadcastRepository(requests.session).forget_recipients(now - retention)
    runtime.kick_delivery()


async def _digests(
    runtime: Runtime, requests: RequestRepository, outbox: OutboxRepository, now: dt.datetime
) -> None:
    settings = runtime.settings
    local = now.astimezone(zoneinfo.ZoneInfo(settings.timezone))
    hour, minute = (int(part) for part in settings.follow_up.digest_time.split(":"))
    if (local.hour, local.minute) < (hour, minute):
        return
    open_by_team = await requests.open_by_team()
    for key, team in settings.teams.items():
        references = open_by_team.get(key, [])
        if not references:
            continue
        # One digest per team and day, whichever process gets here first.
        await outbox.enqueue(
            f"digest:{key}:{local.date().isoformat()}", "team-text",
            {"chat": team.chat_id, "thread": None,
             **_counted(DIGEST, len(references)),
             "values": {"count": len(references), "refs": ", ".join("#" + r for r in references)}},
            now,
        )  # fmt: skip
