"""The exception tree of Lotse.

Every error that Lotse raises on purpose derives from :class:`LotseError`::

    LotseError
    ├── ConfigError        the configuration file or environment is wrong (operator: one line)
    ├── ContentError       the YAML content has problems (editor: file:line for each)
    └── StorageError       the database cannot be reached or migrated

Callers at the edge (the command line, the global error handler of the bot) turn these into a
clear answer for whoever has to act: an operator gets one line, an editor a list of file:line
findings, a person using the bot a friendly sentence in their language — never a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.content.findings import Finding

__all__ = ["ConfigError", "ContentError", "LotseError", "StorageError"]


class LotseError(Exception):
    """Base class of every error Lotse raises on purpose."""


class ConfigError(LotseError):
    """The configuration is unusable; the message names the file and the key."""

    def __init__(self, message: str, *, source: str | None = None, key: str | None = None) -> None:
        self.source = source
        self.key = key
        where = ": ".join(part for part in (source, key) if part)
        super().__init__(f"{where}: {message}" if where else message)


class ContentError(LotseError):
    """The content could not be loaded; ``findings`` lists every problem with file and line."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        errors = [f for f in findings if f.is_error]
        first = errors[0].format() if errors else "content has errors"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)


class StorageError(LotseError):
    """The database cannot be reached or brought up to date."""
