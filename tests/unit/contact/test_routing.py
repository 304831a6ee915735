"""Routing: the region's team, or the fallback team when only it speaks the person's language."""

from __future__ import annotations

import datetime as dt

from bot.config import Settings, TeamSettings
from bot.contact.routing import choose_team, next_office_opening
from tests.helpers.content import default_content

DORTMUND = TeamSettings("dortmund", "Dortmund", -1, ("de", "ar", "tr"), "Mo-Fr 09:00-17:00; PH off")
CENTRAL = TeamSettings("zentral", "Zentral", -2, ("de", "ti", "so"))
SETTINGS = Settings(teams={"dortmund": DORTMUND, "zentral": CENTRAL}, fallback_team="zentral")


def test_the_region_team_takes_its_languages():
    assert choose_team(SETTINGS, default_content(), "dortmund", "ar") is DORTMUND


def test_a_language_only_the_fallback_team_speaks():
    assert choose_team(SETTINGS, default_content(), "dortmund", "ti") is CENTRAL


def test_no_region_or_no_team_of_the_region():
    assert choose_team(SETTINGS, default_content(), None, "ar") is CENTRAL
    assert choose_team(SETTINGS, default_content(), "essen", "ar") is CENTRAL
    assert choose_team(Settings(), default_content(), "dortmund", "ar") is None


def test_office_hours():
    wednesday = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
    saturday = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
    assert next_office_opening(DORTMUND, wednesday, "Europe/Berlin") is None
    opening = next_office_opening(DORTMUND, saturday, "Europe/Berlin")
    assert opening is not None and opening.weekday() == 0 and opening.hour == 9
    assert next_office_opening(CENTRAL, saturday, "Europe/Berlin") is None
