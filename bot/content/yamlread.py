"""Read YAML into nodes that keep their line numbers, and typed accessors that report findings.

Editors get every problem with file and line, so we never construct plain Python objects
straight from YAML: we compose the node graph (libyaml when available — fast enough for tens of
thousands of entries) and read values from it field by field, reporting what does not fit.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.content.findings import Findings

__all__ = [
    "MapReader",
    "compose_file",
    "compose_text",
    "did_you_mean",
    "line_of",
    "read_text",
    "yaml_problem",
]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}
_NULL_WORDS = {"", "~", "null", "Null", "NULL"}
_BOOL_WORDS = {w for word in _TRUE | _FALSE for w in (word, word.capitalize(), word.upper())}
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """libyaml's parser with a lean tag resolver.

    We read every value through typed accessors that convert the written text themselves, so a
    plain scalar only needs to be told apart as empty, true/false, or text; PyYAML's full
    regular-expression resolver would cost more than the parsing itself on large content.
    """

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            if not implicit[0]:
                return _STR
            if value in _NULL_WORDS:
                return _NULL
            if value in _BOOL_WORDS:
                return _BOOL
            return _STR
        return super().resolve(kind, value, implicit)


def line_of(node: Node) -> int:
    """Return the 1-based line a node starts on."""
    return node.start_mark.line + 1


def did_you_mean(word: str, choices: list[str] | set[str] | tuple[str, ...]) -> str:
    """Return ' (did you mean "x"?)' for the closest choice, or ''."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def read_text(path: Path, findings: Findings) -> str | None:
    """The text of a content file; None (and a finding) if it cannot be read as UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        findings.error(path, 0, "encoding", f"the file is not UTF-8 text ({exc.reason})")
    except OSError as exc:
        findings.error(path, 0, "unreadable", f"the file cannot be read ({exc.strerror})")
    return None


def compose_file(path: Path, findings: Findings) -> Node | None:
    """Parse one YAML file into a node graph; report bad YAML with its line and return None."""
    text = read_text(path, findings)
    return None if text is None else compose_text(path, text, findings)


def compose_text(path: Path, text: str, findings: Findings) -> Node | None:
    """Parse the text of the file ``path`` into a node graph (see :func:`compose_file`)."""
    if "\t" in text:
        for number, line in enumerate(text.splitlines(), start=1):
            if "\t" in line[: len(line) - len(line.lstrip())]:
                findings.error(path, number, "yaml", "a tab is used for indentation; use spaces")
                return None
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc, text)
        findings.error(path, line, "yaml", problem)
        return None
    return node


def yaml_problem(error: yaml.YAMLError, text: str) -> tuple[int, str]:
    """The line (0 if unknown) and a one-line description of PyYAML's ``error`` in ``text``."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 0
        return line, f"this is not valid YAML: {error.problem or error.context or 'invalid YAML'}"
    if isinstance(error, yaml.reader.ReaderError):
        # A control character: PyYAML gives its position in the text, not its line.
        line = text[: error.position].count("\n") + 1
        return line, f"character #x{error.character:04x} is not allowed in YAML"
    return 0, "this is not valid YAML: " + " ".join(str(error).split())


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping (key: value)"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "empty"
    return f'"{node.value}"'


