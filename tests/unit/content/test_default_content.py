"""The default content of the network: clean, complete in every language, honest about samples."""

from __future__ import annotations

import datetime as dt

from bot.content.check import check_content
from bot.content.models import ReviewStatus
from tests.helpers.content import CONTENT

TODAY = dt.date(2026, 11, 25)
LANGUAGES = {"de", "en", "ar", "fa", "uk", "ru", "tr", "ku", "ps", "ti", "so", "fr"}


def test_default_content_is_clean_and_fully_translated():
    report = check_content(CONTENT, today=TODAY)
    assert report.errors == []
    assert report.exit_code == 0
    assert {row.code for row in report.coverage} >= LANGUAGES
    incomplete = {row.code: row.percent for row in report.coverage if row.percent < 100}
    assert incomplete == {}


def test_strict_lists_exactly_the_samples_and_machine_drafted_languages():
    report = check_content(CONTENT, today=TODAY, strict=True)
    assert report.exit_code == 1
    kinds = {f.code for f in report.warnings}
    assert kinds == {"sample", "machine-drafted"}
    drafted = {f.message.split('"')[1] for f in report.warnings if f.code == "machine-drafted"}
    expected = {row.code for row in report.coverage if row.status is ReviewStatus.MACHINE_DRAFTED}
    assert drafted == expected and "de" not in drafted
    samples = [f for f in report.warnings if f.code == "sample"]
    assert samples and all(f.file.startswith("content/services/") for f in samples)


def test_the_main_topics_of_the_network_are_there():
    from tests.helpers.content import default_content

    content = default_content()
    for topic in (
        "violence",
        "disability",
        "older",
        "psychosocial",
        "health",
        "asylum",
        "legal",
        "housing",
        "language",
        "work",
    ):
        assert topic in content.topics
    assert {"dortmund", "duesseldorf", "moenchengladbach", "essen", "wuppertal"} <= set(
        content.regions
    )
    numbers = {h.phone.replace(" ", "") for h in content.helplines}
    assert {"110", "112", "116016", "116117"} <= numbers
