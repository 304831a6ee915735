"""Whatever an editor writes, the content check answers with findings, never with a traceback."""

from __future__ import annotations

import datetime as dt

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content.check import check_content
from tests.helpers.content import write_content

KEYS = [
    "id",
    "title",
    "text",
    "children",
    "services",
    "menu",
    "languages",
    "topics",
    "regions",
    "translations",
    "texts",
    "language",
    "from",
    "code",
    "name",
    "location",
    "lat",
    "lon",
    "phone",
    "opening_hours",
    "center",
    "places",
    "postal_codes",
    "link",
    "attachment",
    "x",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["main", "help", "violence", "de", "en", "Mo-Fr 09:00-12:00", "<b>", "&"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.sampled_from(KEYS), children, max_size=5)
    ),
    max_leaves=25,
)
SECTIONS = [
    "menu.yaml",
    "topics.yaml",
    "languages.yaml",
    "regions.yaml",
    "services/dortmund.yaml",
    "translations/en.yaml",
]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    target=st.sampled_from(SECTIONS),
    section=st.sampled_from([*KEYS[4:10], "services"]),
    body=documents,
)
def test_structured_garbage_gives_findings(tmp_path_factory, target, section, body):
    text = yaml.safe_dump({section: body}, allow_unicode=True)
    folder = write_content(tmp_path_factory.mktemp("c"), {target: text})
    report = check_content(folder, today=dt.date(2026, 11, 25))
    assert report.exit_code in (0, 1)
    assert all(f.file.startswith("content/") for f in report.findings)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(target=st.sampled_from(SECTIONS), text=st.text(max_size=200))
def test_any_text_gives_findings(tmp_path_factory, target, text):
    folder = write_content(tmp_path_factory.mktemp("c"), {target: text})
    report = check_content(folder, today=dt.date(2026, 11, 25))
    assert report.exit_code in (0, 1)


def test_binary_and_empty_files(tmp_path):
    folder = write_content(tmp_path, {"empty.yaml": ""})
    (folder / "binary.yaml").write_bytes(b"\xff\xfe\x00garbage")
    report = check_content(folder)
    assert [(f.code, f.file) for f in report.errors] == [("encoding", "content/binary.yaml")]


def test_missing_folder(tmp_path):
    report = check_content(tmp_path / "nowhere")
    assert report.exit_code == 1
    assert "does not exist" in report.errors[0].message


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(target=st.sampled_from(SECTIONS), text=st.text(max_size=300))
def test_any_text_in_a_content_file_gives_findings_with_file_and_line(
    tmp_path_factory, target, text
):
    folder = write_content(tmp_path_factory.mktemp("c"), {target: text})
    report = check_content(folder, today=dt.date(2026, 11, 25))
    assert report.exit_code in (0, 1)
    for finding in report.findings:
        assert finding.file.startswith("content/")
        assert "\n" not in finding.message.strip(), finding.message
