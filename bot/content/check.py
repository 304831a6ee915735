"""The editors' content check: load the content, report every finding, show translation coverage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from bot.content.coverage import LanguageCoverage, coverage_table, format_coverage
from bot.content.findings import Finding
from bot.content.loader import load_content

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
    path: str | Path, *, strict: bool = False, today: dt.date | None = None
) -> CheckReport:
    """Check the content below ``path`` as ``lotse content check`` does."""
    result = load_content(path, today=today)
    coverage = coverage_table(result.content) if result.content is not None else []
    return CheckReport(
        findings=tuple(result.findings.sorted()),
        coverage=tuple(coverage),
        files=len(result.files),
        strict=strict,
    )
