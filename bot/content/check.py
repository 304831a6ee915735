"""The editors' content check: load the content, report every finding, show translation coverage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from bot.content.coverage import LanguageCoverage, coverage_table, format_coverage
from bot.content.findings import Finding, Findings
from bot.content.glossary import glossary_findings
from bot.content.loader import load_content
from bot.content.models import Content, ReviewStatus

__all__ = ["CheckReport", "check_content"]


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The outcome of one check run."""

    findings: tuple[Finding, ...]
    coverage: tuple[LanguageCoverage, ...]
    files: int
    strict: bool

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    @property
    def exit_code(self) -> int:
        if self.errors or (self.strict and self.warnings):
            return 1
        return 0

    def format(self) -> str:
        """The report as an editor reads it: findings first, then the coverage table, then a verdict."""
        lines = [finding.format() for finding in self.findings]
        if self.coverage:
            lines += ["", "Translations:", format_coverage(list(self.coverage))]
        lines.append("")
        errors, warnings = len(self.errors), len(self.warnings)
        summary = f"{self.files} files checked: {errors} errors, {warnings} warnings."
        if errors:
            summary += " Fix the errors above; the bot will not start with this content."
        elif self.strict and warnings:
            summary += " --strict: warnings count as errors."
        else:
            summary += " The content is fine."
        lines.append(summary)
        return "\n".join(lines)


def check_content(
    path: str | Path,
    *,
    strict: bool = False,
    today: dt.date | None = None,
    locales: Path | None = None,
) -> CheckReport:
    """Check the content below ``path`` as ``lotse content check`` does.

    Args:
        path: the content folder.
        strict: fail on warnings, and report every translation of a language marked
            "reviewed" that no native speaker has reviewed against the present German text.
        today: the date to check against (e.g. for services not verified for a year).
        locales: the interface catalogs to check against the glossary; by default the
            ``locales`` folder beside the content folder, if there is one.
    """
    result = load_content(path, today=today)
    if locales is None:
        beside = Path(path).resolve().parent / "locales"
        locales = beside if beside.is_dir() else None
    coverage = coverage_table(result.content) if result.content is not None else []
    if result.content is not None:
        glossary_findings(result.content, result.findings, locales)
        if strict:
            _unreviewed(result.content, result.findings)
    return CheckReport(
        findings=tuple(result.findings.sorted()),
        coverage=tuple(coverage),
        files=len(result.files),
        strict=strict,
    )


def _unreviewed(content: Content, findings: Findings) -> None:
    """One warning per current translation that no native speaker has reviewed yet.

    Only for languages whose status is "reviewed": a machine-drafted language is already reported
    as a whole (and the coverage table counts its drafted entries), listing its hundreds of
    entries one by one would bury every other finding.
    """
    reviewed = {
        code
        for code, language in content.languages.items()
        if language.status is ReviewStatus.REVIEWED and code != content.source_language
    }
    for text in content.texts.values():
        for code, found in text.translations.items():
            if (
                code in reviewed
                and found.source_hash == text.source_hash
                and found.reviewed != text.source_hash
            ):
                findings.warning(
                    found.file,
                    found.line,
                    "unreviewed",
                    f"{code}: {text.key} is not reviewed by a native speaker yet; after review "
                    f"run lotse content review {code} {text.key}",
                )
