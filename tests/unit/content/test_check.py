"""The editors' content check: every kind of mistake is reported with its file and line."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.content.check import check_content
from bot.content.loader import load_content
from tests.helpers.content import BASE, MENU, SERVICES, write_content

TODAY = dt.date(2026, 11, 25)


def findings(folder, code=None):
    report = check_content(folder, today=TODAY)
    return [
        (f.code, f"{f.file}:{f.line}", f.message)
        for f in report.findings
        if code is None or f.code == code
    ]


def only(folder, code):
    found = findings(folder, code)
    assert found, f"no {code} finding; got {findings(folder)}"
    return found


def test_valid_content_is_clean_with_full_coverage(tmp_path):
    report = check_content(write_content(tmp_path), today=TODAY)
    assert report.errors == []
    assert report.warnings == []
    assert report.exit_code == 0
    assert [(row.code, row.percent) for row in report.coverage] == [("de", 100.0), ("en", 100.0)]


def test_bad_yaml_names_file_and_line(tmp_path):
    folder = write_content(tmp_path, {"menu.yaml": MENU + "  - id: broken\n    title: [unclosed\n"})
    ((_code, where, message),) = only(folder, "yaml")
    assert where == "content/menu.yaml:11"
    assert "not valid YAML" in message


def test_tab_indentation_is_explained(tmp_path):
    folder = write_content(tmp_path, {"topics.yaml": "topics:\n\t- id: x\n"})
    assert only(folder, "yaml")[0][1] == "content/topics.yaml:2"


def test_unknown_key_suggests_the_right_one(tmp_path):
    folder = write_content(
        tmp_path, {"menu.yaml": MENU.replace("    text: Wobei", "    txet: Wobei")}
    )
    ((_, where, message),) = only(folder, "unknown-key")
    assert where == "content/menu.yaml:4"
    assert 'unknown key "txet" (did you mean "text"?)' in message
    assert 'page "main"' in message


def test_unknown_section_suggests_the_right_one(tmp_path):
    folder = write_content(tmp_path, {"extra.yaml": "servcies: []\n"})
    ((_, where, message),) = only(folder, "unknown-key")
    assert where == "content/extra.yaml:1"
    assert 'did you mean "services"' in message


def test_duplicate_id_points_to_both_places(tmp_path):
    extra = SERVICES.replace("services:\n", "")
    folder = write_content(tmp_path, {"services/dortmund.yaml": SERVICES + extra})
    ((_, where, message),) = only(folder, "duplicate-id")
    assert where == "content/services/dortmund.yaml:11"
    assert "content/services/dortmund.yaml:2" in message


def test_duplicate_key_in_one_mapping(tmp_path):
    folder = write_content(
        tmp_path,
        {
            "menu.yaml": MENU.replace(
                "    children: [help]", "    children: [help]\n    title: Nochmal"
            )
        },
    )
    ((_, where, message),) = only(folder, "duplicate-key")
    assert where == "content/menu.yaml:6"
    assert "appears twice" in message


@pytest.mark.parametrize(
    ("replace", "by", "line", "expected"),
    [
        (
            "children: [help]",
            "children: [help, hilfe]",
            5,
            'the page "hilfe", which does not exist',
        ),
        (
            "services: violence",
            "services: violense",
            8,
            'topic "violense", which does not exist (did you mean "violence"?)',
        ),
    ],
)
def test_dangling_references(tmp_path, replace, by, line, expected):
    folder = write_content(tmp_path, {"menu.yaml": MENU.replace(replace, by)})
    ((_, where, message),) = only(folder, "dangling-reference")
    assert where == f"content/menu.yaml:{line}"
    assert expected in message


def test_dangling_region_of_a_service(tmp_path):
    folder = write_content(
        tmp_path,
        {"services/dortmund.yaml": SERVICES.replace("region: dortmund", "region: dortmunt")},
    )
    ((_, where, message),) = only(folder, "dangling-reference")
    assert where == "content/services/dortmund.yaml:5"
    assert 'did you mean "dortmund"' in message


def test_cycle_is_reported_at_the_child_that_closes_it(tmp_path):
    menu = (
        MENU + "    children: [deeper]\n  - id: deeper\n    title: Tiefer\n    children: [help]\n"
    )
    folder = write_content(tmp_path, {"menu.yaml": menu})
    ((_, where, message),) = only(folder, "cycle")
    assert where == "content/menu.yaml:12"
    assert "help → deeper → help" in message


def test_unreachable_page(tmp_path):
    folder = write_content(tmp_path, {"menu.yaml": MENU + "  - id: lost\n    title: Verloren\n"})
    ((_, where, message),) = only(folder, "unreachable")
    assert where == "content/menu.yaml:9"
    assert 'page "lost" cannot be reached' in message


def test_missing_start_page(tmp_path):
    folder = write_content(tmp_path, {"menu.yaml": MENU.replace("id: main", "id: start")})
    assert any("no start page" in m for _, _, m in only(folder, "missing"))


@pytest.mark.parametrize(
    ("location", "fragment"),
    [
        ("{lat: 151.51, lon: 7.46}", "not a place on earth"),
        ("{lat: 7.46, lon: 51.51}", "are lat and lon swapped?"),
    ],
)
def test_invalid_coordinates(tmp_path, location, fragment):
    folder = write_content(
        tmp_path, {"services/dortmund.yaml": SERVICES.replace("{lat: 51.51, lon: 7.46}", location)}
    )
    ((_, where, message),) = only(folder, "coordinates")
    assert where == "content/services/dortmund.yaml:6"
    assert fragment in message


@pytest.mark.parametrize("phone", ["0231 12ab56", "12", "+49 1"])
def test_invalid_phone_number(tmp_path, phone):
    folder = write_content(
        tmp_path, {"services/dortmund.yaml": SERVICES.replace("0231 123456", phone)}
    )
    ((_, where, message),) = only(folder, "phone")
    assert where == "content/services/dortmund.yaml:7"
    assert phone in message


def test_invalid_opening_hours(tmp_path):
    folder = write_content(
        tmp_path,
        {
            "services/dortmund.yaml": SERVICES.replace(
                "Mo-Fr 09:00-16:00", "Montag bis Freitag 9-16"
            )
        },
    )
    ((_, where, message),) = only(folder, "opening-hours")
    assert where == "content/services/dortmund.yaml:8"
    assert "OpenStreetMap" in message


def test_invalid_locale_codes(tmp_path):
    languages = BASE["languages.yaml"].replace("code: en,", "code: english,")
    folder = write_content(
        tmp_path,
        {
            "languages.yaml": languages,
            "services/dortmund.yaml": SERVICES.replace("[de, ar]", "[de, arabic]"),
        },
    )
    found = only(folder, "locale")
    assert ("content/languages.yaml:4") in [w for _, w, _ in found]
    assert ("content/services/dortmund.yaml:9") in [w for _, w, _ in found]


def test_message_too_long_for_telegram(tmp_path):
    long_text = "Sehr langer Text. " * 250
    folder = write_content(
        tmp_path, {"menu.yaml": MENU.replace("Wobei brauchen Sie Hilfe?", long_text)}
    )
    found = only(folder, "too-long")
    assert found[0][1] == "content/menu.yaml:4"
    assert "Telegram shows at most" in found[0][2]


@pytest.mark.parametrize(
    ("html", "fragment"),
    [
        ("Hallo <div>Welt</div>", "<div> is not a tag Telegram allows"),
        ("Hallo <b>Welt", "<b> is opened but never closed"),
        ("Hallo <b><i>Welt</b></i>", "</b> closes a tag while <i> is still open"),
        ("1 < 2", 'a lone "<" must be written as &lt;'),
        ("Tom &amp Jerry &nbsp;", "&nbsp;"),
    ],
)
def test_html_that_telegram_would_reject(tmp_path, html, fragment):
    folder = write_content(
        tmp_path, {"menu.yaml": MENU.replace("Wobei brauchen Sie Hilfe?", f'"{html}"')}
    )
    found = only(folder, "html")
    assert found[0][1] == "content/menu.yaml:4"
    assert any(fragment in m for _, _, m in found)


def test_callback_data_over_64_bytes(tmp_path):
    long_id = "a" * 60
    folder = write_content(
        tmp_path,
        {
            "menu.yaml": MENU.replace("[help]", f"[help, {long_id}]")
            + f"  - id: {long_id}\n    title: Lang\n"
        },
    )
    ((_, where, message),) = only(folder, "callback-data")
    assert where == "content/menu.yaml:9"
    assert "of 64 bytes" in message


def test_coverage_counts_missing_and_outdated(tmp_path):
    folder = write_content(
        tmp_path,
        {
            "menu.yaml": MENU.replace("Wobei brauchen Sie Hilfe?", "Womit können wir helfen?")
            + "    text: Neu\n"
        },
    )
    report = check_content(folder, today=TODAY)
    english = next(row for row in report.coverage if row.code == "en")
    assert english.outdated == ("menu.main.text",)
    assert english.missing == ("menu.help.text",)
    assert english.complete == 4
    assert report.exit_code == 0
    assert check_content(folder, today=TODAY, strict=True).exit_code == 1
    assert "outdated" in {f.code for f in report.warnings}
    assert "missing-translation" in {f.code for f in report.warnings}


def test_strict_reports_stale_and_sample_services(tmp_path):
    services = SERVICES.replace("verified_on: 2026-10-01", "verified_on: 2025-06-01") + (
        "  - id: beispiel\n    name: Beispiel\n    region: dortmund\n    sample: true\n"
        "    location: {lat: 51.51, lon: 7.46}\n"
    )
    folder = write_content(tmp_path, {"services/dortmund.yaml": services})
    report = check_content(folder, today=TODAY, strict=True)
    assert report.errors == []
    codes = sorted((f.code, f"{f.file}:{f.line}") for f in report.warnings)
    assert codes == [
        ("not-verified", "content/services/dortmund.yaml:2"),
        ("sample", "content/services/dortmund.yaml:11"),
    ]
    assert report.exit_code == 1
    assert check_content(folder, today=TODAY).exit_code == 0


def test_all_errors_in_one_run(tmp_path):
    menu = (
        MENU.replace("txet", "text").replace("    text: Wobei", "    txet: Wobei")
        + "  - id: lost\n    title: x\n"
    )
    folder = write_content(
        tmp_path,
        {"menu.yaml": menu, "services/dortmund.yaml": SERVICES.replace("0231 123456", "abc")},
    )
    codes = {code for code, _, _ in findings(folder)}
    assert {"unknown-key", "unreachable", "phone"} <= codes


def test_loader_returns_linked_content(tmp_path):
    result = load_content(write_content(tmp_path), today=TODAY)
    content = result.content
    assert result.ok
    assert content.nodes["main"].children == ("help",)
    assert content.parents["help"] == "main"
    assert content.nodes["main"].title.resolve(("en", "de")) == ("Main menu", "en")
    assert content.languages["de"].direction == "ltr"
    assert content.services["beratung"].languages == ("de", "ar")
    assert len(content.version) == 4
