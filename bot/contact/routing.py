"""Which coordinator team gets a request, and when it can be expected to answer."""

from __future__ import annotations

import datetime as dt

from bot.config import Settings, TeamSettings
from bot.content.models import Content
from bot.directory.hours import OpenStatus, hours_state

__all__ = ["choose_team", "next_office_opening"]


def choose_team(
    settings: Settings, content: Content, region: str | None, language: str
) -> TeamSettings | None:
    """The team for a request from ``region`` in ``language``.

    The region's own team comes first; when it does not list the person's language but the
    fallback team does, the fallback team takes the request — a counsellor who speaks the
    person's language is worth more than one in the same city. Without any team configured
    (a fresh installation), None.
    """
    teams = settings.teams
    own = teams.get(content.regions[region].team or "") if region in content.regions else None
    fallback = teams.get(settings.fallback_team or "")
    if own is not None and (not own.languages or language in own.languages or fallback is None):
        return own
    if fallback is not None and language in fallback.languages:
        return fallback
    return own or fallback or next(iter(teams.values()), None)


def next_office_opening(team: TeamSettings, now: dt.datetime, timezone: str) -> dt.datetime | None:
    """None while the team is in the office (or has no office hours), else when it opens next."""
    if not team.office_hours:
        return None
    state = hours_state(team.office_hours, now, timezone)
    if state.status is OpenStatus.CLOSED:
        return state.next_change
    return None
