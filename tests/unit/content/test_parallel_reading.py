"""Large content is read by worker processes too; editors get the same content and findings."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.content import reading
from bot.content.loader import LoadResult, load_content
from tests.helpers.content import CONTENT

TODAY = dt.date(2026, 12, 1)


def _services(first: int, count: int) -> str:
    lines = ["services:"]
    for number in range(first, first + count):
        lines += [
            f"  - id: bench-{number}",
            f"    name: Beratungsstelle {number}",
            "    topics: [violence]",
            "    region: dortmund",
            f"    location: {{lat: 51.{number:04d}, lon: 7.4653}}",
            f"    phone: 0231 {100000 + number}",
            "    opening_hours: Mo-Fr 09:00-16:00",
            "    verified_on: 2026-10-01",
        ]
    return "\n".join(lines) + "\n"


def _folder(tmp_path: Path, change: str) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    for number in range(4):
        (folder / "services" / f"large-{number}.yaml").write_text(
            _services(number * 100, 100), encoding="utf-8"
        )
    large = folder / "services" / "large-2.yaml"
    if change == "bad yaml":
        large.write_text(_services(200, 100).replace("phone: 0231 100250", "phone: [0231"))
    elif change == "id used twice":
        large.write_text(_services(200, 100).replace("id: bench-250", "id: bench-5"))
    elif change == "unknown key":
        large.write_text(_services(200, 100).replace("    phone: 0231 100250", "    phon: 1"))
    elif change == "translations too":
        large.write_text(
            _services(200, 100)
            + "translations:\n  language: en\n  texts:\n    menu.main.title: Other title\n"
        )
    return folder


def _load(folder: Path, monkeypatch: pytest.MonkeyPatch, *, parallel: bool) -> LoadResult:
    with monkeypatch.context() as patch:
        if parallel:
            patch.setattr(reading, "PARALLEL_MIN_BYTES", 0)
            patch.setattr(reading, "_WORKER_MIN_BYTES", 0)
            patch.setattr(reading.os, "cpu_count", lambda: 3)
        else:
            patch.setattr(reading, "PARALLEL_MIN_BYTES", 10**12)
        return load_content(folder, today=TODAY)


@pytest.mark.parametrize(
    "change", ["none", "bad yaml", "id used twice", "unknown key", "translations too"]
)
def test_workers_change_neither_content_nor_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    folder = _folder(tmp_path, change)
    alone = _load(folder, monkeypatch, parallel=False)
    shared = _load(folder, monkeypatch, parallel=True)

    assert [f.format() for f in shared.findings.items] == [f.format() for f in alone.findings.items]
    assert shared.content is not None and alone.content is not None
    assert list(shared.content.services.items()) == list(alone.content.services.items())
    assert list(shared.content.texts.items()) == list(alone.content.texts.items())
    assert shared.content == alone.content
    if change == "none":
        assert "bench-399" in shared.content.services
        assert not shared.findings.errors
    else:
        assert shared.findings.errors
