"""Check every package locked in uv.lock against the known vulnerabilities PyPI publishes.

``make audit`` (and CI) run this. It does what ``pip-audit --vulnerability-service pypi`` does, in
a way that works with the package index reachable from our machines: pip-audit asks PyPI's JSON
API per version (``/pypi/NAME/VERSION/json``) or the OSV service, and where neither answers it
reports every package as "not found" and passes. This script asks the same PyPI advisories (they
come from the Python Packaging Advisory Database and OSV) and never passes silently:

* per version, where the index answers that (as pypi.org does): the advisories of the locked
  version, exactly;
* otherwise per project (``/pypi/NAME/json``), which lists the advisories of the newest release:
  exact when the locked version is the newest; for an older locked version every advisory of the
  newest release that no release fixes is counted too, and a yanked locked version fails.

Exit status: 0 when no advisory applies, 1 when one does (each printed with its fix), 2 when the
index cannot be asked (one line saying so).
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

INDEX = os.environ.get("LOTSE_AUDIT_INDEX", "https://pypi.org/pypi").rstrip("/")
LOCK = Path(__file__).resolve().parent.parent / "uv.lock"
TIMEOUT = 30


@dataclass(frozen=True)
class Finding:
    """An advisory that applies to a locked package (or a yanked locked version)."""

    package: str
    version: str
    advisory: str
    fixed_in: tuple[str, ...]
    how: str  # "exact" or the reason it is counted

    def __str__(self) -> str:
        fix = f"fixed in {', '.join(self.fixed_in)}" if self.fixed_in else "no fixed release yet"
        return f"{self.package} {self.version}: {self.advisory} ({fix}; {self.how})"


def locked_packages(lock: Path = LOCK) -> list[tuple[str, str]]:
    """(name, version) of every package uv.lock installs from an index."""
    data = tomllib.loads(lock.read_text(encoding="utf-8"))
    return sorted(
        (package["name"], package["version"])
        for package in data.get("package", [])
        if "registry" in package.get("source", {})
    )


def _get(url: str) -> dict | None:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def _advisory(vulnerability: dict) -> str:
    names = [vulnerability.get("id", "?"), *vulnerability.get("aliases", [])]
    return " / ".join(dict.fromkeys(name for name in names if name))


def audit_package(name: str, version: str, index: str = INDEX) -> tuple[list[Finding], str]:
    """The findings for one locked package, and how exactly it could be checked."""
    exact = _get(f"{index}/{name}/{version}/json")
    if exact is not None:
        return [
            Finding(name, version, _advisory(v), tuple(v.get("fixed_in", [])), "exact")
            for v in exact.get("vulnerabilities", [])
            if not v.get("withdrawn")
        ], "exact"
    project = _get(f"{index}/{name}/json")
    if project is None:
        raise LookupError(f"{name} is not on the index {index}")
    newest = project["info"]["version"]
    advisories = [v for v in project.get("vulnerabilities", []) if not v.get("withdrawn")]
    if newest == version:
        return [
            Finding(name, version, _advisory(v), tuple(v.get("fixed_in", [])), "exact")
            for v in advisories
        ], "exact"
    findings = [
        Finding(name, version, _advisory(v), (), f"unfixed in the newest release {newest}")
        for v in advisories
        if not v.get("fixed_in")
    ]
    files = project.get("releases", {}).get(version, [])
    if files and all(file.get("yanked") for file in files):
        reason = next((f["yanked_reason"] for f in files if f.get("yanked_reason")), "no reason")
        findings.append(Finding(name, version, f"yanked: {reason}", (newest,), "yanked"))
    return findings, f"older than the newest release {newest}"


def main(lock: Path = LOCK, index: str = INDEX) -> int:
    """Audit ``lock``; print the findings and a summary line; return the exit status."""
    packages = locked_packages(lock)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda p: audit_package(*p, index=index), packages))
    except (OSError, LookupError, ValueError) as error:
        print(f"audit: cannot check the dependencies against {index}: {error}", file=sys.stderr)
        return 2
    findings = [finding for found, _how in results for finding in found]
    partial = [
        f"{name} {version} ({how})"
        for (name, version), (_found, how) in zip(packages, results, strict=True)
        if how != "exact"
    ]
    for finding in findings:
        print(f"VULNERABLE {finding}")
    exact = len(packages) - len(partial)
    print(
        f"audit: {len(packages)} locked packages, {exact} checked exactly, {len(partial)} "
        f"against their newest release's advisories; {len(findings)} known vulnerabilities"
    )
    if partial:
        print("  checked against the newest release only: " + ", ".join(partial))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