@dataclass(slots=True)
class MapReader:
    """Read the fields of one YAML mapping, reporting unknown, duplicate, missing or bad values.

    Args:
        node: the mapping node.
        path: the file it came from.
        findings: where problems go.
        what: how an editor would name this thing in a message, e.g. 'service "x"'.
        allowed: the keys this mapping may have.
    """

    mapping: MappingNode
    path: Path
    findings: Findings
    what: str
    fields: dict[str, Node]

    @classmethod
    def open(
        cls, node: Node, path: Path, findings: Findings, what: str, allowed: tuple[str, ...]
    ) -> MapReader | None:
        if not isinstance(node, MappingNode):
            findings.error(
                path,
                line_of(node),
                "type",
                f"{what} must be a mapping (key: value), not {_kind(node)}",
            )
            return None
        for key_node, value_node in node.value:
            if key_node.value == "id" and isinstance(value_node, ScalarNode) and value_node.value:
                what = f'{what} "{value_node.value}"'
                break
        fields: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else None
            if key is None:
                findings.error(path, line_of(key_node), "type", f"{what}: a key must be a word")
                continue
            if key in fields:
                findings.error(
                    path,
                    line_of(key_node),
                    "duplicate-key",
                    f'{what}: the key "{key}" appears twice (first on line '
                    f"{line_of(fields[key])}); the second would silently win",
                )
                continue
            if key not in allowed:
                findings.error(
                    path,
                    line_of(key_node),
                    "unknown-key",
                    f'{what}: unknown key "{key}"{did_you_mean(key, allowed)}',
                )
                continue
            fields[key] = value_node
        return cls(node, path, findings, what, fields)

    @property
    def line(self) -> int:
        return line_of(self.mapping)

    def has(self, key: str) -> bool:
        return key in self.fields and self.fields[key].tag != _NULL

    def line_for(self, key: str) -> int:
        return line_of(self.fields[key]) if key in self.fields else self.line

    def error(self, key: str | None, code: str, message: str) -> None:
        line = self.line_for(key) if key else self.line
        self.findings.error(self.path, line, code, f"{self.what}: {message}")

    def warning(self, key: str | None, code: str, message: str) -> None:
        line = self.line_for(key) if key else self.line
        self.findings.warning(self.path, line, code, f"{self.what}: {message}")

    def _missing(self, key: str) -> None:
        self.error(None, "missing-key", f'the key "{key}" is missing')

    def _scalar(self, key: str, required: bool) -> ScalarNode | None:
        node = self.fields.get(key)
        if node is None or node.tag == _NULL:
            if required:
                self._missing(key)
            return None
        if not isinstance(node, ScalarNode):
            self.error(key, "type", f'"{key}" must be a single value, not {_kind(node)}')
            return None
        return node

    def text(self, key: str, required: bool = False) -> str | None:
        """A string; numbers written without quotes are taken as written (e.g. postal codes)."""
        node = self._scalar(key, required)
        if node is None:
            return None
        value = str(node.value)
        if node.tag == _BOOL and node.style is None:
            self.error(key, "type", f'"{key}" must be text; put "{value}" in quotes')
            return None
        if required and not value.strip():
            self.error(key, "empty", f'"{key}" must not be empty')
            return None
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        node = self._scalar(key, False)
        if node is None:
            return default
        value = str(node.value).lower()
        if node.tag == _BOOL or value in _TRUE | _FALSE:
            return value in _TRUE
        self.error(key, "type", f'"{key}" must be true or false, not "{node.value}"')
        return default

    def number(self, key: str, required: bool = False) -> float | None:
        node = self._scalar(key, required)
        if node is None:
            return None
        try:
            return float(str(node.value).replace("_", ""))
        except ValueError:
            self.error(key, "type", f'"{key}" must be a number, not "{node.value}"')
            return None

    def date(self, key: str, required: bool = False) -> dt.date | None:
        node = self._scalar(key, required)
        if node is None:
            return None
        try:
            return dt.date.fromisoformat(str(node.value))
        except ValueError:
            self.error(key, "type", f'"{key}" must be a date like 2026-03-31, not "{node.value}"')
            return None

    def datetime(self, key: str, required: bool = False) -> dt.datetime | None:
        node = self._scalar(key, required)
        if node is None:
            return None
        try:
            return dt.datetime.fromisoformat(str(node.value))
        except ValueError:
            self.error(
                key,
                "type",
                f'"{key}" must be a date and time like 2026-03-31 10:00, not "{node.value}"',
            )
            return None

    def node(self, key: str, required: bool = False) -> Node | None:
        node = self.fields.get(key)
        if node is None or node.tag == _NULL:
            if required:
                self._missing(key)
            return None
        return node

    def items(self, key: str, required: bool = False) -> Iterator[Node]:
        """The entries of a list field (a single value counts as a list of one)."""
        node = self.node(key, required)
        if node is None:
            return
        if isinstance(node, SequenceNode):
            yield from node.value
        elif isinstance(node, ScalarNode):
            yield node
        else:
            self.error(key, "type", f'"{key}" must be a list, not {_kind(node)}')

    def words(self, key: str, required: bool = False) -> tuple[str, ...]:
        """A list of short values (ids, codes); each entry must be a single value."""
        values: list[str] = []
        for item in self.items(key, required):
            if isinstance(item, ScalarNode) and item.tag != _NULL and str(item.value).strip():
                values.append(str(item.value).strip())
            else:
                self.findings.error(
                    self.path,
                    line_of(item),
                    "type",
                    f'{self.what}: each entry of "{key}" must be a single value, not {_kind(item)}',
                )
        return tuple(values)

    def word_lines(self, key: str) -> dict[str, int]:
        """Map each entry of a list field to the line it stands on (for reference checks)."""
        lines: dict[str, int] = {}
        for item in self.items(key):
            if isinstance(item, ScalarNode):
                lines.setdefault(str(item.value).strip(), line_of(item))
        return lines
