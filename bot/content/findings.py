"""Findings of the content check: one problem, its severity, and the file and line it is on."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Finding", "Findings", "Severity"]


class Severity(enum.IntEnum):
    """How bad a finding is: warnings fail only ``--strict``, errors always."""

    WARNING = 1
    ERROR = 2


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem an editor has to look at.

    Attributes:
        severity: error or warning.
        file: the file, relative to the content folder where possible.
        line: 1-based line number, or 0 when the problem concerns the whole file.
        message: a sentence an editor who is not a programmer understands.
        code: a short stable name of the kind of problem (for tests and filtering).
    """

    severity: Severity
    file: str
    line: int
    message: str
    code: str

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        label = "error" if self.is_error else "warning"
        return f"{where}: {label}: {self.message}"


@dataclass(slots=True)
class Findings:
    """Collects findings while content is loaded and checked, so that one run reports all."""

    root: Path | None = None
    items: list[Finding] = field(default_factory=list)

    def _name(self, file: str | Path) -> str:
        path = Path(file)
        if self.root is not None:
            try:
                return path.resolve().relative_to(self.root.resolve().parent).as_posix()
            except ValueError:
                pass
        return path.as_posix()

    def error(self, file: str | Path, line: int, code: str, message: str) -> None:
        self.items.append(Finding(Severity.ERROR, self._name(file), line, message, code))

    def warning(self, file: str | Path, line: int, code: str, message: str) -> None:
        self.items.append(Finding(Severity.WARNING, self._name(file), line, message, code))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.items if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.items if not f.is_error]

    def sorted(self) -> list[Finding]:
        return sorted(self.items, key=lambda f: (f.file, f.line, -f.severity, f.message))
