"""The playground's world in the emulator: every team's group with a coordinator, as settings name them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from bot.config import Settings, TeamSettings
from bot.content.models import Content
from bot.emulator import BotApiEmulator, EmulatedGroup, EmulatedUser

__all__ = ["PlaygroundTeam", "populate"]

# Coordinators in the playground get plain first names; they are nobody in particular.
_COORDINATORS = ("Anna", "Jonas", "Miriam", "Deniz", "Lea", "Tobias", "Sara", "Malik")


@dataclass(frozen=True)
class PlaygroundTeam:
    """A coordinator team in the emulator: its settings, its group and the coordinator at the desk."""

    settings: TeamSettings
    group: EmulatedGroup
    coordinator: EmulatedUser


def _teams_of(settings: Settings, content: Content) -> list[TeamSettings]:
    """The configured teams, or — without any — one team per team key the regions name."""
    if settings.teams:
        return list(settings.teams.values())
    keys = dict.fromkeys(r.team for r in content.regions.values() if r.team and r.active)
    return [TeamSettings(key, f"Team {key}", 0, (content.source_language,)) for key in keys]


def populate(
    emulator: BotApiEmulator, settings: Settings, content: Content
) -> tuple[Settings, list[PlaygroundTeam]]:
    """Create every team's group in the emulator; return settings that point at them.

    Team groups are forums (a topic per request), except the last of several teams, which works
    in a plain group, so that both ways of working can be tried. The coordinators are the
    administrators of the playground (they may ``/reload`` and block).
    """
    configured = _teams_of(settings, content)
    teams: list[PlaygroundTeam] = []
    for number, team in enumerate(configured):
        name = _COORDINATORS[number % len(_COORDINATORS)]
        coordinator = emulator.add_user(name, language_code="de", username=f"{name.lower()}_team")
        forum = len(configured) == 1 or number < len(configured) - 1
        group = emulator.add_group(team.name, forum=forum, admins=(coordinator,))
        teams.append(
            PlaygroundTeam(dataclasses.replace(team, chat_id=group.id), group, coordinator)
        )
    fallback = settings.fallback_team if settings.fallback_team in settings.teams else None
    updated = dataclasses.replace(
        settings,
        teams={team.settings.key: team.settings for team in teams},
        fallback_team=fallback or (teams[0].settings.key if teams else None),
        admins=(*settings.admins, *(team.coordinator.id for team in teams)),
    )
    return updated, teams
