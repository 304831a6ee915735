"""Translation coverage: per language, which texts are complete, missing, outdated or reviewed."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.models import Content, ReviewStatus

__all__ = ["LanguageCoverage", "coverage_table", "format_coverage"]


@dataclass(frozen=True, slots=True)
class LanguageCoverage:
    """How much of the content one language has, and in what state."""

    code: str
    name: str
    status: ReviewStatus
    total: int
    missing: tuple[str, ...]
    outdated: tuple[str, ...]
    # current translations a native speaker reviewed against the present German text
    reviewed: int = 0

    @property
    def complete(self) -> int:
        return self.total - len(self.missing) - len(self.outdated)

    @property
    def drafted(self) -> int:
        """Current translations nobody who speaks the language has reviewed yet."""
        return self.complete - self.reviewed

    @property
    def percent(self) -> float:
        return 100.0 * self.complete / self.total if self.total else 100.0


def coverage_table(content: Content) -> list[LanguageCoverage]:
    """Coverage of every language of the content, the source language first."""
    rows: list[LanguageCoverage] = []
    texts = list(content.texts.values())
    for code, language in content.languages.items():
        missing: list[str] = []
        outdated: list[str] = []
        reviewed = len(texts)
        if code != content.source_language:
            reviewed = 0
            for text in texts:
                found = text.translations.get(code)
                if found is None:
                    missing.append(text.key)
                elif found.source_hash != text.source_hash:
                    outdated.append(text.key)
                elif found.reviewed == text.source_hash:
                    reviewed += 1
        rows.append(
            LanguageCoverage(
                code,
                language.name,
                language.status,
                len(texts),
                tuple(missing),
                tuple(outdated),
                reviewed,
            )
        )
    rows.sort(key=lambda row: (row.code != content.source_language, row.code))
    return rows


def format_coverage(rows: list[LanguageCoverage]) -> str:
    """The coverage table as an editor reads it in a terminal."""
    header = (
        f"{'language':<24} {'status':<16} {'complete':>9} {'missing':>8} {'outdated':>9} "
        f"{'coverage':>9} {'drafted':>8} {'reviewed':>9}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        label = f"{row.code} {row.name}"
        lines.append(
            f"{label:<24} {row.status.value:<16} {row.complete:>9} {len(row.missing):>8} "
            f"{len(row.outdated):>9} {row.percent:>8.0f} % {row.drafted:>8} {row.reviewed:>9}"
        )
    lines.append(
        "drafted: current, not yet reviewed by a native speaker; reviewed: marked reviewed: "
        "against the present German text."
    )
    return "\n".join(lines)
