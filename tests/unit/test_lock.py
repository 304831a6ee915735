"""uv.lock agrees with pyproject.toml: the same requirements, and every pinned version in range."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
REFRESH = "the lock is out of date: run `make lock` (or `.venv/bin/uv lock`) and commit uv.lock"

Key = tuple[str, frozenset[str], str, str]


def _declared() -> set[Key]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    found = {_key(Requirement(line), "") for line in project["dependencies"]}
    for extra, lines in project.get("optional-dependencies", {}).items():
        found |= {_key(Requirement(line), extra) for line in lines}
    return found


def _locked_package(name: str) -> dict:
    lock = tomllib.loads((ROOT / "uv.lock").read_text("utf-8"))
    matches = [p for p in lock["package"] if p["name"] == name]
    assert len(matches) == 1, f"{name} appears {len(matches)} times in uv.lock"
    return matches[0]


def _key(requirement: Requirement, extra: str) -> Key:
    return (
        canonicalize_name(requirement.name),
        frozenset(requirement.extras),
        str(SpecifierSet(str(requirement.specifier))),
        extra,
    )


def _recorded() -> set[Key]:
    found = set()
    for entry in _locked_package("lotse")["metadata"]["requires-dist"]:
        marker = entry.get("marker", "")
        extra = marker.removeprefix("extra == '").removesuffix("'") if marker else ""
        found.add(
            (
                canonicalize_name(entry["name"]),
                frozenset(entry.get("extras", ())),
                str(SpecifierSet(entry.get("specifier", ""))),
                extra,
            )
        )
    return found


def test_the_lock_was_made_from_the_current_requirements() -> None:
    declared, recorded = _declared(), _recorded()

    assert sorted(declared - recorded) == [], REFRESH
    assert sorted(recorded - declared) == [], REFRESH


def test_every_locked_version_is_within_its_range() -> None:
    outside = []
    for name, _extras, specifier, _extra in _declared():
        version = Version(_locked_package(name)["version"])
        if version not in SpecifierSet(specifier):
            outside.append(f"{name} {version} not in {specifier}")

    assert outside == [], REFRESH
